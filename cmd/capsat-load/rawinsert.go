package main

import (
	"context"
	"fmt"
	"time"

	"capsat/survey"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// rawCollection holds the documents of the raw insert measurement;
// rawRounds is how many rounds of it give the median baseline.
const (
	rawCollection = "load_raw_responses"
	rawRounds     = 3
)

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
