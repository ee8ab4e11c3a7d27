package readmodel_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/readmodel"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func utc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// surveyLines renders the issued surveys, sorted by order id.
func surveyLines(src *survey.IndicatorSource) []string {
	out := make([]string, 0, len(src.Surveys))
	for _, s := range src.Surveys {
		out = append(out, fmt.Sprintf("%s service=%s issued=%s cancelled=%v channel=%s", s.OrderID, s.ServiceType, utc(s.IssuedAt), s.Cancelled, s.Channel))
	}
	sort.Strings(out)
	return out
}

// rowLines renders the response rows, sorted by order id, with every
// answer to the codes of either source read through Answer.
func rowLines(src *survey.IndicatorSource, codes []string) []string {
	out := make([]string, 0, len(src.Responses))
	for i := range src.Responses {
		r := &src.Responses[i]
		var b strings.Builder
		fmt.Fprintf(&b, "%s ref=%s q=%s service=%s v=%d issued=%s submitted=%s channel=%s", r.OrderID, r.OrderReference, r.QuestionnaireID,
			r.ServiceType, r.QuestionnaireVersion, utc(r.IssuedAt), utc(r.SubmittedAt), r.Channel)
		for _, c := range codes {
			fmt.Fprintf(&b, " %s=%q", c, src.Answer(r, c))
		}
		out = append(out, b.String())
	}
	sort.Strings(out)
	return out
}

// followUpLines renders the flagged responses in the source's order.
func followUpLines(src *survey.IndicatorSource) []string {
	out := make([]string, 0, len(src.FollowUps))
	for _, r := range src.FollowUps {
		var b strings.Builder
		fmt.Fprintf(&b, "%s structure=%s ref=%s service=%s job=%q q=%s family=%s v=%d issued=%s submitted=%s flagged=%v",
			r.OrderID, r.StructureID, r.OrderReference, r.ServiceType, r.JobTitle, r.QuestionnaireID, r.QuestionnaireFamily,
			r.QuestionnaireVersion, utc(r.IssuedAt), utc(r.SubmittedAt), r.Flagged)
		for _, k := range slices.Sorted(maps.Keys(r.Answers)) {
			fmt.Fprintf(&b, " %s=%q", k, r.Answers[k])
		}
		if fu := r.FollowUp; fu != nil {
			closed := "open"
			if fu.ClosedAt != nil {
				closed = "closed " + utc(*fu.ClosedAt) + " by " + fu.ClosedBy
			}
			fmt.Fprintf(&b, " follow-up=%q %s updated=%s", fu.Action, closed, utc(fu.Updated))
		}
		out = append(out, b.String())
	}
	return out
}

func codeSet(src *survey.IndicatorSource) []string {
	c := slices.Clone(src.Codes)
	slices.Sort(c)
	if len(slices.Compact(slices.Clone(c))) != len(c) {
		return append(c, "(duplicate codes)")
	}
	return c
}

func questionnaireIDs(src *survey.IndicatorSource) []string {
	var out []string
	for _, q := range src.Questionnaires {
		out = append(out, fmt.Sprintf("%s v%d %s", q.ID, q.Version, q.Status))
	}
	sort.Strings(out)
	return out
}

func diffLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			fmt.Fprintf(&b, "\n  #%d ledger:    %s\n  #%d reference: %s", i, g, i, w)
		}
	}
	t.Errorf("%s differ (ledger %d, reference %d):%s", what, len(got), len(want), b.String())
}

// assertSameSource holds a source read from the ledgers to the one read
// from the collections.
func assertSameSource(t *testing.T, got, want *survey.IndicatorSource) {
	t.Helper()
	diffLines(t, "issued surveys", surveyLines(got), surveyLines(want))
	codes := append(slices.Clone(got.Codes), want.Codes...)
	slices.Sort(codes)
	codes = slices.Compact(codes)
	diffLines(t, "response rows", rowLines(got, codes), rowLines(want, codes))
	diffLines(t, "follow-ups", followUpLines(got), followUpLines(want))
	diffLines(t, "codes", codeSet(got), codeSet(want))
	diffLines(t, "questionnaires", questionnaireIDs(got), questionnaireIDs(want))
}

// assertSameFigures computes the indicators from both sources and compares
// every figure.
func assertSameFigures(t *testing.T, got, want *survey.IndicatorSource, r survey.DateRange, now time.Time) {
	t.Helper()
	q := survey.IndicatorQuery{Range: r, By: survey.ByMonth}
	g, w := survey.ComputeIndicators(got, q, now), survey.ComputeIndicators(want, q, now)
	if len(g.Figures) != len(w.Figures) {
		t.Errorf("%d figures from the ledgers, %d from the collections", len(g.Figures), len(w.Figures))
	}
	for _, wf := range w.Figures {
		gf, ok := g.Figure(wf.Code, wf.Period, wf.Service)
		switch {
		case !ok:
			t.Errorf("figure %s %s %s missing from the ledgers", wf.Code, wf.Period, wf.Service)
		case (gf.Value == nil) != (wf.Value == nil) || gf.Value != nil && math.Abs(*gf.Value-*wf.Value) > 1e-9 ||
			gf.Numerator != wf.Numerator || gf.Denominator != wf.Denominator || gf.N != wf.N:
			t.Errorf("figure %s %s %s: ledgers %v/%v n=%d, collections %v/%v n=%d", wf.Code, wf.Period, wf.Service,
				gf.Numerator, gf.Denominator, gf.N, wf.Numerator, wf.Denominator, wf.N)
		}
	}
	if len(g.Verbatims) != len(w.Verbatims) {
		t.Errorf("%d verbatims from the ledgers, %d from the collections", len(g.Verbatims), len(w.Verbatims))
	}
}

func dateRange(t *testing.T, from, to string) survey.DateRange {
	t.Helper()
	r, err := survey.ParseDateRange(from, to, survey.IndicatorLocation())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func bothSources(t *testing.T, s *store.Store, rm *readmodel.Model, sid string, r survey.DateRange) (ledger, reference *survey.IndicatorSource) {
	t.Helper()
	ctx := context.Background()
	ledger, err := rm.LedgerIndicatorSource(ctx, sid, r)
	if err != nil {
		t.Fatalf("indicator source %v: %v", r, err)
	}
	reference, err = s.IndexedIndicatorSource(ctx, sid, r)
	if err != nil {
		t.Fatalf("reference source %v: %v", r, err)
	}
	return ledger, reference
}

// ledgerFixture is a structure with three months of surveys of both types
// in every state the ledgers must carry.
type ledgerFixture struct {
	s          *store.Store
	rm         *readmodel.Model
	clock      *surveytest.Clock
	sid        string
	flagged    int // flagged responses
	followedUp string
	changed    string // order whose service type changed after its link expired
	raced      string // answered order whose link was also cancelled
	reissued   []string
}

func newLedgerFixture(t *testing.T) *ledgerFixture {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	clock := &surveytest.Clock{T: base}
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	// An unrelated structure whose surveys must never show.
	other := surveytest.Structure(t, s, "Autre AI", "Normandie")
	_, otherTok := surveytest.IssuedOrder(t, s, other.ID, "BC-X", survey.ServiceMAD)
	surveytest.Submit(t, s, otherTok, func(q *survey.Questionnaire) map[string]string {
		return surveytest.AnswersLike(q, "pas_du_tout_satisfait", "0", "")
	})

	f := &ledgerFixture{s: s, rm: rm, clock: clock, sid: st.ID}
	orders := map[int]*survey.Order{}
	var flaggedIDs []string
	for i := range 24 {
		clock.T = base.Add(time.Duration(i) * 84 * time.Hour) // every 3.5 days: 2 March to 21 May
		o, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%02d", i), survey.ServiceTypes[i%2])
		orders[i] = o
		switch i {
		case 10: // re-issue, in April, the link of order 4 cancelled in March
			clock.Advance(time.Hour)
			l, err := s.IssueSurvey(ctx, st.ID, orders[4].ID)
			if err != nil {
				t.Fatal(err)
			}
			surveytest.Submit(t, s, l.Token, func(q *survey.Questionnaire) map[string]string {
				return surveytest.AnswersLike(q, "satisfait", "8", "Reprise")
			})
			f.reissued = append(f.reissued, orders[4].ID)
		case 17: // re-issue in the same month the link of order 16
			clock.Advance(time.Hour)
			if _, err := s.IssueSurvey(ctx, st.ID, orders[16].ID); err != nil {
				t.Fatal(err)
			}
			f.reissued = append(f.reissued, orders[16].ID)
		case 19: // re-issue, in May, the link of order 10 cancelled in April (no later change to April)
			clock.Advance(time.Hour)
			if _, err := s.IssueSurvey(ctx, st.ID, orders[10].ID); err != nil {
				t.Fatal(err)
			}
			f.reissued = append(f.reissued, orders[10].ID)
		}
		clock.Advance(time.Duration(i%3+1) * time.Hour)
		switch i % 6 {
		case 0: // satisfied
			surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
				return surveytest.AnswersLike(q, "tres_satisfait", "10", "")
			})
		case 1: // flagged: "pas du tout satisfait"
			surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
				return surveytest.AnswersLike(q, "pas_du_tout_satisfait", "7", fmt.Sprintf("Déçu (%d)", i))
			})
			flaggedIDs = append(flaggedIDs, o.ID)
		case 2: // flagged: a recommendation of 6 or less
			surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
				return surveytest.AnswersLike(q, "peu_satisfait", fmt.Sprint(i%7), "")
			})
			flaggedIDs = append(flaggedIDs, o.ID)
		case 3: // unanswered
		case 4: // cancelled
			if err := s.CancelSurvey(ctx, st.ID, o.ID); err != nil {
				t.Fatal(err)
			}
		case 5: // satisfied, with a comment and a "sans objet"
			surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
				a := surveytest.AnswersLike(q, "satisfait", "9", "Très bien, merci à Mme Secret")
				a[q.Questions[0].Code] = survey.NotApplicable
				return a
			})
		}
	}
	f.flagged = len(flaggedIDs)
	// A cancel that raced the answer of order 6 (March): the order has both
	// its cancel and its answer; the answer wins.
	clock.T = time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC)
	o6, err := s.Order(ctx, st.ID, orders[6].ID)
	if err != nil || o6.Survey.AnsweredAt == nil {
		t.Fatalf("order 6 should be answered: %v", err)
	}
	if _, err := s.DB().Collection("orders").UpdateOne(ctx, bson.M{"_id": o6.ID}, bson.M{"$set": bson.M{"survey.cancelled_at": clock.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Collection("survey_links").UpdateOne(ctx, bson.M{"_id": o6.Survey.Token}, bson.M{"$set": bson.M{"cancelled_at": clock.Now()}}); err != nil {
		t.Fatal(err)
	}
	if err := rm.RefreshSummary(ctx, st.ID, survey.SummaryMonth(o6.Survey.IssuedAt)); err != nil {
		t.Fatal(err)
	}
	f.raced = o6.ID
	// A follow-up recorded on one flagged response of May, closed on
	// another (nothing else changes May afterwards).
	clock.Advance(time.Hour)
	f.followedUp = flaggedIDs[len(flaggedIDs)-2]
	if _, err := s.RecordFollowUp(ctx, st.ID, f.followedUp, "Appel du client, nouvelle mission proposée", false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFollowUp(ctx, st.ID, flaggedIDs[len(flaggedIDs)-1], "Rappelé", true, "Mme Directrice"); err != nil {
		t.Fatal(err)
	}
	// Past every link's expiry, order 3 (unanswered, issued in March)
	// changes service type; nothing else changes March afterwards.
	clock.T = time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	o3 := orders[3]
	newType := survey.ServiceMAD
	if o3.ServiceType == survey.ServiceMAD {
		newType = survey.ServiceMAC
	}
	in := survey.OrderInput{Reference: o3.Reference, ServiceType: newType, Client: o3.Client, StartDate: o3.StartDate}
	if _, err := s.UpdateOrder(ctx, st.ID, o3.ID, in); err != nil {
		t.Fatalf("change the service type of an expired order: %v", err)
	}
	f.changed = o3.ID
	return f
}

// Indicators read from the ledgers are what the orders and responses say,
// for whole months and for ranges cut mid-month.
func TestIndicatorSourceFromLedgersEqualsCollections(t *testing.T) {
	t.Parallel()
	f := newLedgerFixture(t)
	whole := dateRange(t, "2026-03-01", "2026-05-31")
	// The fixture must hold what the test claims to check.
	_, ref := bothSources(t, f.s, f.rm, f.sid, whole)
	cancelled, changedSeen, racedSeen := 0, false, false
	for _, sv := range ref.Surveys {
		if sv.Cancelled {
			cancelled++
		}
		changedSeen = changedSeen || sv.OrderID == f.changed
		racedSeen = racedSeen || sv.OrderID == f.raced && !sv.Cancelled
	}
	followedUp := false
	for _, r := range ref.FollowUps {
		if r.OrderID == f.followedUp && r.FollowUp != nil {
			followedUp = true
		}
	}
	if len(ref.Surveys) != 24 || cancelled != 1 || len(ref.Responses) != 17 || len(ref.FollowUps) != f.flagged || !followedUp || !changedSeen || !racedSeen || len(f.reissued) != 3 {
		t.Fatalf("fixture: %d surveys (%d cancelled), %d responses, %d follow-ups (want %d, recorded one seen: %v), changed order seen: %v, raced order seen answered: %v",
			len(ref.Surveys), cancelled, len(ref.Responses), len(ref.FollowUps), f.flagged, followedUp, changedSeen, racedSeen)
	}

	cases := []struct {
		name     string
		from, to string
	}{
		{"three whole months", "2026-03-01", "2026-05-31"},
		{"from mid-March to mid-May", "2026-03-15", "2026-05-10"},
		{"inside April", "2026-04-06", "2026-04-20"},
		{"one day", "2026-03-05", "2026-03-05"},
		{"a year around", "2025-12-01", "2026-12-31"},
		{"months without surveys", "2026-06-01", "2026-08-31"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := dateRange(t, c.from, c.to)
			got, want := bothSources(t, f.s, f.rm, f.sid, r)
			assertSameSource(t, got, want)
			assertSameFigures(t, got, want, r, f.clock.Now())
		})
	}
	t.Run("the service type change is in the ledger", func(t *testing.T) {
		got, want := bothSources(t, f.s, f.rm, f.sid, whole)
		var g, w survey.ServiceType
		for _, sv := range got.Surveys {
			if sv.OrderID == f.changed {
				g = sv.ServiceType
			}
		}
		for _, sv := range want.Surveys {
			if sv.OrderID == f.changed {
				w = sv.ServiceType
			}
		}
		if g == "" || g != w {
			t.Fatalf("changed order: service %q in the ledger, %q in the order", g, w)
		}
	})
}

// A client's answer counts in the indicators read right after it, although
// the worker has not refreshed the month yet.
func TestIndicatorSourceReadsItsWritesWhileTheWorkerWaits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := surveytest.NewLockedClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	s := surveytest.Store(t, clock.Now)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	_, tok1 := surveytest.IssuedOrder(t, s, st.ID, "BC-1", survey.ServiceMAD)
	surveytest.IssuedOrder(t, s, st.ID, "BC-2", survey.ServiceMAC)
	r := dateRange(t, "2026-03-01", "2026-03-31")
	if src, err := rm.IndicatorSource(ctx, st.ID, r); err != nil || len(src.Surveys) != 2 || len(src.Responses) != 0 {
		t.Fatalf("before: %v", err)
	}
	stop := startIdleWorker(t, rm)

	clock.Advance(time.Hour)
	resp := surveytest.Submit(t, s, tok1, func(q *survey.Questionnaire) map[string]string {
		return surveytest.AnswersLike(q, "pas_du_tout_satisfait", "3", "")
	})
	if m := queueMarkers(t, s); len(m) != 1 {
		t.Fatalf("the answer's refresh should be queued, not done: markers %v", m)
	}
	src, err := rm.IndicatorSource(ctx, st.ID, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Responses) != 1 || src.Responses[0].OrderID != resp.OrderID || len(src.FollowUps) != 1 {
		t.Fatalf("the answer is missing from the indicators read right after it: %d responses, %d follow-ups", len(src.Responses), len(src.FollowUps))
	}
	want, err := s.IndexedIndicatorSource(ctx, st.ID, r)
	if err != nil {
		t.Fatal(err)
	}
	assertSameSource(t, src, want)

	// A survey issued while the worker waits counts as well, in its month.
	clock.Advance(30 * 24 * time.Hour) // 9 April
	_, tok3 := surveytest.IssuedOrder(t, s, st.ID, "BC-3", survey.ServiceMAC)
	resp3 := surveytest.Submit(t, s, tok3, func(q *survey.Questionnaire) map[string]string {
		return surveytest.AnswersLike(q, "satisfait", "9", "")
	})
	both := dateRange(t, "2026-03-01", "2026-04-30")
	src, err = rm.IndicatorSource(ctx, st.ID, both)
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Surveys) != 3 || len(src.Responses) != 2 {
		t.Fatalf("after an issue and an answer in April: %d surveys, %d responses", len(src.Surveys), len(src.Responses))
	}
	want, err = s.IndexedIndicatorSource(ctx, st.ID, both)
	if err != nil {
		t.Fatal(err)
	}
	assertSameSource(t, src, want)
	stop()
	src, err = rm.IndicatorSource(ctx, st.ID, both)
	if err != nil {
		t.Fatal(err)
	}
	assertSameSource(t, src, want)
	if o, err := s.Order(ctx, st.ID, resp3.OrderID); err != nil || o.Survey.AnsweredAt == nil {
		t.Fatalf("answered copy after the drain: %v", err)
	}
}

// storedLedgerHead reads the summary's ledger fields.
func storedLedgerHead(t *testing.T, s *store.Store, id string) (version int64, format, parts int) {
	t.Helper()
	var h struct {
		Version int64 `bson:"version"`
		Format  int   `bson:"ledger_format"`
		Parts   int   `bson:"ledger_parts"`
	}
	if err := s.DB().Collection("summaries").FindOne(context.Background(), bson.M{"_id": id}).Decode(&h); err != nil {
		t.Fatalf("summary %s: %v", id, err)
	}
	return h.Version, h.Format, h.Parts
}

// assertLedgerCurrent checks that the month's summary is of the current
// format and that exactly its parts are stored, each of its version.
func assertLedgerCurrent(t *testing.T, s *store.Store, sid, month string) {
	t.Helper()
	ctx := context.Background()
	id := survey.SummaryID(sid, month)
	version, format, parts := storedLedgerHead(t, s, id)
	if format != readmodel.LedgerFormat || parts < 1 {
		t.Fatalf("summary %s: ledger_format %d, ledger_parts %d", id, format, parts)
	}
	for i := range parts {
		var p struct {
			Version int64 `bson:"version"`
		}
		if err := s.DB().Collection("ledgers").FindOne(ctx, bson.M{"_id": fmt.Sprintf("%s:%d", id, i)}).Decode(&p); err != nil {
			t.Fatalf("ledger part %d of %s: %v", i, id, err)
		}
		if p.Version != version {
			t.Fatalf("ledger part %d of %s has version %d, the summary %d", i, id, p.Version, version)
		}
	}
	if n, err := s.DB().Collection("ledgers").CountDocuments(ctx, bson.M{"structure_id": sid, "month": month}); err != nil || n != int64(parts) {
		t.Fatalf("%d ledger parts stored for %s, the summary counts %d (%v)", n, id, parts, err)
	}
}

// A ledger that does not match its summary (a rewrite interrupted, a
// summary from before ledgers, a marker of a refresh another process has
// not run yet) is refreshed when read, never trusted.
func TestDamagedLedgersAreRepairedWhenRead(t *testing.T) {
	t.Parallel()
	emptied := bson.M{"issued": []byte{}, "responses": []byte{}} // what a reader trusting the part would show
	cases := []struct {
		name   string
		damage func(ctx context.Context, db *mongo.Database, sid string) error
	}{
		{"a part of another version", func(ctx context.Context, db *mongo.Database, sid string) error {
			_, err := db.Collection("ledgers").UpdateOne(ctx, bson.M{"_id": survey.SummaryID(sid, "2026-03") + ":0"},
				bson.M{"$set": bson.M{"version": int64(12345), "issued": []byte{}, "responses": []byte{}}})
			return err
		}},
		{"a part of a newer version", func(ctx context.Context, db *mongo.Database, sid string) error {
			_, err := db.Collection("ledgers").UpdateOne(ctx, bson.M{"_id": survey.SummaryID(sid, "2026-04") + ":0"},
				bson.M{"$inc": bson.M{"version": int64(1)}, "$set": emptied})
			return err
		}},
		{"a summary of ledger format 0", func(ctx context.Context, db *mongo.Database, sid string) error {
			id := survey.SummaryID(sid, "2026-03")
			if _, err := db.Collection("summaries").UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"ledger_format": 0}}); err != nil {
				return err
			}
			_, err := db.Collection("ledgers").UpdateOne(ctx, bson.M{"_id": id + ":0"}, bson.M{"$set": emptied})
			return err
		}},
		{"a summary from before ledgers", func(ctx context.Context, db *mongo.Database, sid string) error {
			id := survey.SummaryID(sid, "2026-04")
			if _, err := db.Collection("summaries").UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$unset": bson.M{"ledger_format": "", "ledger_parts": ""}}); err != nil {
				return err
			}
			_, err := db.Collection("ledgers").DeleteMany(ctx, bson.M{"structure_id": sid, "month": "2026-04"})
			return err
		}},
		{"a missing part", func(ctx context.Context, db *mongo.Database, sid string) error {
			_, err := db.Collection("ledgers").DeleteOne(ctx, bson.M{"_id": survey.SummaryID(sid, "2026-03") + ":0"})
			return err
		}},
		{"more parts counted than stored", func(ctx context.Context, db *mongo.Database, sid string) error {
			_, err := db.Collection("summaries").UpdateOne(ctx, bson.M{"_id": survey.SummaryID(sid, "2026-04")}, bson.M{"$inc": bson.M{"ledger_parts": 1}})
			return err
		}},
		{"a refresh queued by another process", func(ctx context.Context, db *mongo.Database, sid string) error {
			id := survey.SummaryID(sid, "2026-03")
			// The change is committed, its refresh has not run: the ledger
			// still shows the month as it was.
			if _, err := db.Collection("ledgers").UpdateOne(ctx, bson.M{"_id": id + ":0"}, bson.M{"$set": emptied}); err != nil {
				return err
			}
			_, err := db.Collection("summary_queue").InsertOne(ctx, bson.M{"_id": id, "queued_at": time.Now(), "generation": int64(7)})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := &surveytest.Clock{T: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
			s := surveytest.Store(t, clock.Now)
			rm := surveytest.EmbeddedModel(t, s)
			st := surveytest.Structure(t, s, "AI", "Bretagne")
			for i := range 6 {
				if i == 3 {
					clock.T = time.Date(2026, 4, 14, 9, 0, 0, 0, time.UTC)
				}
				_, tok := surveytest.IssuedOrder(t, s, st.ID, fmt.Sprintf("BC-%d", i), survey.ServiceTypes[i%2])
				if i%3 != 2 {
					clock.Advance(time.Hour)
					surveytest.Submit(t, s, tok, func(q *survey.Questionnaire) map[string]string {
						return surveytest.AnswersLike(q, []string{"satisfait", "pas_du_tout_satisfait"}[i%2], "8", "")
					})
				}
			}
			r := dateRange(t, "2026-03-01", "2026-04-30")
			versions := map[string]int64{}
			for _, m := range []string{"2026-03", "2026-04"} {
				assertLedgerCurrent(t, s, st.ID, m)
				versions[m], _, _ = storedLedgerHead(t, s, survey.SummaryID(st.ID, m))
			}
			if err := c.damage(ctx, s.DB(), st.ID); err != nil {
				t.Fatal(err)
			}
			got, want := bothSources(t, s, rm, st.ID, r)
			if len(want.Surveys) != 6 || len(want.Responses) != 4 {
				t.Fatalf("fixture: %d surveys, %d responses", len(want.Surveys), len(want.Responses))
			}
			assertSameSource(t, got, want)
			refreshed := 0
			for _, m := range []string{"2026-03", "2026-04"} {
				assertLedgerCurrent(t, s, st.ID, m)
				if v, _, _ := storedLedgerHead(t, s, survey.SummaryID(st.ID, m)); v != versions[m] {
					refreshed++
				}
			}
			if refreshed != 1 {
				t.Fatalf("%d months refreshed by the read, want the damaged one only", refreshed)
			}
			if m := queueMarkers(t, s); len(m) != 0 {
				t.Fatalf("markers left after the read refreshed their month: %v", m)
			}
			// Read again: the repaired ledger is trusted as it is.
			got, _ = bothSources(t, s, rm, st.ID, r)
			assertSameSource(t, got, want)
		})
	}
}

// A month with no summary at all reads as empty, without error.
func TestIndicatorSourceOfAStructureWithoutSurveys(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	rm := surveytest.EmbeddedModel(t, s)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	got, want := bothSources(t, s, rm, st.ID, dateRange(t, "2026-01-01", "2026-12-31"))
	if len(got.Surveys)+len(got.Responses)+len(got.FollowUps) != 0 {
		t.Fatalf("surveys from nowhere: %+v", got)
	}
	assertSameSource(t, got, want)
	if _, err := rm.Summary(context.Background(), st.ID, "2026-01"); !errors.Is(err, survey.ErrNotFound) {
		t.Fatalf("reading created a summary: %v", err)
	}
}

// assertSameDashboard compares what a dashboard shows from the summaries
// (got) and from the ledgers (want): every figure for both service types
// together and each one, the latest comments, the open follow-ups.
func assertSameDashboard(t *testing.T, got, want *survey.IndicatorSource, r survey.DateRange, now time.Time) {
	t.Helper()
	for _, svc := range append([]survey.ServiceType{""}, survey.ServiceTypes...) {
		q := survey.IndicatorQuery{Range: r, By: survey.ByMonth, Service: svc}
		g, w := survey.ComputeIndicators(got, q, now), survey.ComputeIndicators(want, q, now)
		if len(g.Figures) != len(w.Figures) {
			t.Errorf("%q: %d figures from the summaries, %d from the ledgers", svc, len(g.Figures), len(w.Figures))
		}
		for _, wf := range w.Figures {
			gf, ok := g.Figure(wf.Code, wf.Period, wf.Service)
			if !ok || gf.Numerator != wf.Numerator || gf.Denominator != wf.Denominator || gf.N != wf.N {
				t.Errorf("%q: figure %s %s %s: summaries %v/%v n=%d (found %v), ledgers %v/%v n=%d", svc, wf.Code, wf.Period, wf.Service,
					gf.Numerator, gf.Denominator, gf.N, ok, wf.Numerator, wf.Denominator, wf.N)
			}
		}
		if gq, wq := fmt.Sprint(g.Questionnaires), fmt.Sprint(w.Questionnaires); gq != wq {
			t.Errorf("%q: questionnaires %s from the summaries, %s from the ledgers", svc, gq, wq)
		}
		shown := min(len(w.Verbatims), 5)
		if len(g.Verbatims) < shown {
			t.Fatalf("%q: %d comments from the summaries, want at least %d", svc, len(g.Verbatims), shown)
		}
		for i := range shown {
			gv, wv := g.Verbatims[i], w.Verbatims[i]
			if gv.OrderID != wv.OrderID || gv.Text != wv.Text || !gv.SubmittedAt.Equal(wv.SubmittedAt) || gv.QuestionCode != wv.QuestionCode {
				t.Errorf("%q: comment %d: summaries %+v, ledgers %+v", svc, i, gv, wv)
			}
		}
	}
	if g, w := got.OpenFollowUps(), want.OpenFollowUps(); g != w {
		t.Errorf("%d open follow-ups from the summaries, %d from the ledgers", g, w)
	}
}

// assertSameFollowUps compares the period's follow-ups read page by page
// (PeriodFollowUps) with those of the ledger source, in order.
func assertSameFollowUps(t *testing.T, rm *readmodel.Model, sid string, r survey.DateRange, ledger *survey.IndicatorSource) {
	t.Helper()
	ctx := context.Background()
	var open, closed []string
	all := slices.Clone(ledger.FollowUps)
	survey.SortFollowUps(all)
	for _, fu := range all {
		if fu.Open() {
			open = append(open, fu.OrderID)
		} else {
			closed = append(closed, fu.OrderID)
		}
	}
	fus, err := rm.FollowUps(ctx, sid, r)
	if err != nil {
		t.Fatal(err)
	}
	if fus.OpenTotal != len(open) || fus.ClosedTotal != len(closed) {
		t.Fatalf("follow-ups: %d open, %d closed counted, the ledgers hold %d and %d", fus.OpenTotal, fus.ClosedTotal, len(open), len(closed))
	}
	for _, list := range []struct {
		open bool
		want []string
	}{{true, open}, {false, closed}} {
		var got []string
		for from := 0; from < len(list.want); from += 2 { // pages of 2
			page, err := fus.Page(ctx, list.open, from, from+2)
			if err != nil {
				t.Fatal(err)
			}
			for _, fu := range page {
				got = append(got, fu.OrderID)
			}
		}
		diffLines(t, fmt.Sprintf("follow-ups (open %v)", list.open), got, list.want)
		for i, oid := range list.want {
			isOpen, at, found, err := fus.Position(ctx, oid)
			if err != nil || !found || isOpen != list.open || at != i {
				t.Errorf("position of %s: open %v at %d found %v (%v), want open %v at %d", oid, isOpen, at, found, err, list.open, i)
			}
		}
	}
}
