package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// apiError is the JSON body of every API error.
type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
	Codes  map[string]string `json:"codes,omitempty"`
}

// problem is how an error is answered, the same status on the API and the
// pages: the API's body, and the title and text of the refusal page.
type problem struct {
	Status int
	API    apiError
	Title  string // refusal page title
	Page   string // refusal page text
}

// titleImpossible is the refusal page title of conflicts.
const titleImpossible = "Action impossible"

// codeTooLarge is the field code of an upload over the size limit.
const codeTooLarge = "too_large"

// textUnavailable is what clients read when the store cannot serve.
const textUnavailable = "Le service est momentanément indisponible. Réessayez dans quelques minutes."

// errMethodNotAllowed is a known path asked with a method it does not
// serve (the router's fallback, not a domain error).
var errMethodNotAllowed = errors.New("method not allowed")

// problemOf maps domain errors to HTTP: the one table of the API and the
// back-office pages. A store that cannot serve is a 503. Unknown errors are
// 500s whose detail goes to the log only (see respondError and refusePage).
func problemOf(err error) problem {
	var verr *survey.ValidationError
	var cerr *survey.ConflictError
	switch {
	case errors.As(err, &verr):
		p := problem{Status: http.StatusUnprocessableEntity, Title: "Données invalides", Page: verr.Message,
			API: apiError{Error: verr.Message, Fields: map[string]string{}, Codes: map[string]string{}}}
		for k, f := range verr.Fields {
			p.API.Fields[k] = f.Message
			p.API.Codes[k] = f.Code
			if f.Code == codeTooLarge {
				p.Status, p.Title = http.StatusRequestEntityTooLarge, "Envoi trop volumineux"
			}
		}
		return p
	case errors.Is(err, survey.ErrUnavailable):
		return problem{Status: http.StatusServiceUnavailable, API: apiError{Error: textUnavailable},
			Title: "Service indisponible", Page: textUnavailable}
	case errors.Is(err, survey.ErrNotFound):
		return problem{Status: http.StatusNotFound, API: apiError{Error: "Ressource introuvable."},
			Title: "Page introuvable", Page: "Cette page n'existe pas ou n'est pas accessible avec votre compte."}
	case errors.Is(err, survey.ErrAlreadyAnswered):
		return problem{Status: http.StatusConflict, API: apiError{Error: "Ce questionnaire a déjà reçu une réponse."},
			Title: titleImpossible, Page: "Ce questionnaire a déjà reçu une réponse."}
	case errors.As(err, &cerr):
		p := problem{Status: http.StatusConflict, API: apiError{Error: cerr.Message}, Title: titleImpossible, Page: cerr.Message}
		for k, f := range cerr.Fields {
			if p.API.Fields == nil {
				p.API.Fields, p.API.Codes = map[string]string{}, map[string]string{}
			}
			p.API.Fields[k] = f.Message
			p.API.Codes[k] = f.Code
		}
		if p.Page == "" {
			p.Page = "Les données ont changé entre-temps. Rechargez la page et recommencez."
		}
		return p
	case errors.Is(err, survey.ErrConflict):
		return problem{Status: http.StatusConflict, API: apiError{Error: "Conflit avec l'état actuel des données."},
			Title: titleImpossible, Page: "Les données ont changé entre-temps. Rechargez la page et recommencez."}
	case errors.Is(err, survey.ErrExpired):
		return problem{Status: http.StatusGone, API: apiError{Error: "Ce lien a expiré."},
			Title: "Lien expiré", Page: "Ce lien a expiré."}
	case errors.Is(err, survey.ErrCancelled):
		return problem{Status: http.StatusGone, API: apiError{Error: "Ce lien a été annulé."},
			Title: "Lien annulé", Page: "Ce lien a été annulé."}
	case errors.Is(err, survey.ErrUnauthenticated):
		// No page text: pages send the caller to the login page (refusePage).
		return problem{Status: http.StatusUnauthorized, API: apiError{Error: "Authentification requise."}}
	case errors.Is(err, errMethodNotAllowed):
		return problem{Status: http.StatusMethodNotAllowed, API: apiError{Error: "Méthode non autorisée."},
			Title: titleImpossible, Page: "Cette adresse ne permet pas cette action. Revenez à la page précédente et utilisez ses liens et boutons."}
	case errors.Is(err, survey.ErrForbidden):
		return problem{Status: http.StatusForbidden, API: apiError{Error: "Accès refusé."},
			Title: "Accès refusé", Page: "Votre compte ne donne pas accès à cette page."}
	}
	return problem{Status: http.StatusInternalServerError, API: apiError{Error: "Erreur interne. Réessayez plus tard."},
		Title: "Erreur", Page: "Une erreur interne est survenue. Réessayez dans quelques instants."}
}

// errorStatus is the API's side of the table: status and JSON body.
func errorStatus(err error) (int, apiError) {
	p := problemOf(err)
	return p.Status, p.API
}

// respondError writes err as a JSON API error and logs server errors.
func respondError(c *gin.Context, err error) {
	p := problemOf(err)
	if p.Status >= 500 {
		logger(c).Error("request failed", slog.String("error", err.Error()))
	}
	c.AbortWithStatusJSON(p.Status, p.API)
}

// refusePage answers a page request with the table's status and a French
// refusal page; anonymous callers go to the login page instead (coming back
// here after a GET).
func refusePage(c *gin.Context, err error) {
	if errors.Is(err, survey.ErrUnauthenticated) {
		target := loginPath
		if c.Request.Method == http.MethodGet {
			target += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
		}
		c.Redirect(http.StatusSeeOther, target)
		c.Abort()
		return
	}
	p := problemOf(err)
	if p.Status >= 500 {
		logger(c).Error("page refused", "error", err.Error())
	}
	renderRefusal(c, p.Status, p.Title, p.Page)
}

// answerError refuses a request served to both the API and the pages: a
// refusal page on pages, JSON otherwise.
func answerError(c *gin.Context, err error) {
	if isPage(c) {
		refusePage(c, err)
		return
	}
	respondError(c, err)
}

// formStatus is the status of a form shown again with err's messages: the
// table's (422, 413 for a file too large, 409 for a conflict with the
// data's state), except that a conflict naming fields is corrected in the
// form like any other field: 422.
func formStatus(err error) int {
	var cerr *survey.ConflictError
	if errors.As(err, &cerr) && len(cerr.Fields) > 0 {
		return http.StatusUnprocessableEntity
	}
	return problemOf(err).Status
}

// badRequest answers a malformed request (not JSON, wrong types...).
func badRequest(c *gin.Context, message string, fields map[string]string) {
	c.AbortWithStatusJSON(http.StatusBadRequest, apiError{Error: message, Fields: fields})
}
