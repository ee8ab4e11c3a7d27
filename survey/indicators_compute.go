package survey

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

// tally counts the answers given to one question (value → count).
type tally struct {
	counts map[string]int
	total  int
}

func (t *tally) add(v string) { t.addN(v, 1) }

func (t *tally) addN(v string, n int) {
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	t.counts[v] += n
	t.total += n
}

// bucket accumulates one period × service selection.
type bucket struct {
	sent, answered, comments int
	// handedOut and byChannel count, by position in Channels, the
	// surveys whose link was first handed out through the channel and
	// those of them answered.
	handedOut, byChannel [3]int
	questions            map[string]*tally
	overall, reuse, nps  tally
}

func (b *bucket) question(code string) *tally {
	if b.questions == nil {
		b.questions = map[string]*tally{}
	}
	t := b.questions[code]
	if t == nil {
		t = &tally{}
		b.questions[code] = t
	}
	return t
}

// versionMeta is what the computation needs of one questionnaire version.
type versionMeta struct {
	types                               map[string]QuestionType
	overall, reuse, recommend, comments string
}

func newVersionMeta(q *Questionnaire) *versionMeta {
	m := &versionMeta{types: make(map[string]QuestionType, len(q.Questions))}
	for _, qu := range q.Questions {
		m.types[qu.Code] = qu.Type
		switch qu.Role {
		case RoleOverall:
			m.overall = firstNonEmpty(m.overall, qu.Code)
		case RoleReuse:
			m.reuse = firstNonEmpty(m.reuse, qu.Code)
		case RoleRecommend:
			m.recommend = firstNonEmpty(m.recommend, qu.Code)
		case RoleComment:
			m.comments = firstNonEmpty(m.comments, qu.Code)
		}
	}
	return m
}

func firstNonEmpty(have, candidate string) string {
	if have != "" {
		return have
	}
	return candidate
}

// computation holds the state of one ComputeIndicators call.
type computation struct {
	q              IndicatorQuery
	periods        []Period    // sub-periods then Total
	ends           []time.Time // exclusive end instant of each sub-period
	services       []string
	buckets        [][]bucket // [period][service]
	versions       map[string]*versionMeta
	questionnaires map[string]*Questionnaire
	catalog        []QuestionInfo
	byCode         map[string]*QuestionInfo
	used           map[string]int // questionnaire id → responses
	verbs          []Verbatim
}

// each calls fn on the buckets a survey of service st issued at t counts in:
// its sub-period and the total, for its service and for both together.
func (c *computation) each(t time.Time, st ServiceType, fn func(*bucket)) bool {
	if !c.q.Range.Contains(t) || (c.q.Service != "" && st != c.q.Service) {
		return false
	}
	p := sort.Search(len(c.ends), func(i int) bool { return t.Before(c.ends[i]) })
	for si, svc := range c.services {
		if svc == AllServices || svc == string(st) {
			fn(&c.buckets[p][si])
			fn(&c.buckets[len(c.periods)-1][si])
		}
	}
	return true
}

// addResponse counts a response in its cohort; false when out of the query.
func (c *computation) addResponse(src *IndicatorSource, r *ResponseRow) bool {
	meta := c.versions[r.QuestionnaireID]
	if meta == nil {
		meta = &versionMeta{types: map[string]QuestionType{}}
	}
	comment := ""
	if meta.comments != "" {
		comment = src.Answer(r, meta.comments)
	}
	in := c.each(r.IssuedAt, r.ServiceType, func(b *bucket) {
		b.sent++
		b.answered++
		b.handedOut[channelIndex(r.Channel)]++
		b.byChannel[channelIndex(r.Channel)]++
		src.eachAnswer(r, func(code, v string) {
			t, ok := meta.types[code]
			if !ok {
				t = c.typeOf(code)
			}
			if t != QuestionText && t != "" {
				b.question(code).add(v)
			}
		})
		addRole(&b.overall, src.Answer(r, meta.overall))
		addRole(&b.reuse, src.Answer(r, meta.reuse))
		addRole(&b.nps, src.Answer(r, meta.recommend))
		if comment != "" {
			b.comments++
		}
	})
	if !in {
		return false
	}
	c.used[r.QuestionnaireID]++
	if comment != "" {
		c.verbs = append(c.verbs, Verbatim{
			OrderID: r.OrderID, OrderReference: r.OrderReference, ServiceType: r.ServiceType,
			IssuedAt: r.IssuedAt, SubmittedAt: r.SubmittedAt, QuestionCode: meta.comments, Text: comment,
		})
	}
	return true
}

func addRole(t *tally, v string) {
	if v != "" {
		t.add(v)
	}
}

func (c *computation) typeOf(code string) QuestionType {
	if qi := c.byCode[code]; qi != nil {
		return qi.Type
	}
	return ""
}

// buildCatalog lists the questions of every non-draft version applying to
// the query's services, identified by code, labelled by their latest version.
func (c *computation) buildCatalog(qs []Questionnaire) {
	sorted := append([]Questionnaire(nil), qs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].FamilyID != sorted[j].FamilyID {
			return serviceRank(sorted[i].ServiceTypes) < serviceRank(sorted[j].ServiceTypes)
		}
		return sorted[i].Version > sorted[j].Version // latest first: its labels win
	})
	c.byCode = map[string]*QuestionInfo{}
	c.questionnaires = map[string]*Questionnaire{}
	var order []string
	for i := range sorted {
		q := &sorted[i]
		c.versions[q.ID] = newVersionMeta(q)
		c.questionnaires[q.ID] = q
		if q.Status == StatusDraft || !c.appliesTo(q.ServiceTypes) {
			continue
		}
		for _, qu := range q.Questions {
			info := c.byCode[qu.Code]
			if info == nil {
				info = &QuestionInfo{Code: qu.Code, IndicatorCode: QuestionIndicatorCode(qu.Code), Label: qu.Label, Type: qu.Type, Role: qu.Role, Choices: qu.Choices}
				info.Levels = questionLevels(info)
				c.byCode[qu.Code] = info
				order = append(order, qu.Code)
			}
			info.Versions = append(info.Versions, q.ID)
			for _, st := range q.ServiceTypes {
				if !slices.Contains(info.ServiceTypes, st) {
					info.ServiceTypes = append(info.ServiceTypes, st)
				}
			}
		}
	}
	for _, code := range order {
		c.catalog = append(c.catalog, *c.byCode[code])
	}
}

func (c *computation) appliesTo(sts []ServiceType) bool {
	return c.q.Service == "" || slices.Contains(sts, c.q.Service)
}

func serviceRank(sts []ServiceType) int {
	for i, st := range ServiceTypes {
		if slices.Contains(sts, st) {
			return i
		}
	}
	return len(ServiceTypes)
}

// questionLevels are the distribution entries of a question.
func questionLevels(q *QuestionInfo) []QuestionLevel {
	var out []QuestionLevel
	add := func(value, label, suffix string) {
		out = append(out, QuestionLevel{Value: value, Label: label, Code: q.IndicatorCode + "_" + suffix})
	}
	switch q.Type {
	case QuestionScale:
		for _, l := range ScaleLevels {
			add(l.Value, l.Label, codeWord(l.Value))
		}
	case QuestionYesNo:
		add(YesAnswer, "Oui", "OUI")
		add(NoAnswer, "Non", "NON")
	case QuestionNPS:
		for n := 0; n <= 10; n++ {
			add(strconv.Itoa(n), strconv.Itoa(n), "NOTE_"+strconv.Itoa(n))
		}
	case QuestionChoice:
		for _, ch := range q.Choices {
			add(ch, ch, codeWord(ch))
		}
	}
	return out
}
