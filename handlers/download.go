package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// xlsxContentType is the media type of .xlsx workbooks.
const xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sendWorkbook answers with a complete workbook as an attachment named
// base + ".xlsx": an ASCII name for old clients, the French one in filename*.
func sendWorkbook(c *gin.Context, base string, data []byte) {
	c.Header("Content-Disposition", contentDisposition(base))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, xlsxContentType, data)
}

// contentDisposition is an attachment header with an ASCII fallback and the
// UTF-8 name (RFC 6266 / RFC 5987).
func contentDisposition(base string) string {
	parts := strings.Split(base, "_") // "_" separates the two ends of a period
	for i, p := range parts {
		parts[i] = survey.Slug(p)
	}
	ascii := strings.Trim(strings.Join(parts, "_"), "_")
	if ascii == "" {
		ascii = "export"
	}
	return `attachment; filename="` + ascii + `.xlsx"; filename*=UTF-8''` + rfc5987(utf8FileName(base)+".xlsx")
}

// utf8FileName keeps letters (accents included) and digits, lower-cased,
// and joins the words with hyphens.
func utf8FileName(s string) string {
	var b strings.Builder
	dash := true
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			dash = false
		case r == '_' && !dash:
			b.WriteRune(r)
			dash = true
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-_")
	if out == "" {
		return "export"
	}
	return out
}

// rfc5987 percent-encodes everything but the attr-chars of RFC 5987.
func rfc5987(s string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(s) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChars, c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
