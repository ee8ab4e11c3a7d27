package handlers

import (
	"fmt"
	"math"
	"strconv"

	"capsat/survey"
)

// smallMonth is the number of answers under which a month's figure is
// shown as resting on too few answers (the network's small-numbers rule).
const smallMonth = 5

// segmentView is one part of a distribution bar.
type segmentView struct {
	Label   string
	Count   int
	Share   string  // "42 %"
	X, W    float64 // position and width on a 0..100 bar
	Class   string  // colour of the level
	Visible bool    // wide enough to draw
}

// distributionView is one question's answers, level by level.
type distributionView struct {
	Label    string
	Kind     string // scale, yes_no, nps
	Headline string // the question's own figure: satisfaction, yes share, NPS
	N        int    // answers to the question, Sans objet included
	Segments []segmentView
}

// distributions are every scale, yes/no and recommendation question of
// the range, each level counted with its share (Sans objet included), the
// recommendation split into detractors, passives and promoters. Figures
// come from the indicators (the summaries' source), not from the responses;
// format writes the question's own figure.
func distributions(in *survey.Indicators, svc string, format func(survey.Figure) string) []distributionView {
	var out []distributionView
	for _, q := range in.Questions {
		f, ok := in.Figure(q.IndicatorCode, survey.TotalPeriodKey, svc)
		if !ok {
			continue
		}
		d := distributionView{Label: q.Label, Kind: string(q.Type), Headline: format(f)}
		counts := func(code string) (int, int) {
			g, _ := in.Figure(code, survey.TotalPeriodKey, svc)
			return int(g.Numerator), int(g.Denominator)
		}
		var parts []segmentView
		total := 0
		switch q.Type {
		case survey.QuestionScale:
			for i, l := range q.Levels {
				n, all := counts(l.Code)
				total = max(total, all)
				parts = append(parts, segmentView{Label: l.Label, Count: n, Class: "level-" + strconv.Itoa(i)})
			}
		case survey.QuestionYesNo:
			for i, l := range q.Levels {
				n, all := counts(l.Code)
				total = max(total, all)
				parts = append(parts, segmentView{Label: l.Label, Count: n, Class: []string{"level-1", "level-3"}[i%2]})
			}
		case survey.QuestionNPS:
			for _, g := range []struct{ suffix, label, class string }{
				{"_DETRACTEURS", "Détracteurs (0 à 6)", "level-3"},
				{"_PASSIFS", "Passifs (7 et 8)", "level-2"},
				{"_PROMOTEURS", "Promoteurs (9 et 10)", "level-0"},
			} {
				n, _ := counts(q.IndicatorCode + g.suffix)
				parts = append(parts, segmentView{Label: g.label, Count: n, Class: g.class})
			}
			if len(q.Levels) > 0 {
				_, total = counts(q.Levels[0].Code)
			}
		default:
			continue
		}
		if q.Type != survey.QuestionScale {
			sum := 0
			for _, p := range parts {
				sum += p.Count
			}
			if total > sum { // answered "Sans objet"
				parts = append(parts, segmentView{Label: "Sans objet", Count: total - sum, Class: "level-4"})
			}
		}
		d.N = total
		x := 0.0
		for _, p := range parts {
			if total > 0 {
				share := float64(p.Count) / float64(total)
				p.Share = strconv.Itoa(int(math.Round(share*100))) + "\u202f%"
				p.X, p.W, p.Visible = x, share*100, p.Count > 0
				x += p.W
			} else {
				p.Share = "—"
			}
			d.Segments = append(d.Segments, p)
		}
		out = append(out, d)
	}
	return out
}

// fewNote is the legend of months resting on too few answers.
func fewNote() string {
	return fmt.Sprintf("mois reposant sur moins de %d réponses : valeur indicative", smallMonth)
}
