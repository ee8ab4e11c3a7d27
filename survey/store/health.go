package store

import (
	"context"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The write probe: every ProbeEvery, one small document of the health
// collection is upserted by _id, bounded by ProbeTimeout. A ping only says
// that the server answers; a full disk or a read-only folder answers pings
// and refuses every write.
const (
	ProbeEvery   = 2 * time.Second
	ProbeTimeout = 2 * time.Second
	// probeDue is how long a probe's outcome stands: the next one is due
	// within an interval and its timeout, with a second to spare.
	probeDue = ProbeEvery + ProbeTimeout + time.Second
	// healthProbeID is the _id of the probe's document, shared by every
	// instance (each upserts it; the last write wins).
	healthProbeID = "probe"
)

// ProbeWrite upserts the health collection's probe document within
// ProbeTimeout, through the write gate like the answers, and records the
// outcome for LastProbe. Its error is translated (a *Fault when the store
// cannot be reached or cannot write).
func (s *Store) ProbeWrite(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	start := time.Now()
	release, err := s.AcquireWrite(ctx)
	if err == nil {
		_, err = s.db.Collection(colHealth).UpdateOne(ctx, bson.M{"_id": healthProbeID},
			bson.M{"$set": bson.M{"at": start.UTC()}}, options.UpdateOne().SetUpsert(true))
		release()
	}
	err = Translate(err)
	end := time.Now()
	s.probes.record(Probe{At: end, Took: end.Sub(start), Err: err, Due: end.Add(probeDue)})
	return err
}

// LastProbe returns the outcome of the last probe, at once: readiness
// reports it without waiting for the store.
func (s *Store) LastProbe() Probe { return s.probes.get() }

// RunProbes probes the store every ProbeEvery until ctx ends, the first
// after one interval (serve probes once before it listens), and logs when
// the store stops or starts writing again. A failed probe changes nothing
// else: the driver reconnects by itself, and every request tries the store.
func (s *Store) RunProbes(ctx context.Context) {
	t := time.NewTicker(ProbeEvery)
	defer t.Stop()
	failing := s.LastProbe().Err != nil
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := s.ProbeWrite(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && !failing && FaultCause(err) == CauseSlow:
			s.log.Warn("store probe: the store is too slow to write", slog.String("error", err.Error()))
		case err != nil && !failing:
			s.log.Error("store probe: the store cannot write", slog.String("cause", FaultCause(err)), slog.String("error", err.Error()))
		case err == nil && failing:
			s.log.Info("store probe: the store writes again")
		}
		failing = err != nil
	}
}
