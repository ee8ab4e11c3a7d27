package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

// TestLedgerAndIndexedReadersAgree is the contract of the two indicator
// source readers: the ledgers the embedded store reads by _id and the
// indexed finds MongoDB answers (store.IndexedIndicatorSource) give the
// same source for any history and any range. Each run plays a random
// history (issue, hand out by e-mail, copy or QR, answer, cancel, reissue,
// edit, follow up, delete) over
// several structures; CAPSAT_CONTRACT_SEED replays one.
func TestLedgerAndIndexedReadersAgree(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CAPSAT_CONTRACT_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("CAPSAT_CONTRACT_SEED: %v", err)
		}
	}
	t.Logf("seed %d (CAPSAT_CONTRACT_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ctx := context.Background()
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	clock := &surveytest.Clock{T: start}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	structures := []*survey.Structure{
		surveytest.Structure(t, s, "AI du Bocage", "Normandie"),
		surveytest.Structure(t, s, "AI des Causses", "Occitanie"),
	}
	h := &history{t: t, ctx: ctx, rng: rng, s: s, clock: clock}
	// 160 steps, and more while a kind of event has not happened yet (a
	// cancellation needs a link issued and unanswered).
	for step := 0; step < 160 || h.lacksAnEvent() && step < 600; step++ {
		h.step(structures[rng.IntN(len(structures))].ID, step)
	}
	t.Logf("history: %d orders, %d answers, %d cancellations, %d deletions, %d hand-outs", len(h.orders), h.answered, h.cancelled, h.deleted, h.handedOut)
	for _, st := range structures {
		for i := range 6 {
			from := start.AddDate(0, 0, rng.IntN(120)-10)
			to := from.AddDate(0, 0, rng.IntN(100))
			r := dateRange(t, from.Format(time.DateOnly), to.Format(time.DateOnly))
			t.Run(fmt.Sprintf("%s/%d %s", st.Name, i, r), func(t *testing.T) {
				ledger, err := rm.LedgerIndicatorSource(ctx, st.ID, r)
				if err != nil {
					t.Fatal(err)
				}
				indexed, err := s.IndexedIndicatorSource(ctx, st.ID, r)
				if err != nil {
					t.Fatal(err)
				}
				assertSameSource(t, ledger, indexed)
				assertSameFigures(t, ledger, indexed, r, clock.Now())
				assertSameFollowUps(t, rm, st.ID, r, ledger)
			})
		}
	}
	for _, st := range structures {
		for i := range 4 {
			now := clock.Now().In(survey.IndicatorLocation())
			from := time.Date(2026, time.Month(1+rng.IntN(int(now.Month()))), 1, 0, 0, 0, 0, survey.IndicatorLocation())
			to := from.AddDate(0, 1+rng.IntN(3), -1)
			if i == 0 || to.After(now) {
				to = now // up to today, as the dashboard's default
			}
			r := dateRange(t, from.Format(time.DateOnly), to.Format(time.DateOnly))
			t.Run(fmt.Sprintf("summaries %s/%d %s", st.Name, i, r), func(t *testing.T) {
				if !survey.TalliesCover(r, clock.Now()) {
					t.Fatalf("%s is made of whole months", r)
				}
				tallied, err := rm.SummaryIndicatorSource(ctx, st.ID, r, clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				ledger, err := rm.LedgerIndicatorSource(ctx, st.ID, r)
				if err != nil {
					t.Fatal(err)
				}
				if len(tallied.Responses) != 0 || len(tallied.Tallies) == 0 && len(ledger.Surveys)+len(ledger.Responses) > 0 {
					t.Fatalf("%d rows and %d tallies: not read from the summaries", len(tallied.Responses), len(tallied.Tallies))
				}
				assertSameDashboard(t, tallied, ledger, r, clock.Now())
				assertSameFollowUps(t, rm, st.ID, r, ledger)
			})
		}
	}
	if h.answered == 0 || h.cancelled == 0 || h.deleted == 0 || h.handedOut == 0 {
		t.Fatalf("the history lacks a kind of event: %d answered, %d cancelled, %d deleted, %d handed out", h.answered, h.cancelled, h.deleted, h.handedOut)
	}
}

// history plays random events on a store, the clock moving forward.
type history struct {
	t                            *testing.T
	ctx                          context.Context
	rng                          *rand.Rand
	s                            *store.Store
	clock                        *surveytest.Clock
	orders                       []*survey.Order
	answered, cancelled, deleted int
	handedOut                    int
}

func (h *history) lacksAnEvent() bool {
	return h.answered == 0 || h.cancelled == 0 || h.deleted == 0 || h.handedOut == 0
}

func (h *history) step(sid string, n int) {
	h.clock.Advance(time.Duration(h.rng.IntN(20)) * time.Hour)
	if len(h.orders) < 3 || h.rng.IntN(4) == 0 {
		h.create(sid, n)
		return
	}
	o := h.orders[h.rng.IntN(len(h.orders))]
	var err error
	switch h.rng.IntN(8) {
	case 6, 7:
		err = h.handOut(o)
	case 0, 1:
		err = h.answer(o)
	case 2:
		if err = h.s.CancelSurvey(h.ctx, o.StructureID, o.ID); err == nil {
			h.cancelled++
		}
	case 3:
		_, err = h.s.IssueSurvey(h.ctx, o.StructureID, o.ID)
	case 4:
		_, err = h.s.RecordFollowUp(h.ctx, o.StructureID, o.ID, "Appel du client", h.rng.IntN(2) == 0, "test")
	case 5:
		if err = h.s.DeleteOrder(h.ctx, o.StructureID, o.ID); err == nil {
			h.deleted++
		}
	}
	// Refusals are part of the game (an answered order cannot be deleted,
	// a follow-up needs a dissatisfied answer...); failures are not.
	var verr *survey.ValidationError
	refused := errors.Is(err, survey.ErrConflict) || errors.Is(err, survey.ErrNotFound) || errors.Is(err, survey.ErrAlreadyAnswered) ||
		errors.Is(err, survey.ErrCancelled) || errors.Is(err, survey.ErrExpired) || errors.As(err, &verr)
	if err != nil && !refused {
		h.t.Fatalf("step %d: %v", n, err)
	}
}

func (h *history) create(sid string, n int) {
	services := survey.ServiceTypes
	o, err := h.s.CreateOrder(h.ctx, sid, survey.OrderInput{
		Reference: fmt.Sprintf("BC-%03d", n), ServiceType: services[h.rng.IntN(len(services))],
		Client: survey.Client{Company: "Client " + strconv.Itoa(n)}, StartDate: h.clock.Now().Format(time.DateOnly),
	})
	if err != nil {
		h.t.Fatalf("create order: %v", err)
	}
	if h.rng.IntN(5) > 0 {
		if _, err := h.s.IssueSurvey(h.ctx, sid, o.ID); err != nil {
			h.t.Fatalf("issue: %v", err)
		}
	}
	h.orders = append(h.orders, o)
}

// handOut hands the order's current link out through a random channel,
// at times through two at once: the first channel recorded must reach
// both readers, whatever came later.
func (h *history) handOut(o *survey.Order) error {
	current, err := h.s.Order(h.ctx, o.StructureID, o.ID)
	if err != nil || current.Survey == nil {
		return err
	}
	n := 1 + h.rng.IntN(2)
	errs := make(chan error, n)
	for range n {
		ch := survey.Channels[h.rng.IntN(len(survey.Channels))]
		go func() {
			_, err := h.s.RecordHandOut(h.ctx, current, ch)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			return err
		}
	}
	h.handedOut++
	return nil
}

// answer answers the order's live link, if it has one, at random.
func (h *history) answer(o *survey.Order) error {
	current, err := h.s.Order(h.ctx, o.StructureID, o.ID)
	if err != nil || current.Survey == nil {
		return err
	}
	sc, err := h.s.ResolveToken(h.ctx, current.Survey.Token)
	if err != nil {
		return err
	}
	level := survey.ScaleLevels[h.rng.IntN(len(survey.ScaleLevels))]
	comment := ""
	if h.rng.IntN(3) == 0 {
		comment = "Commentaire " + strconv.Itoa(h.rng.IntN(1000))
	}
	answers := surveytest.AnswersLike(&sc.Questionnaire, level.Value, strconv.Itoa(h.rng.IntN(11)), comment)
	// Each channel a client may come through, so that both readers are held
	// to the same channel of each response.
	ch := survey.Channels[h.rng.IntN(len(survey.Channels))]
	if _, err := h.s.SubmitResponseVia(h.ctx, current.Survey.Token, answers, ch); err != nil {
		return err
	}
	h.answered++
	return nil
}
