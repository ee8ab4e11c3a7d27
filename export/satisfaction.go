package export

import (
	"fmt"
	"time"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the satisfaction workbook.
const (
	SheetSummary    = "Synthèse"
	SheetIndicators = "Indicateurs"
	SheetQuestions  = "Questions"
	SheetEvolution  = "Évolution"
	SheetVerbatims  = "Verbatims"
	SheetResponses  = "Réponses"
	SheetMethod     = "Méthode"
)

// Satisfaction is what the satisfaction workbook of a structure shows.
type Satisfaction struct {
	StructureName string
	// Current holds the figures of the range by month (with a Total period).
	Current *survey.Indicators
	// Previous holds the figures of the previous range of the same length.
	Previous *survey.Indicators
	// Source holds the responses (those counted in Current get one row each)
	// and the questionnaire versions.
	Source      *survey.IndicatorSource
	GeneratedAt time.Time
	// FollowUps are the flagged responses with their follow-up, for the
	// "Suivi des insatisfactions" sheet (empty: the sheet has its header only).
	FollowUps []survey.Response
	// Comparison, when set, adds the "Comparaison" sheet: the structure
	// beside its region and the network.
	Comparison *survey.Benchmark
}

// writeSummary: headline figures of the range beside the previous range.
func writeSummary(f *excelize.File, st *styles, in *Satisfaction) error {
	cur, prev := in.Current, in.Previous
	t := table{name: SheetSummary, tableName: "Synthese", header: []string{
		"Indicateur", "Code", "Prestation",
		"Valeur " + cur.Range.String(), "Numérateur", "Dénominateur",
		"Valeur " + prev.Range.String(), "Numérateur (préc.)", "Dénominateur (préc.)",
		"Écart", fmt.Sprintf("Indicatif (moins de %d réponses)", survey.IndicativeBelow),
	}, widths: []float64{46, 22, 20, 16, 12, 13, 16, 12, 13, 10, 16}}
	return t.writeStream(f, st, func(write cellWriter) error {
		for _, h := range survey.HeadlineCodes {
			for _, svc := range cur.Services {
				c, _ := cur.Figure(h.Code, survey.TotalPeriodKey, svc)
				p, _ := prev.Figure(h.Code, survey.TotalPeriodKey, svc)
				row := []excelize.Cell{plain(h.Label), plain(h.Code), plain(survey.ServiceLabel(svc))}
				row = append(row, st.figureCells(c)...)
				row = append(row, st.figureCells(p)...)
				row = append(row, st.gapCell(c, p), plain(yesNo(c.Indicative)))
				if err := write(row); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// gapCell is the change from the previous value (points for rates).
func (s *styles) gapCell(cur, prev survey.Figure) excelize.Cell {
	c := excelize.Cell{StyleID: s.kindStyle(cur.Kind)}
	if cur.Value != nil && prev.Value != nil {
		c.Value = *cur.Value - *prev.Value
	}
	return c
}

func yesNo(b bool) string {
	if b {
		return "Oui"
	}
	return "Non"
}

// IndicatorsHeader is the header row of the Indicateurs table.
var IndicatorsHeader = []string{"Code", "Période", "Prestation", "Valeur", "Numérateur", "Dénominateur"}

// indicatorsTable is the long-format table: one row per code × period ×
// service, months then Total.
func indicatorsTable(name, tableName string) table {
	return table{name: name, tableName: tableName, header: IndicatorsHeader, widths: []float64{34, 12, 20, 12, 13, 13}}
}

// indicatorRows lists the rows of the Indicateurs table.
func indicatorRows(st *styles, in *survey.Indicators) [][]excelize.Cell {
	rows := make([][]excelize.Cell, 0, len(in.Figures))
	for _, fg := range in.Figures {
		if survey.IsChannelCode(fg.Code) {
			continue // on the Canaux sheet
		}
		row := []excelize.Cell{plain(fg.Code), plain(fg.Period), plain(survey.ServiceLabel(fg.Service))}
		rows = append(rows, append(row, st.figureCells(fg)...))
	}
	return rows
}

func writeIndicators(f *excelize.File, st *styles, in *Satisfaction) error {
	return indicatorsTable(SheetIndicators, "Indicateurs").writeStream(f, st, func(write cellWriter) error {
		for _, row := range indicatorRows(st, in.Current) {
			if err := write(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeQuestions: the distribution of every question over the whole range.
func writeQuestions(f *excelize.File, st *styles, in *Satisfaction) error {
	cur := in.Current
	t := table{name: SheetQuestions, tableName: "Questions", header: []string{
		"Question", "Code", "Prestation", "Réponse", "Nombre", "Part", "Réponses à la question",
	}, widths: []float64{50, 30, 20, 24, 10, 10, 14}}
	return t.writeStream(f, st, func(write cellWriter) error {
		for _, q := range cur.Questions {
			for _, svc := range cur.Services {
				for _, l := range q.Levels {
					fg, ok := cur.Figure(l.Code, survey.TotalPeriodKey, svc)
					if !ok {
						continue
					}
					row := []excelize.Cell{st.textCell(q.Label), plain(l.Code), plain(survey.ServiceLabel(svc)), st.textCell(l.Label),
						st.countCell(fg.Numerator, true), st.valueCell(fg), st.countCell(fg.Denominator, true)}
					if err := write(row); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// writeVerbatims: every comment with its order reference, service and dates.
func writeVerbatims(f *excelize.File, st *styles, in *Satisfaction) error {
	t := table{name: SheetVerbatims, tableName: "Verbatims", header: []string{
		"Commentaire", "Référence du bon de commande", "Prestation", "Date d'envoi", "Date de réponse",
	}, widths: []float64{80, 24, 20, 14, 14}}
	return t.writeStream(f, st, func(write cellWriter) error {
		for _, v := range in.Current.Verbatims {
			row := []excelize.Cell{st.textCell(v.Text), st.textCell(v.OrderReference), plain(v.ServiceType.Label()),
				st.dateCell(v.IssuedAt), st.dateCell(v.SubmittedAt)}
			if err := write(row); err != nil {
				return err
			}
		}
		return nil
	})
}
