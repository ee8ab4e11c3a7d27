package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// copies holds the stored order and link documents as they were, to put
// back after a change: as if the process had stopped right after the
// change's claim, before writing its copies (see "One fate per link" in
// order_change.go).
type copies struct {
	order bson.Raw
	links map[string]bson.Raw
}

func keepCopies(t *testing.T, s *store.Store, oid string, tokens ...string) copies {
	t.Helper()
	ctx := context.Background()
	c := copies{links: map[string]bson.Raw{}}
	var err error
	if c.order, err = s.DB().Collection("orders").FindOne(ctx, bson.M{"_id": oid}).Raw(); err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if c.links[tok], err = s.DB().Collection("survey_links").FindOne(ctx, bson.M{"_id": tok}).Raw(); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// putBack writes the kept documents again, and deletes the links given.
func (c copies) putBack(t *testing.T, s *store.Store, oid string, drop ...string) {
	t.Helper()
	ctx := context.Background()
	upsert := options.Replace().SetUpsert(true)
	if _, err := s.DB().Collection("orders").ReplaceOne(ctx, bson.M{"_id": oid}, c.order, upsert); err != nil {
		t.Fatal(err)
	}
	for tok, doc := range c.links {
		if _, err := s.DB().Collection("survey_links").ReplaceOne(ctx, bson.M{"_id": tok}, doc, upsert); err != nil {
			t.Fatal(err)
		}
	}
	for _, tok := range drop {
		if _, err := s.DB().Collection("survey_links").DeleteOne(ctx, bson.M{"_id": tok}); err != nil {
			t.Fatal(err)
		}
	}
}

// answers are complete answers to the structure's staff-provision questionnaire.
func answers(t *testing.T, s *store.Store, sid string) map[string]string {
	t.Helper()
	qs, err := s.ListQuestionnaires(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	for i := range qs {
		if qs[i].Status == survey.StatusPublished && slices.Contains(qs[i].ServiceTypes, survey.ServiceMAD) {
			return surveytest.Answers(&qs[i])
		}
	}
	t.Fatal("no published staff-provision questionnaire")
	return nil
}

// count counts the documents of collection with that _id.
func count(t *testing.T, s *store.Store, collection, id string) int64 {
	t.Helper()
	n, err := s.DB().Collection(collection).CountDocuments(context.Background(), bson.M{"_id": id})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A change whose copies were never written is completed by whoever reads
// the order or the link next: the claim decides, the copies follow.
func TestClaimWithoutItsCopiesIsCompletedByTheNextReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("issue", func(t *testing.T) {
		t.Parallel()
		s, clock, st := newOrderStore(t)
		o := mustOrder(t, s, st.ID, surveytest.OrderInput())
		kept := keepCopies(t, s, o.ID)
		l, err := s.IssueSurvey(ctx, st.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept.putBack(t, s, o.ID, l.Token)
		got, err := s.Order(ctx, st.ID, o.ID)
		if err != nil || got.SurveyStatusAt(clock.Now()) != survey.SurveyIssued || got.Survey.Token != l.Token {
			t.Fatalf("order after an issue without copies: %+v %v", got.Survey, err)
		}
		if _, err := s.ResolveToken(ctx, l.Token); err != nil {
			t.Fatalf("the link's document is written again: %v", err)
		}
		if again, err := s.IssueSurvey(ctx, st.ID, o.ID); err != nil || again.Token != l.Token {
			t.Fatalf("issue again: %v %v", again, err)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		s, clock, st := newOrderStore(t)
		o := mustOrder(t, s, st.ID, surveytest.OrderInput())
		l, err := s.IssueSurvey(ctx, st.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept := keepCopies(t, s, o.ID, l.Token)
		if err := s.CancelSurvey(ctx, st.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		kept.putBack(t, s, o.ID)
		if _, err := s.SubmitResponse(ctx, l.Token, answers(t, s, st.ID)); !errors.Is(err, survey.ErrCancelled) {
			t.Fatalf("answer a link cancelled without copies: %v", err)
		}
		if _, err := s.ResolveToken(ctx, l.Token); !errors.Is(err, survey.ErrCancelled) {
			t.Fatalf("open a link cancelled without copies: %v", err)
		}
		got, err := s.Order(ctx, st.ID, o.ID)
		if err != nil || got.SurveyStatusAt(clock.Now()) != survey.SurveyCancelled {
			t.Fatalf("order: %+v %v", got.Survey, err)
		}
		var link survey.SurveyLink
		if err := s.DB().Collection("survey_links").FindOne(ctx, bson.M{"_id": l.Token}).Decode(&link); err != nil || link.CancelledAt == nil {
			t.Fatalf("the link's copy of the cancel is written again: %+v %v", link, err)
		}
		if next, err := s.IssueSurvey(ctx, st.ID, o.ID); err != nil || next.Token == l.Token {
			t.Fatalf("issue after the cancel: %v %v", next, err)
		}
	})

	t.Run("edit", func(t *testing.T) {
		t.Parallel()
		s, _, st := newOrderStore(t)
		o := mustOrder(t, s, st.ID, surveytest.OrderInput())
		l, err := s.IssueSurvey(ctx, st.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept := keepCopies(t, s, o.ID, l.Token)
		in := surveytest.OrderInput()
		in.Reference, in.JobTitle = "BC-1-bis", "Agent polyvalent"
		if _, err := s.UpdateOrder(ctx, st.ID, o.ID, in); err != nil {
			t.Fatal(err)
		}
		kept.putBack(t, s, o.ID)
		sc, err := s.ResolveToken(ctx, l.Token)
		if err != nil || sc.Order.Reference != in.Reference || sc.Order.JobTitle != in.JobTitle {
			t.Fatalf("the page shows %+v (%v), want the edit", sc, err)
		}
		r, err := s.SubmitResponse(ctx, l.Token, surveytest.Answers(&sc.Questionnaire))
		if err != nil || r.OrderReference != in.Reference || r.JobTitle != in.JobTitle {
			t.Fatalf("the answer keeps %+v (%v), want the edit", r, err)
		}
		if got, err := s.Order(ctx, st.ID, o.ID); err != nil || got.Reference != in.Reference {
			t.Fatalf("order: %+v %v", got, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		s, _, st := newOrderStore(t)
		o := mustOrder(t, s, st.ID, surveytest.OrderInput())
		l, err := s.IssueSurvey(ctx, st.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept := keepCopies(t, s, o.ID, l.Token)
		if err := s.DeleteOrder(ctx, st.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		kept.putBack(t, s, o.ID)
		if _, err := s.SubmitResponse(ctx, l.Token, answers(t, s, st.ID)); !errors.Is(err, survey.ErrCancelled) {
			t.Fatalf("answer the link of an order deleted without its copies: %v", err)
		}
		if _, err := s.Order(ctx, st.ID, o.ID); !errors.Is(err, survey.ErrNotFound) {
			t.Fatalf("order deleted without its copies: %v", err)
		}
		if count(t, s, "orders", o.ID) != 0 || count(t, s, "survey_links", l.Token) != 0 {
			t.Fatal("the deletion's copies are not completed")
		}
	})

	t.Run("answer", func(t *testing.T) {
		t.Parallel()
		// No read model: it copies an answer to its order only once it has
		// read the response, which here was never written.
		s := surveytest.Store(t, nil)
		st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
		o := mustOrder(t, s, st.ID, surveytest.OrderInput())
		l, err := s.IssueSurvey(ctx, st.ID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := surveytest.Submit(t, s, l.Token, func(q *survey.Questionnaire) map[string]string {
			return surveytest.AnswersLike(q, "tres_satisfait", "10", "Merci")
		})
		// Each of these reads the answer's claim, finds its response
		// missing and writes it from the claim before refusing.
		for _, read := range []struct {
			name string
			do   func() error
		}{
			{"open the link", func() error { _, err := s.ResolveToken(ctx, l.Token); return err }},
			{"answer again", func() error { _, err := s.SubmitResponse(ctx, l.Token, answers(t, s, st.ID)); return err }},
			{"cancel", func() error { return s.CancelSurvey(ctx, st.ID, o.ID) }},
			{"issue", func() error { _, err := s.IssueSurvey(ctx, st.ID, o.ID); return err }},
			{"delete", func() error { return s.DeleteOrder(ctx, st.ID, o.ID) }},
			{"edit", func() error { _, err := s.UpdateOrder(ctx, st.ID, o.ID, surveytest.OrderInput()); return err }},
		} {
			if _, err := s.DB().Collection("responses").DeleteOne(ctx, bson.M{"_id": o.ID}); err != nil {
				t.Fatal(err)
			}
			if err := read.do(); !errors.Is(err, survey.ErrConflict) && !errors.Is(err, survey.ErrAlreadyAnswered) {
				t.Errorf("%s: %v, want a refusal", read.name, err)
			}
			got, err := s.Response(ctx, st.ID, o.ID)
			if err != nil || got.Answers["commentaire"] != "Merci" || !got.SubmittedAt.Equal(r.SubmittedAt) {
				t.Errorf("%s: the response is not written again: %+v %v", read.name, got, err)
			}
		}
	})
}

// Orders and links from before changes were numbered (no rev, no change
// stored) keep their states; their answers are told by the response.
func TestOrdersFromBeforeChangesWereNumbered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, clock, st := newOrderStore(t)
	unnumber := func(oid, token string) {
		t.Helper()
		if _, err := s.DB().Collection("order_changes").DeleteMany(ctx, bson.M{"order_id": oid}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Collection("orders").UpdateOne(ctx, bson.M{"_id": oid}, bson.M{"$unset": bson.M{"rev": ""}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Collection("survey_links").UpdateOne(ctx, bson.M{"_id": token}, bson.M{"$unset": bson.M{"rev": ""}}); err != nil {
			t.Fatal(err)
		}
	}

	open, openTok := surveytest.IssuedOrder(t, s, st.ID, "BC-open", survey.ServiceMAD)
	unnumber(open.ID, openTok)
	surveytest.Submit(t, s, openTok, surveytest.Answers)
	if err := s.CancelSurvey(ctx, st.ID, open.ID); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("cancel after the answer to an old link: %v", err)
	}

	answered, answeredTok := surveytest.IssuedOrder(t, s, st.ID, "BC-answered", survey.ServiceMAD)
	surveytest.Submit(t, s, answeredTok, surveytest.Answers)
	unnumber(answered.ID, answeredTok)
	if _, err := s.ResolveToken(ctx, answeredTok); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Errorf("open an old answered link: %v", err)
	}
	if _, err := s.SubmitResponse(ctx, answeredTok, answers(t, s, st.ID)); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Errorf("answer an old answered link: %v", err)
	}
	if _, err := s.IssueSurvey(ctx, st.ID, answered.ID); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Errorf("issue for an old answered order: %v", err)
	}
	if err := s.DeleteOrder(ctx, st.ID, answered.ID); !errors.Is(err, survey.ErrConflict) {
		t.Errorf("delete an old answered order: %v", err)
	}

	cancelled, cancelledTok := surveytest.IssuedOrder(t, s, st.ID, "BC-cancelled", survey.ServiceMAD)
	if err := s.CancelSurvey(ctx, st.ID, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	unnumber(cancelled.ID, cancelledTok)
	if _, err := s.ResolveToken(ctx, cancelledTok); !errors.Is(err, survey.ErrCancelled) {
		t.Errorf("open an old cancelled link: %v", err)
	}
	next, err := s.IssueSurvey(ctx, st.ID, cancelled.ID)
	if err != nil || next.Token == cancelledTok {
		t.Fatalf("issue after an old cancel: %v %v", next, err)
	}
	if got, _ := s.Order(ctx, st.ID, cancelled.ID); got.SurveyStatusAt(clock.Now()) != survey.SurveyIssued || len(got.LinkTokens) != 2 {
		t.Errorf("order after a new link: %+v %v", got.Survey, got.LinkTokens)
	}
	if _, err := s.ResolveToken(ctx, cancelledTok); !errors.Is(err, survey.ErrCancelled) {
		t.Errorf("the old link once replaced: %v", err)
	}
}
