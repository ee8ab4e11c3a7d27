package notices

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"capsat/survey"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

// Templates are the parsed templates of every kind, parsed once at start.
type Templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// ParseTemplates parses the embedded templates; a missing one fails the
// start.
func ParseTemplates() (*Templates, error) {
	t, err := texttemplate.New("").Funcs(texttemplate.FuncMap{"inc": func(i int) int { return i + 1 }}).ParseFS(templateFS, "templates/*.txt")
	if err != nil {
		return nil, err
	}
	h, err := htmltemplate.New("").ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, k := range []survey.MessageKind{KindPasswordReset, KindAlert, KindStructureDigest, KindRegionDigest} {
		if t.Lookup(string(k)+".txt") == nil || h.Lookup(string(k)+".html") == nil {
			return nil, &missingTemplate{string(k)}
		}
	}
	return &Templates{text: t, html: h}, nil
}

type missingTemplate struct{ kind string }

func (m *missingTemplate) Error() string { return "notices: no template for " + m.kind }

// compose renders both parts of kind with data into msg.Data.
func (t *Templates) compose(msg *survey.OutboxMessage, subject string, data any) error {
	var text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&text, string(msg.Kind)+".txt", data); err != nil {
		return err
	}
	if err := t.html.ExecuteTemplate(&html, string(msg.Kind)+".html", data); err != nil {
		return err
	}
	msg.Data = map[string]string{DataSubject: subject, DataText: strings.TrimSpace(text.String()) + "\n", DataHTML: html.String()}
	return nil
}
