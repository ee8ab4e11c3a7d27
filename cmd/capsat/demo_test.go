package main

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestDemoPlanIsDeterministicValidAndPlausible(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	questionnaires := map[survey.ServiceType]*survey.Questionnaire{
		survey.ServiceMAD: {Questions: survey.DefaultMADQuestions()},
		survey.ServiceMAC: {Questions: survey.DefaultMACQuestions()},
	}
	levels := map[string]int{}
	services := map[survey.ServiceType]int{}
	var orders, issued, answered, comments int
	regions := map[string]bool{}
	for i, s := range demoNetwork() {
		regions[s.Region] = true
		if siret := demoStructureSIRET(i); !survey.ValidSIRET(siret) || siret != demoStructureSIRET(i) {
			t.Errorf("%s: SIRET %s invalid or not fixed", s.Name, siret)
		}
		clients := demoClients(i, s)
		if !reflect.DeepEqual(clients, demoClients(i, s)) {
			t.Errorf("%s: clients differ between runs", s.Name)
		}
		refs := map[string]bool{}
		for _, month := range demoMonths(now, 18) {
			plan := planMonth(i, s, clients, month)
			if !reflect.DeepEqual(plan, planMonth(i, s, clients, month)) {
				t.Fatalf("%s %s: plan differs between runs", s.Name, month.Format("2006-01"))
			}
			for _, o := range plan {
				orders++
				services[o.Input.ServiceType]++
				in := o.Input
				if err := survey.NewValidator().Order(&in); err != nil {
					t.Errorf("%s: invalid order: %v", o.Input.Reference, err)
				}
				if refs[in.Reference] {
					t.Errorf("reference %s used twice", in.Reference)
				}
				refs[in.Reference] = true
				if o.IssueAt.IsZero() {
					continue
				}
				issued++
				if !o.IssueAt.After(o.CreatedAt) {
					t.Errorf("%s: survey issued before the order was recorded", in.Reference)
				}
				if o.AnswerAt.IsZero() {
					continue
				}
				answered++
				if !o.AnswerAt.After(o.IssueAt) {
					t.Errorf("%s: answered before being issued", in.Reference)
				}
				if _, err := survey.ValidateAnswers(questionnaires[in.ServiceType], o.Answers); err != nil {
					t.Errorf("%s: answers refused: %v", in.Reference, err)
				}
				levels[o.Answers["satisfaction_globale"]]++
				if o.Answers["commentaire"] != "" {
					comments++
				}
			}
		}
	}
	if len(regions) != 3 || len(demoNetwork()) < 10 {
		t.Errorf("want about 12 structures in 3 regions, got %d in %d", len(demoNetwork()), len(regions))
	}
	if services[survey.ServiceMAD] == 0 || services[survey.ServiceMAC] == 0 {
		t.Errorf("both service types are needed: %v", services)
	}
	satisfied := float64(levels["tres_satisfait"]+levels["satisfait"]) / float64(answered)
	t.Logf("%d orders, %d issued, %d answered, overall %v, satisfied %.2f, %d comments", orders, issued, answered, levels, satisfied, comments)
	if satisfied < 0.6 || satisfied > 0.95 {
		t.Errorf("overall satisfaction %.2f: want mostly satisfied, some not", satisfied)
	}
	if levels["pas_du_tout_satisfait"] == 0 || levels["peu_satisfait"] == 0 {
		t.Errorf("no dissatisfied clients: %v", levels)
	}
	if rate := float64(answered) / float64(issued); rate < 0.3 || rate > 0.85 {
		t.Errorf("response rate %.2f is implausible", rate)
	}
	if comments < answered/5 {
		t.Errorf("only %d comments for %d answers", comments, answered)
	}
}

func TestDemoSeedsPastDatesAndDoesNotDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := surveytest.Database(t)
	open := func(now func() time.Time) *store.Store {
		st, _ := storeOn(db, surveytest.Embedded(), now, nil)
		return st
	}
	if err := open(time.Now).EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	first, err := seedDemo(ctx, open, now, 2)
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	c := first.Totals
	if len(first.Structures) != len(demoNetwork()) || c.OrdersCreated == 0 || c.SurveysIssued == 0 || c.Responses == 0 {
		t.Fatalf("first run created too little: %+v", first.Totals)
	}
	if c.Responses+c.Unanswered+c.Expired+c.Cancelled != c.SurveysIssued {
		t.Errorf("every issued survey must be answered, open, expired or cancelled: %+v", c)
	}
	for _, s := range first.Structures {
		if !s.Created {
			t.Errorf("%s found on an empty store", s.Name)
		}
	}

	// Responses carry the dates the demo clock gave them, in the past.
	var responses []survey.Response
	cur, err := db.Collection("responses").Find(ctx, bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cur.All(ctx, &responses); err != nil {
		t.Fatal(err)
	}
	if len(responses) != c.Responses {
		t.Errorf("%d responses stored, report says %d", len(responses), c.Responses)
	}
	oldest := now
	for _, r := range responses {
		if !r.SubmittedAt.Before(now) || !r.IssuedAt.Before(r.SubmittedAt) {
			t.Errorf("response %s: issued %s, submitted %s, now %s", r.OrderReference, r.IssuedAt, r.SubmittedAt, now)
		}
		if r.IssuedAt.Before(oldest) {
			oldest = r.IssuedAt
		}
	}
	if now.Sub(oldest) < 20*24*time.Hour {
		t.Errorf("surveys all issued in the last days (oldest %s): want a spread over the months", oldest)
	}

	second, err := seedDemo(ctx, open, now, 2)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	want := demoCounts{OrdersExisting: c.OrdersCreated}
	if second.Totals != want {
		t.Errorf("second run: got %+v, want only %+v", second.Totals, want)
	}
	for i, s := range second.Structures {
		if s.Created || s.ID != first.Structures[i].ID {
			t.Errorf("%s: second run created it again (%s, was %s)", s.Name, s.ID, first.Structures[i].ID)
		}
	}
	all, err := open(time.Now).ListStructures(ctx, survey.StructureFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(demoNetwork()) {
		t.Errorf("%d structures after two runs, want %d", len(all), len(demoNetwork()))
	}
}

func TestDemoCommandPrintsKeysThatWork(t *testing.T) {
	t.Parallel()
	vars := testGetenv(t, nil)
	type output struct {
		Totals     demoCounts            `json:"totals"`
		Structures []demoStructureReport `json:"structures"`
		Access     demoAccessInfo        `json:"access"`
		Mail       demoMailReport        `json:"mail"`
	}
	first := mustRunJSON[output](t, vars, "demo", "--months", "1")
	second := mustRunJSON[output](t, vars, "demo", "--months", "1")
	// Messages of each kind and status: an invitation sent with its
	// reminder planned, one answered (reminder cancelled), one refused, one
	// opted out; a second run adds none.
	if m := first.Mail; !m.Created || m.Sent != 2 || m.Queued != 1 || m.Failed != 1 || m.Canceled != 2 {
		t.Errorf("demo e-mails: %+v", m)
	}
	if m := second.Mail; m.Created || m.Sent != first.Mail.Sent || m.Failed != 1 {
		t.Errorf("demo e-mails, second run: %+v", m)
	}
	if second.Totals.OrdersCreated != 0 || second.Totals.OrdersExisting != first.Totals.OrdersCreated {
		t.Errorf("second run: %+v after %+v", second.Totals, first.Totals)
	}
	if first.Access.FederationKey.Key == second.Access.FederationKey.Key {
		t.Error("each run prints fresh keys")
	}
	if len(first.Access.Examples) == 0 || !strings.Contains(first.Access.Examples[0], first.Access.FederationKey.Key) {
		t.Errorf("examples do not use the key: %v", first.Access.Examples)
	}

	cfg := config.Default()
	cfg.DataDir = vars["CAPSAT_DATA_DIR"]
	cfg.LogLevel = "warn"
	opened, err := openStore(context.Background(), cfg, newLogger(cfg, env{stderr: &syncBuffer{}}))
	if err != nil {
		t.Fatal(err)
	}
	defer opened.close()
	for _, k := range []demoKey{first.Access.FederationKey, second.Access.StructureKey} {
		p, err := opened.store.AuthenticateAPIKey(context.Background(), k.Key)
		if err != nil || string(p.Role) != k.Role || p.StructureID != k.StructureID {
			t.Errorf("key %s: principal %+v, error %v", k.ID, p, err)
		}
	}
	if second.Access.StructureKey.StructureID != first.Structures[0].ID {
		t.Errorf("structure key for %s, want the first structure %s", second.Access.StructureKey.StructureID, first.Structures[0].ID)
	}
}
