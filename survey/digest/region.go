package digest

import (
	"context"
	"errors"
	"time"

	"capsat/survey"
	"capsat/survey/notices"
)

// issuedIn is the number of surveys structure sid issued in month, read
// from its summary by _id (none: 0).
func (p *Planner) issuedIn(ctx context.Context, sid, month string) (survey.NetFigures, error) {
	sum, err := p.Store.Summary(ctx, sid, month)
	if errors.Is(err, survey.ErrNotFound) {
		return survey.NetFigures{}, nil
	}
	if err != nil {
		return nil, err
	}
	f := survey.NetFigures{}
	for _, ss := range sum.Services {
		f.Add(survey.FiguresOf(ss))
	}
	return f, nil
}

// RegionDigest computes what a region's digest of month says, from its
// structures' summaries read by _id.
func (p *Planner) RegionDigest(ctx context.Context, region string, structures []survey.Structure, month string) (*notices.RegionDigest, error) {
	d := &notices.RegionDigest{
		Region: region, Month: month, MonthName: MonthName(month), QuietDays: QuietDays,
		Link: p.BaseURL + "/app/regions/" + region, Settings: p.BaseURL + "/compte",
	}
	now := p.Now()
	recent := survey.MonthSpan{From: survey.SummaryMonth(now.AddDate(0, 0, -QuietDays)), To: survey.SummaryMonth(now)}
	var rows []rankedRow
	for i := range structures {
		st := &structures[i]
		f, err := p.issuedIn(ctx, st.ID, month)
		if err != nil {
			return nil, err
		}
		rate := f[survey.FigureResponseRate]
		row := notices.RegionRow{Name: survey.DisplayName(st), Sent: f[survey.FigureIssued].Numerator}
		v, ok := rate.Value()
		switch {
		case rate.Withheld():
			row.Withheld, row.Rate = true, "non diffusé (moins de 5 réponses)"
		case ok:
			row.Rate = formatValue(survey.KindRate, &v)
		default:
			row.Rate = "—"
		}
		rows = append(rows, rankedRow{row: row, rate: v})
		quiet, last, err := p.quiet(ctx, st.ID, recent)
		if err != nil {
			return nil, err
		}
		if quiet {
			d.Quiet = append(d.Quiet, notices.QuietStructure{Name: survey.DisplayName(st), LastSent: last})
		}
	}
	sortRows(rows)
	for _, r := range rows {
		d.Ranked = append(d.Ranked, r.row)
	}
	return d, nil
}

// quiet tells whether a structure issued no survey in the months of
// recent (those the last QuietDays days touch, month by month), and the
// last month it did, looking back a year.
func (p *Planner) quiet(ctx context.Context, sid string, recent survey.MonthSpan) (bool, string, error) {
	to, _ := time.Parse("2006-01", recent.To)
	for back := 0; back < 12; back++ {
		month := to.AddDate(0, -back, 0).Format("2006-01")
		f, err := p.issuedIn(ctx, sid, month)
		if err != nil {
			return false, "", err
		}
		if f[survey.FigureIssued].Numerator > 0 {
			return month >= recent.From, MonthName(month), nil
		}
	}
	return true, "aucun depuis 12 mois", nil
}

// planRegion enqueues a region's digest to each of its accounts that did
// not turn digests off.
func (p *Planner) planRegion(ctx context.Context, region string, structures []survey.Structure, month string, rep *Report) error {
	users, err := p.Store.RegionUsers(ctx, region)
	if err != nil || len(users) == 0 {
		return err
	}
	var d *notices.RegionDigest
	for _, u := range users {
		if u.MailOff.Digest {
			rep.TurnedOff++
			continue
		}
		if d == nil {
			if d, err = p.RegionDigest(ctx, region, structures, month); err != nil {
				return err
			}
		}
		msg, err := p.Mails.RegionDigestMessage(d, u.Email)
		if err != nil {
			return err
		}
		if err := p.enqueue(ctx, notices.NetworkSender, msg, rep); err != nil {
			return err
		}
	}
	return nil
}
