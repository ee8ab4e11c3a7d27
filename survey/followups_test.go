package survey_test

import (
	"reflect"
	"testing"
	"time"

	"capsat/survey"
)

func TestSortFollowUps(t *testing.T) {
	t.Parallel()
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	rs := []survey.Response{
		{OrderID: "a", SubmittedAt: at(1, 9)},
		{OrderID: "b", SubmittedAt: at(3, 9)},
		{OrderID: "c", SubmittedAt: at(2, 9)},
		{OrderID: "e", SubmittedAt: at(2, 9).In(paris)}, // the same instant as c, another zone
		{OrderID: "d", SubmittedAt: at(2, 9)},
	}
	survey.SortFollowUps(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.OrderID)
	}
	// Newest first; a tie goes to the greater order id.
	if want := []string{"b", "e", "d", "c", "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	survey.SortFollowUps(nil) // no panic on an empty list
}

func TestResponseOpen(t *testing.T) {
	t.Parallel()
	closed := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		r    survey.Response
		open bool
	}{
		{"not flagged", survey.Response{}, false},
		{"flagged, no follow-up", survey.Response{Flagged: true}, true},
		{"flagged, action noted", survey.Response{Flagged: true, FollowUp: &survey.FollowUp{Action: "Appel"}}, true},
		{"flagged, closed", survey.Response{Flagged: true, FollowUp: &survey.FollowUp{Action: "Appel", ClosedAt: &closed}}, false},
	}
	for _, tc := range cases {
		if got := tc.r.Open(); got != tc.open {
			t.Errorf("%s: Open() = %v", tc.name, got)
		}
	}
}
