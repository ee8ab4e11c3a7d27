package export

import "github.com/xuri/excelize/v2"

// SheetFollowUps is the sheet of the dissatisfied answers and what was done.
const SheetFollowUps = "Suivi des insatisfactions"

// writeFollowUps: every flagged answer with its state and the action taken.
func writeFollowUps(f *excelize.File, st *styles, in *Satisfaction) error {
	t := table{name: SheetFollowUps, tableName: "SuiviInsatisfactions", header: []string{
		"Référence du bon de commande", "Prestation", "Date de réponse", "État", "Action menée", "Date de l'action", "Clôturé par",
	}, widths: []float64{24, 20, 14, 12, 80, 14, 28}}
	return t.writeStream(f, st, func(write cellWriter) error {
		for i := range in.FollowUps {
			r := &in.FollowUps[i]
			state, action, closedBy := "À traiter", "", ""
			actionDate := excelize.Cell{}
			if r.FollowUp != nil {
				action, actionDate = r.FollowUp.Action, st.dateCell(r.FollowUp.Updated)
				if r.FollowUp.ClosedAt != nil {
					state, closedBy = "Clôturé", r.FollowUp.ClosedBy
				} else {
					state = "En cours"
				}
			}
			row := []excelize.Cell{st.textCell(r.OrderReference), plain(r.ServiceType.Label()), st.dateCell(r.SubmittedAt),
				plain(state), st.textCell(action), actionDate, st.textCell(closedBy)}
			if err := write(row); err != nil {
				return err
			}
		}
		return nil
	})
}
