package readmodel_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"capsat/export"
	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// benchScale reads CAPSAT_BENCH_RESPONSES (default 200,000 responses).
func benchScale() int {
	if n, err := strconv.Atoi(os.Getenv("CAPSAT_BENCH_RESPONSES")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// BenchmarkNationalWorkbook seeds 500 structures × 24 months with
// responses (InsertMany, not HTTP), rebuilds the summaries, measures one
// full scan of the responses as the baseline, then the national
// consolidated workbook over the 24 months (aggregate + xlsx).
//
//	go test ./survey/readmodel -run '^$' -bench NationalWorkbook -benchtime 5x -timeout 30m
func BenchmarkNationalWorkbook(b *testing.B) {
	ctx := context.Background()
	s := surveytest.Store(b, time.Now)
	rm := surveytest.ReadModel(b, s)
	const structures, months = 500, 24
	responses := benchScale()
	began := time.Now()
	firstSID := seedNetwork(b, s, structures, months, responses)
	seedSeconds := time.Since(began).Seconds()

	rep, err := rm.RebuildSummaries(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if rep.Responses != responses {
		b.Fatalf("rebuild saw %d responses, want %d", rep.Responses, responses)
	}
	scan := fullResponseScan(b, s, responses)

	began = time.Now()
	if err := rm.RefreshSummary(ctx, firstSID, "2026-03"); err != nil {
		b.Fatal(err)
	}
	refreshSeconds := time.Since(began).Seconds()

	period := survey.MonthSpan{From: "2024-12", To: "2026-11"}
	var total time.Duration
	runs := 0
	for b.Loop() {
		t0 := time.Now()
		agg, err := rm.Aggregate(ctx, survey.AggregateQuery{Period: period})
		if err != nil {
			b.Fatal(err)
		}
		if err := export.WriteConsolidated(io.Discard, agg, export.ConsolidatedMeta{Scope: "Réseau national", GeneratedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
		if got := agg.Network[survey.FigureResponses].Numerator; got != responses {
			b.Fatalf("workbook counts %d responses, want %d", got, responses)
		}
		total += time.Since(t0)
		runs++
	}
	// b.Loop resets extra metrics when it starts: report them all here.
	perRun := total.Seconds() / float64(runs)
	b.ReportMetric(seedSeconds, "seed-s")
	b.ReportMetric(rep.Seconds, "rebuild-s")
	b.ReportMetric(refreshSeconds, "refresh1-s")
	b.ReportMetric(scan.Seconds(), "fullscan-s")
	b.ReportMetric(perRun, "workbook-s")
	b.ReportMetric(scan.Seconds()/perRun, "scan/workbook")
}

// fullResponseScan streams every response once, decoded: what computing
// the national figures from raw responses would at least cost.
func fullResponseScan(b *testing.B, s *store.Store, want int) time.Duration {
	b.Helper()
	ctx := context.Background()
	began := time.Now()
	cur, err := s.DB().Collection("responses").Find(ctx, map[string]any{})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for cur.Next(ctx) {
		var r survey.Response
		if err := cur.Decode(&r); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := cur.Close(ctx); err != nil || n != want {
		b.Fatalf("scan: %d responses, %v", n, err)
	}
	return time.Since(began)
}

// seedNetwork inserts structures, their default questionnaires, orders (a
// fifth unanswered) and responses with client data and comments, spread
// unevenly over structures and months. It returns the first structure's id.
func seedNetwork(b *testing.B, s *store.Store, structures, months, responses int) string {
	b.Helper()
	db := s.DB()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 12, 10, 9, 0, 0, 0, time.UTC)
	sids := make([]string, structures)
	qs := map[string]map[survey.ServiceType]*survey.Questionnaire{}
	var docs []any
	var qdocs []any
	for i := range structures {
		sid := survey.NewID()
		sids[i] = sid
		docs = append(docs, survey.Structure{ID: sid, Name: fmt.Sprintf("Structure %03d", i), SIRET: surveytest.ValidSIRET,
			Region: survey.Regions[i%len(survey.Regions)], Type: survey.StructureTypes[i%len(survey.StructureTypes)],
			Settings: survey.StructureSettings{SurveyExpiryDays: 60, Anonymous: i%10 == 0}, CreatedAt: start, UpdatedAt: start})
		qs[sid] = map[survey.ServiceType]*survey.Questionnaire{}
		for _, q := range survey.DefaultQuestionnaires(sid) {
			q.ID, q.FamilyID, q.Version, q.Status = survey.NewID(), survey.NewID(), 1, survey.StatusPublished
			q.CreatedAt, q.UpdatedAt, q.PublishedAt = start, start, &start
			qq := q
			qs[sid][q.ServiceTypes[0]] = &qq
			qdocs = append(qdocs, qq)
		}
	}
	insertAll(b, db.Collection("structures"), docs)
	insertAll(b, db.Collection("questionnaires"), qdocs)
	weights := make([]float64, structures) // a few large structures, many small ones
	sum := 0.0
	for i := range weights {
		weights[i] = 0.2 + rng.ExpFloat64()
		sum += weights[i]
	}
	var orders, resps []any
	flush := func(force bool) {
		if force || len(orders) >= 5000 {
			insertAll(b, db.Collection("orders"), orders)
			insertAll(b, db.Collection("responses"), resps)
			orders, resps = orders[:0], resps[:0]
		}
	}
	made := 0
	for i, sid := range sids {
		n := int(float64(responses) * weights[i] / sum)
		if i == len(sids)-1 {
			n = responses - made
		}
		for k := range n + n/4 {
			service := survey.ServiceTypes[rng.IntN(4)/3] // three in four are staff provision
			issued := start.AddDate(0, rng.IntN(months), rng.IntN(15)).Add(time.Duration(rng.IntN(36000)) * time.Second)
			q := qs[sid][service]
			ref := fmt.Sprintf("BC-%d-%d", i, k)
			o := survey.Order{ID: survey.NewID(), StructureID: sid, Reference: ref, ReferenceKey: survey.ReferenceKey(ref), ServiceType: service,
				Client:   survey.Client{Company: "Client confidentiel", ContactName: "M. Dupont", Email: "dupont@client.fr", Phone: "0600000000"},
				JobTitle: "Agent", StartDate: "2025-01-01", CreatedAt: issued, UpdatedAt: issued,
				Survey: &survey.OrderSurvey{Token: survey.NewToken(), QuestionnaireID: q.ID, IssuedAt: issued, ExpiresAt: issued.AddDate(0, 0, 60)}}
			if k < n {
				at := issued.Add(48 * time.Hour)
				o.Survey.AnsweredAt = &at
				resps = append(resps, survey.Response{OrderID: o.ID, StructureID: sid, OrderReference: o.Reference, ServiceType: service,
					QuestionnaireID: q.ID, QuestionnaireFamily: q.FamilyID, QuestionnaireVersion: 1, IssuedAt: issued, SubmittedAt: at,
					Answers: benchAnswers(rng, q)})
			}
			orders = append(orders, o)
			flush(false)
		}
		made += n
	}
	flush(true)
	return sids[0]
}

func benchAnswers(rng *rand.Rand, q *survey.Questionnaire) map[string]string {
	a := map[string]string{}
	for _, qu := range q.Questions {
		switch qu.Type {
		case survey.QuestionScale:
			a[qu.Code] = survey.ScaleLevels[min(rng.IntN(7), 4)/2+rng.IntN(2)].Value
		case survey.QuestionYesNo:
			a[qu.Code] = []string{survey.YesAnswer, survey.YesAnswer, survey.YesAnswer, survey.NoAnswer}[rng.IntN(4)]
		case survey.QuestionNPS:
			a[qu.Code] = strconv.Itoa(4 + rng.IntN(7))
		case survey.QuestionText:
			if rng.IntN(3) == 0 {
				a[qu.Code] = "Très bonne prestation, merci à toute l'équipe pour sa réactivité."
			}
		}
	}
	return a
}

// insertAll inserts documents in batches of 1000.
func insertAll(b *testing.B, col *mongo.Collection, docs []any) {
	b.Helper()
	for i := 0; i < len(docs); i += 1000 {
		if _, err := col.InsertMany(context.Background(), docs[i:min(i+1000, len(docs))]); err != nil {
			b.Fatal(err)
		}
	}
}
