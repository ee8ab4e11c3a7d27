package mailer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/mailer"
	"capsat/survey/mailer/mailertest"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

const (
	baseURL  = "https://capsat.example.org"
	mailFrom = "ne-pas-repondre@capsat.example.org"
)

// world is one test's store, structure, SMTP sink and sender loop, on a
// clock the test moves.
type world struct {
	t     *testing.T
	ctx   context.Context
	clock *surveytest.LockedClock
	store *store.Store
	st    *survey.Structure
	sink  *mailertest.Sink
	m     *mailer.Mailer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	t.Parallel()
	w := &world{t: t, ctx: context.Background(), clock: surveytest.NewLockedClock(time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC))}
	w.store = surveytest.Store(t, w.clock.Now)
	w.st = surveytest.Structure(t, w.store, "AI du Bocage", "Normandie")
	set := survey.DefaultEmailSettings()
	set.AutoSend = true
	set.SenderName = "AI du Bocage (accueil)"
	set.ReplyTo = "contact@bocage.example.org"
	if _, err := w.store.SaveEmailSettings(w.ctx, w.st.ID, set); err != nil {
		t.Fatal(err)
	}
	w.sink = mailertest.Start(t)
	w.m = w.mailer(w.store, "instance-1")
	return w
}

// mailer is a sender loop on s to the world's sink, as one capsat instance.
func (w *world) mailer(s *store.Store, holder string) *mailer.Mailer {
	w.t.Helper()
	tr, err := mailer.NewSMTP(mailer.Server{Host: "127.0.0.1", Port: w.sink.Port(), Security: mailer.Plain, Timeout: 5 * time.Second})
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := mailer.New(mailer.Options{Store: s, Transport: tr, From: mailFrom, BaseURL: baseURL, Holder: holder})
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// order creates an order of the world's structure ending on end (created,
// so its automatic invitation is planned).
func (w *world) order(ref, end string) *survey.Order {
	w.t.Helper()
	in := surveytest.OrderInput()
	in.Reference, in.EndDate, in.StartDate = ref, end, "2026-04-20"
	in.Client.Email = strings.ToLower(ref) + "@client.example.org"
	o, err := w.store.CreateOrder(w.ctx, w.st.ID, in)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.store.PlanInvitation(w.ctx, o, false); err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *world) round() mailer.Round {
	w.t.Helper()
	r, err := w.m.RunOnce(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

func (w *world) messages(o *survey.Order) []survey.OutboxMessage {
	w.t.Helper()
	msgs, err := w.store.OrderMessages(w.ctx, w.st.ID, o.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return msgs
}

// tokenOf is the survey token of the link in a received message's text.
func tokenOf(t *testing.T, r mailertest.Received) string {
	t.Helper()
	i := strings.Index(r.Text, baseURL+"/s/")
	if i < 0 {
		t.Fatalf("no survey link in the text part:\n%s", r.Text)
	}
	rest := r.Text[i+len(baseURL+"/s/"):]
	tok, query, _ := strings.Cut(strings.Fields(rest)[0], "?")
	if query != "c=mail" {
		t.Fatalf("the link in the mail is not the e-mail variant: %s", strings.Fields(rest)[0])
	}
	return tok
}

func TestInvitationGoesAtTheEndDateWithItsHeadersAndBothParts(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-7", "2026-05-06") // ends in two days
	if r := w.round(); r.Sent != 0 || len(w.sink.Messages()) != 0 {
		t.Fatalf("sent before the end date: %+v", r)
	}
	w.clock.Advance(2*24*time.Hour + 7*time.Hour) // 6 May, 15:00 UTC = 17:00 in Paris
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("round at the end date: %+v, messages %+v", r, w.messages(o))
	}
	got := w.sink.Messages()
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	r := got[0]
	if from := r.HeaderText("From"); !strings.Contains(from, "AI du Bocage (accueil)") || !strings.Contains(from, "<"+mailFrom+">") {
		t.Errorf("From: %q", from)
	}
	if r.EnvelopeFrom != mailFrom || len(r.To) != 1 || r.To[0] != "bc-7@client.example.org" {
		t.Errorf("envelope: %q %v", r.EnvelopeFrom, r.To)
	}
	if rt := r.Header.Get("Reply-To"); !strings.Contains(rt, "contact@bocage.example.org") {
		t.Errorf("Reply-To: %q", rt)
	}
	if subj := r.HeaderText("Subject"); !strings.Contains(subj, "AI du Bocage") {
		t.Errorf("Subject without the structure: %q", subj)
	}
	lu := r.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<"+baseURL+"/desinscription/") || r.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("one-click opt-out headers: %q %q", lu, r.Header.Get("List-Unsubscribe-Post"))
	}
	msgs := w.messages(o)
	if msgs[0].Status != survey.MessageSent || msgs[0].MessageID == "" || r.Header.Get("Message-ID") != msgs[0].MessageID {
		t.Errorf("Message-ID %q recorded as %+v", r.Header.Get("Message-ID"), msgs[0])
	}
	tok := tokenOf(t, r)
	if !strings.Contains(r.HTML, `href="`+baseURL+"/s/"+tok+`?c=mail"`) || !strings.Contains(r.HTML, `lang="fr"`) {
		t.Errorf("HTML part without the link or its language:\n%s", r.HTML)
	}
	sc, err := w.store.ResolveToken(w.ctx, tok)
	if err != nil || sc.Order.ID != o.ID {
		t.Fatalf("the link opens %+v, %v", sc, err)
	}
	expires := sc.Link.ExpiresAt.In(survey.IndicatorLocation()).Format("02/01/2006")
	for _, want := range []string{expires, "Mise à disposition — agent d'entretien, du 20 avril au 6 mai 2026", "BC-7", "Bonjour Mme Durand,"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, r.Text)
		}
	}
	// The reminder is planned a week after.
	if len(msgs) != 2 || msgs[1].Kind != survey.KindReminder || !msgs[1].PlannedAt.Equal(msgs[0].SentAt.Add(7*24*time.Hour)) {
		t.Fatalf("reminder planned: %+v", msgs)
	}
}

func TestRemindersOnScheduleThenNothing(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-8", "2026-05-01") // over: invited at once
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("invitation: %+v", r)
	}
	w.clock.Advance(6 * 24 * time.Hour)
	if r := w.round(); r.Sent != 0 {
		t.Fatalf("reminder before 7 days: %+v", r)
	}
	w.clock.Advance(24 * time.Hour)
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("reminder 1: %+v", r)
	}
	w.clock.Advance(7 * 24 * time.Hour)
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("reminder 2: %+v", r)
	}
	w.clock.Advance(60 * 24 * time.Hour)
	if r := w.round(); r.Sent != 0 {
		t.Fatalf("a third reminder: %+v", r)
	}
	got := w.sink.Messages()
	if len(got) != 3 || !strings.HasPrefix(got[1].HeaderText("Subject"), "Rappel") || tokenOf(t, got[2]) != tokenOf(t, got[0]) {
		t.Fatalf("received: %d", len(got))
	}
	msgs := w.messages(o)
	if len(msgs) != 3 || msgs[1].Reminder != 1 || msgs[2].Reminder != 2 {
		t.Fatalf("messages: %+v", msgs)
	}
}

func TestNoReminderAfterTheAnswer(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-9", "2026-05-01")
	w.round()
	tok := tokenOf(t, w.sink.Messages()[0])
	surveytest.Submit(t, w.store, tok, surveytest.Answers)
	w.clock.Advance(8 * 24 * time.Hour)
	if r := w.round(); r.Sent != 0 {
		t.Fatalf("round after the answer: %+v", r)
	}
	msgs := w.messages(o)
	if len(msgs) != 2 || msgs[1].Status != survey.MessageCancelled || msgs[1].Error != survey.CancelAnswered {
		t.Fatalf("messages: %+v", msgs)
	}
	if len(w.sink.Messages()) != 1 {
		t.Fatal("a reminder went after the answer")
	}
}

func TestNoMessageAfterOptOut(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-10", "2026-05-01")
	w.round()
	lu := w.sink.Messages()[0].Header.Get("List-Unsubscribe")
	tok := strings.TrimSuffix(lu[strings.LastIndexByte(lu, '/')+1:], ">")
	u, err := w.store.ResolveUnsubscribe(w.ctx, tok)
	if err != nil || u.Email != "bc-10@client.example.org" || u.StructureID != w.st.ID {
		t.Fatalf("opt-out token: %+v %v", u, err)
	}
	if err := w.store.OptOut(w.ctx, u.StructureID, u.Email); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(8 * 24 * time.Hour)
	if r := w.round(); r.Sent != 0 || r.Cancelled != 1 {
		t.Fatalf("round after opting out: %+v", r)
	}
	if msgs := w.messages(o); msgs[1].Status != survey.MessageCancelled || msgs[1].Error != survey.CancelOptedOut {
		t.Fatalf("messages: %+v", msgs)
	}
	// A new order for the same address plans nothing.
	in := surveytest.OrderInput()
	in.Reference, in.Client.Email, in.EndDate = "BC-11", "BC-10@client.example.org", "2026-05-01"
	o2, err := w.store.CreateOrder(w.ctx, w.st.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.PlanInvitation(w.ctx, o2, false); err != nil {
		t.Fatal(err)
	}
	if msgs := w.messages(o2); len(msgs) != 0 {
		t.Fatalf("planned for an address that opted out: %+v", msgs)
	}
}

func TestTemporaryFailureIsRetried(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-12", "2026-05-01")
	w.sink.Refuse(451, "Greylisted, try again later")
	if r := w.round(); r.Retried != 1 {
		t.Fatalf("round: %+v", r)
	}
	m := w.messages(o)[0]
	if m.Status != survey.MessageQueued || m.Attempts != 1 || !strings.Contains(m.Error, "451") || !m.DueAt.After(w.store.Now()) {
		t.Fatalf("after a 451: %+v", m)
	}
	w.sink.Accept()
	if r := w.round(); r.Sent != 0 {
		t.Fatalf("retried before its time: %+v", r)
	}
	w.clock.Advance(2 * time.Minute)
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("retry: %+v", r)
	}
	if m := w.messages(o)[0]; m.Status != survey.MessageSent || m.Attempts != 2 {
		t.Fatalf("after the retry: %+v", m)
	}
	if len(w.sink.Messages()) != 1 {
		t.Fatal("received more than once")
	}
}

func TestPermanentFailureIsShownWithItsReason(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-13", "2026-05-01")
	w.sink.Refuse(550, "Mailbox unavailable")
	if r := w.round(); r.Failed != 1 {
		t.Fatalf("round: %+v", r)
	}
	m := w.messages(o)[0]
	if m.Status != survey.MessageFailed || !strings.Contains(m.Error, "550") || !strings.Contains(m.Error, "Mailbox unavailable") {
		t.Fatalf("after a 550: %+v", m)
	}
	w.sink.Accept()
	w.clock.Advance(24 * time.Hour)
	if r := w.round(); r.Sent != 0 || len(w.sink.Messages()) != 0 {
		t.Fatalf("a permanent failure was retried: %+v", r)
	}
	if due, _ := w.store.DueMessages(w.ctx, w.store.Now(), 10); len(due) != 0 {
		t.Fatalf("still in the outbox: %+v", due)
	}
}

func TestServerDownThenUp(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-14", "2026-05-01")
	w.sink.Stop()
	if r := w.round(); r.Retried != 1 {
		t.Fatalf("round with the server down: %+v", r)
	}
	if m := w.messages(o)[0]; m.Status != survey.MessageQueued || m.Error == "" {
		t.Fatalf("after a refused connection: %+v", m)
	}
	w.sink.Restart(t)
	w.clock.Advance(2 * time.Minute)
	if r := w.round(); r.Sent != 1 || len(w.sink.Messages()) != 1 {
		t.Fatalf("round with the server back: %+v", r)
	}
}

func TestTwoInstancesSendEachMessageOnce(t *testing.T) {
	w := newWorld(t)
	var orders []*survey.Order
	for i := range 40 {
		orders = append(orders, w.order(fmt.Sprintf("BC-%d", 100+i), "2026-05-01"))
	}
	// A second instance: its own store on the same database, its own loop.
	other := store.NewStore(w.store.DB(), store.Options{Embedded: w.store.Embedded(), Now: w.clock.Now})
	m2 := w.mailer(other, "instance-2")
	var wg sync.WaitGroup
	rounds := make([]mailer.Round, 2)
	for i, m := range []*mailer.Mailer{w.m, m2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := m.RunOnce(w.ctx)
			if err != nil {
				t.Error(err)
			}
			rounds[i] = r
		}()
	}
	wg.Wait()
	got := w.sink.Messages()
	seen := map[string]int{}
	for _, r := range got {
		seen[r.To[0]]++
	}
	if len(got) != 40 || len(seen) != 40 {
		t.Fatalf("received %d messages for %d addresses (rounds %+v)", len(got), len(seen), rounds)
	}
	if rounds[0].Sent+rounds[1].Sent != 40 {
		t.Errorf("rounds: %+v", rounds)
	}
	for _, o := range orders {
		if msgs := w.messages(o); msgs[0].Status != survey.MessageSent || msgs[0].Attempts != 1 {
			t.Fatalf("order %s: %+v", o.Reference, msgs[0])
		}
	}
}

// crashingStore stops "the process" after the SMTP server accepted the
// message and before anything is recorded.
type crashingStore struct{ *store.Store }

var errCrash = errors.New("crash")

func (crashingStore) RecordAttempts(context.Context, []store.Attempt, survey.RetryPolicy) error {
	return errCrash
}

func TestCrashBetweenClaimAndRecordResendsAtMostOnce(t *testing.T) {
	w := newWorld(t)
	o := w.order("BC-16", "2026-05-01")
	tr, err := mailer.NewSMTP(mailer.Server{Host: "127.0.0.1", Port: w.sink.Port(), Security: mailer.Plain})
	if err != nil {
		t.Fatal(err)
	}
	crashed, err := mailer.New(mailer.Options{Store: crashingStore{w.store}, Transport: tr, From: mailFrom, BaseURL: baseURL, Holder: "crashed"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := crashed.RunOnce(w.ctx); !errors.Is(err, errCrash) {
		t.Fatalf("crashing round: %v", err)
	}
	if len(w.sink.Messages()) != 1 {
		t.Fatal("the first attempt did not reach the server")
	}
	// Another instance leaves the claim alone until it times out...
	if r := w.round(); r.Sent != 0 || r.Skipped != 1 {
		t.Fatalf("round during the claim: %+v", r)
	}
	// ...then sends once more (the fate of the first attempt is unknown),
	// records it, and never again.
	w.clock.Advance(store.ClaimTimeout + time.Minute)
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("round after the claim timeout: %+v", r)
	}
	w.clock.Advance(time.Hour)
	w.round()
	if n := len(w.sink.Messages()); n != 2 {
		t.Fatalf("received %d times, want at most 2", n)
	}
	m := w.messages(o)[0]
	if m.Status != survey.MessageSent || m.Attempts != 2 {
		t.Fatalf("message: %+v", m)
	}
}

// A claim that waited half the claim timeout behind slow sends is given
// back unsent, and the message goes in the next round, once.
func TestClaimHeldTooLongIsGivenBackUnsent(t *testing.T) {
	w := newWorld(t)
	const slow survey.MessageKind = "slow-test"
	w.m.Register(slow, func(_ context.Context, msg *survey.OutboxMessage) (*mailer.Mail, string, error) {
		if msg.ID == "first" {
			w.clock.Advance(store.ClaimTimeout/2 + time.Second) // a slow server
		}
		return &mailer.Mail{FromName: "capsat", To: msg.To, Subject: "lent", Text: "bonjour"}, "", nil
	})
	for _, id := range []string{"first", "second"} {
		if err := w.store.Enqueue(w.ctx, &survey.OutboxMessage{ID: id, StructureID: w.st.ID, Kind: slow, To: id + "@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	if r := w.round(); r.Sent != 1 {
		t.Fatalf("first round: %+v", r)
	}
	if got := w.sink.Messages(); len(got) != 1 || got[0].To[0] != "first@example.org" {
		t.Fatalf("received %+v", got)
	}
	if r := w.round(); r.Sent != 1 || r.Skipped != 0 {
		t.Fatalf("second round: %+v", r)
	}
	m, err := w.store.Message(w.ctx, w.st.ID, "second")
	if err != nil || m.Status != survey.MessageSent || m.Attempts != 1 {
		t.Fatalf("second: %+v %v", m, err)
	}
	if n := len(w.sink.Messages()); n != 2 {
		t.Fatalf("received %d", n)
	}
}
