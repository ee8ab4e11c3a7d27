package survey

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"
)

// UnnamedStructure is how a structure that chose not to be named appears in
// network tables.
const UnnamedStructure = "Structure non nommée"

// MonthSpan is a range of whole months, both ends included ("YYYY-MM").
type MonthSpan struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// maxPeriodMonths bounds a period, so that a request cannot ask for ages.
const maxPeriodMonths = 120

// ParseMonthSpan checks from and to ("YYYY-MM", or a date "YYYY-MM-DD" as
// the structure's exports take, standing for its month); when both are empty
// it is the twelve months ending with the current one.
func ParseMonthSpan(from, to string, now time.Time) (MonthSpan, error) {
	from, to = monthOfDate(from), monthOfDate(to)
	if from == "" && to == "" {
		end := now.In(IndicatorLocation())
		return MonthSpan{From: SummaryMonth(end.AddDate(0, -11, 1-end.Day())), To: SummaryMonth(end)}, nil
	}
	v := &ValidationError{Message: "Période invalide."}
	f, errF := time.Parse("2006-01", from)
	if errF != nil {
		v.Add("from", "month", "Mois de début invalide (AAAA-MM).")
	}
	t, errT := time.Parse("2006-01", to)
	if errT != nil {
		v.Add("to", "month", "Mois de fin invalide (AAAA-MM).")
	}
	if errF == nil && errT == nil {
		switch {
		case t.Before(f):
			v.Add("to", "end_before_start", "Le mois de fin ne peut pas précéder le mois de début.")
		case monthsBetween(f, t) > maxPeriodMonths:
			v.Add("to", "too_long", fmt.Sprintf("La période ne peut pas dépasser %d mois.", maxPeriodMonths))
		}
	}
	if err := v.OrNil(); err != nil {
		return MonthSpan{}, err
	}
	return MonthSpan{From: from, To: to}, nil
}

// monthOfDate turns a valid "YYYY-MM-DD" into "YYYY-MM"; anything else is
// returned unchanged, for ParseMonthSpan to judge.
func monthOfDate(v string) string {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Format("2006-01")
	}
	return v
}

func monthsBetween(f, t time.Time) int {
	return (t.Year()-f.Year())*12 + int(t.Month()-f.Month()) + 1
}

// Months lists the period's months in order.
func (p MonthSpan) Months() []string {
	f, _ := time.Parse("2006-01", p.From)
	t, _ := time.Parse("2006-01", p.To)
	var out []string
	for m := f; !m.After(t); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// Contains tells whether month is in the period.
func (p MonthSpan) Contains(month string) bool { return month >= p.From && month <= p.To }

// AggregateQuery selects what Aggregate sums.
type AggregateQuery struct {
	Period  MonthSpan
	Service ServiceType // empty: both services
	Region  string      // empty: every region; else only that region's structures and region row
}

// StructureFigures is one structure's line in a network table. An
// anonymous structure has neither id nor name.
type StructureFigures struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Region    string        `json:"region"`
	Type      StructureType `json:"type"`
	Anonymous bool          `json:"anonymous"`
	Uploaded  bool          `json:"uploaded"` // some months come from an uploaded workbook
	Figures   NetFigures    `json:"figures"`
	id        string        // kept for benchmarks, never shown
}

// GroupFigures is the figures of a region, a structure type or a month.
type GroupFigures struct {
	Key     string     `json:"key"`
	Figures NetFigures `json:"figures"`
}

// UploadSource names an upload used in an aggregate, for the Méthode sheet.
type UploadSource struct {
	Structure  string    `json:"structure"`
	Month      string    `json:"month"`
	FileName   string    `json:"file_name"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// Aggregate is the network's figures for a period and service: every rate
// is recomputed from summed numerators and denominators.
type Aggregate struct {
	Query        AggregateQuery     `json:"query"`
	Network      NetFigures         `json:"network"`
	Regions      []GroupFigures     `json:"regions"`
	Types        []GroupFigures     `json:"types"`
	Structures   []StructureFigures `json:"structures"`
	Months       []GroupFigures     `json:"months"`         // trend of the scope (the region, or the network)
	NetworkTrend []GroupFigures     `json:"network_months"` // trend of the whole network
	Uploads      []UploadSource     `json:"uploads"`
	SummaryCount int                `json:"summary_count"`
}

// MonthFigures is one structure-month's figures, from a summary or an upload.
type MonthFigures struct {
	StructureID, Month string
	Figures            NetFigures
	Uploaded           bool
}

func DisplayName(st *Structure) string {
	if st.Settings.Anonymous {
		return UnnamedStructure
	}
	return st.Name
}

// Sum adds each structure-month into its groups.
func (agg *Aggregate) Sum(months []MonthFigures, byID map[string]*Structure, p MonthSpan) {
	regions, types, perStructure := map[string]NetFigures{}, map[string]NetFigures{}, map[string]NetFigures{}
	scopeTrend, networkTrend := map[string]NetFigures{}, map[string]NetFigures{}
	uploaded := map[string]bool{}
	if agg.Network == nil {
		agg.Network = NetFigures{}
	}
	for _, mf := range months {
		st := byID[mf.StructureID]
		if st == nil {
			continue // a deleted structure: no region to count it in
		}
		agg.Network.Add(mf.Figures)
		addTo(networkTrend, mf.Month, mf.Figures)
		addTo(regions, st.Region, mf.Figures)
		if agg.Query.Region != "" && st.Region != agg.Query.Region {
			continue
		}
		addTo(types, string(st.Type), mf.Figures)
		addTo(perStructure, st.ID, mf.Figures)
		uploaded[st.ID] = uploaded[st.ID] || mf.Uploaded
		addTo(scopeTrend, mf.Month, mf.Figures)
	}
	for _, r := range slices.Sorted(maps.Keys(regions)) {
		if agg.Query.Region == "" || r == agg.Query.Region {
			agg.Regions = append(agg.Regions, GroupFigures{Key: r, Figures: regions[r]})
		}
	}
	for _, t := range StructureTypes {
		if f, ok := types[string(t)]; ok {
			agg.Types = append(agg.Types, GroupFigures{Key: string(t), Figures: f})
		}
	}
	for _, m := range p.Months() {
		agg.Months = append(agg.Months, GroupFigures{Key: m, Figures: orEmpty(scopeTrend[m])})
		agg.NetworkTrend = append(agg.NetworkTrend, GroupFigures{Key: m, Figures: orEmpty(networkTrend[m])})
	}
	agg.Structures = structureLines(perStructure, uploaded, byID)
}

func orEmpty(f NetFigures) NetFigures {
	if f == nil {
		return NetFigures{}
	}
	return f
}

func addTo(groups map[string]NetFigures, key string, f NetFigures) {
	if groups[key] == nil {
		groups[key] = NetFigures{}
	}
	groups[key].Add(f)
}

// structureLines sorts named structures by name, unnamed ones last.
func structureLines(per map[string]NetFigures, uploaded map[string]bool, byID map[string]*Structure) []StructureFigures {
	out := make([]StructureFigures, 0, len(per))
	for sid, f := range per {
		st := byID[sid]
		line := StructureFigures{ID: st.ID, Name: st.Name, Region: st.Region, Type: st.Type, Figures: f, Uploaded: uploaded[sid], id: st.ID}
		if st.Settings.Anonymous {
			line.ID, line.Name, line.Anonymous = "", UnnamedStructure, true
		}
		out = append(out, line)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Anonymous != b.Anonymous {
			return !a.Anonymous
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.id < b.id
	})
	return out
}
