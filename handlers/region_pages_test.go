package handlers

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

// apiFigureText formats a figure of the indicators API as the pages do,
// from the API's own numbers: the page must show what the API answers.
func apiFigureText(code string, f figureJSON) (string, int) {
	if f.Withheld {
		return "—", -1
	}
	kinds := map[string]survey.NetKind{survey.FigureResponses: survey.NetCount, survey.FigureResponseRate: survey.NetRate, survey.FigureNPS: survey.NetNPS}
	kind, ok := kinds[code]
	if !ok {
		kind = survey.NetRate
	}
	nf := survey.NetFigure{Kind: kind, Numerator: *f.Numerator, Denominator: *f.Denominator, Base: *f.N}
	n, _ := countedBy(code, nf)
	return netFigure(nf).Value, n
}

// pageFigures reads the figures a page marks with data-figure="scope:code"
// and their n (data-n), as text.
func pageFigures(body, scope string) (map[string]string, map[string]int) {
	values, ns := map[string]string{}, map[string]int{}
	for _, m := range regexp.MustCompile(`data-figure="`+scope+`:(\w+)">(?:<strong[^>]*>)?([^<]*)<`).FindAllStringSubmatch(body, -1) {
		values[m[1]] = html.UnescapeString(m[2])
	}
	for _, m := range regexp.MustCompile(`data-n="`+scope+`:(\w+)">n\x{00a0}=\x{00a0}(\d+)`).FindAllStringSubmatch(body, -1) {
		ns[m[1]], _ = strconv.Atoi(m[2])
	}
	return values, ns
}

// The region page shows the region's figures (not the network's), each
// equal to GET /api/v1/regions/{region}/indicators, with the network's beside.
func TestRegionPageFiguresMatchTheAPI(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	networkFixture(e)
	fed := e.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	token, _ := e.session(fed.ID)
	rec := getWithCookie(e.router, "/app/regions/Normandie"+march, token)
	if rec.Code != http.StatusOK {
		t.Fatalf("region page: %d", rec.Code)
	}
	body := rec.Body.String()
	api := decode[indicatorsJSON](t, e.do(http.MethodGet, "/api/v1/regions/Normandie/indicators"+march, "", e.federationKey()))
	if len(api.Regions) != 1 {
		t.Fatalf("API regions: %+v", api.Regions)
	}
	region, regionN := pageFigures(body, "region")
	network, networkN := pageFigures(body, "network")
	for _, col := range networkCodes[1:] {
		want, wantN := apiFigureText(col.code, api.Regions[0].Indicators[col.code])
		if region[col.code] != want || (wantN >= 0 && regionN[col.code] != wantN) {
			t.Errorf("%s: page shows %q (n = %d) for Normandie, the API %q (n = %d)", col.code, region[col.code], regionN[col.code], want, wantN)
		}
		want, wantN = apiFigureText(col.code, api.Network[col.code])
		if network[col.code] != want || networkN[col.code] != wantN {
			t.Errorf("%s: page shows %q (n = %d) for the network, the API %q (n = %d)", col.code, network[col.code], networkN[col.code], want, wantN)
		}
	}
	// Normandie: 6 of 8 satisfied; the network 11 of 13: different figures.
	if region[survey.FigureOverall] == network[survey.FigureOverall] {
		t.Errorf("region and network show the same satisfaction %q", region[survey.FigureOverall])
	}
	mustContain(t, body, "n\u00a0=\u00a08 réponses (hors « Sans objet »)", "n\u00a0=\u00a013 réponses (hors « Sans objet »)", "questionnaires envoyés")
	assertNoClientData(t, "region page", body)
}

func TestNetworkTablesLinkSortAndGroupByType(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	big, _, unnamed := networkFixture(e)
	fed := e.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	token, _ := e.session(fed.ID)
	body := getWithCookie(e.router, "/app/reseau"+march, token).Body.String()
	mustContain(t, body, `href="`+structurePagePath("Normandie", big.ID)+`?`, `<table id="types">`, "Indicateurs par type de structure", `href="/app/regions/Normandie?`)
	if strings.Contains(body, unnamed.ID) {
		t.Error("an unnamed structure is linked")
	}
	// Sorted by name by default; by satisfaction, best first, the
	// withheld figure (AI Petite, 2 responses) last whatever the direction.
	order := func(q string) []string {
		b := getWithCookie(e.router, "/app/reseau"+march+q, token).Body.String()
		var names []string
		for _, m := range regexp.MustCompile(`<tr><th scope="row">(?:<a href="[^"]*">)?([^<]+)<`).FindAllStringSubmatch(b[strings.Index(b, `<table id="structures">`):], -1) {
			names = append(names, html.UnescapeString(m[1]))
		}
		return names
	}
	if got := strings.Join(order(""), "|"); got != "AI du Bocage|AI Petite|"+survey.UnnamedStructure {
		t.Errorf("default order %s", got)
	}
	if got := strings.Join(order("&tri=nom&ordre=desc"), "|"); got != "AI Petite|AI du Bocage|"+survey.UnnamedStructure {
		t.Errorf("by name descending %s", got)
	}
	// Bocage 4/6 satisfied, the unnamed 5/5.
	if got := strings.Join(order("&tri="+survey.FigureOverall+"&ordre=desc"), "|"); got != survey.UnnamedStructure+"|AI du Bocage|AI Petite" {
		t.Errorf("by satisfaction %s", got)
	}
	if got := strings.Join(order("&tri="+survey.FigureOverall+"&ordre=asc"), "|"); got != "AI du Bocage|"+survey.UnnamedStructure+"|AI Petite" {
		t.Errorf("by satisfaction ascending %s", got)
	}
	if got := strings.Join(order("&tri=n%27importe&ordre=quoi"), "|"); got != "AI du Bocage|AI Petite|"+survey.UnnamedStructure {
		t.Errorf("an unknown sort falls back to names: %s", got)
	}
	if !strings.Contains(getWithCookie(e.router, "/app/reseau"+march+"&tri="+survey.FigureOverall+"&ordre=desc", token).Body.String(), `aria-sort="descending"`) {
		t.Error("the sorted column does not say so")
	}

	// The network has 13 answers in March: plotted; February has none:
	// marked as resting on fewer than 5.
	body = getWithCookie(e.router, "/app/reseau?from=2026-02&to=2026-03", token).Body.String()
	if strings.Count(body, `class="trend-point"`) != 1 || strings.Count(body, "trend-few") != 1 {
		t.Errorf("trend: %d points, %d marked months", strings.Count(body, `class="trend-point"`), strings.Count(body, "trend-few"))
	}
}

func TestStructureNetworkPage(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	big, small, unnamed := networkFixture(e)
	fed := e.user("federation@reseau.fr", accounts.RoleFederation, "", "")
	fedToken, _ := e.session(fed.ID)
	normandie := e.user("normandie@reseau.fr", accounts.RoleRegionViewer, "", "Normandie")
	normToken, _ := e.session(normandie.ID)
	occitanie := e.user("occitanie@reseau.fr", accounts.RoleRegionViewer, "", "Occitanie")
	occToken, _ := e.session(occitanie.ID)
	member := e.user("charge@bocage.fr", accounts.RoleStructureMember, big.ID, "")
	memberToken, _ := e.session(member.ID)

	path := structurePagePath("Normandie", big.ID) + march
	for _, tok := range []string{fedToken, normToken} {
		rec := getWithCookie(e.router, path, tok)
		if rec.Code != http.StatusOK {
			t.Fatalf("structure page: %d", rec.Code)
		}
		body := rec.Body.String()
		mustContain(t, body, "AI du Bocage", "Région Normandie", "Réseau national", "n\u00a0=\u00a06 réponses (hors « Sans objet »)", "n\u00a0=\u00a08 réponses (hors « Sans objet »)")
		assertNoClientData(t, "structure page", body)
	}
	// Few responses: withheld.
	body := getWithCookie(e.router, structurePagePath("Normandie", small.ID)+march, fedToken).Body.String()
	if got, _ := pageFigures(body, "structure"); got[survey.FigureOverall] != "—" {
		t.Errorf("a figure on 2 responses is shown: %q", got[survey.FigureOverall])
	}
	refusals := []struct {
		name, path, token string
		want              int
	}{
		{"another region's user", path, occToken, http.StatusForbidden},
		{"a structure user", path, memberToken, http.StatusForbidden},
		{"under another region", structurePagePath("Occitanie", big.ID) + march, occToken, http.StatusNotFound},
		{"an unnamed structure", structurePagePath("Occitanie", unnamed.ID), occToken, http.StatusNotFound},
		{"an unknown structure", structurePagePath("Normandie", survey.NewID()), normToken, http.StatusNotFound},
		{"an unknown region", structurePagePath("Atlantide", big.ID), fedToken, http.StatusNotFound},
	}
	for _, r := range refusals {
		if rec := getWithCookie(e.router, r.path, r.token); rec.Code != r.want {
			t.Errorf("%s: %d, want %d", r.name, rec.Code, r.want)
		}
	}
	rec := getWithCookie(e.router, structurePagePath("Normandie", big.ID)+"?from=2026-13&to=2026-01", normToken)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="from-error"`) {
		t.Fatalf("bad period: %d", rec.Code)
	}
}
