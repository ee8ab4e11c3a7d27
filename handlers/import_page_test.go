package handlers

import (
	"bytes"
	"capsat/survey"
	"capsat/survey/importfile"
	"fmt"
	"html/template"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// postMultipart posts fields and an optional file as a signed-in user.
func (b *backofficeEnv) postMultipart(path string, fields map[string]string, fileName string, file []byte) *httptest.ResponseRecorder {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField(csrfField, b.csrf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if fileName != "" {
		part, _ := w.CreateFormFile("file", fileName)
		_, _ = part.Write(file)
	}
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: b.session})
	return b.serve(req)
}

func TestImportPagePreviewsThenApplies(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	page := b.root() + "/commandes/import"
	csv := importHeader + "\r\n" +
		"BC-10;Mise à disposition;Crèche <Les Pâquerettes>;;;;;Agent;02/03/2026;13/03/2026;35\r\n" +
		"BC-11;Mise à disposition;Mairie;;;;;Agent;31/02/2026;13/03/2026;35\r\n"

	rec := b.postMultipart(page, nil, "", nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="file-error">Choisissez le fichier`) {
		t.Fatalf("no file: %d", rec.Code)
	}

	rec = b.postMultipart(page, nil, "commandes.csv", []byte(csv))
	if rec.Code != http.StatusOK {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	mustContain(t, body, "encore été enregistré", "<strong>1</strong>\u00a0bon créé", `id="apercu-lignes"`, `<th scope="row">3</th>`)
	// Each row beside its errors: row 3's date, none for row 2.
	row3 := body[strings.Index(body, `id="ligne-3"`):]
	row3 = row3[:strings.Index(row3, "</tr>")]
	mustContain(t, row3, "BC-11", "Date début", "row-problems")
	row2 := body[strings.Index(body, `id="ligne-2"`):]
	mustContain(t, row2[:strings.Index(row2, "</tr>")], "BC-10", "Crèche &lt;Les Pâquerettes&gt;", "02/03/2026", "Aucune")
	if n := b.orderCount(b.st.ID, b.key); n != 1 {
		t.Fatalf("the preview wrote orders: %d", n)
	}
	data := regexp.MustCompile(`name="data" value="([^"]+)"`).FindStringSubmatch(body)
	if data == nil {
		t.Fatal("confirmation form does not keep the file")
	}
	rec = b.postMultipart(page, map[string]string{"confirm": "1", "file_name": "commandes.csv", "data": data[1]}, "", nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", rec.Code, rec.Body)
	}
	result := b.get(rec.Header().Get("Location")).Body.String()
	mustContain(t, result, "Import terminé\u00a0: 1\u00a0bon créé", ">BC-10</a>", "commandes?status=not_issued")
	created := regexp.MustCompile(`href="(` + regexp.QuoteMeta(b.root()) + `/commandes/[^"/]+)">BC-10</a>`).FindStringSubmatch(result)
	if created == nil {
		t.Fatal("the result does not link the created order")
	}
	mustContain(t, b.get(created[1]).Body.String(), "Crèche &lt;Les Pâquerettes&gt;")
	// "All from this import": the created orders get their links at once.
	lot := regexp.MustCompile(`name="lot" value="([^"]+)"`).FindStringSubmatch(result)
	if lot == nil || !strings.Contains(result, "Créer les liens des bons créés") {
		t.Fatal("the result offers no links for the orders it created")
	}
	if rec := b.post(b.root()+"/commandes/liens", url.Values{"lot": {lot[1]}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("links for the import: %d %s", rec.Code, rec.Body)
	}
	oid := created[1][strings.LastIndex(created[1], "/")+1:]
	if o, err := b.store.Order(t.Context(), b.st.ID, oid); err != nil || o.Survey == nil {
		t.Fatalf("the imported order has no link: %+v %v", o, err)
	}
	if n := b.orderCount(b.st.ID, b.key); n != 2 {
		t.Fatalf("orders after the import: %d", n)
	}
	mustContain(t, b.get(b.root()+"/commandes?q="+url.QueryEscape("Pâquerettes")).Body.String(), "Crèche &lt;Les Pâquerettes&gt;")

	rec = b.postMultipart(page, map[string]string{"confirm": "1", "data": "%%%"}, "", nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "déposez-le de nouveau") {
		t.Fatalf("broken kept file: %d", rec.Code)
	}
}

func TestImportTemplatesAndColumns(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	page := b.get(b.root() + "/commandes/import").Body.String()
	for _, c := range importfile.Columns() {
		mustContain(t, page, "<th scope=\"row\">"+template.HTMLEscapeString(c.Label)+"</th>")
		for _, n := range c.Names {
			mustContain(t, page, template.HTMLEscapeString(n))
		}
	}
	for _, name := range []string{"modele.csv", "modele.xlsx"} {
		path := b.root() + "/commandes/import/" + name
		mustContain(t, page, `href="`+path+`"`)
		rec := b.get(path)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s: %d %v", name, rec.Code, rec.Header())
		}
		// The template, uploaded as it is, previews one valid order.
		prev := b.postMultipart(b.root()+"/commandes/import", nil, name, rec.Body.Bytes())
		if prev.Code != http.StatusOK || !strings.Contains(prev.Body.String(), "<strong>1</strong>\u00a0bon créé") || strings.Contains(prev.Body.String(), "row-problems") {
			t.Fatalf("%s previewed: %d", name, prev.Code)
		}
	}
	// Another structure's template: 404 as any of its pages.
	other, _ := b.structure("ACI des Marais", "Normandie")
	if rec := b.get(structurePagesPath(other.ID) + "/commandes/import/modele.csv"); rec.Code != http.StatusNotFound {
		t.Fatalf("another structure's template: %d", rec.Code)
	}
}

func TestImportPreviewShowsFiftyRowsAndLaterErrors(t *testing.T) {
	t.Parallel()
	b := newBackofficeEnv(t)
	var csv strings.Builder
	csv.WriteString(importHeader + "\r\n")
	for i := range 60 {
		date := "02/03/2026"
		if i == 55 {
			date = "n'importe"
		}
		fmt.Fprintf(&csv, "BC-%d;MAD;Client %d;;;;;Agent;%s;;35\r\n", i, i, date)
	}
	rec := b.postMultipart(b.root()+"/commandes/import", nil, "gros.csv", []byte(csv.String()))
	body := rec.Body.String()
	if rec.Code != http.StatusOK || strings.Count(body, `<tr id="ligne-`) != 50 {
		t.Fatalf("preview: %d, %d rows", rec.Code, strings.Count(body, `<tr id="ligne-`))
	}
	mustContain(t, body, "et 10 autres après", "Erreurs des lignes suivantes", `<th scope="row">57</th>`)

	// A result naming another structure's order does not show it.
	other, otherKey := b.structure("ACI des Marais", "Normandie")
	oid, _ := b.exportOrder(other.ID, otherKey, "BC-AUTRE", survey.ServiceMAD, b.clock.T)
	if res := b.get(b.root() + "/commandes/import?applique=1&crees=1&bon=" + oid).Body.String(); strings.Contains(res, "BC-AUTRE") {
		t.Fatal("the result shows another structure's order")
	}
}
