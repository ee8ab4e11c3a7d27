package handlers

import (
	"math"

	"capsat/survey"
)

// headlineView is one headline figure as the dashboard shows it.
type headlineView struct {
	Label string
	Value string // formatted, "—" without data
	N     int
	Unit  string // what N counts
}

// netFigureView is one network figure as shown: withheld under the
// small-numbers threshold.
type netFigureView struct {
	Value    string
	N        int
	Withheld bool
}

// networkCodes are the figures of the network tables, in column order.
var networkCodes = []struct{ code, label string }{
	{survey.FigureResponses, "Réponses"},
	{survey.FigureResponseRate, "Taux de réponse"},
	{survey.FigureOverall, "Satisfaction globale"},
	{survey.FigureNPS, "NPS"},
	{survey.FigureReuse, "Feraient de nouveau appel"},
}

// netFigure formats a network figure, withheld when it rests on too few responses.
func netFigure(f survey.NetFigure) netFigureView { return formatNetFigure(f, true) }

// formatNetFigure formats a figure; withhold applies the small-numbers rule
// (a structure's own figures are never withheld from itself).
func formatNetFigure(f survey.NetFigure, withhold bool) netFigureView {
	if withhold && f.Kind != survey.NetCount && f.Withheld() {
		return netFigureView{Value: "—", N: f.Base, Withheld: true}
	}
	v, ok := f.Value()
	switch {
	case !ok:
		return netFigureView{Value: "—", N: f.Base}
	case f.Kind == survey.NetRate:
		return netFigureView{Value: frPercent(v), N: f.Base}
	case f.Kind == survey.NetNPS:
		return netFigureView{Value: frSigned(int(math.Round(v))), N: f.Base}
	case f.Kind == survey.NetScore:
		return netFigureView{Value: frDecimal(v), N: f.Base}
	}
	return netFigureView{Value: frThousands(int(v)), N: f.Base}
}
