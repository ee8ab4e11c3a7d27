// Package mailer sends the outbox: a loop that takes due messages, claims
// each, composes it from embedded templates and hands it to an SMTP server
// through go-mail, then records the outcome (see survey/store/outbox.go).
package mailer

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"capsat/survey"
)

//go:embed templates
var templateFS embed.FS

// Mail is a message ready to go: what the transport needs besides the
// sender address and the Message-ID, which the loop adds.
type Mail struct {
	FromName    string // display name beside CAPSAT_MAIL_FROM
	To          string
	ReplyTo     string // empty: none
	Subject     string
	Text        string
	HTML        string // empty: text only
	Unsubscribe string // one-click opt-out URL (List-Unsubscribe), empty: none
}

// Templates are the parsed message templates, parsed once at start.
type Templates struct {
	surveyText *texttemplate.Template
	surveyHTML *htmltemplate.Template
}

// ParseTemplates parses the embedded templates; an error means a broken build.
func ParseTemplates() (*Templates, error) {
	t, err := texttemplate.ParseFS(templateFS, "templates/survey.txt")
	if err != nil {
		return nil, err
	}
	h, err := htmltemplate.ParseFS(templateFS, "templates/survey.html")
	if err != nil {
		return nil, err
	}
	return &Templates{surveyText: t, surveyHTML: h}, nil
}

// SurveyView is what the survey templates show.
type SurveyView struct {
	Subject     string
	Reminder    bool
	Structure   string
	Greeting    string
	Signature   string
	Mission     string
	Reference   string
	Link        string
	ExpiresOn   string // dd/mm/yyyy, Europe/Paris
	Unsubscribe string
}

// SurveyContent is the survey mail of one order, from what the store read.
type SurveyContent struct {
	Kind        survey.MessageKind
	Order       *survey.Order
	Structure   *survey.Structure
	Settings    *survey.EmailSettings
	Token       string
	ExpiresAt   time.Time
	Unsubscribe string // the opt-out token
	BaseURL     string
}

// DefaultGreeting is how a mail opens when the structure set no greeting:
// the contact's name when the order has one.
func DefaultGreeting(contact string) string {
	if c := strings.TrimSpace(contact); c != "" {
		return "Bonjour " + c + ","
	}
	return "Madame, Monsieur,"
}

// DefaultSignature is how a mail ends when the structure set no signature.
func DefaultSignature(structure string) string { return "L’équipe de " + structure }

// SurveyLink is the survey link of token: the base URL, /s/ and the token,
// then ?c=mail, which leaves the token alone.
func SurveyLink(baseURL, token string) string {
	// ?c=mail: answers through the mail count as e-mail in the response
	// rate by channel; the token is unchanged.
	return survey.SurveyURL(strings.TrimRight(baseURL, "/"), token, survey.ChannelEmail)
}

// UnsubscribeLink is the one-click opt-out page of token.
func UnsubscribeLink(baseURL, token string) string {
	return strings.TrimRight(baseURL, "/") + "/desinscription/" + token
}

// Subject is the subject of a survey mail: the structure's name in it.
func Subject(kind survey.MessageKind, structure string) string {
	if kind == survey.KindReminder {
		return "Rappel : votre avis sur notre mission — " + structure
	}
	return "Votre avis sur notre mission — " + structure
}

// Survey composes the invitation or reminder c describes.
func (t *Templates) Survey(c SurveyContent, to string) (*Mail, error) {
	st := c.Structure.Name
	v := SurveyView{
		Subject:     Subject(c.Kind, st),
		Reminder:    c.Kind == survey.KindReminder,
		Structure:   st,
		Greeting:    c.Settings.Greeting,
		Signature:   c.Settings.Signature,
		Mission:     survey.MissionSummary(c.Order),
		Reference:   c.Order.Reference,
		Link:        SurveyLink(c.BaseURL, c.Token),
		ExpiresOn:   c.ExpiresAt.In(survey.IndicatorLocation()).Format("02/01/2006"),
		Unsubscribe: UnsubscribeLink(c.BaseURL, c.Unsubscribe),
	}
	if v.Greeting == "" {
		v.Greeting = DefaultGreeting(c.Order.Client.ContactName)
	}
	if v.Signature == "" {
		v.Signature = DefaultSignature(st)
	}
	var text, html bytes.Buffer
	if err := t.surveyText.ExecuteTemplate(&text, "survey.txt", v); err != nil {
		return nil, err
	}
	if err := t.surveyHTML.ExecuteTemplate(&html, "survey.html", v); err != nil {
		return nil, err
	}
	from := c.Settings.SenderName
	if from == "" {
		from = st
	}
	return &Mail{
		FromName: from, To: to, ReplyTo: c.Settings.ReplyTo, Subject: v.Subject,
		Text: text.String(), HTML: html.String(), Unsubscribe: v.Unsubscribe,
	}, nil
}

// PreviewSurvey is the mail of kind a structure's settings give for a
// made-up order, for the back-office preview.
func (t *Templates) PreviewSurvey(kind survey.MessageKind, st *survey.Structure, settings *survey.EmailSettings, baseURL string, now time.Time) (*Mail, error) {
	end := now.AddDate(0, 0, -1)
	o := &survey.Order{
		Reference: "BC-2026-001", ServiceType: survey.ServiceMAD, JobTitle: "Agent d'entretien",
		StartDate: end.AddDate(0, 0, -11).Format(time.DateOnly), EndDate: end.Format(time.DateOnly),
		Client: survey.Client{Company: "Mairie de Vire", ContactName: "Mme Durand", Email: "client@example.org"},
	}
	return t.Survey(SurveyContent{
		Kind: kind, Order: o, Structure: st, Settings: settings, Token: "exempleDeLienDuQuestionnaire",
		ExpiresAt: now.AddDate(0, 0, survey.DefaultSurveyExpiryDays), Unsubscribe: "exemple", BaseURL: baseURL,
	}, o.Client.Email)
}
