package store_test

import (
	"capsat/survey"
	"capsat/survey/surveytest"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestOrderCatalogueFollowsEveryChange plays a random history of orders
// (creations, imports, edits, links issued, cancelled and reissued,
// answers, deletions, over three months and two structures), then checks
// that the embedded store's order catalogue matches the order documents
// entry for entry, and that every list, filter and search answers as the
// filtered queries MongoDB runs. CAPSAT_CATALOGUE_SEED replays a run.
func TestOrderCatalogueFollowsEveryChange(t *testing.T) {
	t.Parallel()
	if !surveytest.Embedded() {
		t.Skip("only the embedded store keeps an order catalogue")
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CAPSAT_CATALOGUE_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("CAPSAT_CATALOGUE_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC))
	s := surveytest.Store(t, clock.Now)
	surveytest.ReadModel(t, s) // it writes the orders' answered copies
	a := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	b := surveytest.Structure(t, s, "ETTI du Val", "Normandie")
	companies := []string{"École Sainte-Marie", "Mairie de Vire", "Crème & Cie", "SARL Dupont", "EHPAD Les Tilleuls"}
	orders := map[string][]string{}
	input := func(i int) survey.OrderInput {
		in := surveytest.OrderInput()
		in.Reference = fmt.Sprintf("BC-%03d", i)
		in.Client.Company = companies[rng.IntN(len(companies))]
		in.StartDate = fmt.Sprintf("2026-0%d-%02d", 1+rng.IntN(3), 1+rng.IntN(28))
		in.EndDate = ""
		if rng.IntN(2) == 0 {
			in.ServiceType = survey.ServiceMAC
		}
		return in
	}
	for i := range 70 {
		sid := a.ID
		if i%4 == 3 {
			sid = b.ID
		}
		clock.Advance(time.Duration(rng.IntN(36)) * time.Hour)
		if i%10 == 9 { // an import of three orders
			csv := "N° commande;Type de prestation;Client;Poste;Date début;Date fin\n"
			for j := range 3 {
				in := input(1000 + i*10 + j)
				csv += fmt.Sprintf("%s;MAD;%s;Agent;%s/%s/%s;\n", in.Reference, in.Client.Company, in.StartDate[8:], in.StartDate[5:7], in.StartDate[:4])
			}
			if _, err := s.ImportOrders(ctx, sid, parseImport(t, csv), false); err != nil {
				t.Fatalf("import: %v", err)
			}
			continue
		}
		o, err := s.CreateOrder(ctx, sid, input(i))
		if err != nil {
			t.Fatal(err)
		}
		orders[sid] = append(orders[sid], o.ID)
		if len(orders[sid]) < 2 {
			continue
		}
		oid := orders[sid][rng.IntN(len(orders[sid]))]
		switch rng.IntN(6) {
		case 0:
			_, err = s.IssueSurvey(ctx, sid, oid)
		case 1:
			if _, err = s.IssueSurvey(ctx, sid, oid); err == nil {
				err = s.CancelSurvey(ctx, sid, oid)
			}
		case 2:
			if l, ierr := s.IssueSurvey(ctx, sid, oid); ierr == nil {
				_, err = s.SubmitResponse(ctx, l.Token, surveytest.Answers(mustQuestionnaire(t, s, l.Token)))
			}
		case 3:
			_, err = s.UpdateOrder(ctx, sid, oid, input(500+i))
		case 4:
			err = s.DeleteOrder(ctx, sid, oid)
		}
		if err != nil && !isRefusal(err) {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	for _, sid := range []string{a.ID, b.ID} {
		drift, err := s.CatalogueDrift(ctx, sid)
		if err != nil {
			t.Fatal(err)
		}
		if len(drift) > 0 {
			t.Fatalf("catalogue of %s drifted from the orders: %v", sid, drift)
		}
		filters := []survey.OrderFilter{
			{}, {Page: 2, PerPage: 7}, {Page: 4, PerPage: 5}, {Page: 30, PerPage: 5},
			{ServiceType: survey.ServiceMAC}, {StartFrom: "2026-02-01", StartTo: "2026-02-28", PerPage: 4, Page: 2},
			{Q: "ecole"}, {Q: "BC-0"}, {Q: "mairie", ServiceType: survey.ServiceMAD},
		}
		for _, st := range []survey.SurveyStatus{survey.SurveyNotIssued, survey.SurveyIssued, survey.SurveyAnswered, survey.SurveyCancelled} {
			filters = append(filters, survey.OrderFilter{Status: st, PerPage: 3})
		}
		for _, f := range filters {
			got, err := s.ListOrders(ctx, sid, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.ListOrdersByQuery(ctx, sid, f)
			if err != nil {
				t.Fatal(err)
			}
			if got.TotalAtLeast {
				// The search stopped after the page's next match: a lower
				// bound, above the page.
				if end := (max(f.Page, 1)-1)*f.PerPage + len(got.Orders); got.Total <= end || got.Total > want.Total {
					t.Errorf("%s %+v: at least %d, the page ends at %d, %d match", sid, f, got.Total, end, want.Total)
				}
				got.Total = want.Total
			}
			if g, w := pageRefs(got), pageRefs(want); g != w {
				t.Errorf("%s %+v:\n got %s\nwant %s", sid, f, g, w)
			}
		}
	}
}

func pageRefs(p *survey.OrderPage) string {
	out := fmt.Sprintf("total=%d", p.Total)
	for _, o := range p.Orders {
		out += " " + o.Reference
	}
	return out
}

func mustQuestionnaire(t *testing.T, s interface {
	ResolveToken(context.Context, string) (*survey.SurveyContext, error)
}, token string) *survey.Questionnaire {
	t.Helper()
	sc, err := s.ResolveToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return &sc.Questionnaire
}

// isRefusal tells a refused step of a random history (an answered order
// edited, a duplicate reference) from a failure.
func isRefusal(err error) bool {
	var conflict *survey.ConflictError
	var invalid *survey.ValidationError
	return errors.As(err, &conflict) || errors.As(err, &invalid) ||
		errors.Is(err, survey.ErrConflict) || errors.Is(err, survey.ErrAlreadyAnswered) || errors.Is(err, survey.ErrNotFound)
}
