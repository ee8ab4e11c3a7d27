package store_test

import (
	"context"
	"fmt"
	"testing"

	"capsat/survey"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkListOrders compares the list paths on 2,000 orders of one
// structure: paging in the store, and the text search done in Go over the
// store-filtered orders. The baseline decodes every order of the structure,
// the least work any Go-side filter needs.
func BenchmarkListOrders(b *testing.B) {
	ctx := context.Background()
	s, _, st := newOrderStore(b)
	companies := []string{"Mairie de Vire", "École Sainte-Marie", "SARL Dupont", "EHPAD Les Tilleuls"}
	for i := range 2000 {
		in := surveytest.OrderInput()
		in.Reference = fmt.Sprintf("BC-%05d", i)
		in.Client.Company = companies[i%len(companies)]
		if _, err := s.CreateOrder(ctx, st.ID, in); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("baseline: decode all", func(b *testing.B) {
		for b.Loop() {
			cur, err := s.DB().Collection("orders").Find(ctx, bson.M{"structure_id": st.ID})
			if err != nil {
				b.Fatal(err)
			}
			var all []survey.Order
			if err := cur.All(ctx, &all); err != nil || len(all) != 2000 {
				b.Fatal(err, len(all))
			}
		}
	})
	cases := []struct {
		name string
		f    survey.OrderFilter
		want int
	}{
		{"page 1 in store", survey.OrderFilter{}, 2000},
		{"page 20 in store", survey.OrderFilter{Page: 20}, 2000},
		{"status filter in store", survey.OrderFilter{Status: survey.SurveyNotIssued, ServiceType: survey.ServiceMAD}, 2000},
		{"text search in Go", survey.OrderFilter{Q: "ecole"}, 500},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := s.ListOrders(ctx, st.ID, tc.f)
				if err != nil || p.Total != tc.want {
					b.Fatal(err, p.Total)
				}
			}
		})
	}
}
