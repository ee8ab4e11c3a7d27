package export

import (
	"fmt"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// SheetChannels is the sheet of the response rate by channel.
const SheetChannels = "Canaux"

// writeChannels: the responses and response rate of the links first handed
// out through each channel (the link in an e-mail, the link copied, the QR
// code), by month and in total, each with the number of links handed out
// through its channel (its own denominator, n) and the indicative mark.
// The by-channel codes live on this sheet only, so that the rows of the
// Indicateurs sheet stay what they were.
func writeChannels(f *excelize.File, st *styles, in *Satisfaction) error {
	cur := in.Current
	t := table{name: SheetChannels, tableName: "Canaux", header: []string{
		"Canal", "Code", "Période", "Prestation", "Valeur", "Numérateur", "Dénominateur",
		"Liens remis par ce canal (n)", fmt.Sprintf("Indicatif (moins de %d liens)", survey.IndicativeBelow),
	}, widths: []float64{26, 20, 12, 20, 12, 13, 13, 16, 16}}
	return t.writeStream(f, st, func(write cellWriter) error {
		for _, cc := range survey.ChannelCodes {
			for _, p := range cur.Periods {
				for _, svc := range cur.Services {
					fg, ok := cur.Figure(cc.Code, p.Key, svc)
					if !ok {
						continue
					}
					rate, _ := cur.Figure(survey.ChannelRateCode(cc.Channel), p.Key, svc)
					row := []excelize.Cell{plain(cc.Channel.Label()), plain(cc.Code), plain(p.Key), plain(survey.ServiceLabel(svc))}
					row = append(row, st.figureCells(fg)...)
					row = append(row, excelize.Cell{Value: rate.N}, plain(yesNo(rate.Indicative)))
					if err := write(row); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}
