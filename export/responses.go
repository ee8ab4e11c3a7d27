package export

import (
	"sort"
	"strconv"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// responseColumn is one answer column of the Réponses sheet.
type responseColumn struct {
	code string
	kind survey.QuestionType
}

// responseColumns lists the questions of the catalog, then any code found
// in responses but in no listed version, so that no answer is left out.
func responseColumns(in *Satisfaction) ([]responseColumn, []string) {
	var cols []responseColumn
	var header []string
	seen := map[string]bool{}
	for _, q := range in.Current.Questions {
		seen[q.Code] = true
		cols = append(cols, responseColumn{q.Code, q.Type})
		header = append(header, q.Label+" ["+q.Code+"]")
	}
	var extra []string
	for _, code := range in.Source.Codes {
		if !seen[code] {
			seen[code] = true
			extra = append(extra, code)
		}
	}
	sort.Strings(extra)
	for _, code := range extra {
		cols = append(cols, responseColumn{code, survey.QuestionText})
		header = append(header, "["+code+"]")
	}
	return cols, header
}

// writeResponses streams one row per response of the range, every answer
// in its column, in the order the surveys were issued.
func writeResponses(f *excelize.File, st *styles, in *Satisfaction) error {
	cols, qHeader := responseColumns(in)
	versions := map[string]survey.Questionnaire{}
	for _, q := range in.Source.Questionnaires {
		versions[q.ID] = q
	}
	rows := in.Source.Responses
	picked := make([]int, 0, len(rows))
	for i := range rows {
		r := &rows[i]
		if in.Current.Range.Contains(r.IssuedAt) && (in.Current.Service == "" || r.ServiceType == in.Current.Service) {
			picked = append(picked, i)
		}
	}
	sort.SliceStable(picked, func(a, b int) bool { return rows[picked[a]].IssuedAt.Before(rows[picked[b]].IssuedAt) })

	header := append([]string{"Référence du bon de commande", "Prestation", "Questionnaire", "Version", "Date d'envoi", "Date de réponse"}, qHeader...)
	widths := []float64{24, 20, 30, 9, 14, 14}
	for range cols {
		widths = append(widths, 22)
	}
	t := table{name: SheetResponses, tableName: "Reponses", header: header, widths: widths}
	return t.writeStream(f, st, func(write cellWriter) error {
		row := make([]excelize.Cell, len(header))
		for _, i := range picked {
			r := &rows[i]
			title := versions[r.QuestionnaireID].Title
			row[0], row[1], row[2] = st.textCell(r.OrderReference), plain(r.ServiceType.Label()), st.textCell(title)
			row[3] = excelize.Cell{StyleID: st.integer, Value: r.QuestionnaireVersion}
			row[4], row[5] = st.dateCell(r.IssuedAt), st.dateCell(r.SubmittedAt)
			for c, col := range cols {
				row[6+c] = st.answerCell(col.kind, in.Source.Answer(r, col.code))
			}
			if err := write(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// answerCell shows a stored answer the way the client saw it.
func (s *styles) answerCell(kind survey.QuestionType, v string) excelize.Cell {
	if v == "" {
		return excelize.Cell{}
	}
	switch kind {
	case survey.QuestionScale:
		for _, l := range survey.ScaleLevels {
			if l.Value == v {
				return plain(l.Label)
			}
		}
	case survey.QuestionYesNo:
		switch v {
		case survey.YesAnswer:
			return plain("Oui")
		case survey.NoAnswer:
			return plain("Non")
		}
	case survey.QuestionNPS:
		if n, err := strconv.Atoi(v); err == nil {
			return excelize.Cell{StyleID: s.integer, Value: n}
		}
	}
	return s.textCell(v)
}
