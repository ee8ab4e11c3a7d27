package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

// issuedOrder creates an order of a new structure and issues its link.
func issuedOrder(t *testing.T, s *store.Store, ref string) *survey.Order {
	t.Helper()
	ctx := context.Background()
	st := surveytest.Structure(t, s, "AI "+ref, "Normandie")
	o, err := s.CreateOrder(ctx, st.ID, survey.OrderInput{Reference: ref, ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie"}, StartDate: "2026-03-03"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurvey(ctx, st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	if o, err = s.Order(ctx, st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestFirstHandOutChannelWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	o := issuedOrder(t, s, "BC-1")
	if ch, err := s.LinkChannel(ctx, o.Survey.Token); err != nil || ch != "" {
		t.Fatalf("a link not handed out has channel %q (%v)", ch, err)
	}
	for i, ch := range []survey.Channel{survey.ChannelQR, survey.ChannelEmail, survey.ChannelLink} {
		first, err := s.RecordHandOut(ctx, o, ch)
		if err != nil || first != survey.ChannelQR {
			t.Fatalf("hand-out %d through %s: first channel %q (%v), want qr", i, ch, first, err)
		}
	}
	// Answered through an e-mailed URL: the response keeps the first channel.
	sc, err := s.ResolveToken(ctx, o.Survey.Token)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.SubmitResponseVia(ctx, o.Survey.Token, surveytest.Answers(&sc.Questionnaire), survey.ChannelEmail)
	if err != nil || r.Channel.Normal() != survey.ChannelQR {
		t.Fatalf("response channel %q (%v), want qr", r.Channel, err)
	}
	// A new link of the order (cancelled, issued again) starts afresh.
	o2 := issuedOrder(t, s, "BC-2")
	if _, err := s.RecordHandOut(ctx, o2, survey.ChannelEmail); err != nil {
		t.Fatal(err)
	}
	if err := s.CancelSurvey(ctx, o2.StructureID, o2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurvey(ctx, o2.StructureID, o2.ID); err != nil {
		t.Fatal(err)
	}
	again, err := s.Order(ctx, o2.StructureID, o2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch, err := s.LinkChannel(ctx, again.Survey.Token); err != nil || ch != "" {
		t.Fatalf("the new link inherits channel %q (%v)", ch, err)
	}
}

func TestAnswerWithoutHandOutCountsAsLink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := surveytest.Store(t, (&surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}).Now)
	for _, c := range []struct {
		hint, want survey.Channel
	}{{survey.ChannelLink, survey.ChannelLink}, {"", survey.ChannelLink}, {survey.ChannelQR, survey.ChannelQR}} {
		o := issuedOrder(t, s, "BC-"+string(c.hint))
		sc, err := s.ResolveToken(ctx, o.Survey.Token)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.SubmitResponseVia(ctx, o.Survey.Token, surveytest.Answers(&sc.Questionnaire), c.hint)
		if err != nil {
			t.Fatal(err)
		}
		if r.Channel.Normal() != c.want {
			t.Errorf("hint %q: response channel %q, want %s", c.hint, r.Channel, c.want)
		}
		// The link now has that channel for good.
		if ch, err := s.LinkChannel(ctx, o.Survey.Token); err != nil || ch != c.want {
			t.Errorf("hint %q: link channel %q (%v), want %s", c.hint, ch, err, c.want)
		}
		if first, err := s.RecordHandOut(ctx, o, survey.ChannelEmail); err != nil || first != c.want {
			t.Errorf("hint %q: a later e-mail changed the channel to %q (%v)", c.hint, first, err)
		}
	}
}

// TestConcurrentHandOutsOneChannel: people handing out the same link at
// once through different channels (and the client answering meanwhile)
// leave one first channel, the same for all of them, for the link and for
// the response.
func TestConcurrentHandOutsOneChannel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := surveytest.Store(t, (&surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}).Now)
	for round := range 4 {
		o := issuedOrder(t, s, "BC-C"+string(rune('0'+round)))
		sc, err := s.ResolveToken(ctx, o.Survey.Token)
		if err != nil {
			t.Fatal(err)
		}
		const perChannel = 4
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[survey.Channel]int{}
		var answered survey.Channel
		for i := range perChannel * len(survey.Channels) {
			ch := survey.Channels[i%len(survey.Channels)]
			wg.Add(1)
			go func() {
				defer wg.Done()
				first, err := s.RecordHandOut(ctx, o, ch)
				if err != nil {
					t.Errorf("hand-out through %s: %v", ch, err)
					return
				}
				mu.Lock()
				seen[first]++
				mu.Unlock()
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.SubmitResponseVia(ctx, o.Survey.Token, surveytest.Answers(&sc.Questionnaire), survey.ChannelQR)
			if err != nil {
				t.Errorf("answer: %v", err)
				return
			}
			answered = r.Channel.Normal()
		}()
		wg.Wait()
		stored, err := s.LinkChannel(ctx, o.Survey.Token)
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 1 || seen[stored] != perChannel*len(survey.Channels) {
			t.Fatalf("round %d: hand-outs saw first channels %v, stored %s", round, seen, stored)
		}
		if answered != stored {
			t.Fatalf("round %d: response under %s, link first handed out through %s", round, answered, stored)
		}
	}
}

func TestLinkOpenedOnceAndDeletedWithTheOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	o := issuedOrder(t, s, "BC-O")
	if at, err := s.LinkOpenedAt(ctx, o.StructureID, o.ID); err != nil || at != nil {
		t.Fatalf("opened before any opening: %v (%v)", at, err)
	}
	first := clock.Now().UTC().Truncate(time.Millisecond)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.RecordLinkOpen(ctx, o.StructureID, o.ID); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	clock.Advance(time.Hour)
	if err := s.RecordLinkOpen(ctx, o.StructureID, o.ID); err != nil {
		t.Fatal(err)
	}
	at, err := s.LinkOpenedAt(ctx, o.StructureID, o.ID)
	if err != nil || at == nil || !at.Equal(first) {
		t.Fatalf("opened at %v (%v), want the first opening %v", at, err, first)
	}
	if at, _ := s.LinkOpenedAt(ctx, "another-structure", o.ID); at != nil {
		t.Fatal("another structure reads the opening")
	}
	if _, err := s.RecordHandOut(ctx, o, survey.ChannelQR); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOrder(ctx, o.StructureID, o.ID); err != nil {
		t.Fatal(err)
	}
	if at, err := s.LinkOpenedAt(ctx, o.StructureID, o.ID); err != nil || at != nil {
		t.Fatalf("the opening outlives its order: %v (%v)", at, err)
	}
	if ch, err := s.LinkChannel(ctx, o.Survey.Token); err != nil || ch != "" {
		t.Fatalf("the channel outlives its order: %q (%v)", ch, err)
	}
}
