package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"capsat/survey"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// seedMonths is the history seeded before the current month.
const seedMonths = 24

// ordersPerResponse: 1.2 orders per response, as in the issue's figures.
const ordersPerResponse = 1.2

// seedWorkers bounds the concurrent calls of one seeding phase: enough for
// answers to be committed in groups (response_batch.go), few enough not to
// queue long on SQLite's lock.
const seedWorkers = 16

// tickClock is the seeding clock: each reading is one step after the
// previous one, from a base the seeder moves to each phase of each month,
// so that concurrent calls get distinct, increasing dates.
type tickClock struct {
	mu   sync.Mutex
	base time.Time
	n    atomic.Int64
	step time.Duration
}

func (c *tickClock) Now() time.Time {
	n := c.n.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(time.Duration(n) * c.step)
}

func (c *tickClock) set(t time.Time) {
	c.mu.Lock()
	c.base = t
	c.mu.Unlock()
	c.n.Store(0)
}

// seedCounts is what seeding one structure created.
type seedCounts struct {
	Orders, Issued, Responses, Flagged int
}

// seedStructure creates structure number i with responses answers over the
// 24 months before now's month, through the store's own calls: order
// creation, link issue and answer submission (concurrent answers go through
// the group commit of response_batch.go), so that every document and index
// the store keeps is written as in production. The store has no read
// model attached and is a bulk-load store (no order catalogue kept):
// summaries, ledgers and the catalogue are built once at the end (see
// seed), as `capsat admin rebuild-summaries` does after an import of
// history.
func seedStructure(ctx context.Context, db *mongo.Database, i, responses int, now time.Time, p *progress) (string, seedCounts, error) {
	var c seedCounts
	clock := &tickClock{step: time.Second}
	st := store.NewStore(db, store.Options{Embedded: true, BulkLoad: true, Now: clock.Now})
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	clock.set(first.AddDate(0, -seedMonths-1, 0))
	region := survey.Regions[i%len(survey.Regions)]
	s, err := st.CreateStructure(ctx, survey.StructureInput{Name: fmt.Sprintf("Structure de mesure %03d", i), SIRET: siret(i), Region: region, Type: survey.TypeAI})
	if err != nil {
		return "", c, fmt.Errorf("structure %d: %w", i, err)
	}
	rng := rand.New(rand.NewPCG(20261202, uint64(i)))
	mood := 0.1 * rng.NormFloat64()
	for m := range seedMonths {
		month := first.AddDate(0, m-seedMonths, 0)
		// Spread the responses evenly, the remainder on the last months.
		answered := responses/seedMonths + b2i(m >= seedMonths-responses%seedMonths)
		orders := int(math.Round(float64(answered) * ordersPerResponse))
		note := func(what string, k, n int) {
			p.maybe("structure %d: month %d/%d, %s %d/%d (%d orders, %d responses before this month)", i+1, m+1, seedMonths, what, k, n, c.Orders, c.Responses)
		}
		if err := seedMonth(ctx, st, clock, s.ID, rng, mood, month, orders, answered, &c, note); err != nil {
			return "", c, fmt.Errorf("structure %d, %s: %w", i, month.Format("2006-01"), err)
		}
	}
	return s.ID, c, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// seedMonth creates a month's orders (from its 1st), issues their links
// (from its 20th; one order in 25 is never sent) and answers `answered` of
// them (from its 22nd).
func seedMonth(ctx context.Context, st *store.Store, clock *tickClock, sid string, rng *rand.Rand, mood float64, month time.Time, orders, answered int, c *seedCounts, note func(what string, k, n int)) error {
	inputs := make([]survey.OrderInput, orders)
	for k := range inputs {
		inputs[k] = orderInput(rng, month, k)
	}
	ids := make([]string, orders)
	clock.set(month.Add(8 * time.Hour))
	if err := parallel(orders, func(k int) error {
		o, err := st.CreateOrder(ctx, sid, inputs[k])
		if err == nil {
			ids[k] = o.ID
		}
		note("order", k+1, orders)
		return err
	}); err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	c.Orders += orders
	issue := min(orders, max(answered, orders-orders/25))
	tokens := make([]string, issue)
	clock.set(month.AddDate(0, 0, 19).Add(9 * time.Hour))
	// In batches, as the orders list's "send the selected" does: the
	// structure and its questionnaires are read once a batch, not once a
	// link (the questionnaires by a filter, a scan on the embedded store).
	batch := (issue + seedWorkers - 1) / seedWorkers
	if err := parallel((issue+batch-1)/batch, func(b int) error {
		from, to := b*batch, min((b+1)*batch, issue)
		res, err := st.IssueSurveysFor(ctx, sid, ids[from:to])
		switch {
		case err != nil:
			return err
		case len(res.Failures) > 0:
			return fmt.Errorf("order %s: %s", res.Failures[0].Reference, res.Failures[0].Message)
		case res.Issued != to-from:
			return fmt.Errorf("%d links issued of %d", res.Issued, to-from)
		}
		at := make(map[string]string, len(res.Links))
		for _, l := range res.Links {
			at[l.OrderID] = l.Link.Token
		}
		for k := from; k < to; k++ {
			tokens[k] = at[ids[k]]
		}
		note("links of batch", b+1, (issue+batch-1)/batch)
		return nil
	}); err != nil {
		return fmt.Errorf("issue link: %w", err)
	}
	c.Issued += issue
	answers := make([]map[string]string, answered)
	for k := range answers {
		answers[k] = planAnswers(rng, inputs[k].ServiceType, mood)
	}
	var flagged atomic.Int64
	clock.set(month.AddDate(0, 0, 21).Add(10 * time.Hour))
	if err := parallel(answered, func(k int) error {
		r, err := st.SubmitResponse(ctx, tokens[k], answers[k])
		if err == nil && r.Flagged {
			flagged.Add(1)
		}
		note("answer", k+1, answered)
		return err
	}); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	c.Responses += answered
	c.Flagged += int(flagged.Load())
	return nil
}

// parallel calls f(0..n-1) from seedWorkers goroutines; the first error wins.
func parallel(n int, f func(k int) error) error {
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range min(n, seedWorkers) {
		wg.Go(func() {
			for k := range next {
				if err := f(k); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for k := range n {
		next <- k
	}
	close(next)
	wg.Wait()
	return first
}

// clientNames are the structure's clients: towns' services, companies and
// households, "Mairie de …" among them (the ?q= search finds them).
var clientNames = []string{
	"Mairie de Vire", "Mairie de Bayeux", "Mairie de Falaise", "EHPAD Les Tilleuls", "Résidence Le Bocage",
	"Boulangerie Martin", "SARL Espaces Verts du Bessin", "Collège Jean Moulin", "Camping Les Pins", "Mme Durand (particulier)",
	"M. Leroy (particulier)", "Office de tourisme de Honfleur", "Clinique Saint-Joseph", "Restaurant Le Relais", "Communauté de communes du Pré-Bocage",
	"Mairie de Coutances", "Lycée agricole de Saint-Lô", "Garage Lefèvre", "Mme Petit (particulier)", "Association Familles Rurales",
}

// jobs are what the orders ask for.
var jobs = []string{"Agent d'entretien", "Agent de propreté", "Aide ménagère", "Agent des espaces verts", "Manutentionnaire", "Aide de cuisine", "Plongeur", "Agent de restauration scolaire"}

// orderInput plans order k of month: four in five a staff provision
// (mise à disposition) of a few days, the others a hiring (mise à contrat).
func orderInput(rng *rand.Rand, month time.Time, k int) survey.OrderInput {
	start := month.AddDate(0, 0, rng.IntN(15))
	name := clientNames[int(float64(len(clientNames))*rng.Float64()*rng.Float64())]
	in := survey.OrderInput{
		Reference:   fmt.Sprintf("BC-%s-%05d", month.Format("200601"), k+1),
		ServiceType: survey.ServiceMAD,
		Client:      survey.Client{Company: name, ContactName: "Contact " + name, Email: fmt.Sprintf("contact%d@client.example", len(name))},
		JobTitle:    jobs[rng.IntN(len(jobs))],
		StartDate:   start.Format(time.DateOnly),
	}
	if rng.IntN(5) == 0 {
		in.ServiceType = survey.ServiceMAC
		return in
	}
	in.EndDate = start.AddDate(0, 0, rng.IntN(5)).Format(time.DateOnly)
	in.Hours = float64(7 * (1 + rng.IntN(5)))
	return in
}

// comments by overall satisfaction, unhappy clients commenting more often.
var comments = map[string][]string{
	"tres_satisfait":        {"Très bonne prestation, la personne était ponctuelle et efficace. Merci !", "Travail soigné, rien à redire."},
	"satisfait":             {"Bonne prestation dans l'ensemble.", "RAS, la mission s'est bien passée."},
	"peu_satisfait":         {"Plusieurs absences non prévenues pendant la mission.", "Délai trop long entre la demande et l'arrivée de l'intervenant."},
	"pas_du_tout_satisfait": {"Aucun suivi, nous avons dû relancer trois fois pour obtenir un remplaçant.", "Travail bâclé, nous avons dû repasser derrière."},
}

// planAnswers draws answers as `capsat demo` does (cmd/capsat/demo_plan.go,
// demoAnswers): a latent satisfaction sets the overall level, the other
// questions scatter around it, recommendation and reuse follow it, and
// unhappy clients comment more often; dissatisfied answers are flagged by
// the store as in production.
func planAnswers(rng *rand.Rand, service survey.ServiceType, mood float64) map[string]string {
	questions := survey.DefaultMADQuestions()
	if service == survey.ServiceMAC {
		questions = survey.DefaultMACQuestions()
	}
	x := 3.2 + mood + 0.75*rng.NormFloat64()
	overall := scaleLevel(x)
	out := map[string]string{}
	for _, q := range questions {
		switch q.Type {
		case survey.QuestionScale:
			if q.Role == survey.RoleOverall {
				out[q.Code] = overall.Value
			} else if rng.IntN(25) == 0 {
				out[q.Code] = survey.NotApplicable
			} else {
				out[q.Code] = scaleLevel(x + 0.5*rng.NormFloat64()).Value
			}
		case survey.QuestionYesNo:
			yes := []float64{0, 0.1, 0.5, 0.93, 0.98}[overall.Score]
			out[q.Code] = survey.NoAnswer
			if rng.Float64() < yes {
				out[q.Code] = survey.YesAnswer
			}
		case survey.QuestionNPS:
			n := int(math.Round(2.8*x - 1.5 + 1.2*rng.NormFloat64()))
			out[q.Code] = fmt.Sprint(min(max(n, 0), 10))
		case survey.QuestionText:
			chance := 0.3
			if overall.Score <= 2 {
				chance = 0.65
			}
			if list := comments[overall.Value]; len(list) > 0 && rng.Float64() < chance {
				out[q.Code] = list[rng.IntN(len(list))]
			}
		}
	}
	return out
}

func scaleLevel(x float64) survey.ScaleLevel {
	switch {
	case x >= 3.5:
		return survey.ScaleLevels[0]
	case x >= 2.5:
		return survey.ScaleLevels[1]
	case x >= 1.7:
		return survey.ScaleLevels[2]
	}
	return survey.ScaleLevels[3]
}

// siret returns a valid SIRET for structure i (Luhn key).
func siret(i int) string {
	base := fmt.Sprintf("7328293%06d", i)
	for key := byte('0'); key <= '9'; key++ {
		if s := base + string(key); survey.ValidSIRET(s) {
			return s
		}
	}
	return base + "0"
}
