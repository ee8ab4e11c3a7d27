package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"capsat/export"
	"capsat/survey/xlsxguard/xlsxguardtest"
)

// hostileUpload is a workbook posted to one of the routes that read
// workbooks, and what the route must answer.
type hostileUpload struct {
	name   string
	data   []byte
	status int // 422 with the field "file" for a refusal
}

// hostileUploads are the hostile files of issue 13 for one route: the
// bombs and a workbook without workbook part, refused; workbooks without
// styles, without shared strings or with an external link, built by book
// from the route's own content, read or filled.
func hostileUploads(t *testing.T, ok int, book func(xlsxguardtest.Book) []byte) []hostileUpload {
	t.Helper()
	link := linkServer(t)
	return []hostileUpload{
		{"200 MB of tiny rows", xlsxguardtest.RowBomb(t, export.SheetIndicators, export.IndicatorsHeader, 8_000_000), http.StatusUnprocessableEntity},
		{"1 GB of zeros", xlsxguardtest.ZipBomb(t, export.SheetIndicators, 1<<30, 1<<30), http.StatusUnprocessableEntity},
		{"without workbook", book(xlsxguardtest.Book{NoWorkbook: true}), http.StatusUnprocessableEntity},
		{"without styles", book(xlsxguardtest.Book{NoStyles: true}), ok},
		{"without shared strings", book(xlsxguardtest.Book{}), ok},
		{"with an external link", book(xlsxguardtest.Book{ExternalLink: link + "/tarifs.xlsx"}), ok},
	}
}

// linkServer is where the external links point: nothing may fetch from it.
func linkServer(t *testing.T) string {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(func() {
		srv.Close()
		if n := hits.Load(); n != 0 {
			t.Errorf("an external link was fetched %d times", n)
		}
	})
	return srv.URL
}

// multipartFile is a multipart body with the workbook as "file" and the
// fields.
func multipartFile(data []byte, fields map[string]string) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "classeur.xlsx")
	_, _ = fw.Write(data)
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

// TestHostileUploadsThroughTheRoutes posts the hostile files of issue 13
// to every route that reads a workbook: each is refused (422, a French
// message on the field "file") or read, never a 500, with the heap growing
// less than 100 MB; the time is logged. Not parallel: the heap figures
// are the process's.
func TestHostileUploadsThroughTheRoutes(t *testing.T) {
	b := newBackofficeEnv(t)
	fed := b.federationKey()
	period := map[string]string{"from": "2026-01-01", "to": "2026-02-28"}

	orders := func(bk xlsxguardtest.Book) []byte {
		bk.Sheets = []xlsxguardtest.Sheet{{Name: "Commandes", Rows: [][]string{
			{"N° commande", "Type de prestation", "Client", "Date début"},
			{"BC-HOSTILE-1", "MAD", "ACME", "02/03/2026"},
		}, Formulas: map[string]string{}}}
		if bk.ExternalLink != "" {
			bk.Sheets[0].Formulas["C2"] = "[1]Feuil1!A1"
		}
		return bk.XLSX(t)
	}
	dashboard := func(bk xlsxguardtest.Book) []byte {
		bk.Sheets = []xlsxguardtest.Sheet{{Name: "Tableau de bord", Rows: [][]string{{"Taux de réponse", "0", "42"}}, Formulas: map[string]string{}}}
		if bk.ExternalLink != "" {
			bk.Sheets[0].Formulas["C1"] = "[1]Feuil1!A1"
		}
		bk.Names = map[string]string{"TAUX_REPONSE": "'Tableau de bord'!$B$1"}
		return bk.XLSX(t)
	}
	indicators := func(bk xlsxguardtest.Book) []byte {
		rows := [][]string{export.IndicatorsHeader}
		for _, r := range monthRows("2026-01", 10, 8) {
			row := make([]string, len(r))
			for i, v := range r {
				row[i] = fmt.Sprint(v)
			}
			rows = append(rows, row)
		}
		bk.Sheets = []xlsxguardtest.Sheet{{Name: export.SheetIndicators, Rows: rows, Formulas: map[string]string{}}}
		if bk.ExternalLink != "" {
			bk.Sheets[0].Formulas["F2"] = "[1]Feuil1!A1"
		}
		return bk.XLSX(t)
	}

	routes := []struct {
		name  string
		ok    int
		sends string // the content type of a success
		book  func(xlsxguardtest.Book) []byte
		post  func(data []byte) *httptest.ResponseRecorder
		field func(rec *httptest.ResponseRecorder) string // the message beside the file field
	}{
		{"POST …/orders/import", http.StatusOK, "application/json", orders, func(data []byte) *httptest.ResponseRecorder {
			return b.upload(b.st.ID, b.key, "commandes.xlsx", data, "?dry_run=true")
		}, apiFileMessage},
		{"POST …/exports/dashboard", http.StatusOK, xlsxContentType, dashboard, func(data []byte) *httptest.ResponseRecorder {
			return dashboardUpload(t, b.testEnv, b.router, b.st.ID, b.key, "tableau.xlsx", data, period)
		}, apiFileMessage},
		{"POST /app/…/exports/tableau-de-bord", http.StatusOK, xlsxContentType, dashboard, func(data []byte) *httptest.ResponseRecorder {
			body, ct := multipartFile(data, map[string]string{"from": period["from"], "to": period["to"], csrfField: b.csrf})
			req := httptest.NewRequest(http.MethodPost, b.root()+"/exports/tableau-de-bord", body)
			req.Header.Set("Content-Type", ct)
			req.AddCookie(&http.Cookie{Name: sessionCookieName, Value: b.session})
			return b.serve(req)
		}, func(rec *httptest.ResponseRecorder) string {
			if _, rest, ok := strings.Cut(rec.Body.String(), `id="file-error">`); ok {
				msg, _, _ := strings.Cut(rest, "</p>")
				return msg
			}
			return ""
		}},
		{"POST /api/v1/federation/uploads", http.StatusCreated, "application/json", indicators, func(data []byte) *httptest.ResponseRecorder {
			body, ct := multipartFile(data, map[string]string{"structure_id": b.st.ID})
			req := httptest.NewRequest(http.MethodPost, "/api/v1/federation/uploads", body)
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer "+fed)
			return b.serve(req)
		}, apiFileMessage},
	}
	for _, route := range routes {
		for _, u := range hostileUploads(t, route.ok, route.book) {
			var rec *httptest.ResponseRecorder
			cost := xlsxguardtest.Measure(func() { rec = route.post(u.data) })
			t.Logf("%s, %s (%d KB): %d, %v", route.name, u.name, len(u.data)>>10, rec.Code, cost)
			if cost.Allocated > xlsxguardtest.MaxHeapGrowth {
				t.Errorf("%s, %s: %v, the heap may have grown more than %d MB", route.name, u.name, cost, xlsxguardtest.MaxHeapGrowth>>20)
			}
			if rec.Code != u.status {
				t.Errorf("%s, %s: %d, want %d: %.300s", route.name, u.name, rec.Code, u.status, rec.Body)
				continue
			}
			msg := route.field(rec)
			switch {
			case u.status == http.StatusUnprocessableEntity && !strings.Contains(msg, "classeur") && !strings.Contains(msg, "Fichier refusé") && !strings.Contains(msg, "XLSX"):
				t.Errorf("%s, %s: message %q", route.name, u.name, msg)
			case u.status == route.ok && !strings.HasPrefix(rec.Header().Get("Content-Type"), route.sends):
				t.Errorf("%s, %s: sent %s", route.name, u.name, rec.Header().Get("Content-Type"))
			}
		}
	}
}

// apiFileMessage is the API's message on the field "file".
func apiFileMessage(rec *httptest.ResponseRecorder) string {
	var body apiError
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return body.Fields["file"]
}
