package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// apiError is the JSON body of every API error.
type apiError struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
	Codes  map[string]string `json:"codes,omitempty"`
}

// errorStatus maps domain errors to HTTP: the one place where it happens.
// Unknown errors are 500s whose detail goes to the log only.
func errorStatus(err error) (int, apiError) {
	var verr *survey.ValidationError
	var cerr *survey.ConflictError
	switch {
	case errors.As(err, &verr):
		body := apiError{Error: verr.Message, Fields: map[string]string{}, Codes: map[string]string{}}
		status := http.StatusUnprocessableEntity
		for k, f := range verr.Fields {
			body.Fields[k] = f.Message
			body.Codes[k] = f.Code
			if f.Code == codeTooLarge {
				status = http.StatusRequestEntityTooLarge
			}
		}
		return status, body
	case errors.Is(err, survey.ErrNotFound):
		return http.StatusNotFound, apiError{Error: "Ressource introuvable."}
	case errors.Is(err, survey.ErrAlreadyAnswered):
		return http.StatusConflict, apiError{Error: "Ce questionnaire a déjà reçu une réponse."}
	case errors.As(err, &cerr):
		body := apiError{Error: cerr.Message}
		for k, f := range cerr.Fields {
			if body.Fields == nil {
				body.Fields, body.Codes = map[string]string{}, map[string]string{}
			}
			body.Fields[k] = f.Message
			body.Codes[k] = f.Code
		}
		return http.StatusConflict, body
	case errors.Is(err, survey.ErrConflict):
		return http.StatusConflict, apiError{Error: "Conflit avec l'état actuel des données."}
	case errors.Is(err, survey.ErrExpired):
		return http.StatusGone, apiError{Error: "Ce lien a expiré."}
	case errors.Is(err, survey.ErrCancelled):
		return http.StatusGone, apiError{Error: "Ce lien a été annulé."}
	case errors.Is(err, survey.ErrUnauthenticated):
		return http.StatusUnauthorized, apiError{Error: "Authentification requise."}
	case errors.Is(err, survey.ErrForbidden):
		return http.StatusForbidden, apiError{Error: "Accès refusé."}
	}
	return http.StatusInternalServerError, apiError{Error: "Erreur interne. Réessayez plus tard."}
}

// respondError writes err as a JSON API error and logs server errors.
func respondError(c *gin.Context, err error) {
	status, body := errorStatus(err)
	if status >= 500 {
		logger(c).Error("request failed", slog.String("error", err.Error()))
	}
	c.AbortWithStatusJSON(status, body)
}

// badRequest answers a malformed request (not JSON, wrong types...).
func badRequest(c *gin.Context, message string, fields map[string]string) {
	c.AbortWithStatusJSON(http.StatusBadRequest, apiError{Error: message, Fields: fields})
}
