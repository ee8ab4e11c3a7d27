package survey

import "strings"

// This file is the one place where tallies become indicators: counts →
// numerator and denominator per indicator code, and numerator and
// denominator → value. Aggregates sum numerators and denominators, then
// derive values here, so rates are never averaged.

// Indicator codes shared with the structure workbook's "Indicateurs" sheet:
// the same codes as a structure's indicators (indicators.go).
const (
	FigureIssued       = CodeSent
	FigureResponses    = CodeResponses
	FigureResponseRate = CodeResponseRate
	FigureOverall      = CodeOverall
	FigureNPS          = CodeNPS
	FigureReuse        = CodeLoyalty
)

// MinResponses is the small-numbers threshold: a figure shown outside its
// structure rests on at least this many responses or is withheld.
const MinResponses = 5

// NetKind says how a value is derived from numerator and denominator.
type NetKind string

// NetFigure kinds.
const (
	NetCount NetKind = "count" // value = numerator
	NetRate  NetKind = "rate"  // value = numerator / denominator, 0–1
	NetNPS   NetKind = "nps"   // value = 100 × (promoters − detractors) / answers
	NetScore NetKind = "score" // value = sum of scores / answers, 1–4 (imported workbooks)
)

// NetFigure is one indicator as summable counts: Base is the number of
// responses it rests on (for the small-numbers rule).
type NetFigure struct {
	Kind        NetKind `bson:"kind" json:"kind"`
	Numerator   int     `bson:"numerator" json:"numerator"`
	Denominator int     `bson:"denominator" json:"denominator"`
	Base        int     `bson:"base" json:"base"`
}

// Value derives the figure's value; false when there is nothing to divide.
func (f NetFigure) Value() (float64, bool) {
	switch f.Kind {
	case NetCount:
		return float64(f.Numerator), true
	case NetNPS:
		if f.Denominator == 0 {
			return 0, false
		}
		return 100 * float64(f.Numerator) / float64(f.Denominator), true
	}
	if f.Denominator == 0 {
		return 0, false
	}
	return float64(f.Numerator) / float64(f.Denominator), true
}

// Withheld tells whether the figure must be withheld outside its structure.
func (f NetFigure) Withheld() bool { return f.Base < MinResponses }

// NetFigures are indicators by code.
type NetFigures map[string]NetFigure

// Add sums other into f, code by code.
func (f NetFigures) Add(other NetFigures) {
	for code, o := range other {
		cur, ok := f[code]
		if !ok {
			f[code] = o
			continue
		}
		cur.Numerator += o.Numerator
		cur.Denominator += o.Denominator
		cur.Base += o.Base
		f[code] = cur
	}
}

// QuestionFigureCode is the indicator code of a question, as structure
// workbooks name it (QuestionIndicatorCode), so that figures from summaries
// and from uploaded workbooks add up under one code.
func QuestionFigureCode(questionCode string) string {
	return QuestionIndicatorCode(questionCode)
}

// FiguresOf derives the indicators of one service's tallies.
func FiguresOf(ss ServiceSummary) NetFigures {
	f := NetFigures{
		FigureIssued:       {Kind: NetCount, Numerator: ss.Issued, Denominator: ss.Issued, Base: ss.Responses},
		FigureResponses:    {Kind: NetCount, Numerator: ss.Responses, Denominator: ss.Issued, Base: ss.Responses},
		FigureResponseRate: {Kind: NetRate, Numerator: ss.Responses, Denominator: ss.Issued, Base: ss.Responses},
	}
	roles := map[QuestionRole]string{RoleOverall: FigureOverall, RoleRecommend: FigureNPS, RoleReuse: FigureReuse}
	for _, t := range ss.Questions {
		fig, ok := tallyFigure(t)
		if !ok {
			continue
		}
		f.Add(NetFigures{QuestionFigureCode(t.Code): fig})
		if code, ok := roles[t.Role]; ok {
			f.Add(NetFigures{code: fig})
		}
	}
	return f
}

// tallyFigure turns one question's answer counts into a figure: scale →
// satisfied share of answers other than sans objet; yes/no → share of oui;
// 0–10 → NPS. Other question types give no indicator.
// It applies the rules of a structure's own indicators (satisfied,
// npsGroups) to the tallies, so both count alike.
func tallyFigure(t QuestionTally) (NetFigure, bool) {
	counted := &tally{counts: t.Counts}
	for _, n := range t.Counts {
		counted.total += n
	}
	switch t.Type {
	case QuestionScale:
		num, den := satisfied(counted)
		return NetFigure{Kind: NetRate, Numerator: int(num), Denominator: int(den), Base: int(den)}, true
	case QuestionYesNo:
		yes, no := t.Counts[YesAnswer], t.Counts[NoAnswer]
		return NetFigure{Kind: NetRate, Numerator: yes, Denominator: yes + no, Base: yes + no}, true
	case QuestionNPS:
		promoters, passives, detractors := npsGroups(counted)
		den := promoters + passives + detractors
		return NetFigure{Kind: NetNPS, Numerator: promoters - detractors, Denominator: den, Base: den}, true
	}
	return NetFigure{}, false
}

// ImportedFigure rebuilds a figure from a workbook row of another capsat:
// the row's numerator and denominator, its value only for NPS (whose
// numerator another version may define differently). responses is the
// REPONSES of the same period and service, for volumes' base.
func ImportedFigure(code string, value float64, hasValue bool, num, den, responses int) NetFigure {
	switch {
	case code == FigureIssued || code == FigureResponses || code == CodeComments:
		return NetFigure{Kind: NetCount, Numerator: num, Denominator: den, Base: responses}
	case code == FigureResponseRate:
		return NetFigure{Kind: NetRate, Numerator: num, Denominator: den, Base: num}
	case strings.HasSuffix(code, scoreSuffix):
		return NetFigure{Kind: NetScore, Numerator: num, Denominator: den, Base: den}
	case code == FigureNPS || isNPSQuestionCode(code) || num < 0:
		if hasValue {
			num = int(value*float64(den)/100 + copySign(0.5, value))
		}
		return NetFigure{Kind: NetNPS, Numerator: num, Denominator: den, Base: den}
	}
	return NetFigure{Kind: NetRate, Numerator: num, Denominator: den, Base: den}
}

func copySign(x, sign float64) float64 {
	if sign < 0 {
		return -x
	}
	return x
}

// isNPSQuestionCode tells whether a Q_ code is a 0–10 question of the
// default questionnaires (the only way to know it from a bare code).
func isNPSQuestionCode(code string) bool {
	for _, qs := range [][]Question{DefaultMADQuestions(), DefaultMACQuestions()} {
		for _, q := range qs {
			if q.Type == QuestionNPS && QuestionFigureCode(q.Code) == code {
				return true
			}
		}
	}
	return false
}
