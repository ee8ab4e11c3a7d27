package survey

// FigureKind says how a figure's value derives from its numerator and
// denominator, so that figures of several periods or structures can be
// summed exactly (sum the numerators and denominators, then re-derive).
type FigureKind string

// Figure kinds.
const (
	KindCount FigureKind = "count" // value = numerator; no denominator
	KindRate  FigureKind = "rate"  // value = numerator / denominator, a fraction 0..1
	KindScore FigureKind = "score" // value = sum of scores / answers, 1..4
	KindNPS   FigureKind = "nps"   // value = 100 × (promoters − detractors) / answers, −100..100
)

// IndicativeBelow is the number of observations under which a figure is
// marked indicative (too few answers to read much into it).
const IndicativeBelow = 30

// AllServices is the Service of a figure covering both service types.
const AllServices = "all"

// Figure is one indicator value for one period and one service selection,
// with the counts it rests on.
type Figure struct {
	Code        string     `json:"code"`
	Period      string     `json:"period"`  // Period.Key
	Service     string     `json:"service"` // AllServices or a ServiceType
	Kind        FigureKind `json:"kind"`
	Value       *float64   `json:"value"` // null when there is nothing to divide by
	Numerator   float64    `json:"numerator"`
	Denominator float64    `json:"denominator"`
	N           int        `json:"n"` // observations: answers (or surveys) the figure rests on
	Indicative  bool       `json:"indicative"`
}

// NewFigure derives the value, n and the indicative mark from the counts.
func NewFigure(code, period, service string, kind FigureKind, num, den float64) Figure {
	f := Figure{Code: code, Period: period, Service: service, Kind: kind, Numerator: num, Denominator: den}
	f.derive()
	return f
}

// Plus adds g's counts to f's (same code and kind) and re-derives the value:
// how figures are aggregated across periods or structures.
func (f Figure) Plus(g Figure) Figure {
	f.Numerator += g.Numerator
	f.Denominator += g.Denominator
	f.derive()
	return f
}

func (f *Figure) derive() {
	f.Value = nil
	switch f.Kind {
	case KindCount:
		v := f.Numerator
		f.Value, f.N, f.Indicative = &v, int(f.Numerator), false
		return
	case KindRate, KindScore:
		if f.Denominator > 0 {
			v := f.Numerator / f.Denominator
			f.Value = &v
		}
	case KindNPS:
		if f.Denominator > 0 {
			v := 100 * f.Numerator / f.Denominator
			f.Value = &v
		}
	}
	f.N = int(f.Denominator)
	f.Indicative = f.N < IndicativeBelow
}

// ServiceLabel is the French label of a figure's service ("Toutes", ...).
func ServiceLabel(service string) string {
	if service == AllServices {
		return "Toutes"
	}
	return ServiceType(service).Label()
}
