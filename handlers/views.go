package handlers

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// views holds every page template, parsed once at start. Each page file
// defines "title" and "content" and is combined with layout.html.
type views struct {
	pages map[string]*template.Template
}

// funcs is the fixed FuncMap of every template.
func funcs() template.FuncMap {
	return template.FuncMap{
		"frDate":     func(t time.Time) string { return t.Format("02/01/2006") },
		"frDateTime": func(t time.Time) string { return t.In(parisTZ()).Format("02/01/2006 à 15h04") },
		"frLongDate": frLongDate,
		"percent": func(f float64) string {
			return strings.Replace(fmt.Sprintf("%.0f %%", f*100), ".", ",", 1)
		},
		"add": func(a, b int) int { return a + b },
		// fieldOf describes one back-office form input with its message.
		"fieldOf":    fieldOf,
		"fieldNamed": fieldNamed,
	}
}

// loadViews parses layout.html with each other template; a missing or
// broken template fails the start.
func loadViews() (*views, error) {
	layout, err := template.New("layout.html").Funcs(funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, path := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, path)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", path, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// render writes a page into a buffer first, so that a template error still
// yields a proper error page rather than half a page.
func (v *views) render(c *gin.Context, status int, page string, data any) {
	t, ok := v.pages[page]
	if !ok {
		logger(c).Error("unknown template", "page", page)
		c.String(http.StatusInternalServerError, "Erreur interne.")
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		logger(c).Error("render template", "page", page, "error", err.Error())
		c.Data(http.StatusInternalServerError, "text/html; charset=utf-8", []byte(errorPageHTML))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

const errorPageHTML = `<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur</title><p>Une erreur interne est survenue. Réessayez dans quelques instants.</p></html>`

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frLongDate formats a date as "3 mars 2026".
func frLongDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), frMonths[t.Month()-1], t.Year())
}

func parisTZ() *time.Location { return survey.IndicatorLocation() }
