package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"capsat/survey"
)

// demoSeed fixes the demo's pseudo-random choices: every run plans the same
// network, so a second run finds what the first one created.
const demoSeed = 20260301

// demoOrder is one planned purchase order and what happens to its survey.
// Zero times mean "never": not issued, not answered, not cancelled.
type demoOrder struct {
	Input     survey.OrderInput
	CreatedAt time.Time
	IssueAt   time.Time
	AnswerAt  time.Time
	Answers   map[string]string
	CancelAt  time.Time
}

// demoClient is a client of a demo structure.
type demoClient struct {
	Client survey.Client
	Kind   *demoClientKind
}

// demoRand returns the generator of one part of the plan; each part has its
// own stream so that it does not depend on the date of the run.
func demoRand(structure int, part uint64) *rand.Rand {
	return rand.New(rand.NewPCG(demoSeed, uint64(structure)<<40|part))
}

// demoSIRET returns a SIRET with a valid Luhn key drawn from rng.
func demoSIRET(rng *rand.Rand) string {
	for {
		var b strings.Builder
		b.WriteByte(byte('1' + rng.IntN(9)))
		for range 12 {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		base := b.String()
		for key := byte('0'); key <= '9'; key++ {
			if s := base + string(key); survey.ValidSIRET(s) {
				return s
			}
		}
	}
}

// demoStructureSIRET is the fixed SIRET of the demo structure at index i.
func demoStructureSIRET(i int) string { return demoSIRET(demoRand(i, 1)) }

// demoClients returns the clients of a structure: about twenty, from its
// region's towns, its own town the most frequent.
func demoClients(i int, s demoStructure) []demoClient {
	rng := demoRand(i, 2)
	towns := demoTowns[s.Region]
	seen := map[string]bool{}
	var out []demoClient
	for len(out) < 22 {
		kind := pickKind(rng)
		town := towns[rng.IntN(len(towns))]
		if rng.IntN(3) == 0 {
			town = s.Town
		}
		first, last := pick(rng, demoFirstNames), pick(rng, demoLastNames)
		var name string
		if kind.Private {
			name = fmt.Sprintf("%s %s %s (particulier)", pick(rng, []string{"Mme", "M."}), first, last)
		} else {
			name = pick(rng, kind.Names)
			if strings.Contains(name, "%s") {
				name = fmt.Sprintf(name, town)
			}
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		c := survey.Client{Company: name, ContactName: first + " " + last, Phone: demoPhone(rng, s.Region, kind.Private)}
		if kind.Private {
			c.Email = survey.Slug(first) + "." + survey.Slug(last) + "@courriel.example"
		} else {
			c.SIRET = demoSIRET(rng)
			c.Email = survey.Slug(first) + "." + survey.Slug(last) + "@" + survey.Slug(name) + ".example"
		}
		out = append(out, demoClient{Client: c, Kind: kind})
	}
	return out
}

func pickKind(rng *rand.Rand) *demoClientKind {
	total := 0
	for _, k := range demoClientKinds {
		total += k.Weight
	}
	n := rng.IntN(total)
	for i := range demoClientKinds {
		if n < demoClientKinds[i].Weight {
			return &demoClientKinds[i]
		}
		n -= demoClientKinds[i].Weight
	}
	return &demoClientKinds[0]
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

// demoPhone returns a French phone number: landline by region, mobile for households.
func demoPhone(rng *rand.Rand, region string, mobile bool) string {
	prefix := "02"
	if region == "Occitanie" {
		prefix = "05"
	}
	if mobile {
		prefix = pick(rng, []string{"06", "07"})
	}
	return fmt.Sprintf("%s %02d %02d %02d %02d", prefix, rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100))
}

// demoMonths returns the first day (UTC) of each month of the demo period:
// the months before now's month, and now's month.
func demoMonths(now time.Time, months int) []time.Time {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]time.Time, 0, months)
	for m := 1 - months; m <= 0; m++ {
		out = append(out, first.AddDate(0, m, 0))
	}
	return out
}

// planMonth returns the orders structure i records in the month starting at
// month, with their survey's fate. It depends only on its arguments, so the
// same month gives the same orders on every run.
func planMonth(i int, s demoStructure, clients []demoClient, month time.Time) []demoOrder {
	rng := demoRand(i, 100+uint64(month.Year()*12+int(month.Month())))
	n := s.OrdersPerMonth + rng.IntN(3) - 1
	switch month.Month() {
	case time.June, time.July:
		n++ // summer replacements and green spaces
	case time.August, time.December:
		n--
	}
	n = max(n, 1)
	days := month.AddDate(0, 1, -1).Day()
	out := make([]demoOrder, 0, n)
	for k := range n {
		created := workingDay(month.AddDate(0, 0, rng.IntN(days))).
			Add(time.Duration(8+rng.IntN(9))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
		o := demoOrder{CreatedAt: created}
		o.Input = planOrderInput(rng, s, clients, created, fmt.Sprintf("%s-%04d%02d-%02d", s.Prefix, month.Year(), int(month.Month()), k+1))
		planSurvey(rng, s, &o)
		out = append(out, o)
	}
	return out
}

// workingDay moves a weekend day to the next Monday.
func workingDay(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, 2)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}

func planOrderInput(rng *rand.Rand, s demoStructure, clients []demoClient, created time.Time, ref string) survey.OrderInput {
	service := survey.ServiceMAC
	if rng.Float64() < s.MADShare {
		service = survey.ServiceMAD
	}
	// Regular clients come back: the first clients of the list are picked most.
	var c demoClient
	for try := 0; ; try++ {
		c = clients[int(float64(len(clients))*rng.Float64()*rng.Float64())]
		if try == 20 {
			service = survey.ServiceMAD // households only hire through staff provision
		}
		if service == survey.ServiceMAD || len(c.Kind.MACJobs) > 0 {
			break
		}
	}
	jobs := c.Kind.MADJobs
	if service == survey.ServiceMAC {
		jobs = c.Kind.MACJobs
	}
	start := workingDay(created.AddDate(0, 0, 1+rng.IntN(10)))
	in := survey.OrderInput{
		Reference: ref, ServiceType: service, Client: c.Client, JobTitle: pick(rng, jobs),
		StartDate: start.Format(time.DateOnly),
	}
	if service == survey.ServiceMAD {
		var length int
		switch r := rng.Float64(); {
		case r < 0.35:
			length = rng.IntN(2) // a day or two
		case r < 0.75:
			length = 3 + rng.IntN(18)
		default:
			length = 21 + rng.IntN(70)
		}
		end := start.AddDate(0, 0, length)
		hoursPerDay := 3 + rng.IntN(5)
		if c.Kind.Private {
			hoursPerDay = 2 + rng.IntN(3)
		}
		in.EndDate = end.Format(time.DateOnly)
		in.Hours = float64(workingDays(start, end) * hoursPerDay)
	}
	if rng.IntN(7) == 0 {
		in.Notes = pick(rng, demoNotes)
	}
	return in
}

// workingDays counts Monday to Friday between two dates, both included.
func workingDays(from, to time.Time) int {
	n := 0
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n++
		}
	}
	return max(n, 1)
}

// planSurvey decides when the order's survey is issued (after the mission,
// or a month after a hiring), and whether it is cancelled or answered.
func planSurvey(rng *rand.Rand, s demoStructure, o *demoOrder) {
	if rng.IntN(25) == 0 {
		return // never sent: the client asked not to be surveyed
	}
	var after time.Time
	if o.Input.ServiceType == survey.ServiceMAD {
		after, _ = time.Parse(time.DateOnly, o.Input.EndDate)
		after = after.AddDate(0, 0, 1+rng.IntN(4))
	} else {
		after, _ = time.Parse(time.DateOnly, o.Input.StartDate)
		after = after.AddDate(0, 0, 30+rng.IntN(20))
	}
	o.IssueAt = workingDay(after).Add(time.Duration(9+rng.IntN(3))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
	if rng.IntN(30) == 0 {
		o.CancelAt = o.IssueAt.AddDate(0, 0, 1+rng.IntN(5)) // wrong contact, mission interrupted
		return
	}
	if rng.Float64() >= s.ResponseRate {
		return
	}
	var delay time.Duration
	switch r := rng.Float64(); {
	case r < 0.45:
		delay = time.Duration(1+rng.IntN(30)) * time.Hour
	case r < 0.8:
		delay = time.Duration(2+rng.IntN(6)) * 24 * time.Hour
	default:
		delay = time.Duration(8+rng.IntN(45)) * 24 * time.Hour // may come after the link expired
	}
	o.AnswerAt = o.IssueAt.Add(delay + time.Duration(rng.IntN(3600))*time.Second)
	o.Answers = demoAnswers(rng, o.Input.ServiceType, s.Mood)
}

// demoAnswers draws plausible answers: a latent satisfaction sets the
// overall level, the other questions scatter around it, recommendation and
// reuse follow it, and unhappy clients comment more often.
func demoAnswers(rng *rand.Rand, service survey.ServiceType, mood float64) map[string]string {
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
			if comments := demoComments[overall.Value][service]; len(comments) > 0 && rng.Float64() < chance {
				out[q.Code] = pick(rng, comments)
			}
		}
	}
	return out
}

// scaleLevel maps a latent satisfaction (about 1 to 4) to a scale level.
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
