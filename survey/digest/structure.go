package digest

import (
	"context"
	"time"

	"capsat/survey"
	"capsat/survey/notices"
)

// digestHeadlines are the figures a structure's digest shows, with n.
var digestHeadlines = []struct{ code, label, unit string }{
	{survey.CodeSent, "Questionnaires envoyés", "questionnaires"},
	{survey.CodeResponses, "Réponses", "réponses"},
	{survey.CodeResponseRate, "Taux de réponse", "questionnaires envoyés"},
	{survey.CodeOverall, "Satisfaction globale", "réponses"},
	{survey.CodeNPS, "NPS (recommandation)", "réponses"},
	{survey.CodeLoyalty, "Feraient de nouveau appel à vous", "réponses"},
}

// StructureDigest computes what a structure's digest of month says.
func (p *Planner) StructureDigest(ctx context.Context, st *survey.Structure, month string) (*notices.StructureDigest, error) {
	r, err := monthRange(month)
	if err != nil {
		return nil, err
	}
	src, err := p.Store.IndicatorSource(ctx, st.ID, r)
	if err != nil {
		return nil, err
	}
	in := survey.ComputeIndicators(src, survey.IndicatorQuery{Range: r, By: survey.ByMonth}, p.Now())
	d := &notices.StructureDigest{
		Structure: st, Month: month, MonthName: MonthName(month),
		Link: p.BaseURL + "/app/structures/" + st.ID, Settings: p.BaseURL + "/compte",
	}
	for _, h := range digestHeadlines {
		f, _ := in.Figure(h.code, survey.TotalPeriodKey, survey.AllServices)
		d.Figures = append(d.Figures, notices.DigestFigure{Label: h.label, Value: formatValue(f.Kind, f.Value), N: f.N, Unit: h.unit})
	}
	if f, ok := in.Figure(survey.CodeComments, survey.TotalPeriodKey, survey.AllServices); ok {
		d.Comments = f.N
	}
	d.Expiring, err = p.expiring(ctx, st)
	return d, err
}

// expiring lists the unanswered links that expire within expiringWithin:
// those issued expiry-days ago, give or take the window, read from the
// read model, then their orders by _id.
func (p *Planner) expiring(ctx context.Context, st *survey.Structure) ([]notices.ExpiringLink, error) {
	days := st.Settings.SurveyExpiryDays
	if days <= 0 {
		days = survey.DefaultSurveyExpiryDays
	}
	now := p.Now()
	loc := survey.IndicatorLocation()
	from := now.AddDate(0, 0, -days).In(loc)
	to := now.Add(expiringWithin).AddDate(0, 0, -days).In(loc)
	r := survey.DateRange{From: time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc), To: time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc)}
	src, err := p.Store.IndicatorSource(ctx, st.ID, r)
	if err != nil {
		return nil, err
	}
	answered := map[string]bool{}
	for i := range src.Responses {
		answered[src.Responses[i].OrderID] = true
	}
	var out []notices.ExpiringLink
	for _, s := range src.Surveys {
		if s.Cancelled || answered[s.OrderID] {
			continue
		}
		o, err := p.Store.Order(ctx, st.ID, s.OrderID)
		if err != nil || o.Survey == nil || o.Survey.AnsweredAt != nil {
			continue // deleted or answered meanwhile
		}
		exp := o.Survey.ExpiresAt
		if !exp.After(now) || exp.After(now.Add(expiringWithin)) {
			continue
		}
		out = append(out, notices.ExpiringLink{Reference: o.Reference, Expires: exp.In(loc).Format("02/01/2006")})
	}
	return out, nil
}

// planStructure enqueues a structure's digest to each of its accounts
// that did not turn digests off.
func (p *Planner) planStructure(ctx context.Context, st *survey.Structure, month string, rep *Report) error {
	users, err := p.Store.ListUsers(ctx, st.ID)
	if err != nil || len(users) == 0 {
		return err
	}
	var d *notices.StructureDigest
	for _, u := range users {
		if u.MailOff.Digest {
			rep.TurnedOff++
			continue
		}
		if d == nil {
			if d, err = p.StructureDigest(ctx, st, month); err != nil {
				return err
			}
		}
		msg, err := p.Mails.StructureDigestMessage(d, u.Email)
		if err != nil {
			return err
		}
		if err := p.enqueue(ctx, st.ID, msg, rep); err != nil {
			return err
		}
	}
	return nil
}
