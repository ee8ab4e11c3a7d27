package handlers

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
)

func TestQRCodesOfTheLiveSurveyLink(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI du Bocage", "Normandie")
	oid := createOrder(t, e, st.ID, key, "BC 2026/001 «é»")
	token := issueSurvey(t, e, st.ID, oid)
	// The code carries the QR variant of the order's link: same token,
	// ?c=qr so that answers through it count as QR.
	want, err := qrcode.New(e.cfg.BaseURL+"/s/"+token+"?c=qr", qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bits := want.Bitmap()
	base := "/api/v1/structures/" + st.ID + "/orders/" + oid + "/survey/qr"

	rec := e.do(http.MethodGet, base+".png", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("png: %d %s", rec.Code, rec.Body)
	}
	checkQRHeaders(t, rec.Header(), "image/png", `filename="qr-BC-2026-001.png"`)
	img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("png does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != qrPNGSize || b.Dy() != qrPNGSize {
		t.Fatalf("png size %v", b)
	}
	// Every module of the expected code, sampled at its centre, has the
	// right colour: the image encodes the live survey URL.
	n := len(bits)
	module := qrPNGSize / n
	offset := (qrPNGSize - module*n) / 2
	for y := range n {
		for x := range n {
			r, _, _, _ := img.At(offset+x*module+module/2, offset+y*module+module/2).RGBA()
			if dark := r < 0x8000; dark != bits[y][x] {
				t.Fatalf("module (%d,%d) dark=%v, want %v", x, y, dark, bits[y][x])
			}
		}
	}

	rec = e.do(http.MethodGet, base+".svg", "", key)
	if rec.Code != http.StatusOK {
		t.Fatalf("svg: %d %s", rec.Code, rec.Body)
	}
	checkQRHeaders(t, rec.Header(), "image/svg+xml", `filename="qr-BC-2026-001.svg"`)
	checkSVG(t, rec.Body.Bytes(), bits)
}

func checkQRHeaders(t *testing.T, h http.Header, contentType, filename string) {
	t.Helper()
	if got := h.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type %q", got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	if got := h.Get("Content-Disposition"); !strings.Contains(got, filename) {
		t.Errorf("Content-Disposition %q, want %s", got, filename)
	}
}

// checkSVG parses the SVG as XML and compares its dark squares with the
// expected modules.
func checkSVG(t *testing.T, body []byte, bits [][]bool) {
	t.Helper()
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		ViewBox string   `xml:"viewBox,attr"`
		Width   string   `xml:"width,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("svg is not well-formed XML: %v", err)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if cd, ok := tok.(xml.CharData); err != nil || !ok || strings.TrimSpace(string(cd)) != "" {
			t.Fatalf("trailing content after </svg>: %v %v", tok, err)
		}
	}
	n := len(bits)
	if want := "0 0 " + strconv.Itoa(n) + " " + strconv.Itoa(n); doc.ViewBox != want || doc.Width != qrSVGSize {
		t.Fatalf("viewBox %q width %q", doc.ViewBox, doc.Width)
	}
	dark := make([][]bool, n)
	for i := range dark {
		dark[i] = make([]bool, n)
	}
	for _, seg := range strings.Split(strings.TrimSuffix(doc.Path.D, "z"), "z") {
		var x, y, run, back int
		if _, err := fmt.Sscanf(seg, "M%d %dh%dv1h-%d", &x, &y, &run, &back); err != nil || run != back {
			t.Fatalf("path segment %q: %v", seg, err)
		}
		for i := range run {
			dark[y][x+i] = true
		}
	}
	for y := range n {
		for x := range n {
			if dark[y][x] != bits[y][x] {
				t.Fatalf("svg module (%d,%d) dark=%v", x, y, dark[y][x])
			}
		}
	}
}

func TestQRCodesWithoutALiveLink(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, key := e.structure("AI", "Normandie")
	_, otherKey := e.structure("AI voisine", "Normandie")
	path := func(oid, ext string) string {
		return "/api/v1/structures/" + st.ID + "/orders/" + oid + "/survey/qr." + ext
	}
	notIssued := createOrder(t, e, st.ID, key, "BC-1")
	answered := createOrder(t, e, st.ID, key, "BC-2")
	answerOrder(t, e, st.ID, answered)
	cancelled := createOrder(t, e, st.ID, key, "BC-3")
	issueSurvey(t, e, st.ID, cancelled)
	if err := e.store.CancelSurvey(t.Context(), st.ID, cancelled); err != nil {
		t.Fatal(err)
	}
	expired := createOrder(t, e, st.ID, key, "BC-4")
	issueSurvey(t, e, st.ID, expired)

	cases := []struct {
		name, oid, text string
	}{
		{"not issued", notIssued, "émettez-le"},
		{"answered", answered, "déjà répondu"},
		{"cancelled", cancelled, "annulé"},
	}
	for _, tc := range cases {
		for _, ext := range []string{"png", "svg"} {
			rec := e.do(http.MethodGet, path(tc.oid, ext), "", key)
			if rec.Code != http.StatusConflict || !strings.Contains(decode[apiError](t, rec).Error, tc.text) {
				t.Errorf("%s %s: %d %s", tc.name, ext, rec.Code, rec.Body)
			}
		}
	}
	// Another structure's order, an unknown order, no key.
	if rec := e.do(http.MethodGet, path(notIssued, "png"), "", otherKey); rec.Code != http.StatusNotFound {
		t.Errorf("other structure: %d", rec.Code)
	}
	if rec := e.do(http.MethodGet, path("0123456789abcdef01234567", "svg"), "", key); rec.Code != http.StatusNotFound {
		t.Errorf("unknown order: %d", rec.Code)
	}
	if rec := e.do(http.MethodGet, path(notIssued, "png"), "", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", rec.Code)
	}
	// Expiry: the clock passes the structure's 60 days.
	e.clock.Advance(61 * 24 * time.Hour)
	if rec := e.do(http.MethodGet, path(expired, "png"), "", key); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "expiré") {
		t.Errorf("expired: %d %s", rec.Code, rec.Body)
	}
}

func TestSafeFilename(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"BC-2026-001":           "BC-2026-001",
		"BC 2026/001":           "BC-2026-001",
		`a"b\r\nc;d`:            "a-b-r-nc-d",
		"../../etc/passwd":      "etc-passwd",
		"Ω":                     "commande",
		"":                      "commande",
		strings.Repeat("x", 99): strings.Repeat("x", 60),
	}
	for in, want := range cases {
		if got := safeFilename(in); got != want {
			t.Errorf("safeFilename(%q) = %q, want %q", in, got, want)
		}
	}
}
