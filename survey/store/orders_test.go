package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

func newOrderStore(t testing.TB) (*store.Store, *surveytest.Clock, *survey.Structure) {
	t.Helper()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	surveytest.ReadModel(t, s) // it writes the orders' answered copies
	return s, clock, surveytest.Structure(t, s, "AI du Bocage", "Normandie")
}

func mustOrder(t *testing.T, s *store.Store, sid string, in survey.OrderInput) *survey.Order {
	t.Helper()
	o, err := s.CreateOrder(context.Background(), sid, in)
	if err != nil {
		t.Fatalf("create order %s: %v", in.Reference, err)
	}
	return o
}

func answer(t *testing.T, s *store.Store, sid, oid string) {
	t.Helper()
	ctx := context.Background()
	l, err := s.IssueSurvey(ctx, sid, oid)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.ResolveToken(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitResponse(ctx, l.Token, surveytest.Answers(&sc.Questionnaire)); err != nil {
		t.Fatal(err)
	}
}

func TestDuplicateReferenceIsAFieldConflict(t *testing.T) {
	t.Parallel()
	s, _, st := newOrderStore(t)
	other := surveytest.Structure(t, s, "Autre", "Normandie")
	mustOrder(t, s, st.ID, surveytest.OrderInput())
	_, err := s.CreateOrder(context.Background(), st.ID, surveytest.OrderInput())
	var cerr *survey.ConflictError
	if !errors.As(err, &cerr) || cerr.Fields["reference"].Code != "duplicate" || !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("want a reference conflict, got %v", err)
	}
	// The same reference in another structure is another order.
	mustOrder(t, s, other.ID, surveytest.OrderInput())
}

func TestUpdateOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, st := newOrderStore(t)
	o := mustOrder(t, s, st.ID, surveytest.OrderInput())
	taken := surveytest.OrderInput()
	taken.Reference = "BC-2"
	mustOrder(t, s, st.ID, taken)

	clock.Advance(time.Hour)
	in := surveytest.OrderInput()
	in.Reference, in.Hours, in.Client.Phone = "BC-1b", 12, "+33 6 12 34 56 78"
	got, err := s.UpdateOrder(ctx, st.ID, o.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Order(ctx, st.ID, o.ID)
	if stored.Reference != "BC-1b" || stored.Hours != 12 || stored.Client.Phone != "06 12 34 56 78" || !stored.UpdatedAt.Equal(clock.Now()) || got.Reference != "BC-1b" {
		t.Fatalf("not updated: %+v", stored)
	}
	if !stored.CreatedAt.Equal(o.CreatedAt) {
		t.Fatal("created_at changed")
	}

	in.Reference = "BC-2"
	var cerr *survey.ConflictError
	if _, err := s.UpdateOrder(ctx, st.ID, o.ID, in); !errors.As(err, &cerr) || cerr.Fields["reference"].Code != "duplicate" {
		t.Fatalf("taken reference: %v", err)
	}
	in.Reference, in.EndDate = "BC-1c", "2026-01-01"
	var verr *survey.ValidationError
	if _, err := s.UpdateOrder(ctx, st.ID, o.ID, in); !errors.As(err, &verr) {
		t.Fatalf("invalid update: %v", err)
	}
	if again, _ := s.Order(ctx, st.ID, o.ID); again.Reference != "BC-1b" || again.EndDate != stored.EndDate {
		t.Fatalf("a refused update wrote something: %+v", again)
	}

	// A live link freezes the service type; an answer freezes everything.
	if _, err := s.IssueSurvey(ctx, st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	in = surveytest.OrderInput()
	in.Reference, in.ServiceType = "BC-1b", survey.ServiceMAC
	if _, err := s.UpdateOrder(ctx, st.ID, o.ID, in); !errors.As(err, &cerr) || cerr.Fields["service_type"].Code == "" {
		t.Fatalf("service type under a live link: %v", err)
	}
	in.ServiceType = survey.ServiceMAD
	updated, err := s.UpdateOrder(ctx, st.ID, o.ID, in)
	if err != nil || updated.Survey == nil {
		t.Fatalf("update keeps the survey: %v %+v", err, updated)
	}
	answer(t, s, st.ID, o.ID)
	if _, err := s.UpdateOrder(ctx, st.ID, o.ID, in); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("answered order updated: %v", err)
	}
	other := surveytest.Structure(t, s, "Autre", "Normandie")
	if _, err := s.UpdateOrder(ctx, other.ID, o.ID, in); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("another structure's order: %v", err)
	}
}

func TestDeleteOrderRemovesItsLinks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, st := newOrderStore(t)
	o := mustOrder(t, s, st.ID, surveytest.OrderInput())
	first, _ := s.IssueSurvey(ctx, st.ID, o.ID)
	if err := s.CancelSurvey(ctx, st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	second, _ := s.IssueSurvey(ctx, st.ID, o.ID)
	if err := s.DeleteOrder(ctx, st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Order(ctx, st.ID, o.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("order still there: %v", err)
	}
	for _, tok := range []string{first.Token, second.Token} {
		n, err := s.DB().Collection("survey_links").CountDocuments(ctx, map[string]any{"_id": tok})
		if err != nil || n != 0 {
			t.Fatalf("link %s left behind: %d %v", tok, n, err)
		}
	}

	answered := surveytest.OrderInput()
	answered.Reference = "BC-answered"
	a := mustOrder(t, s, st.ID, answered)
	answer(t, s, st.ID, a.ID)
	if err := s.DeleteOrder(ctx, st.ID, a.ID); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("answered order deleted: %v", err)
	}
	if _, err := s.Order(ctx, st.ID, a.ID); err != nil {
		t.Fatalf("answered order must remain: %v", err)
	}
	if err := s.DeleteOrder(ctx, st.ID, "0123456789abcdef01234567"); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("unknown order: %v", err)
	}
}

func TestListOrdersFiltersAndPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, st := newOrderStore(t)
	other := surveytest.Structure(t, s, "Autre", "Normandie")
	mustOrder(t, s, other.ID, surveytest.OrderInput())
	companies := []string{"École Sainte-Marie", "Mairie de Vire", "Crème & Cie", "SARL Dupont", "EHPAD Les Tilleuls"}
	ids := map[string]string{}
	for i := range 10 {
		in := surveytest.OrderInput()
		in.Reference = fmt.Sprintf("BC-%02d", i)
		in.Client.Company = companies[i%len(companies)]
		in.StartDate = fmt.Sprintf("2026-03-%02d", i+1)
		in.EndDate = ""
		if i%2 == 1 {
			in.ServiceType = survey.ServiceMAC
		}
		ids[in.Reference] = mustOrder(t, s, st.ID, in).ID
		if i%3 == 0 { // several orders per millisecond: the id breaks ties
			clock.Advance(time.Second)
		}
	}
	// Survey states: 00 issued, 01 answered, 02 cancelled, 03 expired.
	for _, ref := range []string{"BC-00", "BC-02", "BC-03"} {
		if _, err := s.IssueSurvey(ctx, st.ID, ids[ref]); err != nil {
			t.Fatal(err)
		}
	}
	answer(t, s, st.ID, ids["BC-01"])
	if err := s.CancelSurvey(ctx, st.ID, ids["BC-02"]); err != nil {
		t.Fatal(err)
	}
	// Expire BC-03 only: move its expiry into the past.
	if _, err := s.DB().Collection("orders").UpdateOne(ctx, map[string]any{"_id": ids["BC-03"]}, map[string]any{"$set": map[string]any{"survey.expires_at": clock.Now().Add(-time.Hour)}}); err != nil {
		t.Fatal(err)
	}

	refs := func(f survey.OrderFilter) []string {
		t.Helper()
		p, err := s.ListOrders(ctx, st.ID, f)
		if err != nil {
			t.Fatalf("list %+v: %v", f, err)
		}
		out := []string{}
		for _, o := range p.Orders {
			out = append(out, o.Reference)
		}
		return append(out, fmt.Sprintf("total=%d", p.Total))
	}
	cases := []struct {
		name string
		f    survey.OrderFilter
		want string
	}{
		{"all, newest first", survey.OrderFilter{}, "[BC-09 BC-08 BC-07 BC-06 BC-05 BC-04 BC-03 BC-02 BC-01 BC-00 total=10]"},
		{"page 2 of 4", survey.OrderFilter{Page: 2, PerPage: 4}, "[BC-05 BC-04 BC-03 BC-02 total=10]"},
		{"page past the end", survey.OrderFilter{Page: 9, PerPage: 4}, "[total=10]"},
		{"service type", survey.OrderFilter{ServiceType: survey.ServiceMAC}, "[BC-09 BC-07 BC-05 BC-03 BC-01 total=5]"},
		{"date range", survey.OrderFilter{StartFrom: "2026-03-03", StartTo: "2026-03-05"}, "[BC-04 BC-03 BC-02 total=3]"},
		{"not issued", survey.OrderFilter{Status: survey.SurveyNotIssued, PerPage: 3}, "[BC-09 BC-08 BC-07 total=6]"},
		{"issued", survey.OrderFilter{Status: survey.SurveyIssued}, "[BC-00 total=1]"},
		{"answered", survey.OrderFilter{Status: survey.SurveyAnswered}, "[BC-01 total=1]"},
		{"cancelled", survey.OrderFilter{Status: survey.SurveyCancelled}, "[BC-02 total=1]"},
		{"expired", survey.OrderFilter{Status: survey.SurveyExpired}, "[BC-03 total=1]"},
		{"search without accents", survey.OrderFilter{Q: "ecole"}, "[BC-05 BC-00 total=2]"},
		{"search with other case and accents", survey.OrderFilter{Q: "CRÉME"}, "[BC-07 BC-02 total=2]"},
		{"search on reference", survey.OrderFilter{Q: "bc-0"}, "[BC-09 BC-08 BC-07 BC-06 BC-05 BC-04 BC-03 BC-02 BC-01 BC-00 total=10]"},
		{"search paged", survey.OrderFilter{Q: "bc-0", Page: 3, PerPage: 4}, "[BC-01 BC-00 total=10]"},
		{"search and filters", survey.OrderFilter{Q: "mairie", ServiceType: survey.ServiceMAD}, "[BC-06 total=1]"},
	}
	for _, tc := range cases {
		if got := fmt.Sprint(refs(tc.f)); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	bad := []struct {
		f     survey.OrderFilter
		field string
	}{
		{survey.OrderFilter{ServiceType: "interim"}, "service_type"},
		{survey.OrderFilter{Status: "done"}, "status"},
		{survey.OrderFilter{StartFrom: "2026-13-01"}, "start_from"},
		{survey.OrderFilter{StartFrom: "2026-03-05", StartTo: "2026-03-01"}, "start_to"},
		{survey.OrderFilter{PerPage: 500}, "per_page"},
		{survey.OrderFilter{Page: -1}, "page"},
	}
	for _, tc := range bad {
		var verr *survey.ValidationError
		if _, err := s.ListOrders(ctx, st.ID, tc.f); !errors.As(err, &verr) || verr.Fields[tc.field].Code == "" {
			t.Errorf("filter %+v: want an error on %s, got %v", tc.f, tc.field, err)
		}
	}
}

func TestIssueSurveysBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, st := newOrderStore(t)
	var ids []string
	for i := range 4 {
		in := surveytest.OrderInput()
		in.Reference = fmt.Sprintf("BC-%d", i)
		ids = append(ids, mustOrder(t, s, st.ID, in).ID)
	}
	live, _ := s.IssueSurvey(ctx, st.ID, ids[0])
	res, err := s.IssueSurveys(ctx, st.ID, survey.OrderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matched != 3 || res.Issued != 3 || res.Existing != 0 || len(res.Links) != 3 || len(res.Failures) != 0 {
		t.Fatalf("first batch: %+v", res)
	}
	// Every order now has a live link: nothing left to issue by default.
	if res, _ := s.IssueSurveys(ctx, st.ID, survey.OrderFilter{}); res.Matched != 0 {
		t.Fatalf("second batch: %+v", res)
	}
	res, err = s.IssueSurveys(ctx, st.ID, survey.OrderFilter{Status: survey.SurveyIssued, Q: "bc-0"})
	if err != nil || res.Matched != 1 || res.Existing != 1 || res.Links[0].Link.Token != live.Token {
		t.Fatalf("issued filter returns the live link: %+v %v", res, err)
	}
	if _, err := s.IssueSurveys(ctx, st.ID, survey.OrderFilter{Status: survey.SurveyAnswered}); !errors.As(err, new(*survey.ValidationError)) {
		t.Fatalf("answered batch: %v", err)
	}
	// Without a published questionnaire for the type, orders are reported, not issued.
	mac := surveytest.OrderInput()
	mac.Reference, mac.ServiceType = "BC-mac", survey.ServiceMAC
	mustOrder(t, s, st.ID, mac)
	for _, q := range mustList(t, s, st.ID) {
		if q.ServiceTypes[0] == survey.ServiceMAC {
			if _, err := s.DB().Collection("questionnaires").UpdateOne(ctx, map[string]any{"_id": q.ID}, map[string]any{"$set": map[string]any{"status": "archived"}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	res, err = s.IssueSurveys(ctx, st.ID, survey.OrderFilter{})
	if err != nil || res.Matched != 1 || res.Issued != 0 || len(res.Failures) != 1 || res.Failures[0].Reference != "BC-mac" {
		t.Fatalf("no questionnaire: %+v %v", res, err)
	}
}

func mustList(t *testing.T, s *store.Store, sid string) []survey.Questionnaire {
	t.Helper()
	qs, err := s.ListQuestionnaires(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func TestConcurrentDuplicateReferences(t *testing.T) {
	t.Parallel()
	s, _, st := newOrderStore(t)
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := s.CreateOrder(context.Background(), st.ID, surveytest.OrderInput())
			results <- err
		})
	}
	wg.Wait()
	close(results)
	created, conflicts := 0, 0
	for err := range results {
		switch {
		case err == nil:
			created++
		case errors.Is(err, survey.ErrConflict):
			conflicts++
		default:
			t.Errorf("create: %v", err)
		}
	}
	if created != 1 || conflicts != 7 {
		t.Fatalf("want 1 created and 7 conflicts, got %d and %d", created, conflicts)
	}
}
