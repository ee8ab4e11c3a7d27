package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

// mailFixture is a structure sending its orders automatically and one
// order of it, already over, with a client e-mail.
func mailFixture(t *testing.T, clock *surveytest.LockedClock) (*store.Store, *survey.Structure, *survey.Order) {
	t.Helper()
	ctx := context.Background()
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	set := survey.DefaultEmailSettings()
	set.AutoSend = true
	set.SenderName = "AI du Bocage"
	set.ReplyTo = "contact@bocage.fr"
	if _, err := s.SaveEmailSettings(ctx, st.ID, set); err != nil {
		t.Fatal(err)
	}
	in := surveytest.OrderInput()
	in.EndDate = clock.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	in.StartDate = clock.Now().AddDate(0, 0, -10).Format(time.DateOnly)
	o, err := s.CreateOrder(ctx, st.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return s, st, o
}

func TestOutboxInvitationThenReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	s, st, o := mailFixture(t, clock)
	if err := s.PlanInvitation(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	// Planning again (an edit that changes nothing) keeps the one planned.
	if err := s.PlanInvitation(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.OrderMessages(ctx, st.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Kind != survey.KindInvitation || msgs[0].Status != survey.MessageQueued || msgs[0].To != "durand@vire.fr" {
		t.Fatalf("planned: %+v", msgs)
	}
	if !msgs[0].PlannedAt.Equal(s.Now()) {
		t.Errorf("an order already over is invited at once: planned %v, now %v", msgs[0].PlannedAt, s.Now())
	}
	if _, err := s.OrderMessages(ctx, "another-structure", o.ID); !errors.Is(err, survey.ErrNotFound) {
		t.Errorf("another structure reads the messages: %v", err)
	}

	due, err := s.DueMessages(ctx, s.Now(), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due: %v %v", due, err)
	}
	m := due[0]
	c, err := s.ClaimMessage(ctx, &m, "a")
	if err != nil {
		t.Fatal(err)
	}
	other := due[0]
	if _, err := s.ClaimMessage(ctx, &other, "b"); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("second claim of one attempt: %v", err)
	}
	mail, why, err := s.PrepareSurveyMail(ctx, &m)
	if err != nil || why != "" {
		t.Fatalf("prepare: %q %v", why, err)
	}
	if mail.Token == "" || mail.Unsubscribe == "" || mail.Structure.Name != "AI du Bocage" {
		t.Fatalf("mail: %+v", mail)
	}
	if err := s.RecordDelivery(ctx, c, &m, survey.Delivery{MessageID: "<x@capsat>", SMTPResponse: "250 OK"}, survey.DefaultRetryPolicy); err != nil {
		t.Fatal(err)
	}
	msgs, _ = s.OrderMessages(ctx, st.ID, o.ID)
	if len(msgs) != 2 || msgs[0].Status != survey.MessageSent || msgs[0].SentAt == nil || msgs[1].Kind != survey.KindReminder || msgs[1].Reminder != 1 {
		t.Fatalf("after sending: %+v", msgs)
	}
	if want := msgs[0].SentAt.Add(7 * 24 * time.Hour); !msgs[1].PlannedAt.Equal(want) {
		t.Errorf("reminder 1 at %v, want %v", msgs[1].PlannedAt, want)
	}
	if due, _ := s.DueMessages(ctx, s.Now(), 10); len(due) != 0 {
		t.Fatalf("the reminder is due at once: %+v", due)
	}
	page, err := s.StructureMessages(ctx, st.ID, store.MessageFilter{})
	if err != nil || len(page.Messages) != 2 || page.Messages[0].Kind != survey.KindReminder {
		t.Fatalf("structure list: %+v %v", page, err)
	}
	if page, _ := s.StructureMessages(ctx, st.ID, store.MessageFilter{Status: survey.MessageSent}); len(page.Messages) != 1 {
		t.Fatalf("filtered list: %+v", page)
	}

	// The answer cancels the reminder at once.
	surveytest.Submit(t, s, mail.Token, surveytest.Answers)
	msgs, _ = s.OrderMessages(ctx, st.ID, o.ID)
	if len(msgs) != 2 || msgs[1].Status != survey.MessageCancelled || msgs[1].Error != survey.CancelAnswered {
		t.Fatalf("reminder after the answer: %+v", msgs)
	}
	// A message queued regardless (a race with the answer) is cancelled by
	// the sender's last look at the order.
	late := &survey.OutboxMessage{StructureID: st.ID, OrderID: o.ID, Kind: survey.KindReminder, To: o.Client.Email, Reminder: 1}
	if err := s.Enqueue(ctx, late); err != nil {
		t.Fatal(err)
	}
	rc, err := s.ClaimMessage(ctx, late, "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, why, err := s.PrepareSurveyMail(ctx, late); err != nil || why != survey.CancelAnswered {
		t.Fatalf("reminder after the answer: %q %v", why, err)
	}
	if err := s.CancelClaimed(ctx, rc, late, survey.CancelAnswered); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueMessages(ctx, s.Now().Add(30*24*time.Hour), 10); len(due) != 0 {
		t.Fatalf("still due: %+v", due)
	}
	if _, err := s.SendSurveyNow(ctx, st.ID, o.ID, survey.KindReminder); !errors.Is(err, survey.ErrAlreadyAnswered) {
		t.Fatalf("reminder of an answered order: %v", err)
	}
}

func TestOutboxClaimTakenOverAfterTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	s, st, o := mailFixture(t, clock)
	m, err := s.SendSurveyNow(ctx, st.ID, o.ID, survey.KindInvitation)
	if err != nil {
		t.Fatal(err)
	}
	first := *m
	if _, err := s.ClaimMessage(ctx, &first, "crashed"); err != nil {
		t.Fatal(err)
	}
	// The holder dies before recording anything: nobody may send until
	// the claim times out, then one sender may.
	again := *m
	if _, err := s.ClaimMessage(ctx, &again, "b"); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("claim before the timeout: %v", err)
	}
	clock.Advance(store.ClaimTimeout + time.Second)
	c, err := s.ClaimMessage(ctx, &again, "b")
	if err != nil || c.Attempt != 2 {
		t.Fatalf("claim after the timeout: %+v %v", c, err)
	}
	third := *m
	if _, err := s.ClaimMessage(ctx, &third, "c"); !errors.Is(err, survey.ErrConflict) {
		t.Fatalf("a third claim: %v", err)
	}
	if err := s.RecordDelivery(ctx, c, &again, survey.Delivery{Err: errors.New("450 try later")}, survey.DefaultRetryPolicy); err != nil {
		t.Fatal(err)
	}
	got, err := s.Message(ctx, st.ID, m.ID)
	if err != nil || got.Status != survey.MessageQueued || got.Attempts != 2 || !got.DueAt.After(s.Now()) {
		t.Fatalf("retry planned: %+v %v", got, err)
	}
}

func TestOutboxManualSendRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))
	s, st, o := mailFixture(t, clock)
	in := surveytest.OrderInput()
	in.Reference, in.Client.Email = "BC-2", ""
	noMail, err := s.CreateOrder(ctx, st.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	var verr *survey.ValidationError
	if _, err := s.SendSurveyNow(ctx, st.ID, noMail.ID, survey.KindInvitation); !errors.As(err, &verr) || verr.Fields["client.email"].Code == "" {
		t.Fatalf("no e-mail: %v", err)
	}
	if err := s.OptOut(ctx, st.ID, "DURAND@vire.fr"); err != nil {
		t.Fatal(err)
	}
	var cerr *survey.ConflictError
	if _, err := s.SendSurveyNow(ctx, st.ID, o.ID, survey.KindInvitation); !errors.As(err, &cerr) {
		t.Fatalf("opted out: %v", err)
	}
	// The invitation planned when the order was created is cancelled when
	// the order is planned again, and no other is planned.
	if err := s.PlanInvitation(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := s.OrderMessages(ctx, st.ID, o.ID); len(msgs) != 1 || msgs[0].Status != survey.MessageCancelled || msgs[0].Error != survey.CancelOptedOut {
		t.Fatalf("planned for an address that opted out: %+v", msgs)
	}
}
