package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/xuri/excelize/v2"
)

// clientSecrets are client details seeded into orders and answers; no
// federation output may contain any of them.
var clientSecrets = []string{"Boulangerie Secrète", "Mme Confidentielle", "secret@client.fr", "0612345678", "Commentaire très privé", "BC-SECRET"}

// seedAnswered creates n answered orders for structure st, full of client data.
func (e *testEnv) seedAnswered(st *survey.Structure, n int, service survey.ServiceType, overall string) {
	e.t.Helper()
	ctx := context.Background()
	for i := range n {
		o, err := e.store.CreateOrder(ctx, st.ID, survey.OrderInput{
			Reference: fmt.Sprintf("BC-SECRET-%s-%d", service, i), ServiceType: service,
			Client:   survey.Client{Company: "Boulangerie Secrète", ContactName: "Mme Confidentielle", Email: "secret@client.fr", Phone: "0612345678"},
			JobTitle: "Vendeuse", StartDate: "2026-03-02", Notes: "Commentaire très privé",
		})
		if err != nil {
			e.t.Fatal(err)
		}
		l, err := e.store.IssueSurvey(ctx, st.ID, o.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		sc, err := e.store.ResolveToken(ctx, l.Token)
		if err != nil {
			e.t.Fatal(err)
		}
		answers := map[string]string{}
		for _, q := range sc.Questionnaire.Questions {
			switch q.Type {
			case survey.QuestionScale:
				answers[q.Code] = overall
			case survey.QuestionYesNo:
				answers[q.Code] = survey.YesAnswer
			case survey.QuestionNPS:
				answers[q.Code] = "9"
			case survey.QuestionText:
				answers[q.Code] = "Commentaire très privé de Mme Confidentielle"
			}
		}
		if _, err := e.store.SubmitResponse(ctx, l.Token, answers); err != nil {
			e.t.Fatal(err)
		}
	}
}

func assertNoClientData(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range clientSecrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains client data %q", what, s)
		}
	}
}

// networkFixture: two named structures in Normandie (6 and 2 responses) and
// an unnamed one in Occitanie (5 responses), all in March 2026.
func networkFixture(e *testEnv) (big, small, unnamed *survey.Structure) {
	big, _ = e.structure("AI du Bocage", "Normandie")
	small, _ = e.structure("AI Petite", "Normandie")
	unnamed, _ = e.structure("AI Discrète", "Occitanie")
	yes := true
	if _, err := e.store.UpdateStructure(context.Background(), unnamed.ID, survey.StructurePatch{Settings: &survey.StructureSettings{SurveyExpiryDays: 30, Anonymous: yes}}); err != nil {
		e.t.Fatal(err)
	}
	e.seedAnswered(big, 4, survey.ServiceMAD, "satisfait")
	e.seedAnswered(big, 2, survey.ServiceMAC, "peu_satisfait")
	e.seedAnswered(small, 2, survey.ServiceMAD, "tres_satisfait")
	e.seedAnswered(unnamed, 5, survey.ServiceMAD, "satisfait")
	return big, small, unnamed
}

const march = "?from=2026-03&to=2026-03"

func TestFederationIndicatorsSumAndWithhold(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	big, small, _ := networkFixture(e)
	rec := e.do(http.MethodGet, "/api/v1/federation/indicators"+march, "", e.federationKey())
	if rec.Code != http.StatusOK {
		t.Fatalf("indicators: %d %s", rec.Code, rec.Body)
	}
	assertNoClientData(t, "indicators JSON", rec.Body.String())
	var body struct {
		Network    map[string]map[string]any `json:"network"`
		Regions    []struct{ Region string } `json:"regions"`
		Structures []struct {
			ID, Name, Region string
			Indicators       map[string]map[string]any
		} `json:"structures"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	// 13 responses; overall satisfied: 4 + 2 + 5 = 11 of 13 (rates from sums, not averages).
	sat := body.Network[survey.FigureOverall]
	if sat["numerator"] != 11.0 || sat["denominator"] != 13.0 || sat["withheld"] != false || fmt.Sprint(sat["value"]) != fmt.Sprint(11.0/13.0) {
		t.Fatalf("network overall: %v", sat)
	}
	if len(body.Regions) != 2 || len(body.Structures) != 3 {
		t.Fatalf("regions %v structures %d", body.Regions, len(body.Structures))
	}
	byName := map[string]map[string]map[string]any{}
	for _, s := range body.Structures {
		byName[s.Name] = s.Indicators
		if s.Name == survey.UnnamedStructure && s.ID != "" {
			t.Errorf("an unnamed structure's id is shown: %q", s.ID)
		}
		if s.Name == "AI Discrète" {
			t.Errorf("the unnamed structure is named")
		}
	}
	if byName[survey.UnnamedStructure] == nil || byName[big.Name] == nil {
		t.Fatalf("structures: %v", byName)
	}
	withheld := byName[small.Name][survey.FigureOverall]
	if withheld["withheld"] != true || len(withheld) != 1 {
		t.Fatalf("a figure on 2 responses must carry only withheld: %v", withheld)
	}
	// big: MAC on 2 responses is withheld when asking for MAC only.
	rec = e.do(http.MethodGet, "/api/v1/federation/indicators"+march+"&service=mise_a_contrat", "", e.federationKey())
	if !strings.Contains(rec.Body.String(), `"withheld":true`) || strings.Contains(rec.Body.String(), `"value"`) {
		t.Fatalf("MAC figures rest on 2 responses: %s", rec.Body)
	}
	if rec := e.do(http.MethodGet, "/api/v1/federation/indicators?from=2026-13&to=2026-01", "", e.federationKey()); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("bad period: %d", rec.Code)
	}
}

func TestRegionUsersSeeOnlyTheirRegion(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, _, _ = networkFixture(e)
	normandie := e.key(accounts.APIKeyInput{Name: "Coorace Normandie", Role: accounts.RoleRegionViewer, Region: "Normandie"})
	rec := e.do(http.MethodGet, "/api/v1/regions/Normandie/indicators"+march, "", normandie)
	if rec.Code != http.StatusOK {
		t.Fatalf("own region: %d %s", rec.Code, rec.Body)
	}
	body := decode[indicatorsJSON](t, rec)
	if len(body.Structures) != 2 || len(body.Regions) != 1 || body.Regions[0].Region != "Normandie" {
		t.Fatalf("region view: %+v", body)
	}
	for _, s := range body.Structures {
		if s.Region != "Normandie" {
			t.Errorf("another region's structure: %+v", s)
		}
	}
	forbidden := []string{
		"/api/v1/regions/Occitanie/indicators" + march,
		"/api/v1/regions/Occitanie/exports/consolidated.xlsx" + march,
		"/api/v1/regions/" + url.PathEscape("Île-de-France") + "/indicators",
		"/api/v1/federation/indicators",
		"/api/v1/federation/exports/consolidated.xlsx",
	}
	for _, path := range forbidden {
		if rec := e.do(http.MethodGet, path, "", normandie); rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", path, rec.Code)
		}
	}
	_, structureKey := e.structure("AI Curieuse", "Normandie")
	if rec := e.do(http.MethodGet, "/api/v1/regions/Normandie/indicators", "", structureKey); rec.Code != http.StatusForbidden {
		t.Errorf("structure key on a region: %d", rec.Code)
	}
	rec = e.do(http.MethodGet, "/api/v1/regions/Normandie/exports/consolidated.xlsx"+march, "", normandie)
	if rec.Code != http.StatusOK {
		t.Fatalf("region workbook: %d %s", rec.Code, rec.Body)
	}
	text := workbookText(t, rec.Body.Bytes())
	assertNoClientData(t, "region workbook", text)
	assertNoClientData(t, "region indicators", e.do(http.MethodGet, "/api/v1/regions/Normandie/indicators"+march, "", normandie).Body.String())
	if strings.Contains(text, "Discrète") || strings.Contains(text, "Structures!A4=") || strings.Contains(text, "Occitanie") {
		t.Errorf("the region workbook lists another region or its structures:\n%s", text)
	}
	if rec := e.do(http.MethodGet, "/api/v1/regions/Atlantide/indicators", "", e.federationKey()); rec.Code != http.StatusNotFound {
		t.Errorf("unknown region: %d", rec.Code)
	}
}

// workbookText returns every cell of every sheet, one per line, as "sheet!cell=value".
func workbookText(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, v := range row {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				fmt.Fprintf(&b, "%s!%s=%s\n", sheet, cell, v)
			}
		}
	}
	return b.String()
}

func TestConsolidatedWorkbookWithholdsAndHidesClients(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	_, small, _ := networkFixture(e)
	rec := e.do(http.MethodGet, "/api/v1/federation/exports/consolidated.xlsx"+march, "", e.federationKey())
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Disposition"), "consolide-national-2026-03-2026-03.xlsx") {
		t.Fatalf("workbook: %d %v", rec.Code, rec.Header())
	}
	assertNoClientData(t, "consolidated workbook bytes", rec.Body.String())
	text := workbookText(t, rec.Body.Bytes())
	assertNoClientData(t, "consolidated workbook cells", text)
	f, _ := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	defer f.Close()
	want := []string{"Structures", "Régions", "Types de structure", "Tendances", "Méthode"}
	if got := f.GetSheetList(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rows, _ := f.GetRows("Structures")
	var smallRow []string
	for _, r := range rows {
		if r[0] == small.Name {
			smallRow = r
		}
	}
	if smallRow == nil || !strings.Contains(strings.Join(smallRow, "|"), "< 5 réponses") {
		t.Fatalf("the small structure's figures must be marked withheld: %v", smallRow)
	}
	for _, v := range smallRow[4:] {
		if v != "< 5 réponses" && v != "< 5" {
			t.Errorf("a figure of the small structure is shown: %q in %v", v, smallRow)
		}
	}
	if !strings.Contains(text, survey.UnnamedStructure) || !strings.Contains(text, "Petits effectifs") {
		t.Errorf("workbook misses the unnamed structure or the method")
	}
	charts := 0
	for name := range f.Pkg.Range {
		if strings.HasPrefix(fmt.Sprint(name), "xl/charts/chart") {
			charts++
		}
	}
	if charts != 2 {
		t.Errorf("%d charts, want 2", charts)
	}
}

// indicatorsWorkbook builds a structure workbook's "Indicateurs" sheet.
func indicatorsWorkbook(t *testing.T, header []string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if _, err := f.NewSheet("Indicateurs"); err != nil {
		t.Fatal(err)
	}
	h := make([]any, len(header))
	for i, v := range header {
		h[i] = v
	}
	for i, r := range append([][]any{h}, rows...) {
		if err := f.SetSheetRow("Indicateurs", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (e *testEnv) uploadWorkbook(key, structure string, file []byte) *jsonRecorder {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("structure_id", structure)
	fw, _ := mw.CreateFormFile("file", "tableau-de-bord.xlsx")
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, "/api/v1/federation/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	rec := e.serve(req)
	return &jsonRecorder{Code: rec.Code, Body: rec.Body.String()}
}

type jsonRecorder struct {
	Code int
	Body string
}

var header = []string{"Code", "Période", "Prestation", "Valeur", "Numérateur", "Dénominateur"}

func monthRows(month string, responses, satisfied int) [][]any {
	return [][]any{
		{survey.FigureIssued, month, "Mise à disposition", 20, 20, 20},
		{survey.FigureResponses, month, "Mise à disposition", responses, responses, 20},
		{survey.FigureOverall, month, "Mise à disposition", float64(satisfied) / float64(responses), satisfied, responses},
		{survey.FigureOverall, month, "Toutes", float64(satisfied) / float64(responses), satisfied, responses},
		{survey.FigureOverall, "Total", "Toutes", 0.5, 999, 999},
	}
}

func TestUploadReplacesEarlierUploadOfSameStructureAndMonth(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	fed := e.federationKey()
	hosted, _ := e.structure("AI Autonome", "Bretagne")
	first := append(monthRows("2026-01", 10, 8), monthRows("2026-02", 10, 5)...)
	res := e.uploadWorkbook(fed, hosted.SIRET, indicatorsWorkbook(t, header, first))
	if res.Code != http.StatusCreated || !strings.Contains(res.Body, `"months":["2026-01","2026-02"]`) || !strings.Contains(res.Body, `"replaced":[]`) {
		t.Fatalf("first upload: %d %s", res.Code, res.Body)
	}
	res = e.uploadWorkbook(fed, hosted.ID, indicatorsWorkbook(t, header, monthRows("2026-02", 10, 10)))
	if res.Code != http.StatusCreated || !strings.Contains(res.Body, `"replaced":["2026-02"]`) {
		t.Fatalf("second upload: %d %s", res.Code, res.Body)
	}
	rec := e.do(http.MethodGet, "/api/v1/federation/indicators?from=2026-01&to=2026-02&service=mise_a_disposition", "", fed)
	body := decode[indicatorsJSON](t, rec)
	sat := body.Network[survey.FigureOverall]
	if *sat.Numerator != 18 || *sat.Denominator != 20 || len(body.Structures) != 1 || !body.Structures[0].Uploaded {
		t.Fatalf("network after replace: %+v %+v", sat, body.Structures)
	}
	rec = e.do(http.MethodGet, "/api/v1/federation/exports/consolidated.xlsx?from=2026-01&to=2026-02", "", fed)
	if text := workbookText(t, rec.Body.Bytes()); !strings.Contains(text, "Classeur importé : AI Autonome, mois 2026-02, fichier « tableau-de-bord.xlsx »") {
		t.Errorf("Méthode does not name the upload:\n%s", text)
	}
}

func TestUploadRefusesMalformedFiles(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	fed := e.federationKey()
	hosted, key := e.structure("AI Autonome", "Bretagne")
	cases := []struct {
		name, structure string
		file            []byte
		field, message  string
	}{
		{"not a workbook", hosted.ID, []byte("Référence;Client\n"), "file", "n'est pas un classeur Excel"},
		{"wrong header", hosted.ID, indicatorsWorkbook(t, []string{"Code", "Mois", "Prestation", "Valeur"}, nil), "file", "doit être exactement"},
		{"bad period", hosted.ID, indicatorsWorkbook(t, header, [][]any{{survey.FigureResponses, "2026-13", "Toutes", 3, 3, 3}}), "rows.2", "période « 2026-13 » invalide"},
		{"numerator above denominator", hosted.ID, indicatorsWorkbook(t, header, [][]any{{survey.FigureOverall, "2026-01", "Toutes", 2, 12, 6}}), "rows.2", "dépasse le dénominateur"},
		{"unknown service", hosted.ID, indicatorsWorkbook(t, header, [][]any{{survey.FigureOverall, "2026-01", "Intérim", 1, 1, 1}}), "rows.2", "prestation « Intérim » inconnue"},
		{"unknown structure", "Structure fantôme", indicatorsWorkbook(t, header, monthRows("2026-01", 5, 5)), "structure_id", "Structure inconnue"},
		{"only totals", hosted.ID, indicatorsWorkbook(t, header, [][]any{{survey.FigureOverall, "Total", "Toutes", 1, 1, 1}}), "file", "aucune ligne mensuelle"},
	}
	for _, tc := range cases {
		res := e.uploadWorkbook(fed, tc.structure, tc.file)
		var body apiError
		_ = json.Unmarshal([]byte(res.Body), &body)
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(body.Fields[tc.field], tc.message) {
			t.Errorf("%s: %d %s", tc.name, res.Code, res.Body)
		}
	}
	if res := e.uploadWorkbook(key, hosted.ID, indicatorsWorkbook(t, header, monthRows("2026-01", 5, 5))); res.Code != http.StatusForbidden {
		t.Errorf("a structure key may not upload: %d", res.Code)
	}
}
