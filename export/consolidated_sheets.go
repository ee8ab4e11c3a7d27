package export

import (
	"fmt"
	"strings"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// trendColumns are the indicators followed month by month.
var trendColumns = []struct {
	code, label string
}{
	{survey.FigureIssued, "Questionnaires envoyés"},
	{survey.FigureResponses, "Réponses"},
	{survey.FigureResponseRate, "Taux de réponse"},
	{survey.FigureOverall, "Satisfaction globale"},
	{survey.FigureReuse, "Taux de fidélisation"},
	{survey.FigureNPS, "NPS"},
}

// trendsSheet writes the scope's figures by month, and two native line
// charts. Charts read hidden numeric columns where withheld months are
// blank, so that they show a gap rather than a false zero.
func (b *book) trendsSheet(agg *survey.Aggregate, scope string) error {
	const sheet = SheetTrends
	header := []string{"Mois"}
	for _, c := range trendColumns {
		header = append(header, c.label)
	}
	if err := b.table(sheet, header, len(agg.Months)); err != nil {
		return err
	}
	chartCol := len(header) + 2 // after a blank column
	for i, m := range agg.Months {
		row := i + 2
		if err := b.f.SetCellStr(sheet, fmt.Sprintf("A%d", row), m.Key); err != nil {
			return err
		}
		for j, c := range trendColumns {
			fig := m.Figures[c.code]
			if err := b.figureCell(sheet, row, j+2, fig, true); err != nil {
				return err
			}
			if v, ok := fig.Value(); ok && !fig.Withheld() {
				cell, _ := excelize.CoordinatesToCellName(chartCol+j, row)
				if err := b.f.SetCellFloat(sheet, cell, v, -1, 64); err != nil {
					return err
				}
			}
		}
	}
	first, _ := excelize.ColumnNumberToName(chartCol)
	last, _ := excelize.ColumnNumberToName(chartCol + len(trendColumns) - 1)
	for j, c := range trendColumns {
		cell, _ := excelize.CoordinatesToCellName(chartCol+j, 1)
		if err := b.f.SetCellStr(sheet, cell, c.label+" (graphique)"); err != nil {
			return err
		}
	}
	if err := b.f.SetColVisible(sheet, first+":"+last, false); err != nil {
		return err
	}
	if len(agg.Months) == 0 {
		return nil
	}
	return b.trendCharts(sheet, scope, chartCol, len(agg.Months))
}

func (b *book) trendCharts(sheet, scope string, chartCol, months int) error {
	cats := fmt.Sprintf("'%s'!$A$2:$A$%d", sheet, months+1)
	series := func(offset int, label string) excelize.ChartSeries {
		col, _ := excelize.ColumnNumberToName(chartCol + offset)
		return excelize.ChartSeries{
			Name:       label,
			Categories: cats,
			Values:     fmt.Sprintf("'%s'!$%s$2:$%s$%d", sheet, col, col, months+1),
			Marker:     excelize.ChartMarker{Symbol: "circle", Size: 5},
		}
	}
	rates := &excelize.Chart{
		Type: excelize.Line,
		Series: []excelize.ChartSeries{
			series(2, "Taux de réponse"), series(3, "Satisfaction globale"), series(4, "Taux de fidélisation"),
		},
		Title:        excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Taux mensuels — " + scope}}},
		YAxis:        excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		ShowBlanksAs: "gap",
		Dimension:    excelize.ChartDimension{Width: 720, Height: 320},
	}
	nps := &excelize.Chart{
		Type:         excelize.Line,
		Series:       []excelize.ChartSeries{series(5, "NPS")},
		Title:        excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "NPS mensuel — " + scope}}},
		Legend:       excelize.ChartLegend{Position: "bottom"},
		ShowBlanksAs: "gap",
		Dimension:    excelize.ChartDimension{Width: 720, Height: 320},
	}
	anchor := func(row int) string { return fmt.Sprintf("I%d", row) }
	if err := b.f.AddChart(sheet, anchor(2), rates); err != nil {
		return err
	}
	return b.f.AddChart(sheet, anchor(20), nps)
}

// methodText is the Méthode sheet's definitions (README, "Domain and indicator definitions").
var methodText = []string{
	"Questionnaires envoyés : bons de commande dont le lien d'enquête a été émis dans la période (un lien annulé n'est pas compté).",
	"Réponses : ceux de ces questionnaires qui ont reçu une réponse. Taux de réponse = réponses / questionnaires envoyés.",
	"Période : un questionnaire compte dans le mois (heure de Paris) où son lien a été émis ; une réponse tardive met à jour le mois de son envoi.",
	"Questions de satisfaction : échelle à 4 niveaux sans position neutre (Très satisfait, Satisfait, Peu satisfait, Pas du tout satisfait) et « Sans objet ».",
	"Taux de satisfaction d'une question = (Très satisfait + Satisfait) / réponses autres que « Sans objet ».",
	"Satisfaction globale : la question marquée comme question globale du questionnaire.",
	"NPS (recommandation de 0 à 10) = % de promoteurs (9–10) − % de détracteurs (0–6), de −100 à 100.",
	"Taux de fidélisation : part de « oui » à « Feriez-vous de nouveau appel à nos services ? ».",
	"Agrégats : les taux du réseau, des régions et des types de structure sont recalculés à partir des numérateurs et dénominateurs additionnés, jamais moyennés.",
	"n : nombre de réponses sur lequel repose chaque chiffre (réponses pour les volumes et le taux de réponse, réponses exprimées pour les autres indicateurs).",
	fmt.Sprintf("Petits effectifs : tout chiffre reposant sur moins de %d réponses est masqué et signalé « %s ».", survey.MinResponses, WithheldMark),
	fmt.Sprintf("Quartiles : calculés sur les structures ayant au moins %d réponses, et seulement s'il y en a au moins %d.", survey.MinResponses, survey.MinStructuresForQuartiles),
	"Une structure qui a choisi de ne pas être nommée apparaît comme « " + survey.UnnamedStructure + " » ; ses chiffres comptent dans tous les agrégats.",
	"Aucune donnée de client (nom, contact, commentaire, référence de commande) ne figure dans ce classeur.",
}

func (b *book) methodSheet(agg *survey.Aggregate, meta ConsolidatedMeta) error {
	const sheet = SheetConsolidatedMethod
	if _, err := b.f.NewSheet(sheet); err != nil {
		return err
	}
	service := agg.Query.Service.Label()
	lines := [][]string{
		{"Classeur consolidé de satisfaction client — " + meta.Scope},
		{"Période", agg.Query.Period.From + " à " + agg.Query.Period.To},
		{"Prestation", service},
		{"Produit le", meta.GeneratedAt.In(survey.IndicatorLocation()).Format("02/01/2006 15:04")},
		{},
		{"Définitions"},
	}
	for _, t := range methodText {
		lines = append(lines, []string{"", t})
	}
	lines = append(lines, []string{}, []string{"Sources"},
		[]string{"", fmt.Sprintf("Résumés mensuels calculés par capsat à partir des réponses : %d structure × mois lus.", agg.SummaryCount)})
	if len(agg.Uploads) == 0 {
		lines = append(lines, []string{"", "Aucun classeur importé de structure auto-hébergée pour cette période."})
	}
	for _, u := range agg.Uploads {
		lines = append(lines, []string{"", fmt.Sprintf("Classeur importé : %s, mois %s, fichier « %s », importé le %s.",
			u.Structure, u.Month, u.FileName, u.UploadedAt.In(survey.IndicatorLocation()).Format("02/01/2006"))})
	}
	for i, l := range lines {
		row := l
		if err := b.f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &row); err != nil {
			return err
		}
		if len(l) > 0 && l[0] != "" && (len(l) == 1 || i == 0) {
			if err := b.f.SetCellStyle(sheet, fmt.Sprintf("A%d", i+1), fmt.Sprintf("A%d", i+1), b.header); err != nil {
				return err
			}
		}
	}
	if err := b.f.SetColWidth(sheet, "A", "A", 22); err != nil {
		return err
	}
	return b.f.SetColWidth(sheet, "B", "B", 140)
}

// indicatorLabel is the French name of an indicator code.
func indicatorLabel(code string) string {
	for _, c := range consolidatedColumns {
		if c.code == code {
			return c.label
		}
	}
	return strings.TrimPrefix(code, "Q_")
}
