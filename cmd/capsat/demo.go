package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"time"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/store"
)

// demo fills the configured store with the demo network and prints, as
// JSON, what it created and how to call the API.
func demo(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("capsat demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: capsat demo [--months N]

Fills the configured store (MONGODB_URI, or the embedded store in
CAPSAT_DATA_DIR while the server is stopped) with a demo network: 3 regions,
12 structures, 18 months of purchase orders, survey links and answers.
Running it again adds nothing already there (only the months since the last
run) and prints fresh API keys. Prints JSON on stdout.

`)
		fs.PrintDefaults()
	}
	months := fs.Int("months", 18, "months of history to create, up to today (1 to 36)")
	every := fs.Duration("progress", 2*time.Second, "interval of the progress lines on stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *every <= 0 {
		return fmt.Errorf("invalid --progress %s: expected a positive duration", *every)
	}
	if *months < 1 || *months > 36 {
		return fmt.Errorf("invalid --months %d: expected 1 to 36", *months)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := config.Load(nil, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	cfg.LogLevel = "warn"
	opened, err := openStore(ctx, cfg, newLogger(cfg, e))
	if err != nil {
		return err
	}
	defer opened.close()

	started := time.Now()
	fmt.Fprintf(e.stderr, "demo: filling %s with %d months of a network of %d structures (a line every %s)\n", storeName(cfg), *months, len(demoNetwork()), *every)
	progress := startDemoProgress(e.stderr, len(demoNetwork()), *every)
	report, err := seedDemo(ctx, opened.onClock, started, *months, progress)
	progress.close()
	if err != nil {
		return err
	}
	access, err := demoAccess(ctx, opened.store, report.Structures[0], cfg.BaseURL)
	if err != nil {
		return err
	}
	report.Access = access
	if report.Mail, err = demoMail(ctx, opened.store, report.Structures[0].ID, report.Structures[0].Name, cfg.BaseURL); err != nil {
		return err
	}
	report.Store = storeName(cfg)
	report.Elapsed = time.Since(started).Round(time.Millisecond).String()
	if err := printJSON(e, report); err != nil {
		return err
	}
	printSignIn(e.stderr, report)
	return nil
}

// storeName says which store the demo fills.
func storeName(cfg config.Config) string {
	if cfg.Embedded() {
		return "embedded FerretDB in " + cfg.DataDir
	}
	return "MongoDB " + cfg.MongoDatabase
}

// printSignIn ends the demo with what a newcomer does next: start the
// server, open the sign-in page, pick an account.
func printSignIn(w io.Writer, r *demoReport) {
	fmt.Fprintf(w, "\ndemo: done in %s: %d orders created, %d answers.\n", r.Elapsed, r.Totals.OrdersCreated, r.Totals.Responses)
	fmt.Fprintf(w, "Start the server (go run ./cmd/capsat), then sign in at %s with one of these accounts:\n", r.Access.Login)
	for _, u := range r.Access.Users {
		fmt.Fprintf(w, "  %-28s password %s  (%s, %s)\n", u.Email, u.Password, u.Role, u.Scope)
	}
}

// demoReport is what the demo prints.
type demoReport struct {
	Store      string                `json:"store"`
	Elapsed    string                `json:"elapsed"`
	Totals     demoCounts            `json:"totals"`
	Structures []demoStructureReport `json:"structures"`
	Access     *demoAccessInfo       `json:"access"`
	Mail       *demoMailReport       `json:"mail"` // e-mails of the first structure (demo_mail.go)
}

// demoStructureReport is one structure and what the run did for it.
type demoStructureReport struct {
	ID      string               `json:"id"`
	Name    string               `json:"name"`
	Region  string               `json:"region"`
	Type    survey.StructureType `json:"type"`
	Created bool                 `json:"created"` // false: found from an earlier run
	demoCounts
}

// demoClock is the store's clock during the demo: it is moved to each
// event's date, so that orders, links and answers carry past dates.
type demoClock struct{ t time.Time }

func (c *demoClock) now() time.Time  { return c.t }
func (c *demoClock) set(t time.Time) { c.t = t }

// storeOpener returns the store (with its read model) on a given clock.
type storeOpener func(now func() time.Time) *store.Store

// seedDemo creates the demo network in db, the given number of months up to
// now, through the domain API only. What an earlier run created is found and
// left alone.
func seedDemo(ctx context.Context, open storeOpener, now time.Time, months int, progress *demoProgress) (*demoReport, error) {
	existing, err := open(time.Now).ListStructures(ctx, survey.StructureFilter{})
	if err != nil {
		return nil, err
	}
	byName := map[string]survey.Structure{}
	for _, s := range existing {
		byName[s.Name] = s
	}
	report := &demoReport{}
	for i, spec := range demoNetwork() {
		s, found := byName[spec.Name]
		progress.structureStarted(i, spec.Name)
		r, err := seedStructure(ctx, open, now, months, i, spec, s, found, progress)
		if err != nil {
			return nil, err
		}
		progress.structureDone()
		report.Totals.add(r.demoCounts)
		report.Structures = append(report.Structures, r)
	}
	return report, nil
}

// seedStructure creates demo structure i unless found, then its orders and
// their surveys, each at its own date on a clock of its own.
func seedStructure(ctx context.Context, open storeOpener, now time.Time, months, i int, spec demoStructure, s survey.Structure, found bool, progress *demoProgress) (demoStructureReport, error) {
	clock := &demoClock{t: now}
	st := open(clock.now)
	r := demoStructureReport{Created: !found}
	if !found {
		clock.set(now.AddDate(0, -months-1, 0))
		in := survey.StructureInput{Name: spec.Name, SIRET: demoStructureSIRET(i), Region: spec.Region, Type: spec.Type}
		if spec.ExpiryDays > 0 {
			in.Settings = &survey.StructureSettings{SurveyExpiryDays: spec.ExpiryDays}
		}
		created, err := st.CreateStructure(ctx, in)
		if err != nil {
			return r, fmt.Errorf("demo structure %s: %w", spec.Name, err)
		}
		s = *created
	}
	r.ID, r.Name, r.Region, r.Type = s.ID, s.Name, s.Region, s.Type
	clients := demoClients(i, spec)
	for _, month := range demoMonths(now, months) {
		for _, o := range planMonth(i, spec, clients, month) {
			if !o.CreatedAt.Before(now) {
				continue // not recorded yet
			}
			var c demoCounts
			if err := seedOrder(ctx, st, clock, now, s.ID, o, &c); err != nil {
				return r, fmt.Errorf("demo order %s: %w", o.Input.Reference, err)
			}
			r.add(c)
			progress.orderDone(c)
		}
	}
	return r, nil
}

// seedOrder records one planned order and plays its survey up to now. An
// order whose reference exists already is left as it is.
func seedOrder(ctx context.Context, st *store.Store, clock *demoClock, now time.Time, sid string, o demoOrder, c *demoCounts) error {
	clock.set(o.CreatedAt)
	order, err := st.CreateOrder(ctx, sid, o.Input)
	if errors.Is(err, survey.ErrConflict) {
		c.OrdersExisting++
		return nil
	}
	if err != nil {
		return err
	}
	c.OrdersCreated++
	if o.IssueAt.IsZero() || !o.IssueAt.Before(now) {
		return nil
	}
	clock.set(o.IssueAt)
	link, err := st.IssueSurvey(ctx, sid, order.ID)
	if err != nil {
		return err
	}
	c.SurveysIssued++
	// Hand the link out as a structure would, so that the response rate by
	// channel has figures: e-mail, QR code or the link copied, by reference
	// (a few links never handed out).
	if ch := demoChannel(o.Input.Reference); ch != "" {
		if _, err := st.RecordLinkHandOut(ctx, link, ch); err != nil {
			return err
		}
	}
	switch {
	case !o.CancelAt.IsZero() && o.CancelAt.Before(now):
		clock.set(o.CancelAt)
		if err := st.CancelSurvey(ctx, sid, order.ID); err != nil {
			return err
		}
		c.Cancelled++
	case !o.AnswerAt.IsZero() && o.AnswerAt.Before(now) && o.AnswerAt.Before(link.ExpiresAt):
		clock.set(o.AnswerAt)
		if _, err := st.SubmitResponse(ctx, link.Token, o.Answers); err != nil {
			return err
		}
		c.Responses++
	case now.Before(link.ExpiresAt):
		c.Unanswered++
	default:
		c.Expired++
	}
	return nil
}

// demoChannel is the channel a demo order's link is handed out through,
// fixed by its reference; "" for about one in ten (not handed out).
func demoChannel(ref string) survey.Channel {
	h := fnv.New32a()
	_, _ = h.Write([]byte(ref))
	switch n := h.Sum32() % 10; {
	case n < 5:
		return survey.ChannelEmail
	case n < 7:
		return survey.ChannelQR
	case n < 9:
		return survey.ChannelLink
	}
	return ""
}

// demoAccessInfo tells a newcomer how to get into the demo.
type demoAccessInfo struct {
	Login         string     `json:"login_page"`
	Users         []demoUser `json:"users"`
	FederationKey demoKey    `json:"federation_api_key"`
	StructureKey  demoKey    `json:"structure_api_key"`
	Examples      []string   `json:"examples"`
}

// demoUser is an account to sign in to the pages with.
type demoUser struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role"`
	Scope    string `json:"scope"`
}

// demoPassword is the password of every demo account: demo data only, and
// printed so that a newcomer can sign in at once.
const demoPassword = "demo-capsat-2026"

// demoUsers creates (once) a federation, a region and a structure account.
func demoUsers(ctx context.Context, st *store.Store, first demoStructureReport) ([]demoUser, error) {
	wanted := []struct {
		in    accounts.UserInput
		scope string
	}{
		{accounts.UserInput{Email: "federation@demo.capsat.fr", Role: accounts.RoleFederation}, "réseau national"},
		{accounts.UserInput{Email: "region@demo.capsat.fr", Role: accounts.RoleRegionViewer, Region: first.Region}, first.Region},
		{accounts.UserInput{Email: "admin@demo.capsat.fr", Role: accounts.RoleStructureAdmin, StructureID: first.ID}, first.Name},
	}
	var out []demoUser
	for _, w := range wanted {
		w.in.Password = demoPassword
		// An account from an earlier run is kept (with its password, which
		// may have been changed since).
		_, err := st.UserByEmail(ctx, w.in.Email)
		switch {
		case errors.Is(err, survey.ErrNotFound):
			if _, err := st.CreateUser(ctx, w.in); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", w.in.Email, err)
			}
		case err != nil:
			return nil, fmt.Errorf("demo user %s: %w", w.in.Email, err)
		}
		out = append(out, demoUser{Email: w.in.Email, Password: demoPassword, Role: string(w.in.Role), Scope: w.scope})
	}
	return out, nil
}

// demoKey is an API key shown once.
type demoKey struct {
	ID          string `json:"id"`
	Key         string `json:"key"`
	Role        string `json:"role"`
	StructureID string `json:"structure_id,omitempty"`
}

// demoAccess creates the credentials printed at the end of the demo: a
// federation API key and a key of the first structure, with example calls.
// It is the place for other ways in (demo user accounts) to be added.
func demoAccess(ctx context.Context, st *store.Store, first demoStructureReport, baseURL string) (*demoAccessInfo, error) {
	fed, fedPlain, err := st.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "démo fédération", Role: accounts.RoleFederation})
	if err != nil {
		return nil, fmt.Errorf("demo federation key: %w", err)
	}
	own, ownPlain, err := st.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "démo " + first.Name, Role: accounts.RoleStructureAdmin, StructureID: first.ID})
	if err != nil {
		return nil, fmt.Errorf("demo structure key: %w", err)
	}
	api := baseURL + "/api/v1"
	auth := func(key string) string { return "curl -sS -H 'Authorization: Bearer " + key + "' " }
	order := fmt.Sprintf(`{"reference": "DEMO-%d", "service_type": "mise_a_disposition", "client": {"company": "Mairie de Vire", "email": "accueil@mairie.example"}, "job_title": "Agent de propreté", "start_date": "%s", "hours": 14}`,
		time.Now().Unix(), time.Now().Format(time.DateOnly))
	// An order of today without a link, for the example that issues one:
	// every printed command works as printed.
	example, err := st.CreateOrder(ctx, first.ID, survey.OrderInput{
		Reference: fmt.Sprintf("DEMO-LIEN-%d", time.Now().UnixNano()), ServiceType: survey.ServiceMAD,
		Client:   survey.Client{Company: "Mairie de Vire", Email: "accueil@mairie.example"},
		JobTitle: "Agent de propreté", StartDate: time.Now().Format(time.DateOnly), Hours: 7,
	})
	if err != nil {
		return nil, fmt.Errorf("demo example order: %w", err)
	}
	users, err := demoUsers(ctx, st, first)
	if err != nil {
		return nil, err
	}
	return &demoAccessInfo{
		Login:         baseURL + "/connexion",
		Users:         users,
		FederationKey: demoKey{ID: fed.ID, Key: fedPlain, Role: string(fed.Role)},
		StructureKey:  demoKey{ID: own.ID, Key: ownPlain, Role: string(own.Role), StructureID: first.ID},
		Examples: []string{
			auth(fedPlain) + api + "/structures",
			auth(ownPlain) + api + "/structures/" + first.ID,
			auth(ownPlain) + "-H 'Content-Type: application/json' -d '" + order + "' " + api + "/structures/" + first.ID + "/orders",
			auth(ownPlain) + "-X POST " + api + "/structures/" + first.ID + "/orders/" + example.ID + "/survey",
		},
	}, nil
}
