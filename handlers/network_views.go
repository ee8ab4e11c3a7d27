package handlers

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"capsat/survey"
)

// countedBy says what a figure's n counts, in words, and which n that is:
// a response rate rests on the questionnaires sent, the others on the
// responses to their question.
func countedBy(code string, f survey.NetFigure) (int, string) {
	plural := func(n int, one, many string) string {
		if n == 1 || n == 0 {
			return one
		}
		return many
	}
	switch code {
	case survey.FigureResponses, survey.FigureResponseRate:
		return f.Denominator, plural(f.Denominator, "questionnaire envoyé", "questionnaires envoyés")
	case survey.FigureOverall:
		return f.Base, plural(f.Base, "réponse", "réponses") + " (hors « Sans objet »)"
	case survey.FigureReuse:
		return f.Base, plural(f.Base, "réponse", "réponses") + " « oui » ou « non »"
	}
	return f.Base, plural(f.Base, "réponse", "réponses")
}

// countedFigure is a figure with its n and what n counts.
type countedFigure struct {
	netFigureView
	Count int
	What  string
}

func counted(code string, f survey.NetFigure) countedFigure {
	n, what := countedBy(code, f)
	return countedFigure{netFigureView: netFigure(f), Count: n, What: what}
}

// compareHeadline is one headline figure of a scope (a region) beside the
// network's.
type compareHeadline struct {
	Code, Label    string
	Scope, Network countedFigure
}

// networkColumns is the order of the figures of the network tables.
func networkColumnCodes() []string {
	out := make([]string, 0, len(networkCodes))
	for _, c := range networkCodes {
		out = append(out, c.code)
	}
	return out
}

// sortColumn is one sortable column of a network table: its heading, the
// link that sorts by it and, when it is the current sort, its direction
// for aria-sort.
type sortColumn struct {
	Label, Href, AriaSort string
	Numeric               bool
}

// tableSort is a network table's sort, read from ?tri= and ?ordre=: an
// unknown column or direction falls back to the default (by name).
type tableSort struct {
	Key  string
	Desc bool
}

// sortKeys are the columns a structure table sorts by: "nom", "region",
// "type", then the figure codes.
var textSortKeys = []string{"nom", "region", "type"}

func parseTableSort(key, order string) tableSort {
	valid := false
	for _, k := range append(append([]string{}, textSortKeys...), networkColumnCodes()...) {
		valid = valid || k == key
	}
	if !valid {
		return tableSort{Key: "nom"}
	}
	return tableSort{Key: key, Desc: order == "desc"}
}

// columns builds the headings of a structure table, each a link that sorts
// by it (the current column's link reverses its direction).
func (s tableSort) columns(base url.Values, path string, withRegion bool) []sortColumn {
	labels := [][2]string{{"nom", "Structure"}}
	if withRegion {
		labels = append(labels, [2]string{"region", "Région"})
	}
	labels = append(labels, [2]string{"type", "Type"})
	for _, c := range networkCodes {
		labels = append(labels, [2]string{c.code, c.label})
	}
	var out []sortColumn
	for i, l := range labels {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("tri", l[0])
		// Figures sort best first; names from A.
		desc := i >= len(labels)-len(networkCodes)
		col := sortColumn{Label: l[1], Numeric: desc}
		if s.Key == l[0] {
			desc = !s.Desc
			col.AriaSort = "ascending"
			if s.Desc {
				col.AriaSort = "descending"
			}
		}
		if desc {
			q.Set("ordre", "desc")
		} else {
			q.Set("ordre", "asc")
		}
		col.Href = path + "?" + q.Encode() + "#structures"
		out = append(out, col)
	}
	return out
}

// sortStructureLines orders the lines by the sort's column; a withheld or
// missing figure goes last whatever the direction, and ties keep the
// name order.
func sortStructureLines(lines []survey.StructureFigures, s tableSort) {
	text := func(l survey.StructureFigures) string {
		switch s.Key {
		case "region":
			return l.Region
		case "type":
			return string(l.Type)
		}
		return strings.ToLower(l.Name)
	}
	value := func(l survey.StructureFigures) (float64, bool) {
		f, ok := l.Figures[s.Key]
		if !ok || (f.Kind != survey.NetCount && f.Withheld()) {
			return 0, false
		}
		v, ok := f.Value()
		return v, ok && !math.IsNaN(v)
	}
	numeric := !(s.Key == "nom" || s.Key == "region" || s.Key == "type")
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if numeric {
			va, oka := value(a)
			vb, okb := value(b)
			if oka != okb {
				return oka
			}
			if oka && va != vb {
				return (va < vb) != s.Desc
			}
			return false
		}
		if s.Key == "nom" && a.Anonymous != b.Anonymous {
			return b.Anonymous // unnamed structures last, as they have no name to sort by
		}
		ta, tb := text(a), text(b)
		if ta != tb {
			return (ta < tb) != s.Desc
		}
		return false
	})
}

// netTrendPoint is one month of a network trend chart.
type netTrendPoint struct {
	Label     string
	Value     string // overall satisfaction, "—" when withheld or none
	Responses int
	Few       bool // fewer than MinResponses responses: withheld and marked
	X, Y      float64
	HasValue  bool
}

// Network trend chart geometry, in SVG user units: narrower than the
// dashboard's so that labels stay readable once scaled to a phone.
const (
	netTrendWidth, netTrendHeight = 480.0, 260.0
	netTrendLeft, netTrendRight   = 44.0, 16.0
	netTrendTop, netTrendBottom   = 16.0, 64.0
)

// netTrend places a scope's monthly overall satisfaction: months resting
// on fewer than MinResponses responses are withheld and marked.
func netTrend(months []survey.GroupFigures) ([]netTrendPoint, string) {
	step := (netTrendWidth - netTrendLeft - netTrendRight) / float64(max(len(months)-1, 1))
	var points []netTrendPoint
	var line []string
	for i, m := range months {
		f := m.Figures[survey.FigureOverall]
		resp := m.Figures[survey.FigureResponses]
		v := netFigure(f)
		p := netTrendPoint{Label: m.Key, Value: v.Value, Responses: resp.Numerator, Few: resp.Numerator < survey.MinResponses, X: netTrendLeft + float64(i)*step}
		if t, err := time.Parse("2006-01", m.Key); err == nil {
			p.Label = frShortMonth(t)
		}
		if val, ok := f.Value(); ok && !v.Withheld {
			p.HasValue = true
			p.Y = netTrendTop + (1-val)*(netTrendHeight-netTrendTop-netTrendBottom)
			line = append(line, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
		}
		points = append(points, p)
	}
	return points, strings.Join(line, " ")
}

// structureTypeLabel names a structure type in tables ("other" in French).
func structureTypeLabel(t string) string {
	if t == string(survey.TypeOther) {
		return "Autre"
	}
	return t
}
