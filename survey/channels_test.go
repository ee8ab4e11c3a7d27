package survey_test

import (
	"testing"

	"capsat/survey"
)

func TestResponseRateByChannel(t *testing.T) {
	t.Parallel()
	src := &survey.IndicatorSource{}
	// handed is the link's first channel ("" not handed out); answered, the
	// response's channel ("-": not answered).
	add := func(id string, handed, answered survey.Channel) {
		s := survey.IssuedSurvey{OrderID: id, ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 10), Channel: handed}
		src.Surveys = append(src.Surveys, s)
		if answered != "-" {
			src.AddResponse(&survey.Response{OrderID: id, ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 10), SubmittedAt: day(2026, 1, 11), Channel: answered})
		}
	}
	add("o1", survey.ChannelEmail, survey.ChannelEmail)
	add("o2", survey.ChannelEmail, survey.ChannelEmail)
	add("o3", survey.ChannelQR, survey.ChannelQR)
	add("o4", "", "") // answered without a recorded channel: the link, handed by hand
	add("o5", survey.ChannelLink, survey.ChannelLink)
	add("o6", survey.ChannelEmail, "-") // e-mailed, not answered
	add("o7", survey.ChannelQR, "-")    // printed, not answered
	add("o8", survey.ChannelQR, "-")
	add("o9", "", "-") // issued, never handed out: in no channel
	src.Surveys = append(src.Surveys, survey.IssuedSurvey{OrderID: "o10", ServiceType: survey.ServiceMAD, IssuedAt: day(2026, 1, 10), Channel: survey.ChannelQR, Cancelled: true})
	in := survey.ComputeIndicators(src, survey.IndicatorQuery{Range: janFeb(), By: survey.ByMonth}, day(2026, 3, 1))
	cases := []struct {
		code     string
		num, den float64
		n        int
	}{
		{survey.CodeResponsesEmail, 2, 0, 2}, {survey.CodeResponsesLink, 2, 0, 2}, {survey.CodeResponsesQR, 1, 0, 1},
		{survey.CodeResponseRateEmail, 2, 3, 3}, {survey.CodeResponseRateLink, 2, 2, 2}, {survey.CodeResponseRateQR, 1, 3, 3},
		{survey.CodeResponseRate, 5, 9, 9},
	}
	for _, period := range []string{"2026-01", survey.TotalPeriodKey} {
		for _, c := range cases {
			for _, svc := range []string{survey.AllServices, string(survey.ServiceMAD)} {
				f, ok := in.Figure(c.code, period, svc)
				if !ok || f.Numerator != c.num || f.Denominator != c.den || f.N != c.n {
					t.Errorf("%s %s %s: %+v (found %v), want %v/%v n=%d", c.code, period, svc, f, ok, c.num, c.den, c.n)
				}
			}
		}
	}
	if f, _ := in.Figure(survey.CodeResponseRateQR, survey.TotalPeriodKey, survey.AllServices); !f.Indicative {
		t.Errorf("a rate on 3 surveys is not marked indicative: %+v", f)
	}
	// February: nothing handed out, no value (not a zero rate).
	if f, _ := in.Figure(survey.CodeResponseRateEmail, "2026-02", survey.AllServices); f.Value != nil || f.N != 0 {
		t.Errorf("empty month: %+v", f)
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
