package handlers

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// importResult is the JSON answer of an import.
type importResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Rejected  []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Message string `json:"message"`
	} `json:"rejected"`
}

// upload posts data as the multipart field "file" to the import route.
func (e *testEnv) upload(sid, key, filename string, data []byte, query string) *httptest.ResponseRecorder {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/structures/"+sid+"/orders/import"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	return e.serve(req)
}

// importOK uploads and expects a 200 with a report.
func (e *testEnv) importOK(sid, key, filename string, data []byte, query string) importResult {
	e.t.Helper()
	rec := e.upload(sid, key, filename, data, query)
	if rec.Code != http.StatusOK {
		e.t.Fatalf("import %s: %d %s", filename, rec.Code, rec.Body)
	}
	return decode[importResult](e.t, rec)
}

const importHeader = "N° commande;Type de prestation;Client;SIRET;Contact;Email;Téléphone;Poste;Date début;Date fin;Heures"

func TestImportSampleFileThenReimportChangesNothing(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	data, err := os.ReadFile("testdata/import/commandes.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := e.importOK(st.ID, key, "commandes.csv", data, "")
	if got.Created != 4 || got.Updated != 0 || got.Unchanged != 0 || len(got.Rejected) != 0 {
		t.Fatalf("first import: %+v", got)
	}
	again := e.importOK(st.ID, key, "commandes.csv", data, "")
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 4 || len(again.Rejected) != 0 {
		t.Fatalf("re-import: %+v", again)
	}
}

func TestImportEncodingsAndSeparators(t *testing.T) {
	t.Parallel()
	row := "BC-1;Mise à disposition;Crèche Les Pâquerettes;;Mme Hélène Gaël;h.gael@creche.fr;0231000000;Agent d'entretien;02/03/2026;13/03/2026;35,5"
	utf8CSV := importHeader + "\r\n" + row + "\r\n"
	win1252, err := charmap.Windows1252.NewEncoder().String(utf8CSV)
	if err != nil {
		t.Fatal(err)
	}
	comma := strings.NewReplacer(";", ",", "35,5", `"35,5"`).Replace(utf8CSV)
	cases := []struct {
		name string
		data []byte
	}{
		{"utf-8", []byte(utf8CSV)},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), utf8CSV...)},
		{"windows-1252", []byte(win1252)},
		{"comma separator", []byte(comma)},
		{"tab separator", []byte(strings.ReplaceAll(utf8CSV, ";", "\t"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			st, key := e.structure("AI", "Bretagne")
			got := e.importOK(st.ID, key, "commandes.csv", tc.data, "")
			if got.Created != 1 || len(got.Rejected) != 0 {
				t.Fatalf("%+v", got)
			}
			// The same order written in UTF-8 is unchanged: accents and the
			// decimal comma were read alike whatever the encoding.
			again := e.importOK(st.ID, key, "commandes.csv", []byte(utf8CSV), "")
			if again.Unchanged != 1 {
				t.Fatalf("accents or hours read differently: %+v", again)
			}
		})
	}
}

func TestImportQuotedFieldsWithLineBreaks(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Occitanie")
	csv := importHeader + ";Notes\n" +
		"BC-1;MAD;\"Dupont & Fils; SARL\";;;;;Manœuvre;02/03/2026;;35;\"Ligne 1\nLigne 2 \"\"citée\"\"\"\n" +
		"BC-2;MAC;Client 2;;;;;Poste;03/03/2026;;;\n" +
		"BC-3;Coupe de bois;Client 3;;;;;Poste;03/03/2026;;;\n"
	got := e.importOK(st.ID, key, "c.csv", []byte(csv), "")
	if got.Created != 2 || len(got.Rejected) != 1 {
		t.Fatalf("%+v", got)
	}
	// BC-3 is on the fourth spreadsheet row: the quoted line break does not
	// count as a row.
	if r := got.Rejected[0]; r.Row != 4 || r.Column != "Type de prestation" || !strings.Contains(r.Message, "Coupe de bois") {
		t.Fatalf("rejection: %+v", r)
	}
}

func TestImportXLSXWithDateCells(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Grand Est")
	wb := excelize.NewFile()
	sheet := wb.GetSheetName(0)
	header := []any{"Numéro de commande", "Prestation", "Raison sociale", "SIRET", "Courriel", "Tél", "Intitulé du poste", "Début", "Fin", "Nombre d'heures"}
	rows := [][]any{
		{"BC-X1", "Mise à disposition", "Menuiserie Klein", 73282932000074, "klein@menuiserie.fr", 388000000, "Aide menuisier", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), 35.5},
		{"BC-X2", "Recrutement", "Garage Weber", "", "", "", "Mécanicien", "16/03/2026", "", 0},
		{},
		{"BC-X3", "MAD", "Ferme Muller", "", "", "", "Ouvrier agricole", "31/02/2026", "", 10},
	}
	if err := wb.SetSheetRow(sheet, "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := wb.SetSheetRow(sheet, fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got := e.importOK(st.ID, key, "commandes.xlsx", buf.Bytes(), "")
	if got.Created != 2 || len(got.Rejected) != 1 {
		t.Fatalf("%+v", got)
	}
	if r := got.Rejected[0]; r.Row != 5 || r.Column != "Début" {
		t.Fatalf("rejection: %+v", r)
	}
	// The same orders typed as text in a CSV are the same orders.
	csv := "Numéro de commande;Prestation;Raison sociale;SIRET;Courriel;Tél;Intitulé du poste;Début;Fin;Nombre d'heures\n" +
		"BC-X1;MAD;Menuiserie Klein;73282932000074;klein@menuiserie.fr;0388000000;Aide menuisier;02/03/2026;20/03/2026;35,5\n" +
		"BC-X2;MAC;Garage Weber;;;;Mécanicien;2026-03-16;;0\n"
	if again := e.importOK(st.ID, key, "c.csv", []byte(csv), ""); again.Unchanged != 2 || again.Updated != 0 {
		t.Fatalf("xlsx values differ from the csv ones: %+v", again)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	data, _ := os.ReadFile("testdata/import/commandes.csv")
	dry := e.importOK(st.ID, key, "commandes.csv", data, "?dry_run=true")
	if dry.Created != 4 {
		t.Fatalf("dry run: %+v", dry)
	}
	if real := e.importOK(st.ID, key, "commandes.csv", data, ""); real.Created != 4 {
		t.Fatalf("the dry run wrote something: %+v", real)
	}
	if rec := e.upload(st.ID, key, "commandes.csv", data, "?dry_run=peut-être"); rec.Code != http.StatusBadRequest {
		t.Fatalf("bad dry_run: %d", rec.Code)
	}
}

func TestImportRejectsBrokenRowsAndAppliesValidOnes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	csv := importHeader + "\n" +
		"BC-1;MAD;Client 1;;;;;Poste;02/03/2026;13/03/2026;35\n" + // row 2: valid
		"BC-2;MAD;Client 2;12345678901234;;;;Poste;02/03/2026;13/03/2026;35\n" + // row 3: SIRET
		"BC-3;MAD;;;;;;Poste;le 2 mars;01/03/2026;beaucoup\n" + // row 4: client, date, hours
		"BC-4;MAD;Client 4;;;;;Poste;10/03/2026;01/03/2026;35\n" + // row 5: end before start
		";MAD;Client 5;;;;;Poste;10/03/2026;;35\n" + // row 6: no reference
		"\n" + // row 7: blank, skipped
		"BC-1;MAC;Client 1 bis;;;;;Poste;02/03/2026;;35\n" + // row 8: duplicate reference
		"BC-6;MAC;Client 6;;;;;Poste;02/03/2026;;\n" // row 9: valid
	got := e.importOK(st.ID, key, "c.csv", []byte(csv), "")
	if got.Created != 2 || got.Updated != 0 || got.Unchanged != 0 {
		t.Fatalf("counts: %+v", got)
	}
	want := []struct {
		row    int
		column string
		text   string
	}{
		{3, "SIRET", "SIRET"},
		{4, "Client", "client"},
		{4, "Date début", "le 2 mars"},
		{4, "Heures", "beaucoup"},
		{5, "Date fin", "précéder"},
		{6, "N° commande", "référence"},
		{8, "N° commande", "ligne 2"},
	}
	if len(got.Rejected) != len(want) {
		t.Fatalf("rejected: %+v", got.Rejected)
	}
	for i, w := range want {
		r := got.Rejected[i]
		if r.Row != w.row || r.Column != w.column || !strings.Contains(r.Message, w.text) {
			t.Errorf("rejection %d: got %+v, want row %d column %q with %q", i, r, w.row, w.column, w.text)
		}
	}
}

func TestImportUpdatesChangedOrdersButNotAnsweredOnes(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	createOrder(t, e, st.ID, key, "BC-1")
	answered := createOrder(t, e, st.ID, key, "BC-2")
	issued := createOrder(t, e, st.ID, key, "BC-3")
	answerOrder(t, e, st.ID, answered)
	issueSurvey(t, e, st.ID, issued)
	// Hours change from 35 to 40 on every row; the file has no Notes column,
	// so the stored notes stay.
	csv := importHeader + "\n" +
		"BC-1;MAD;Mairie;;;;;Agent;02/03/2026;13/03/2026;40\n" +
		"BC-2;MAD;Mairie;;;;;Agent;02/03/2026;13/03/2026;40\n" +
		"BC-3;MAD;Mairie;;;;;Agent;02/03/2026;13/03/2026;40\n"
	got := e.importOK(st.ID, key, "c.csv", []byte(csv), "")
	if got.Updated != 2 || len(got.Rejected) != 1 || got.Rejected[0].Row != 3 || !strings.Contains(got.Rejected[0].Message, "réponse") {
		t.Fatalf("%+v", got)
	}
	for _, oid := range []string{issued, answered} {
		o, err := e.store.Order(t.Context(), st.ID, oid)
		if err != nil {
			t.Fatal(err)
		}
		want := 40.0
		if oid == answered {
			want = 35
		}
		if o.Hours != want || o.Notes != "à garder" || o.Survey == nil {
			t.Errorf("order %s after import: %+v", o.Reference, o)
		}
	}
	if again := e.importOK(st.ID, key, "c.csv", []byte(csv), ""); again.Unchanged != 2 || again.Updated != 0 {
		t.Fatalf("update not stored: %+v", again)
	}
}

// createOrder creates an order through the API (35 h, with notes) and returns its id.
func createOrder(t *testing.T, e *testEnv, sid, key, ref string) string {
	t.Helper()
	body := `{"reference":"` + ref + `","service_type":"mise_a_disposition","client":{"company":"Mairie"},"job_title":"Agent","start_date":"2026-03-02","end_date":"2026-03-13","hours":35,"notes":"à garder"}`
	rec := e.do(http.MethodPost, "/api/v1/structures/"+sid+"/orders", body, key)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create order: %d %s", rec.Code, rec.Body)
	}
	return decode[map[string]any](t, rec)["id"].(string)
}

// issueSurvey issues the order's survey link and returns its token.
func issueSurvey(t *testing.T, e *testEnv, sid, oid string) string {
	t.Helper()
	l, err := e.store.IssueSurvey(t.Context(), sid, oid)
	if err != nil {
		t.Fatal(err)
	}
	return l.Token
}

// answerOrder issues the order's survey and answers every required question.
func answerOrder(t *testing.T, e *testEnv, sid, oid string) {
	t.Helper()
	token := issueSurvey(t, e, sid, oid)
	sc, err := e.store.ResolveToken(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{}
	for _, q := range sc.Questionnaire.Questions {
		switch q.Type {
		case survey.QuestionScale:
			answers[q.Code] = "satisfait"
		case survey.QuestionYesNo:
			answers[q.Code] = survey.YesAnswer
		case survey.QuestionNPS:
			answers[q.Code] = "9"
		case survey.QuestionChoice:
			answers[q.Code] = q.Choices[0]
		}
	}
	if _, err := e.store.SubmitResponse(t.Context(), token, answers); err != nil {
		t.Fatal(err)
	}
}

func TestImportRefusesWholeFiles(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(importHeader + "\nBC-1;MAD;C;;;;;P;02/03/2026;;1\n")
	cases := []struct {
		name, filename string
		data           []byte
		code           string
		text           string
	}{
		{"empty file", "vide.csv", nil, "empty", "vide"},
		{"only blank lines", "vide.csv", []byte("\xEF\xBB\xBF\r\n\r\n"), "empty", "vide"},
		{"header only", "c.csv", []byte(importHeader + "\n"), "empty", "en-tête"},
		{"utf-16", "c.csv", []byte(utf16), "encoding", "UTF-16"},
		{"binary", "photo.jpg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01"), "encoding", "binaire"},
		{"pdf", "c.pdf", []byte("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\x0c<<>>\nendobj\n"), "format", "ni un CSV ni un classeur"},
		{"xls 97", "c.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "format", ".xls"},
		{"zip but not xlsx", "c.zip", zipWithoutWorkbook(t), "format", "ni un CSV ni un classeur"},
		{"unknown columns", "c.csv", []byte(importHeader + ";Montant HT;Agence\nBC-1;MAD;C;;;;;P;02/03/2026;;1;100;Vire\n"), "columns", "« Montant HT », « Agence »"},
		{"missing columns", "c.csv", []byte("N° commande;Client\nBC-1;C\n"), "columns", "« Type de prestation », « Date début »"},
		{"no header", "c.csv", []byte("BC-1;MAD;C;;;;;P;02/03/2026;;1\n"), "header", "première ligne"},
		{"broken quotes", "c.csv", []byte(importHeader + "\nBC-1;MAD;\"C;;;;;P;02/03/2026;;1\n"), "csv", "ligne"},
	}
	for _, tc := range cases {
		rec := e.upload(st.ID, key, tc.filename, tc.data, "")
		if rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("%s: status %d %s", tc.name, rec.Code, rec.Body)
			continue
		}
		b := decode[apiError](t, rec)
		if b.Error == "" || b.Codes["file"] != tc.code || !strings.Contains(b.Fields["file"], tc.text) {
			t.Errorf("%s: body %+v", tc.name, b)
		}
	}
	// Nothing of any of them was written: the valid sample creates all its rows.
	data, _ := os.ReadFile("testdata/import/commandes.csv")
	if got := e.importOK(st.ID, key, "commandes.csv", data, ""); got.Created != 4 {
		t.Fatalf("%+v", got)
	}
}

func zipWithoutWorkbook(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("readme.txt")
	_, _ = w.Write([]byte("bonjour"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportRequestProblems(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	_, otherKey := e.structure("AI voisine", "Normandie")
	data, _ := os.ReadFile("testdata/import/commandes.csv")

	if rec := e.upload(st.ID, otherKey, "commandes.csv", data, ""); rec.Code != http.StatusNotFound {
		t.Errorf("another structure: %d", rec.Code)
	}
	if rec := e.do(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders/import", `{"file":"x"}`, key); rec.Code != http.StatusBadRequest || decode[apiError](t, rec).Fields["file"] == "" {
		t.Errorf("not multipart: %d %s", rec.Code, rec.Body)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("fichier", "x")
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	if rec := e.serve(req); rec.Code != http.StatusBadRequest || decode[apiError](t, rec).Fields["file"] == "" {
		t.Errorf("no file field: %d %s", rec.Code, rec.Body)
	}
}

func TestImportOversizedFileIs413(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	cfg := e.cfg
	cfg.MaxUploadBytes = 4096
	r, err := NewRouter(Deps{Store: e.store, ReadModel: e.figures, Config: cfg, Logger: slog.New(slog.DiscardHandler), Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.router = r
	big := []byte(importHeader + "\n" + strings.Repeat("BC-1;MAD;Client;;;;;Poste;02/03/2026;;35\n", 200))
	if rec := e.upload(st.ID, key, "gros.csv", big, ""); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("with Content-Length: %d %s", rec.Code, rec.Body)
	}
	// Without a Content-Length (chunked upload) the limit holds while reading.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "gros.csv")
	_, _ = fw.Write(big)
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/structures/"+st.ID+"/orders/import", io.MultiReader(&body))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	if rec := e.serve(req); rec.Code != http.StatusRequestEntityTooLarge || decode[apiError](t, rec).Fields["file"] == "" {
		t.Errorf("chunked: %d %s", rec.Code, rec.Body)
	}
	// A file under the limit still goes through the same route.
	small := []byte(importHeader + "\nBC-1;MAD;Client;;;;;Poste;02/03/2026;;35\n")
	if got := e.importOK(st.ID, key, "petit.csv", small, ""); got.Created != 1 {
		t.Fatalf("%+v", got)
	}
}

// TestImport10000RowsInOneRequest is issue 3's acceptance check through the
// real router: 10,000 rows accepted at once, then 10,000 unchanged.
func TestImport10000RowsInOneRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000-row import: several seconds")
	}
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	var b strings.Builder
	b.WriteString(importHeader + ";Notes\r\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "BC-%05d;%s;Entreprise %d;;Contact %d;c%d@exemple.fr;;Agent;%02d/03/2026;;%d,5;\"note\r\n%d\"\r\n",
			i, []string{"MAD", "Recrutement"}[i%2], i%300, i, i, 1+i%28, i%40, i)
	}
	data := []byte(b.String())
	if got := e.importOK(st.ID, key, "commandes.csv", data, ""); got.Created != 10000 || len(got.Rejected) != 0 {
		t.Fatalf("first import: created %d, rejected %v", got.Created, got.Rejected[:min(3, len(got.Rejected))])
	}
	if got := e.importOK(st.ID, key, "commandes.csv", data, ""); got.Unchanged != 10000 || got.Created+got.Updated+len(got.Rejected) != 0 {
		t.Fatalf("re-import: %+v", got)
	}
}
