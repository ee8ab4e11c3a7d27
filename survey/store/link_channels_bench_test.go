package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"
)

// BenchmarkHandOutAndOpen measures what the daily pages add on a store
// holding 500 handed-out links: a hand-out of a link handed out before
// (the order page's QR download, a copy: one read by _id), a first
// hand-out (read, insert, the read model told), the survey page's opening
// record after the first (nothing: remembered), and an answer to a link
// handed out before against one with no channel recorded (which records
// the channel first).
func BenchmarkHandOutAndOpen(b *testing.B) {
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(b, clock.Now)
	surveytest.ReadModel(b, s)
	st := surveytest.Structure(b, s, "AI du Bocage", "Normandie")
	var orders []*survey.Order
	created := 0
	issue := func() *survey.Order {
		created++
		in := surveytest.OrderInput()
		in.Reference = fmt.Sprintf("BC-%06d", created)
		o, err := s.CreateOrder(ctx, st.ID, in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.IssueSurvey(ctx, st.ID, o.ID); err != nil {
			b.Fatal(err)
		}
		if o, err = s.Order(ctx, st.ID, o.ID); err != nil {
			b.Fatal(err)
		}
		return o
	}
	for range 500 {
		o := issue()
		if _, err := s.RecordHandOut(ctx, o, survey.ChannelEmail); err != nil {
			b.Fatal(err)
		}
		orders = append(orders, o)
	}
	b.Run("hand-out again", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := s.RecordHandOut(ctx, orders[i%len(orders)], survey.ChannelQR); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("first hand-out", func(b *testing.B) {
		fresh := make([]*survey.Order, 0, b.N)
		for range b.N {
			fresh = append(fresh, issue())
		}
		b.ResetTimer()
		for i := range b.N {
			if _, err := s.RecordHandOut(ctx, fresh[i], survey.ChannelQR); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("opening again", func(b *testing.B) {
		if err := s.RecordLinkOpen(ctx, st.ID, orders[0].ID); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := s.RecordLinkOpen(ctx, st.ID, orders[0].ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	sc, err := s.ResolveToken(ctx, orders[0].Survey.Token)
	if err != nil {
		b.Fatal(err)
	}
	answers := surveytest.Answers(&sc.Questionnaire)
	next := 1
	b.Run("answer, channel recorded", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.SubmitResponseVia(ctx, orders[next%len(orders)].Survey.Token, answers, survey.ChannelLink); err != nil {
				b.Fatal(err)
			}
			next++
		}
	})
	b.Run("answer, no channel recorded", func(b *testing.B) {
		fresh := make([]*survey.Order, 0, b.N)
		for range b.N {
			fresh = append(fresh, issue())
		}
		b.ResetTimer()
		for i := range b.N {
			if _, err := s.SubmitResponseVia(ctx, fresh[i].Survey.Token, answers, survey.ChannelLink); err != nil {
				b.Fatal(err)
			}
		}
	})
}
