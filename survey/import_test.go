package survey_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/survey"
)

// importLabels are the French column names of every import field, in the
// order of a complete file.
var importLabels = []struct{ key, label string }{
	{"reference", "Référence"},
	{"service_type", "Type de prestation"},
	{"client.company", "Client"},
	{"client.siret", "SIRET"},
	{"client.contact_name", "Contact"},
	{"client.email", "E-mail"},
	{"client.phone", "Téléphone"},
	{"job_title", "Poste"},
	{"start_date", "Date de début"},
	{"end_date", "Date de fin"},
	{"hours", "Heures"},
	{"notes", "Notes"},
}

// importFile is a file with the columns of keys, in that order. Headers are
// written in capitals, so that a message naming a column of the file is
// told apart from one naming the French label of a missing column.
func importFile(keys []string, rows ...survey.ImportRow) *survey.ImportFile {
	f := &survey.ImportFile{Format: "csv", Headers: map[string]int{}, Labels: map[string]string{}, Rows: rows}
	for _, l := range importLabels {
		f.Labels[l.key] = l.label
	}
	for i, k := range keys {
		f.Headers[k] = i
		f.Names = append(f.Names, strings.ToUpper(f.Labels[k]))
	}
	return f
}

// allImportColumns are the keys of a complete file.
func allImportColumns() []string {
	keys := make([]string, len(importLabels))
	for i, l := range importLabels {
		keys[i] = l.key
	}
	return keys
}

// importRow is a data row with ref and the values of validOrder, as a
// spreadsheet user types them (phone not normalised).
func importRow(row int, ref string, edit func(*survey.OrderInput)) survey.ImportRow {
	in := validOrder()
	in.Reference = ref
	if edit != nil {
		edit(&in)
	}
	return survey.ImportRow{Row: row, Input: in}
}

// storedOrder is an order of structure s1 as the store keeps it: the
// values of validOrder, normalised.
func storedOrder(id, ref string) *survey.Order {
	in := validOrder()
	return &survey.Order{
		ID: id, StructureID: "s1", Reference: ref, ServiceType: in.ServiceType,
		Client:   survey.Client{Company: in.Client.Company, SIRET: in.Client.SIRET, ContactName: in.Client.ContactName, Email: in.Client.Email, Phone: "02 31 00 00 00"},
		JobTitle: in.JobTitle, StartDate: in.StartDate, EndDate: in.EndDate, Hours: in.Hours,
		CreatedAt: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC),
	}
}

// storedInput is a stored order as an input, for expected updates.
func storedInput(o *survey.Order) survey.OrderInput {
	return survey.OrderInput{Reference: o.Reference, ServiceType: o.ServiceType, Client: o.Client, JobTitle: o.JobTitle,
		StartDate: o.StartDate, EndDate: o.EndDate, Hours: o.Hours, Notes: o.Notes}
}

var importNow = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

func planImport(f *survey.ImportFile, existing map[string]*survey.Order) *survey.ImportPlan {
	return survey.PlanImport("s1", f, existing, importNow, survey.NewValidator().Order)
}

func checkRejections(t *testing.T, got, want []survey.ImportRejection) {
	t.Helper()
	got = survey.SortedRejections(got)
	if len(got) != len(want) {
		t.Fatalf("rejected %d rows:\n%+v\nwant %d:\n%+v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rejection %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestPlanImportSortsRows(t *testing.T) {
	t.Parallel()
	answeredAt := importNow.AddDate(0, 0, -3)
	answered := storedOrder("000000000000000000000003", "BC-3")
	answered.Survey = &survey.OrderSurvey{IssuedAt: importNow.AddDate(0, 0, -10), ExpiresAt: importNow.AddDate(0, 1, 0), AnsweredAt: &answeredAt}
	existing := map[string]*survey.Order{
		"BC-1": storedOrder("000000000000000000000001", "BC-1"),
		"BC-2": storedOrder("000000000000000000000002", "BC-2"),
		"BC-3": answered,
	}
	f := importFile(allImportColumns(),
		importRow(2, " BC-1 ", nil), // same values once normalised
		importRow(3, "BC-2", func(in *survey.OrderInput) { in.JobTitle = "Jardinier" }),
		importRow(4, " BC-9", nil),
		importRow(5, "BC-10", func(in *survey.OrderInput) { in.StartDate = "2026-02-30" }),
		importRow(6, "BC-3", nil), // answered but unchanged: nothing to refuse
	)
	plan := planImport(f, existing)

	if plan.Unchanged != 2 {
		t.Errorf("unchanged %d, want 2 (rows 2 and 6)", plan.Unchanged)
	}
	if len(plan.Updates) != 1 {
		t.Fatalf("updates %+v, want row 3 only", plan.Updates)
	}
	u := plan.Updates[0]
	if u.Row != 3 || u.Order != existing["BC-2"] || u.Input.JobTitle != "Jardinier" || u.Input.Client.Phone != "02 31 00 00 00" {
		t.Errorf("update %+v", u)
	}
	if len(plan.Inserts) != 1 {
		t.Fatalf("inserts %+v, want row 4 only", plan.Inserts)
	}
	ins := plan.Inserts[0]
	o := ins.Order
	if ins.Row != 4 || o.StructureID != "s1" || o.Reference != "BC-9" || o.ServiceType != survey.ServiceMAD ||
		o.Client.Phone != "02 31 00 00 00" || o.StartDate != "2026-03-03" || o.EndDate != "2026-03-14" || o.Hours != 35 ||
		!o.CreatedAt.Equal(importNow) || !o.UpdatedAt.Equal(importNow) || o.Survey != nil {
		t.Errorf("insert row %d: %+v", ins.Row, o)
	}
	if !survey.ValidIDShape(o.ID) {
		t.Errorf("new order id %q", o.ID)
	}
	checkRejections(t, plan.Rejected, []survey.ImportRejection{
		{Row: 5, Column: "DATE DE DÉBUT", Message: "Date de début invalide (AAAA-MM-JJ).", Order: 8},
	})
}

func TestPlanImportRepeatedReferences(t *testing.T) {
	t.Parallel()
	existing := map[string]*survey.Order{"BC-5": storedOrder("000000000000000000000005", "BC-5")}
	repeated := func(ref string, first int) string {
		return "Référence « " + ref + " » déjà présente ligne " + strconv.Itoa(first) + " du fichier : ligne ignorée."
	}
	const required = "La référence du bon de commande est obligatoire (64 caractères au plus)."
	f := importFile(allImportColumns(),
		importRow(2, " BC-1", nil),
		importRow(3, "BC-2", nil),
		importRow(4, "BC-1 ", func(in *survey.OrderInput) { in.JobTitle = "Autre poste" }),
		importRow(5, "BC-1", nil),
		importRow(6, "", nil), // empty references are missing, not repeated
		importRow(7, "  ", nil),
		importRow(8, "BC-3", func(in *survey.OrderInput) { in.StartDate = "bientôt" }),
		importRow(9, "BC-3", nil), // the first occurrence was rejected: still a repeat
		importRow(10, "BC-5", func(in *survey.OrderInput) { in.Hours = 7 }),
		importRow(11, "BC-5", nil), // would be unchanged, but repeats row 10
	)
	plan := planImport(f, existing)

	var rows []int
	for _, ins := range plan.Inserts {
		rows = append(rows, ins.Row)
	}
	if !reflect.DeepEqual(rows, []int{2, 3}) {
		t.Errorf("inserted rows %v, want [2 3]", rows)
	}
	if len(plan.Updates) != 1 || plan.Updates[0].Row != 10 || plan.Updates[0].Input.Hours != 7 {
		t.Errorf("updates %+v, want row 10 with 7 hours", plan.Updates)
	}
	if plan.Unchanged != 0 {
		t.Errorf("unchanged %d, want 0", plan.Unchanged)
	}
	checkRejections(t, plan.Rejected, []survey.ImportRejection{
		{Row: 4, Column: "RÉFÉRENCE", Message: repeated("BC-1", 2), Order: 0},
		{Row: 5, Column: "RÉFÉRENCE", Message: repeated("BC-1", 2), Order: 0},
		{Row: 6, Column: "RÉFÉRENCE", Message: required, Order: 0},
		{Row: 7, Column: "RÉFÉRENCE", Message: required, Order: 0},
		{Row: 8, Column: "DATE DE DÉBUT", Message: "Date de début invalide (AAAA-MM-JJ).", Order: 8},
		{Row: 9, Column: "RÉFÉRENCE", Message: repeated("BC-3", 8), Order: 0},
		{Row: 11, Column: "RÉFÉRENCE", Message: repeated("BC-5", 10), Order: 0},
	})
}

func TestPlanImportRefusesChangesToAnsweredOrders(t *testing.T) {
	t.Parallel()
	answeredAt := importNow.AddDate(0, 0, -1)
	o := storedOrder("000000000000000000000001", "BC-1")
	o.Survey = &survey.OrderSurvey{IssuedAt: importNow.AddDate(0, 0, -5), ExpiresAt: importNow.AddDate(0, 0, 55), AnsweredAt: &answeredAt}
	f := importFile(allImportColumns(), importRow(2, "BC-1", func(in *survey.OrderInput) {
		in.Hours = 12
		in.ServiceType = survey.ServiceMAC // refused as answered, not as locked
	}))
	plan := planImport(f, map[string]*survey.Order{"BC-1": o})
	if len(plan.Updates) != 0 || len(plan.Inserts) != 0 || plan.Unchanged != 0 {
		t.Errorf("plan %+v, want the row rejected", plan)
	}
	msg := "La commande « BC-1 » a déjà reçu une réponse au questionnaire : elle ne peut plus être modifiée."
	if got := survey.AnsweredMessage("BC-1"); got != msg {
		t.Errorf("AnsweredMessage = %q", got)
	}
	checkRejections(t, plan.Rejected, []survey.ImportRejection{{Row: 2, Column: "RÉFÉRENCE", Message: msg, Order: 0}})
}

func TestPlanImportLocksServiceTypeOfLiveSurveys(t *testing.T) {
	t.Parallel()
	past := importNow.AddDate(0, 0, -2)
	cases := []struct {
		name    string
		survey  *survey.OrderSurvey
		edit    func(*survey.OrderInput)
		locked  bool
		updated bool
	}{
		{"never issued", nil, toMAC, false, true},
		{"live link", &survey.OrderSurvey{IssuedAt: past, ExpiresAt: importNow.Add(time.Hour)}, toMAC, true, false},
		{"expires now", &survey.OrderSurvey{IssuedAt: past, ExpiresAt: importNow}, toMAC, false, true},
		{"cancelled", &survey.OrderSurvey{IssuedAt: past, ExpiresAt: importNow.Add(time.Hour), CancelledAt: &past}, toMAC, false, true},
		{"live link, other change", &survey.OrderSurvey{IssuedAt: past, ExpiresAt: importNow.Add(time.Hour)},
			func(in *survey.OrderInput) { in.Notes = "Prévoir des gants" }, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := storedOrder("000000000000000000000001", "BC-1")
			o.Survey = tc.survey
			plan := planImport(importFile(allImportColumns(), importRow(2, "BC-1", tc.edit)), map[string]*survey.Order{"BC-1": o})
			var want []survey.ImportRejection
			if tc.locked {
				want = []survey.ImportRejection{{Row: 2, Column: "TYPE DE PRESTATION", Message: survey.MsgServiceTypeLocked, Order: 1}}
			}
			checkRejections(t, plan.Rejected, want)
			if got := len(plan.Updates) == 1; got != tc.updated {
				t.Errorf("updates %+v, want updated=%v", plan.Updates, tc.updated)
			}
		})
	}
}

func toMAC(in *survey.OrderInput) { in.ServiceType = survey.ServiceMAC }

func TestPlanImportAbsentColumnsKeepStoredValues(t *testing.T) {
	t.Parallel()
	o1 := storedOrder("000000000000000000000001", "BC-1")
	o1.Notes = "Clés à l'accueil"
	o2 := storedOrder("000000000000000000000002", "BC-2")
	existing := map[string]*survey.Order{"BC-1": o1, "BC-2": o2}
	// Only three columns; the other input fields hold values the file
	// does not have, which must not reach the orders.
	f := importFile([]string{"reference", "job_title", "hours"},
		importRow(2, "BC-1", func(in *survey.OrderInput) {
			in.JobTitle, in.Hours = "Jardinier", 0 // an hours column with 0 is a value
			in.Client = survey.Client{}
			in.ServiceType, in.StartDate, in.Notes = "", "", ""
		}),
		importRow(3, "BC-2", func(in *survey.OrderInput) { in.Client.Company, in.EndDate = "Autre client", "" }),
		importRow(4, "BC-3", func(in *survey.OrderInput) {
			in.JobTitle, in.Hours = "Cariste", 20
			in.Client = survey.Client{}
			in.ServiceType, in.StartDate, in.EndDate = "", "", ""
		}),
	)
	plan := planImport(f, existing)

	want := storedInput(o1)
	want.JobTitle, want.Hours = "Jardinier", 0
	if len(plan.Updates) != 1 || plan.Updates[0].Row != 2 || plan.Updates[0].Input != want {
		t.Fatalf("updates %+v\nwant row 2 with %+v", plan.Updates, want)
	}
	if plan.Unchanged != 1 {
		t.Errorf("unchanged %d, want 1 (row 3: only absent columns differ)", plan.Unchanged)
	}
	if len(plan.Inserts) != 0 {
		t.Errorf("inserts %+v", plan.Inserts)
	}
	// A new order has no stored values: absent required columns are named
	// by their French label and listed after the file's columns.
	checkRejections(t, plan.Rejected, []survey.ImportRejection{
		{Row: 4, Column: "Client", Message: "Le nom du client est obligatoire.", Order: 3},
		{Row: 4, Column: "Date de début", Message: "Date de début obligatoire (JJ/MM/AAAA).", Order: 3},
		{Row: 4, Column: "Type de prestation", Message: "Type de prestation obligatoire : Mise à disposition (MAD) ou Mise à contrat (MAC, recrutement).", Order: 3},
	})
}

func TestPlanImportReportsUnreadableCellsOnce(t *testing.T) {
	t.Parallel()
	unreadable := survey.ImportRejection{Row: 2, Column: "DATE DE DÉBUT", Message: "Date illisible : « 31/02/2026 » (JJ/MM/AAAA).", Order: 8}
	bad := importRow(2, "BC-1", func(in *survey.OrderInput) { in.StartDate, in.Client.Email = "", "pas-une-adresse" })
	bad.Problems, bad.Bad = []survey.ImportRejection{unreadable}, map[string]bool{"start_date": true}
	// A row whose only problem is a cell: its input alone would be valid.
	onlyCell := importRow(3, "BC-2", nil)
	hours := survey.ImportRejection{Row: 3, Column: "HEURES", Message: "Nombre d'heures illisible.", Order: 10}
	onlyCell.Problems, onlyCell.Bad = []survey.ImportRejection{hours}, map[string]bool{"hours": true}

	plan := planImport(importFile(allImportColumns(), bad, onlyCell), nil)
	if len(plan.Inserts) != 0 || len(plan.Updates) != 0 || plan.Unchanged != 0 {
		t.Errorf("plan %+v, want both rows rejected", plan)
	}
	checkRejections(t, plan.Rejected, []survey.ImportRejection{
		{Row: 2, Column: "E-MAIL", Message: "Adresse e-mail invalide.", Order: 5},
		unreadable, // and no second message for the empty start date
		hours,
	})
}

func TestImportFileColumn(t *testing.T) {
	t.Parallel()
	f := importFile([]string{"reference", "hours"})
	f.Names[0] = "Réf. BC" // as the file spells it
	cases := []struct {
		key, column string
		order       int
		has         bool
	}{
		{"reference", "Réf. BC", 0, true},
		{"hours", "HEURES", 1, true},
		{"start_date", "Date de début", 2, false}, // label of a missing column
		{"mystery", "mystery", 2, false},          // unknown key: itself
	}
	for _, tc := range cases {
		if got := f.Column(tc.key); got != tc.column {
			t.Errorf("Column(%q) = %q, want %q", tc.key, got, tc.column)
		}
		if got := f.ColumnOrder(tc.key); got != tc.order {
			t.Errorf("ColumnOrder(%q) = %d, want %d", tc.key, got, tc.order)
		}
		if got := f.Has(tc.key); got != tc.has {
			t.Errorf("Has(%q) = %v", tc.key, got)
		}
	}
}

func TestSortedRejections(t *testing.T) {
	t.Parallel()
	if got := survey.SortedRejections(nil); got == nil || len(got) != 0 {
		t.Errorf("SortedRejections(nil) = %#v, want an empty non-nil list", got)
	}
	in := []survey.ImportRejection{
		{Row: 3, Column: "B", Order: 1, Message: "r3 b"},
		{Row: 2, Column: "Z", Order: 4, Message: "r2 z"},
		{Row: 2, Column: "Y", Order: 4, Message: "r2 y"},
		{Row: 2, Column: "A", Order: 0, Message: "r2 a first"},
		{Row: 2, Column: "A", Order: 0, Message: "r2 a second"},
	}
	orig := append([]survey.ImportRejection(nil), in...)
	var got []string
	for _, r := range survey.SortedRejections(in) {
		got = append(got, r.Message)
	}
	want := []string{"r2 a first", "r2 a second", "r2 y", "r2 z", "r3 b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Errorf("input reordered: %+v", in)
	}
}
