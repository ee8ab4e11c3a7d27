package survey

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// result turns the buckets into figures: for each code, each period, each
// service selection, so that every combination has a row (null when empty).
func (c *computation) result(now time.Time) *Indicators {
	in := &Indicators{
		Range: c.q.Range, From: c.q.Range.From.Format(time.DateOnly), To: c.q.Range.To.Format(time.DateOnly),
		By: c.q.By, Service: c.q.Service, Services: c.services, Periods: c.periods,
		Questions: c.catalog, GeneratedAt: now, index: map[figureKey]int{},
	}
	add := func(f Figure) {
		in.index[figureKey{f.Code, f.Period, f.Service}] = len(in.Figures)
		in.Figures = append(in.Figures, f)
	}
	for _, h := range HeadlineCodes {
		for pi, p := range c.periods {
			for si, svc := range c.services {
				num, den := headlineCounts(h.Code, &c.buckets[pi][si])
				add(NewFigure(h.Code, p.Key, svc, h.Kind, num, den))
			}
		}
	}
	for i := range c.catalog {
		q := &c.catalog[i]
		for _, code := range questionCodes(q) {
			for pi, p := range c.periods {
				for si, svc := range c.services {
					if svc != AllServices && !slices.Contains(q.ServiceTypes, ServiceType(svc)) {
						continue
					}
					t := c.buckets[pi][si].questions[q.Code]
					kind, num, den := questionCounts(q, code, t)
					add(NewFigure(code, p.Key, svc, kind, num, den))
				}
			}
		}
	}
	// By-channel figures come last, so that the rows of the figures above
	// keep their places in every table that lists them all.
	for _, cc := range ChannelCodes {
		for pi, p := range c.periods {
			for si, svc := range c.services {
				b := &c.buckets[pi][si]
				i := channelIndex(cc.Channel)
				num, den := float64(b.byChannel[i]), float64(b.handedOut[i])
				if cc.Kind == KindCount {
					den = 0
				}
				add(NewFigure(cc.Code, p.Key, svc, cc.Kind, num, den))
			}
		}
	}
	in.Questionnaires = c.usedVersions()
	sort.SliceStable(c.verbs, func(i, j int) bool { return c.verbs[i].SubmittedAt.After(c.verbs[j].SubmittedAt) })
	in.Verbatims = c.verbs
	if in.Verbatims == nil {
		in.Verbatims = []Verbatim{}
	}
	return in
}

// headlineCounts gives a headline code's numerator and denominator.
func headlineCounts(code string, b *bucket) (num, den float64) {
	switch code {
	case CodeSent:
		return float64(b.sent), 0
	case CodeResponses:
		return float64(b.answered), 0
	case CodeResponseRate:
		return float64(b.answered), float64(b.sent)
	case CodeOverall:
		return satisfied(&b.overall)
	case CodeOverallScore:
		return scoreSum(&b.overall)
	case CodeNPS:
		p, _, d := npsGroups(&b.nps)
		return float64(p - d), float64(b.nps.total)
	case CodeNPSPromoters:
		p, _, _ := npsGroups(&b.nps)
		return float64(p), float64(b.nps.total)
	case CodeNPSPassives:
		_, pa, _ := npsGroups(&b.nps)
		return float64(pa), float64(b.nps.total)
	case CodeNPSDetractors:
		_, _, d := npsGroups(&b.nps)
		return float64(d), float64(b.nps.total)
	case CodeLoyalty:
		return float64(b.reuse.counts[YesAnswer]), float64(b.reuse.total)
	case CodeComments:
		return float64(b.comments), 0
	}
	return 0, 0
}

// satisfied is (Très satisfait + Satisfait) over the answers other than Sans objet.
func satisfied(t *tally) (num, den float64) {
	num = float64(t.counts["tres_satisfait"] + t.counts["satisfait"])
	return num, float64(t.total - t.counts[NotApplicable] - unknownScale(t))
}

// scoreSum is the sum of scores (4..1) over the answers other than Sans objet.
func scoreSum(t *tally) (num, den float64) {
	for v, n := range t.counts {
		if s, ok := ScaleScore(v); ok && s > 0 {
			num += float64(s * n)
			den += float64(n)
		}
	}
	return num, den
}

// unknownScale counts values that are not levels of the scale (a version
// that changed a question's type): they are left out of every ratio.
func unknownScale(t *tally) int {
	n := 0
	for v, c := range t.counts {
		if _, ok := ScaleScore(v); !ok {
			n += c
		}
	}
	return n
}

// npsGroups splits recommendation answers into promoters (9–10), passives
// (7–8) and detractors (0–6); values that are not 0–10 are ignored.
func npsGroups(t *tally) (promoters, passives, detractors int) {
	for v, n := range t.counts {
		score, ok := ParseNPS(v)
		switch {
		case !ok:
		case score >= npsPromoterMin:
			promoters += n
		case score <= npsDetractorMax:
			detractors += n
		default:
			passives += n
		}
	}
	return promoters, passives, detractors
}

func npsAnswers(t *tally) int {
	p, pa, d := npsGroups(t)
	return p + pa + d
}

// questionCodes lists the indicator codes of one question.
func questionCodes(q *QuestionInfo) []string {
	var out []string
	switch q.Type {
	case QuestionScale:
		out = append(out, q.IndicatorCode, q.IndicatorCode+scoreSuffix)
	case QuestionYesNo:
		out = append(out, q.IndicatorCode)
	case QuestionNPS:
		out = append(out, q.IndicatorCode, q.IndicatorCode+promotersSuffix, q.IndicatorCode+passivesSuffix, q.IndicatorCode+detractorsSuffix)
	case QuestionText:
		return nil
	}
	for _, l := range q.Levels {
		out = append(out, l.Code)
	}
	return out
}

// questionCounts gives the kind, numerator and denominator of a question code.
// Distribution shares are over every answer to the question, Sans objet included.
func questionCounts(q *QuestionInfo, code string, t *tally) (FigureKind, float64, float64) {
	if t == nil {
		t = &tally{}
	}
	switch code {
	case q.IndicatorCode:
		switch q.Type {
		case QuestionScale:
			n, d := satisfied(t)
			return KindRate, n, d
		case QuestionYesNo:
			return KindRate, float64(t.counts[YesAnswer]), float64(t.counts[YesAnswer] + t.counts[NoAnswer])
		case QuestionNPS:
			p, _, d := npsGroups(t)
			return KindNPS, float64(p - d), float64(npsAnswers(t))
		}
	case q.IndicatorCode + scoreSuffix:
		n, d := scoreSum(t)
		return KindScore, n, d
	case q.IndicatorCode + promotersSuffix:
		p, _, _ := npsGroups(t)
		return KindRate, float64(p), float64(npsAnswers(t))
	case q.IndicatorCode + passivesSuffix:
		_, pa, _ := npsGroups(t)
		return KindRate, float64(pa), float64(npsAnswers(t))
	case q.IndicatorCode + detractorsSuffix:
		_, _, d := npsGroups(t)
		return KindRate, float64(d), float64(npsAnswers(t))
	}
	for _, l := range q.Levels {
		if l.Code == code {
			return KindRate, float64(t.counts[l.Value]), float64(t.total)
		}
	}
	return KindRate, 0, 0
}

// usedVersions lists the questionnaire versions answered in the range.
func (c *computation) usedVersions() []QuestionnaireVersion {
	out := []QuestionnaireVersion{}
	for id, n := range c.used {
		v := QuestionnaireVersion{ID: id, Responses: n, Title: "(version supprimée)"}
		if meta := c.versionInfo(id); meta != nil {
			v.FamilyID, v.Title, v.Version, v.ServiceTypes = meta.FamilyID, meta.Title, meta.Version, meta.ServiceTypes
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Title != out[j].Title {
			return out[i].Title < out[j].Title
		}
		return out[i].Version < out[j].Version
	})
	return out
}

func (c *computation) versionInfo(id string) *Questionnaire { return c.questionnaires[id] }

// VersionLabel names a questionnaire version for people: "Titre (v2)".
func (v QuestionnaireVersion) VersionLabel() string {
	return v.Title + " (v" + strconv.Itoa(v.Version) + ")"
}

// ComputeIndicators computes a structure's indicators from src for the
// query. It is pure: no store, no clock but now (the generation date).
//
// Period attribution is by the date the survey was issued (the cohort),
// for the sent surveys and the responses alike, so that a late answer counts
// in the period its survey was sent. A survey whose link was cancelled and
// not re-issued is not counted as sent (it could not be answered); an
// expired one is.
//
// By channel, each survey counts under the channel its link was first
// handed out through: an answered one under its response's channel (the
// link's first channel, recorded at the latest when it was answered), an
// unanswered one under its own, and not at all when it was never handed
// out; each rate divides by its own channel's surveys.
func ComputeIndicators(src *IndicatorSource, q IndicatorQuery, now time.Time) *Indicators {
	if !q.By.Valid() {
		q.By = ByMonth
	}
	c := &computation{q: q, services: q.Services(), versions: map[string]*versionMeta{}, used: map[string]int{}}
	c.periods = append(SplitRange(q.Range, q.By), Period{Key: TotalPeriodKey, Label: "Total", From: q.Range.From, To: q.Range.To})
	for _, p := range c.periods[:len(c.periods)-1] {
		c.ends = append(c.ends, p.To.AddDate(0, 0, 1))
	}
	c.buckets = make([][]bucket, len(c.periods))
	for i := range c.buckets {
		c.buckets[i] = make([]bucket, len(c.services))
	}
	c.buildCatalog(src.Questionnaires)
	answered := make(map[string]bool, len(src.Responses))
	for i := range src.Responses {
		r := &src.Responses[i]
		if c.addResponse(src, r) {
			answered[r.OrderID] = true
		}
	}
	for i := range src.Tallies {
		c.addTally(&src.Tallies[i])
	}
	for _, v := range src.Verbatims {
		if c.q.Range.Contains(v.IssuedAt) && (c.q.Service == "" || v.ServiceType == c.q.Service) {
			c.verbs = append(c.verbs, v)
		}
	}
	for _, s := range src.Surveys {
		if s.Cancelled || answered[s.OrderID] {
			continue // answered: counted once, from its response
		}
		c.each(s.IssuedAt, s.ServiceType, func(b *bucket) {
			b.sent++
			if s.Channel != "" {
				b.handedOut[channelIndex(s.Channel)]++
			}
		})
	}
	return c.result(now)
}
