package survey_test

import (
	"testing"

	"capsat/survey"
)

func TestResponseRateByChannel(t *testing.T) {
	t.Parallel()
	src := &survey.IndicatorSource{}
	add := func(id string, ch survey.Channel) {
		src.Surveys = append(src.Surveys, survey.IssuedSurvey{OrderID: id, ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 10)})
		if ch != "-" {
			src.AddResponse(&survey.Response{OrderID: id, ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 10), SubmittedAt: day(2026, 1, 11), Channel: ch})
		}
	}
	add("o1", survey.ChannelEmail)
	add("o2", survey.ChannelEmail)
	add("o3", survey.ChannelQR)
	add("o4", "") // stored before channels: the link copied
	add("o5", survey.ChannelLink)
	add("o6", "-") // not answered
	add("o7", "-")
	add("o8", "-")
	in := survey.ComputeIndicators(src, survey.IndicatorQuery{Range: janFeb(), By: survey.ByMonth}, day(2026, 3, 1))
	cases := []struct {
		code     string
		num, den float64
	}{
		{survey.CodeResponsesEmail, 2, 0}, {survey.CodeResponsesLink, 2, 0}, {survey.CodeResponsesQR, 1, 0},
		{survey.CodeResponseRateEmail, 2, 8}, {survey.CodeResponseRateLink, 2, 8}, {survey.CodeResponseRateQR, 1, 8},
		{survey.CodeResponseRate, 5, 8},
	}
	for _, period := range []string{"2026-01", survey.TotalPeriodKey} {
		for _, c := range cases {
			for _, svc := range []string{survey.AllServices, string(survey.ServiceMAD)} {
				f, ok := in.Figure(c.code, period, svc)
				if !ok || f.Numerator != c.num || f.Denominator != c.den {
					t.Errorf("%s %s %s: %+v (found %v), want %v/%v", c.code, period, svc, f, ok, c.num, c.den)
				}
			}
		}
	}
	// The shares add up to the response rate.
	var sum float64
	for _, code := range []string{survey.CodeResponseRateEmail, survey.CodeResponseRateLink, survey.CodeResponseRateQR} {
		f, _ := in.Figure(code, survey.TotalPeriodKey, survey.AllServices)
		sum += *f.Value
	}
	if rr, _ := in.Figure(survey.CodeResponseRate, survey.TotalPeriodKey, survey.AllServices); *rr.Value != sum {
		t.Errorf("channel rates add up to %v, response rate %v", sum, *rr.Value)
	}
	// Channel figures follow every other figure.
	first := len(in.Figures)
	for i, f := range in.Figures {
		if survey.IsChannelCode(f.Code) && i < first {
			first = i
		}
		if !survey.IsChannelCode(f.Code) && i > first {
			t.Fatalf("figure %s after the channel figures", f.Code)
		}
	}
}

func TestSurveyURLKeepsTheToken(t *testing.T) {
	t.Parallel()
	const base, token = "https://capsat.example.org", "abcdefghijklmnopqrstuv"
	for ch, want := range map[survey.Channel]string{
		survey.ChannelLink:  base + "/s/" + token,
		survey.ChannelEmail: base + "/s/" + token + "?c=mail",
		survey.ChannelQR:    base + "/s/" + token + "?c=qr",
	} {
		if got := survey.SurveyURL(base, token, ch); got != want {
			t.Errorf("%s: %s, want %s", ch, got, want)
		}
		if ch != survey.ChannelLink && survey.ChannelFromQuery(ch.QueryValue()) != ch {
			t.Errorf("%s does not read back", ch)
		}
	}
	for _, v := range []string{"", "x", "MAIL", "link"} {
		if got := survey.ChannelFromQuery(v); got != survey.ChannelLink {
			t.Errorf("?c=%s: %s", v, got)
		}
	}
}
