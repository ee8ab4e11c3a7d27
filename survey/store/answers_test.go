package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The public page shows the order as it is now: edits reach the link's
// copy, a link without a copy reads the order, and a renamed structure
// shows its new name.
func TestSurveyPageShowsTheOrderAsEdited(t *testing.T) {
	t.Parallel()
	edited := shownOrder{"BC-1-bis", "Agent polyvalent", "2026-03-16", "2026-04-30"}
	cases := []struct {
		name string
		// change edits the order (or its link) and returns what the page must show.
		change func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder
	}{
		{"UpdateOrder", func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder {
			in := survey.OrderInput{Reference: edited.ref, ServiceType: o.ServiceType, Client: o.Client, JobTitle: edited.job, StartDate: edited.start, EndDate: edited.end, Hours: 35}
			if _, err := s.UpdateOrder(context.Background(), sid, o.ID, in); err != nil {
				t.Fatal(err)
			}
			return edited
		}},
		{"import update", func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder {
			f := parseImport(t, "N° commande;Type de prestation;Client;Poste;Date début;Date fin\n"+
				o.Reference+";MAD;"+o.Client.Company+";"+edited.job+";16/03/2026;30/04/2026\n")
			rep, err := s.ImportOrders(context.Background(), sid, f, false)
			if err != nil || rep.Updated != 1 || len(rep.Rejected) != 0 {
				t.Fatalf("import: %+v %v", rep, err)
			}
			return shownOrder{o.Reference, edited.job, edited.start, edited.end}
		}},
		{"link issued before links carried their order", func(t *testing.T, s *store.Store, sid string, o *survey.Order, token string) shownOrder {
			ctx := context.Background()
			if _, err := s.DB().Collection("survey_links").UpdateOne(ctx, bson.M{"_id": token}, bson.M{"$unset": bson.M{"order": ""}}); err != nil {
				t.Fatal(err)
			}
			// An edit the link's copy would have missed: the order itself is read.
			if _, err := s.DB().Collection("orders").UpdateOne(ctx, bson.M{"_id": o.ID}, bson.M{"$set": bson.M{"job_title": edited.job}}); err != nil {
				t.Fatal(err)
			}
			return shownOrder{o.Reference, edited.job, o.StartDate, o.EndDate}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
			s := surveytest.Store(t, clock.Now)
			st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
			o, err := s.CreateOrder(ctx, st.ID, survey.OrderInput{Reference: "BC-1", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie"},
				JobTitle: "Agent d'entretien", StartDate: "2026-03-02", EndDate: "2026-03-20", Hours: 35})
			if err != nil {
				t.Fatal(err)
			}
			l, err := s.IssueSurvey(ctx, st.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			before, err := s.ResolveToken(ctx, l.Token)
			if err != nil || shown(before.Order) != shown(*o) {
				t.Fatalf("before the edit: %+v %v, want %+v", shown(before.Order), err, shown(*o))
			}
			want := c.change(t, s, st.ID, o, l.Token)
			clock.Advance(time.Hour)
			sc, err := s.ResolveToken(ctx, l.Token)
			if err != nil {
				t.Fatalf("resolve after the edit: %v", err)
			}
			if got := shown(sc.Order); got != want {
				t.Fatalf("page shows %+v, want %+v", got, want)
			}
			if sc.Order.ID != o.ID || sc.Order.StructureID != st.ID || sc.Order.ServiceType != o.ServiceType || sc.Structure.ID != st.ID {
				t.Fatalf("resolved order %+v of structure %s", sc.Order, sc.Structure.ID)
			}
			// The answer keeps what the page showed, and the link then reads answered.
			r, err := s.SubmitResponse(ctx, l.Token, surveytest.AnswersLike(&sc.Questionnaire, "satisfait", "9", ""))
			if err != nil {
				t.Fatal(err)
			}
			if r.OrderReference != want.ref || r.JobTitle != want.job || r.OrderID != o.ID {
				t.Fatalf("response keeps reference %q and job %q, want %q and %q", r.OrderReference, r.JobTitle, want.ref, want.job)
			}
			if _, err := s.ResolveToken(ctx, l.Token); !errors.Is(err, survey.ErrAlreadyAnswered) {
				t.Fatalf("resolve after the answer: %v", err)
			}
		})
	}
}

// A link without its order's copy still tells its state from the order.
func TestLinkWithoutOrderCopyKeepsItsStates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	unsetCopy := func(token string) {
		t.Helper()
		if _, err := s.DB().Collection("survey_links").UpdateOne(ctx, bson.M{"_id": token}, bson.M{"$unset": bson.M{"order": ""}}); err != nil {
			t.Fatal(err)
		}
	}
	cancelled, tokC := surveytest.IssuedOrder(t, s, st.ID, "BC-C", survey.ServiceMAD)
	unsetCopy(tokC)
	if err := s.CancelSurvey(ctx, st.ID, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	replaced, tokR := surveytest.IssuedOrder(t, s, st.ID, "BC-R", survey.ServiceMAC)
	unsetCopy(tokR)
	if err := s.CancelSurvey(ctx, st.ID, replaced.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurvey(ctx, st.ID, replaced.ID); err != nil {
		t.Fatal(err)
	}
	_, tokE := surveytest.IssuedOrder(t, s, st.ID, "BC-E", survey.ServiceMAD)
	unsetCopy(tokE)
	cases := []struct {
		token string
		want  error
	}{
		{tokC, survey.ErrCancelled},
		{tokR, survey.ErrCancelled},
		{tokE, survey.ErrExpired},
	}
	clock.Advance(61 * 24 * time.Hour)
	for _, c := range cases {
		sc, err := s.ResolveToken(ctx, c.token)
		if !errors.Is(err, c.want) {
			t.Errorf("link %s…: %v, want %v", c.token[:6], err, c.want)
		}
		if sc == nil || sc.Order.Reference == "" {
			t.Errorf("link %s…: the page cannot name its order: %+v", c.token[:6], sc)
		}
	}
}

// The structure's name on the public page follows a rename made through
// the store, although structures are cached for the page.
func TestSurveyPageShowsTheRenamedStructure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	_, tok := surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	for range 2 { // the second read comes from the cache
		sc, err := s.ResolveToken(ctx, tok)
		if err != nil || sc.Structure.Name != "AI du Bocage" {
			t.Fatalf("before the rename: %v %v", sc, err)
		}
	}
	name := "AI du Bocage normand"
	if _, err := s.UpdateStructure(ctx, st.ID, survey.StructurePatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	sc, err := s.ResolveToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Structure.Name != name {
		t.Fatalf("page shows %q after the rename to %q", sc.Structure.Name, name)
	}
}

// shownOrder is what the public page shows of an order.
type shownOrder struct{ ref, job, start, end string }

func shown(o survey.Order) shownOrder {
	return shownOrder{o.Reference, o.JobTitle, o.StartDate, o.EndDate}
}
