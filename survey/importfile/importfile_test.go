package importfile

import (
	"capsat/survey"
	"errors"
	"strings"
	"testing"
)

func TestImportHeadersMatchWhateverTheCaseAccentsOrSpacing(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"N° commande":                    "reference",
		"N°commande":                     "reference",
		"Nº de commande":                 "reference",
		"  NUMERO DE COMMANDE ":          "reference",
		"Référence":                      "reference",
		"Type de prestation":             "service_type",
		"Prestation":                     "service_type",
		"Entreprise":                     "client.company",
		"Raison sociale":                 "client.company",
		"Société":                        "client.company",
		"N° SIRET":                       "client.siret",
		"Nom du contact":                 "client.contact_name",
		"E-mail":                         "client.email",
		"Courriel":                       "client.email",
		"Tél.":                           "client.phone",
		"Téléphone":                      "client.phone",
		"Intitulé du poste":              "job_title",
		"Date de début (jj/mm/aaaa)":     "start_date",
		"Début":                          "start_date",
		"date_fin":                       "end_date",
		"Nombre d'heures":                "hours",
		"Nb heures":                      "hours",
		"Observations":                   "notes",
		"client.company":                 "client.company",
		"service_type":                   "service_type",
		"Date début mission":             "start_date",
		"DATE  DE   FIN":                 "end_date",
		"Commentaires":                   "notes",
		"Heures prévues (décimal: 35,5)": "hours",
	}
	for header, key := range cases {
		col, ok := importColumnByName[normalizeLabel(header)]
		if !ok || col.key != key {
			t.Errorf("%q: got %v, want %s", header, col, key)
		}
	}
	for _, unknown := range []string{"Montant HT", "Agence", "Date de naissance"} {
		if col, ok := importColumnByName[normalizeLabel(unknown)]; ok {
			t.Errorf("%q matched %s", unknown, col.key)
		}
	}
}

func TestImportCellValues(t *testing.T) {
	t.Parallel()
	services := map[string]survey.ServiceType{
		"Mise à disposition": survey.ServiceMAD, "MAD": survey.ServiceMAD, "mise a disposition": survey.ServiceMAD,
		"mise_a_disposition": survey.ServiceMAD, "Mise à contrat": survey.ServiceMAC, "MAC": survey.ServiceMAC,
		"Recrutement": survey.ServiceMAC, "mise_a_contrat": survey.ServiceMAC, " recrutement ": survey.ServiceMAC,
	}
	for v, want := range services {
		if got, ok := parseServiceType(v); !ok || got != want {
			t.Errorf("service %q: %q %v", v, got, ok)
		}
	}
	if _, ok := parseServiceType("Formation"); ok {
		t.Error("Formation accepted as a service type")
	}
	dates := map[string]string{
		"02/03/2026": "2026-03-02", "2/3/2026": "2026-03-02", "02/03/26": "2026-03-02",
		"2026-03-02": "2026-03-02", "02/03/2026 00:00": "2026-03-02", "02.03.2026": "2026-03-02",
		"2026-03-02T00:00:00": "2026-03-02",
	}
	for v, want := range dates {
		if got, ok := parseFrenchDate(v, cellFormat{}); !ok || got != want {
			t.Errorf("date %q: %q %v", v, got, ok)
		}
	}
	for _, bad := range []string{"31/02/2026", "03/13/2026", "mars 2026", "46083"} {
		if got, ok := parseFrenchDate(bad, cellFormat{}); ok {
			t.Errorf("date %q read as %s", bad, got)
		}
	}
	if got, ok := parseFrenchDate("46083", cellFormat{spreadsheet: true}); !ok || got != "2026-03-02" {
		t.Errorf("serial date: %q %v", got, ok)
	}
	if got, ok := parseFrenchDate("44621", cellFormat{spreadsheet: true, date1904: true}); !ok || got != "2026-03-02" {
		t.Errorf("1904 serial date: %q %v", got, ok)
	}
	numbers := map[string]float64{"35": 35, "35,5": 35.5, "35.5": 35.5, "1 234,5": 1234.5, "35 h": 35, "7h": 7, "0": 0}
	for v, want := range numbers {
		if got, ok := parseDecimal(v); !ok || got != want {
			t.Errorf("number %q: %v %v", v, got, ok)
		}
	}
	for _, bad := range []string{"beaucoup", "35,5,5", "NaN"} {
		if got, ok := parseDecimal(bad); ok {
			t.Errorf("number %q read as %v", bad, got)
		}
	}
	if got := numberFromCell("7.3282932000074E+13", true); got != "73282932000074" {
		t.Errorf("siret from scientific notation: %s", got)
	}
	if got := phoneFromCell("231000000", true); got != "0231000000" {
		t.Errorf("phone: %s", got)
	}
}

func TestImportSeparatorDetection(t *testing.T) {
	t.Parallel()
	cases := map[string]rune{
		"a;b;c\n1,5;2;3":           ';',
		"a,b,c\n1;2;3":             ',',
		"a\tb\tc\n":                '\t',
		`"a;x",b,c` + "\n1;2;3;4;": ',',
		"a\n":                      ';',
	}
	for text, want := range cases {
		if got := detectSeparator(text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestImportWindows1252IsDecoded(t *testing.T) {
	t.Parallel()
	// "Téléphone;Crèche" in Windows-1252.
	got := decodeText([]byte("T\xe9l\xe9phone;Cr\xe8che \x80"))
	if got != "Téléphone;Crèche €" {
		t.Fatalf("%q", got)
	}
	if got := decodeText([]byte("\xEF\xBB\xBFTéléphone")); got != "Téléphone" {
		t.Fatalf("BOM kept: %q", got)
	}
}

func TestImportRowsCountLikeASpreadsheet(t *testing.T) {
	t.Parallel()
	csv := "\r\n\r\nN° commande;Type;Client;Date début;Notes\r\n" +
		"A;MAD;C;01/03/2026;\"deux\r\nlignes\"\r\n" +
		"\r\n" +
		"B;MAD;C;01/03/2026;\r\n"
	f, err := ParseOrderImport([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 2 || f.Rows[0].Row != 4 || f.Rows[1].Row != 6 {
		t.Fatalf("rows: %+v", f.Rows)
	}
	if f.Rows[0].Input.Notes != "deux\nlignes" {
		t.Fatalf("notes: %q", f.Rows[0].Input.Notes)
	}
}

func TestImportWholeFileErrorsAreOnTheFileField(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                 "empty",
		"N° commande;Client\nA;B\n":        "columns",
		"N° commande;N° commande;Client\n": "columns",
		"\x00\x01\x02":                     "encoding",
		"a;b\x07c\n":                       "format",
		strings.Repeat("x", 10):            "header",
	}
	for data, code := range cases {
		_, err := ParseOrderImport([]byte(data))
		var verr *survey.ValidationError
		if !errors.As(err, &verr) || verr.Fields["file"].Code != code {
			t.Errorf("%q: %v, want code %s", data, err, code)
		}
	}
}

func TestImportHonoursExcelSeparatorLine(t *testing.T) {
	t.Parallel()
	f, err := ParseOrderImport([]byte("sep=,\r\nN° commande,Type,Client,Date début,Heures\r\nA,MAD,\"Dupont; fils\",01/03/2026,\"7,5\"\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 1 || f.Rows[0].Row != 2 || f.Rows[0].Input.Client.Company != "Dupont; fils" || f.Rows[0].Input.Hours != 7.5 {
		t.Fatalf("%+v", f.Rows)
	}
}
