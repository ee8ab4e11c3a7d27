package handlers

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"time"

	"capsat/survey"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"
)

// qrPNGSize is the side of the PNG in pixels: about 4 cm at 300 dpi, enough
// for a purchase order printed on any office printer.
const qrPNGSize = 512

// qrSVGSize is the printed side of the SVG.
const qrSVGSize = "35mm"

// qrStore is what the QR codes need from the store.
type qrStore interface {
	handOutStore
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
}

// qrAPI serves the QR codes of an order's live survey link, to print on the
// purchase order.
type qrAPI struct {
	store   qrStore
	baseURL string
	now     func() time.Time
}

func (h *qrAPI) png(c *gin.Context) {
	url, ref, ok := h.liveURL(c)
	if !ok {
		return
	}
	body, err := qrPNG(url)
	if err != nil {
		answerError(c, fmt.Errorf("qr png: %w", err))
		return
	}
	h.send(c, "image/png", "qr-"+safeFilename(ref)+".png", body)
}

func (h *qrAPI) svg(c *gin.Context) {
	url, ref, ok := h.liveURL(c)
	if !ok {
		return
	}
	body, err := qrSVG(url)
	if err != nil {
		answerError(c, fmt.Errorf("qr svg: %w", err))
		return
	}
	h.send(c, "image/svg+xml", "qr-"+safeFilename(ref)+".svg", body)
}

func (h *qrAPI) send(c *gin.Context, contentType, filename string, body []byte) {
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, contentType, body)
}

// liveURL returns the order's live survey URL and reference, or answers
// why there is none: the link must be issued (again) first. Back-office
// pages link to the same codes and get a French page instead of JSON.
func (h *qrAPI) liveURL(c *gin.Context) (string, string, bool) {
	o, err := h.store.Order(c.Request.Context(), c.Param("sid"), c.Param("oid"))
	if err != nil {
		answerError(c, err)
		return "", "", false
	}
	var message, how string
	switch o.SurveyStatusAt(h.now()) {
	case survey.SurveyIssued:
		// Producing the code hands the link out as a QR code, unless it
		// is the order page's preview. The code also carries ?c=qr, a
		// hint for an answer whose link has no hand-out recorded.
		if c.Query(qrPreviewParam) == "" {
			recordHandOut(c, h.store, o, survey.ChannelQR)
		}
		return survey.SurveyURL(h.baseURL, o.Survey.Token, survey.ChannelQR), o.Reference, true
	case survey.SurveyNotIssued:
		message, how = "Aucun lien de questionnaire n'a été émis pour cette commande : émettez-le d'abord", "POST …/survey"
	case survey.SurveyAnswered:
		message = "Le client a déjà répondu au questionnaire de cette commande : plus de QR code à imprimer"
	case survey.SurveyExpired:
		message, how = "Le lien de questionnaire de cette commande a expiré : émettez-en un nouveau", "POST …/survey"
	case survey.SurveyCancelled:
		message, how = "Le lien de questionnaire de cette commande a été annulé : émettez-en un nouveau", "POST …/survey"
	}
	switch {
	case isPage(c):
		if how != "" {
			message += " depuis la page de la commande"
		}
		renderRefusal(c, http.StatusConflict, "Pas de QR code pour cette commande", message+".")
	case how != "":
		c.AbortWithStatusJSON(http.StatusConflict, apiError{Error: message + " (" + how + ")."})
	default:
		c.AbortWithStatusJSON(http.StatusConflict, apiError{Error: message + "."})
	}
	return "", "", false
}

// qrBitmap encodes url with medium error correction (a printed code
// survives a fold or a stain) and its 4-module quiet zone.
func qrBitmap(url string) ([][]bool, error) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.Bitmap(), nil
}

// qrPNG draws the code on qrPNGSize pixels with whole-pixel modules, centred
// in the white margin that rounding leaves, so that every module is sharp.
func qrPNG(url string) ([]byte, error) {
	bits, err := qrBitmap(url)
	if err != nil {
		return nil, err
	}
	n := len(bits)
	module := qrPNGSize / n
	if module < 1 {
		return nil, fmt.Errorf("qr code of %d modules does not fit %d px", n, qrPNGSize)
	}
	offset := (qrPNGSize - module*n) / 2
	img := image.NewPaletted(image.Rect(0, 0, qrPNGSize, qrPNGSize), color.Palette{color.White, color.Black})
	for y, line := range bits {
		for x, dark := range line {
			if !dark {
				continue
			}
			for py := 0; py < module; py++ {
				row := img.Pix[(offset+y*module+py)*img.Stride:]
				for px := 0; px < module; px++ {
					row[offset+x*module+px] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// qrSVG draws the code as one path of unit squares in a viewBox of one unit
// per module, with crisp edges, printed qrSVGSize wide.
func qrSVG(url string) ([]byte, error) {
	bits, err := qrBitmap(url)
	if err != nil {
		return nil, err
	}
	n := len(bits)
	var path strings.Builder
	for y, line := range bits {
		for x := 0; x < n; {
			if !line[x] {
				x++
				continue
			}
			run := 1
			for x+run < n && line[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 %d %d" width="%s" height="%s" shape-rendering="crispEdges">`, n, n, qrSVGSize, qrSVGSize)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`, n, n)
	fmt.Fprintf(&b, `<path fill="#000" d="%s"/>`, path.String())
	b.WriteString("</svg>\n")
	return b.Bytes(), nil
}

// safeFilename keeps a reference usable in a Content-Disposition filename:
// ASCII letters, digits, dot, dash and underscore; anything else becomes a dash.
func safeFilename(ref string) string {
	var b strings.Builder
	dash := false
	for _, r := range ref {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if !ok {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(r)
		dash = r == '-'
	}
	out := strings.Trim(b.String(), "-.")
	if len(out) > 60 {
		out = out[:60]
	}
	if out == "" {
		return "commande"
	}
	return out
}
