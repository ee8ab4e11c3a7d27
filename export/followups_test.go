package export_test

import (
	"bytes"
	"testing"
	"time"

	"capsat/export"
	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

func TestFollowUpsSheet(t *testing.T) {
	t.Parallel()
	in, _, _ := buildWorkbook(t)
	closed := time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	in.FollowUps = []survey.Response{
		{OrderReference: "BC-1", ServiceType: survey.ServiceMAD, SubmittedAt: closed, Flagged: true,
			FollowUp: &survey.FollowUp{Action: "=Rappel du client", Updated: closed, ClosedAt: &closed, ClosedBy: "chargee@ai.fr"}},
		{OrderReference: "BC-2", ServiceType: survey.ServiceMAC, SubmittedAt: closed, Flagged: true},
	}
	var buf bytes.Buffer
	if err := export.WriteSatisfaction(&buf, *in); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := rows(t, f, export.SheetFollowUps)
	if len(got) != 3 {
		t.Fatalf("rows %v, want a header and 2 rows", got)
	}
	if got[1][0] != "BC-1" || got[1][3] != "Clôturé" || got[1][4] != "=Rappel du client" || got[1][6] != "chargee@ai.fr" {
		t.Errorf("closed row %v", got[1])
	}
	if got[2][0] != "BC-2" || got[2][3] != "À traiter" {
		t.Errorf("open row %v", got[2])
	}
	if formula, _ := f.GetCellFormula(export.SheetFollowUps, "E2"); formula != "" {
		t.Errorf("action text became a formula %q", formula)
	}
}
