package survey_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const benchResponses = 100_000

// seedResponses stores n answered orders (and n/5 unanswered) of one
// structure, issued over 2025, with their responses.
func seedResponses(b *testing.B, s *survey.Store, sid string, n int) {
	b.Helper()
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	var orders, responses []any
	flush := func(force bool) {
		if len(orders) >= 2000 || (force && len(orders) > 0) {
			if _, err := s.DB().Collection("orders").InsertMany(ctx, orders); err != nil {
				b.Fatal(err)
			}
			orders = orders[:0]
		}
		if len(responses) >= 2000 || (force && len(responses) > 0) {
			if _, err := s.DB().Collection("responses").InsertMany(ctx, responses); err != nil {
				b.Fatal(err)
			}
			responses = responses[:0]
		}
	}
	for i := 0; i < n+n/5; i++ {
		id := fmt.Sprintf("%024x", i)
		issued := start.Add(time.Duration(i%(364*24)) * time.Hour)
		st := survey.ServiceMAD
		if i%4 == 0 {
			st = survey.ServiceMAC
		}
		o := survey.Order{ID: id, StructureID: sid, Reference: "BC-" + strconv.Itoa(i), ServiceType: st,
			Client: survey.Client{Company: "Client " + strconv.Itoa(i%500)}, StartDate: "2025-01-01", EndDate: "2025-01-31",
			Survey: &survey.OrderSurvey{Token: "t" + id, QuestionnaireID: "q", IssuedAt: issued, ExpiresAt: issued.AddDate(0, 0, 60)}}
		if i < n {
			answered := issued.Add(48 * time.Hour)
			o.Survey.AnsweredAt = &answered
			responses = append(responses, survey.Response{OrderID: id, StructureID: sid, OrderReference: o.Reference, ServiceType: st,
				QuestionnaireID: "q", QuestionnaireVersion: 1, IssuedAt: issued, SubmittedAt: answered, Answers: map[string]string{
					"reactivite": "satisfait", "adequation_profil": "tres_satisfait", "qualite_travail": "satisfait", "ponctualite": "peu_satisfait",
					"suivi_mission": "satisfait", "clarte_administratif": "sans_objet", "satisfaction_globale": "satisfait",
					"reutiliser": "oui", "recommandation": strconv.Itoa(i % 11), "commentaire": "Très bien, merci " + strconv.Itoa(i)}})
		}
		orders = append(orders, o)
		flush(false)
	}
	flush(true)
}

// BenchmarkIndicatorSourceRead100k measures reading 100,000 responses and
// 120,000 orders of one structure from the store (the embedded FerretDB
// unless MONGODB_URI is set), beside a plain find({}) of the responses.
func BenchmarkIndicatorSourceRead100k(b *testing.B) {
	s := surveytest.Store(b, nil)
	st := surveytest.Structure(b, s, "AI bench", "Normandie")
	seedStart := time.Now()
	seedResponses(b, s, st.ID, benchResponses)
	b.Logf("seeded %d responses in %s", benchResponses, time.Since(seedStart))
	ctx := context.Background()
	year := survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}

	b.Run("IndicatorSource", func(b *testing.B) {
		for b.Loop() {
			src, err := s.IndicatorSource(ctx, st.ID, year)
			if err != nil {
				b.Fatal(err)
			}
			if len(src.Responses) != benchResponses {
				b.Fatalf("%d responses", len(src.Responses))
			}
		}
	})
	b.Run("FindAllRawResponses", func(b *testing.B) {
		for b.Loop() {
			cur, err := s.DB().Collection("responses").Find(ctx, bson.M{}, options.Find().SetBatchSize(2000))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for cur.Next(ctx) {
				n++
			}
			_ = cur.Close(ctx)
			if n != benchResponses {
				b.Fatalf("%d", n)
			}
		}
	})
	// One batch of a scan ranged on _id, as STYLE.md lesson 9 pages: on the
	// embedded store each batch filters the whole collection again.
	b.Run("OneIDRangedBatchOf2000", func(b *testing.B) {
		for b.Loop() {
			filter := bson.M{"structure_id": st.ID, "issued_at": bson.M{"$gte": year.From, "$lt": year.End()}, "_id": bson.M{"$gt": fmt.Sprintf("%024x", benchResponses/2)}}
			cur, err := s.DB().Collection("responses").Find(ctx, filter, options.Find().SetSort(bson.M{"_id": 1}).SetLimit(2000))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for cur.Next(ctx) {
				n++
			}
			_ = cur.Close(ctx)
			if n != 2000 {
				b.Fatalf("%d", n)
			}
		}
	})
}
