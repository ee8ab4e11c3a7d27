package survey_test

import (
	"errors"
	"testing"
	"time"

	"capsat/survey"
)

func TestOrderDatesInPlausibleRange(t *testing.T) {
	t.Parallel()
	v := survey.NewValidatorAt(func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) })
	cases := []struct {
		name, start, end string
		field            string // "" when accepted
	}{
		{"year 0001", "0001-01-01", "", "start_date"},
		{"year 9999", "9999-12-31", "", "start_date"},
		{"the day before 2000", "1999-12-31", "", "start_date"},
		{"first accepted day", "2000-01-01", "2000-01-02", ""},
		{"ten years ahead", "2036-03-01", "2036-03-01", ""},
		{"ten years and a day ahead", "2036-03-02", "", "start_date"},
		{"open end written 31/12/9999", "2026-03-02", "9999-12-31", "end_date"},
	}
	for _, tc := range cases {
		in := validOrder()
		in.StartDate, in.EndDate = tc.start, tc.end
		err := v.Order(&in)
		var verr *survey.ValidationError
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &verr) || verr.Fields[tc.field].Code != "date_range"):
			t.Errorf("%s: %v, want date_range on %s", tc.name, err, tc.field)
		}
	}
	in := validOrder()
	in.EndDate = "9999-12-31"
	var verr *survey.ValidationError
	if err := v.Order(&in); !errors.As(err, &verr) ||
		verr.Fields["end_date"].Message != "Date hors de la plage admise (du 01/01/2000 au 01/03/2036) : laissez-la vide si la fin n'est pas connue." {
		t.Errorf("end date message: %v", err)
	}
}
