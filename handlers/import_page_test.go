package handlers

import (
	"bytes"
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
	mustContain(t, body, "encore été enregistré", "<strong>1</strong>\u00a0bon créé", "Lignes refusées", `<th scope="row">3</th>`)
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
	mustContain(t, b.get(rec.Header().Get("Location")).Body.String(), "Import terminé\u00a0: 1\u00a0bon créé")
	if n := b.orderCount(b.st.ID, b.key); n != 2 {
		t.Fatalf("orders after the import: %d", n)
	}
	mustContain(t, b.get(b.root()+"/commandes?q="+url.QueryEscape("Pâquerettes")).Body.String(), "Crèche &lt;Les Pâquerettes&gt;")

	rec = b.postMultipart(page, map[string]string{"confirm": "1", "data": "%%%"}, "", nil)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "déposez-le de nouveau") {
		t.Fatalf("broken kept file: %d", rec.Code)
	}
}
