package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"capsat/survey"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// submitResult sums up the load phase.
type submitResult struct {
	elapsed    time.Duration
	accepted   int            // posts answered 303 (stored)
	postStatus map[string]int // token → status of its post (0: failed before)
	statuses   map[int]int    // other post statuses
	failures   map[string]int
	gets       []time.Duration
	posts      []time.Duration
	perAnswer  []time.Duration // get + post
}

func newSubmitResult(tokens []string, subs []submission, elapsed time.Duration) *submitResult {
	r := &submitResult{elapsed: elapsed, statuses: map[int]int{}, failures: map[string]int{}, postStatus: map[string]int{}}
	for i, s := range subs {
		r.postStatus[tokens[i]] = s.status
		switch {
		case s.err != nil:
			r.failures[failureKind(s.err)]++
			continue
		case s.status == 303:
			r.accepted++
		default:
			r.statuses[s.status]++
		}
		r.gets = append(r.gets, s.get)
		r.posts = append(r.posts, s.post)
		r.perAnswer = append(r.perAnswer, s.get+s.post)
	}
	return r
}

// rate is stored answers per second.
func (r *submitResult) rate() float64 { return float64(r.accepted) / r.elapsed.Seconds() }

func (r *submitResult) print(out io.Writer) {
	fmt.Fprintf(out, "HTTP: %d answers stored in %s: %.0f submissions/s (%.0f requests/s); other statuses %v; failures %v\n",
		r.accepted, r.elapsed.Round(time.Millisecond), r.rate(), 2*r.rate(), r.statuses, r.failures)
	for _, l := range []struct {
		name string
		d    []time.Duration
	}{{"GET /s/{token}", r.gets}, {"POST /s/{token}", r.posts}, {"GET+POST", r.perAnswer}} {
		p := percentiles(l.d)
		fmt.Fprintf(out, "  %-16s p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms\n", l.name, p[0], p[1], p[2])
	}
}

// percentiles returns p50, p95 and p99 in milliseconds.
func percentiles(d []time.Duration) [3]float64 {
	var out [3]float64
	if len(d) == 0 {
		return out
	}
	s := slices.Clone(d)
	slices.Sort(s)
	for i, p := range []float64{.50, .95, .99} {
		idx := min(len(s)-1, int(p*float64(len(s))))
		out[i] = float64(s[idx].Microseconds()) / 1000
	}
	return out
}

// rawResult is the raw insert measurement.
type rawResult struct {
	n       int
	elapsed time.Duration
}

func (r rawResult) rate() float64 { return float64(r.n) / r.elapsed.Seconds() }

// rawInsertRate inserts n response documents like the ones the survey path
// stores, one InsertOne each, from conc goroutines, into a collection of
// their own in the same store.
func rawInsertRate(ctx context.Context, db *mongo.Database, n, conc int) (rawResult, error) {
	coll := db.Collection(rawCollection)
	errs := make([]error, n)
	now := time.Now().UTC()
	start := time.Now()
	runIndexed(n, conc, func(i int) {
		r := survey.Response{
			OrderID: survey.NewID(), StructureID: survey.NewID(), OrderReference: fmt.Sprintf("CHARGE-%06d", i),
			ServiceType: survey.ServiceMAD, JobTitle: "Agent d'entretien", QuestionnaireID: survey.NewID(),
			QuestionnaireFamily: survey.NewID(), QuestionnaireVersion: 1, IssuedAt: now, SubmittedAt: now,
			Answers: rawAnswers(i), Flagged: i%3 == 0,
		}
		_, errs[i] = coll.InsertOne(ctx, r)
	})
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return rawResult{}, fmt.Errorf("raw insert: %w", err)
		}
	}
	return rawResult{n: n, elapsed: elapsed}, nil
}

func rawAnswers(i int) map[string]string {
	a := map[string]string{}
	for _, q := range survey.DefaultMADQuestions() {
		switch q.Type {
		case survey.QuestionScale:
			a[q.Code] = survey.ScaleLevels[i%4].Value
		case survey.QuestionYesNo:
			a[q.Code] = survey.YesAnswer
		case survey.QuestionNPS:
			a[q.Code] = fmt.Sprint(i % 11)
		case survey.QuestionText:
			a[q.Code] = "Réponse de charge : intervention conforme, personne ponctuelle et agréable."
		}
	}
	return a
}

// failureKind shortens an error to its kind, without the token.
func failureKind(err error) string {
	msg := err.Error()
	for _, kind := range []string{"Client.Timeout", "connection reset", "EOF", "get form: status"} {
		if strings.Contains(msg, kind) {
			return kind
		}
	}
	return msg
}
