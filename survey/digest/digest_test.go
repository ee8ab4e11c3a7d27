package digest_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/digest"
	"capsat/survey/notices"
	"capsat/survey/readmodel"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

var cheapHashes = accounts.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type both struct {
	*store.Store
	*readmodel.Model
}

func user(t *testing.T, s *store.Store, email string, role accounts.Role, sid, region string) *accounts.User {
	t.Helper()
	s.SetPasswordParams(cheapHashes)
	u, err := s.CreateUser(context.Background(), accounts.UserInput{Email: email, Password: "Le chêne pousse lentement", Role: role, StructureID: sid, Region: region})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func queued(t *testing.T, s *store.Store, now time.Time) map[string]survey.OutboxMessage {
	t.Helper()
	due, err := s.DueMessages(context.Background(), now.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]survey.OutboxMessage{}
	for _, m := range due {
		out[m.To+" "+string(m.Kind)] = m
	}
	return out
}

// TestMonthlyDigests plans February's digests on 1 March: each structure's
// accounts get their own structure's figures, the region's accounts its
// structures ranked with small numbers withheld and the quiet one named;
// planning again, or from a second instance, enqueues nothing more.
func TestMonthlyDigests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.ReadModel(t, s)
	busy := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	small := surveytest.Structure(t, s, "AI de Vire", "Normandie")
	surveytest.Structure(t, s, "AI du Silence", "Normandie") // never sent a survey
	far := surveytest.Structure(t, s, "AI des Causses", "Occitanie")
	// Bocage: 8 surveys, 6 answered (one with a comment); Vire: 3 sent, 2
	// answered (withheld outside the structure); Causses: 5 answered.
	issue := func(st *survey.Structure, n, answered int, comment string) {
		for i := range n {
			_, tok := surveytest.IssuedOrder(t, s, st.ID, st.Name[:5]+"-"+strconv.Itoa(i), survey.ServiceMAD)
			if i < answered {
				c := ""
				if i == 0 {
					c = comment
				}
				surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string { return surveytest.AnswersLike(q, "satisfait", "9", c) })
			}
		}
	}
	// A Bocage link issued on 3 January, unanswered: it expires on 4 March
	// (60 days), within a week of the digest.
	clock.T = time.Date(2026, 1, 3, 9, 0, 0, 0, time.UTC)
	surveytest.IssuedOrder(t, s, busy.ID, "BC-JANVIER", survey.ServiceMAD)
	clock.T = time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	issue(busy, 8, 6, "Très bien, merci")
	issue(small, 3, 2, "")
	issue(far, 5, 5, "")
	if _, err := rm.RebuildSummaries(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		email  string
		role   accounts.Role
		sid    string
		region string
	}{
		{"admin@bocage.fr", accounts.RoleStructureAdmin, busy.ID, ""},
		{"charge@bocage.fr", accounts.RoleStructureMember, busy.ID, ""},
		{"admin@vire.fr", accounts.RoleStructureAdmin, small.ID, ""},
		{"admin@causses.fr", accounts.RoleStructureAdmin, far.ID, ""},
		{"region@normandie.fr", accounts.RoleRegionViewer, "", "Normandie"},
		{"region@occitanie.fr", accounts.RoleRegionViewer, "", "Occitanie"},
	} {
		user(t, s, u.email, u.role, u.sid, u.region)
	}
	off := user(t, s, "silencieux@bocage.fr", accounts.RoleStructureMember, busy.ID, "")
	if err := s.SetMailPrefs(ctx, off.ID, accounts.MailPrefs{Digest: true}); err != nil {
		t.Fatal(err)
	}
	clock.T = time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)
	mails, err := notices.ParseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	planner := func() *digest.Planner {
		return &digest.Planner{Store: both{s, rm}, Mails: mails, BaseURL: "http://capsat.test", Now: clock.Now, Log: slog.New(slog.DiscardHandler)}
	}
	month := digest.PreviousMonth(clock.Now())
	if month != "2026-02" {
		t.Fatalf("previous month %s", month)
	}
	rep, err := planner().PlanMonth(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Enqueued != 6 || rep.TurnedOff != 1 {
		t.Fatalf("report %+v, want 6 enqueued, 1 turned off", rep)
	}
	got := queued(t, s, clock.Now())
	if len(got) != 6 {
		t.Fatalf("%d messages: %v", len(got), got)
	}
	for to, own := range map[string]*survey.Structure{"admin@bocage.fr": busy, "charge@bocage.fr": busy, "admin@vire.fr": small, "admin@causses.fr": far} {
		m, ok := got[to+" "+string(notices.KindStructureDigest)]
		if !ok || m.StructureID != own.ID {
			t.Fatalf("%s: no digest of its structure: %+v", to, m)
		}
		for _, other := range []*survey.Structure{busy, small, far} {
			if other != own && strings.Contains(m.Data[notices.DataText], other.Name) {
				t.Errorf("%s's digest names %s", to, other.Name)
			}
		}
	}
	bocage := got["admin@bocage.fr "+string(notices.KindStructureDigest)].Data[notices.DataText]
	for _, want := range []string{"AI du Bocage", "février 2026", "Questionnaires envoyés : 8 (n = 8", "Réponses : 6", "Taux de réponse : 75 % (n = 8 questionnaires envoyés)", "Commentaires reçus : 1", "bon BC-JANVIER : expire le 04/03/2026"} {
		if !strings.Contains(bocage, want) {
			t.Errorf("Bocage digest lacks %q:\n%s", want, bocage)
		}
	}
	if strings.Contains(bocage, "Très bien, merci") {
		t.Error("the digest carries a comment's text")
	}
	normandie := got["region@normandie.fr "+string(notices.KindRegionDigest)].Data[notices.DataText]
	iBocage, iVire := strings.Index(normandie, "1. AI du Bocage : 75 %"), strings.Index(normandie, "- AI de Vire : non diffusé (moins de 5 réponses)")
	if iBocage < 0 || iVire < iBocage || strings.Contains(normandie, "Causses") {
		t.Errorf("Normandie digest ranks wrongly:\n%s", normandie)
	}
	if !strings.Contains(normandie, "AI du Silence (dernier envoi : aucun depuis 12 mois)") {
		t.Errorf("Normandie digest lacks the quiet structure:\n%s", normandie)
	}
	occitanie := got["region@occitanie.fr "+string(notices.KindRegionDigest)].Data[notices.DataText]
	if !strings.Contains(occitanie, "1. AI des Causses : 100 %") || strings.Contains(occitanie, "Bocage") {
		t.Errorf("Occitanie digest:\n%s", occitanie)
	}

	// Again, and from a second "instance": nothing more.
	for range 2 {
		rep, err := planner().PlanMonth(ctx, month)
		if err != nil || rep.Enqueued != 0 || rep.AlreadyPlanned != 6 {
			t.Fatalf("second plan: %+v %v", rep, err)
		}
	}
	if n := len(queued(t, s, clock.Now())); n != 6 {
		t.Errorf("%d messages after planning again", n)
	}
}
