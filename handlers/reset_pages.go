package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/notices"

	"github.com/gin-gonic/gin"
)

// Paths of the password reset pages.
const (
	forgotPath = "/mot-de-passe/oublie"
	resetPath  = notices.ResetPath
)

// Rate limits of reset requests: per IP in this instance, and per address
// shared by instances through the store.
const (
	resetWindow       = time.Hour
	resetIPLimit      = 10
	resetAddressLimit = 3
)

// msgResetSent is the one answer to a reset request, whether the address
// has an account, is limited or not: it tells nothing about the address.
const msgResetSent = "Si un compte capsat existe pour cette adresse, un e-mail vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est valable 30 minutes et ne sert qu’une fois. Pensez à regarder dans les courriers indésirables."

// mailQueue is the outbox, as the pages that send e-mail need it.
type mailQueue interface {
	Enqueue(ctx context.Context, msg *survey.OutboxMessage) error
}

// resetStore is what the password reset pages need.
type resetStore interface {
	mailQueue
	UserByEmail(ctx context.Context, email string) (*accounts.User, error)
	CreatePasswordReset(ctx context.Context, uid string, ttl time.Duration) (string, time.Time, error)
	PasswordReset(ctx context.Context, token string) (*accounts.PasswordReset, error)
	ResetPassword(ctx context.Context, token, next string) (*accounts.User, error)
	CountResetRequest(ctx context.Context, email string, limit int, window time.Duration) (bool, error)
}

// resetPages serves "Mot de passe oublié ?": the request form, and the
// page of the link received by e-mail that sets a new password.
type resetPages struct {
	store      resetStore
	views      *views
	mails      *notices.Templates
	audit      auditor
	baseURL    string
	baseOrigin string
	byIP       *rateLimiter
	// hashSlots bounds concurrent password hashes (64 MiB each).
	hashSlots chan struct{}
	wake      func() // asks the sender loop for a round now (nil: none)
}

func newResetPages(store resetStore, v *views, mails *notices.Templates, a auditor, baseURL string, now func() time.Time) *resetPages {
	return &resetPages{
		store: store, views: v, mails: mails, audit: a, baseURL: baseURL, baseOrigin: originOf(baseURL),
		byIP: newRateLimiter(resetIPLimit, resetWindow, now), hashSlots: make(chan struct{}, 2),
	}
}

// forgotPage is the data of forgot.html.
type forgotPage struct {
	Email string
	Error string
	Sent  string
}

func (h *resetPages) forgotForm(c *gin.Context) {
	h.views.render(c, http.StatusOK, "forgot", forgotPage{})
}

// requestReset sends a reset link to the address when it has an account,
// and answers the same in every case.
func (h *resetPages) requestReset(c *gin.Context) {
	if foreignPost(c, h.baseOrigin) {
		renderRefusal(c, http.StatusForbidden, "Formulaire refusé", "Ce formulaire ne vient pas de capsat. Ouvrez la page « Mot de passe oublié ? » et recommencez.")
		return
	}
	email := accounts.NormalizeEmail(c.PostForm("email"))
	if !accounts.ValidEmail(email) {
		h.views.render(c, http.StatusUnprocessableEntity, "forgot", forgotPage{Email: c.PostForm("email"), Error: "Saisissez une adresse e-mail valide, par exemple nom@structure.fr."})
		return
	}
	if !h.byIP.allow(c.ClientIP()) {
		h.views.render(c, http.StatusTooManyRequests, "forgot", forgotPage{Email: email, Error: "Trop de demandes depuis votre connexion. Réessayez dans une heure."})
		return
	}
	if err := h.send(c, email); err != nil {
		logger(c).Error("password reset request", "error", err.Error())
		if errors.Is(err, survey.ErrUnavailable) {
			h.views.render(c, http.StatusServiceUnavailable, "forgot", forgotPage{Email: email, Error: "Votre demande n’a pas pu être enregistrée. " + textUnavailable})
			return
		}
		// Anything else answers as a success would: an error page here
		// would tell that the address has an account.
	}
	h.views.render(c, http.StatusOK, "forgot", forgotPage{Sent: msgResetSent})
}

// send counts the request of the address and, within its limit and when
// the address has an account, stores a reset and enqueues its e-mail.
func (h *resetPages) send(c *gin.Context, email string) error {
	ctx := c.Request.Context()
	ok, err := h.store.CountResetRequest(ctx, email, resetAddressLimit, resetWindow)
	if err != nil || !ok {
		return err
	}
	u, err := h.store.UserByEmail(ctx, email)
	if errors.Is(err, survey.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token, expires, err := h.store.CreatePasswordReset(ctx, u.ID, accounts.ResetTTL)
	if err != nil {
		return err
	}
	msg, err := h.mails.PasswordReset(h.baseURL, u.Email, token, expires)
	if err != nil {
		return err
	}
	if err := h.store.Enqueue(ctx, msg); err != nil {
		return err
	}
	if h.wake != nil {
		h.wake()
	}
	h.audit.recordEntry(c, accounts.AuditEntry{Action: accounts.AuditPasswordResetRequest, StructureID: u.StructureID, Actor: u.Email, UserID: u.ID, Role: u.Role})
	return nil
}

// newPasswordPage is the data of reset.html.
type newPasswordPage struct {
	Token  string
	Error  string
	Fields map[string]string
}

// linkEnded is the page of a reset link unknown, used or expired.
func linkEnded(c *gin.Context) {
	renderRefusal(c, http.StatusGone, "Lien expiré ou déjà utilisé",
		"Ce lien pour choisir un nouveau mot de passe n’est plus valable : il a expiré (30 minutes) ou a déjà servi. Demandez-en un nouveau depuis la page de connexion, lien « Mot de passe oublié ? ».")
}

func (h *resetPages) newPasswordForm(c *gin.Context) {
	token := c.Query("jeton")
	if _, err := h.store.PasswordReset(c.Request.Context(), token); err != nil {
		if errors.Is(err, survey.ErrNotFound) {
			linkEnded(c)
		} else {
			refusePage(c, err)
		}
		return
	}
	h.views.render(c, http.StatusOK, "reset", newPasswordPage{Token: token})
}

// setPassword stores the new password once, ends every session of the
// account and sends to the sign-in page.
func (h *resetPages) setPassword(c *gin.Context) {
	if foreignPost(c, h.baseOrigin) {
		renderRefusal(c, http.StatusForbidden, "Formulaire refusé", "Ce formulaire ne vient pas de capsat. Ouvrez le lien reçu par e-mail et recommencez.")
		return
	}
	token := c.PostForm("jeton")
	next, confirm := c.PostForm("new_password"), c.PostForm("confirm_password")
	page := newPasswordPage{Token: token}
	if next != confirm {
		if _, err := h.store.PasswordReset(c.Request.Context(), token); errors.Is(err, survey.ErrNotFound) {
			linkEnded(c)
			return
		}
		page.Error, page.Fields = "Le mot de passe n’a pas été enregistré.", map[string]string{"confirm_password": "La confirmation ne correspond pas au nouveau mot de passe."}
		h.views.render(c, http.StatusUnprocessableEntity, "reset", page)
		return
	}
	select {
	case h.hashSlots <- struct{}{}:
	case <-c.Request.Context().Done():
		refusePage(c, c.Request.Context().Err())
		return
	}
	u, err := h.store.ResetPassword(c.Request.Context(), token, next)
	<-h.hashSlots
	var verr *survey.ValidationError
	switch {
	case errors.As(err, &verr):
		page.Error, page.Fields = "Le mot de passe n’a pas été enregistré.", map[string]string{}
		for k, f := range verr.Fields {
			page.Fields[k] = f.Message
		}
		h.views.render(c, http.StatusUnprocessableEntity, "reset", page)
	case errors.Is(err, survey.ErrNotFound):
		linkEnded(c)
	case err != nil:
		refusePage(c, err)
	default:
		h.audit.recordEntry(c, accounts.AuditEntry{Action: accounts.AuditPasswordReset, StructureID: u.StructureID, Actor: u.Email, UserID: u.ID, Role: u.Role})
		c.Redirect(http.StatusSeeOther, loginPath+"?mot-de-passe=reinitialise")
	}
}
