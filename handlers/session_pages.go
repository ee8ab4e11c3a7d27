package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// loginWindow is the window of both login rate limits.
const loginWindow = 15 * time.Minute

// Login messages say nothing about which part was wrong, nor whether the
// address has an account.
const (
	msgBadCredentials = "Adresse e-mail ou mot de passe incorrect."
	msgTooManyLogins  = "Trop de tentatives de connexion. Réessayez dans quelques minutes."
)

// sessionStore is what the login, logout and account pages need.
type sessionStore interface {
	CheckPassword(ctx context.Context, email, password string) (*accounts.User, error)
	UserByEmail(ctx context.Context, email string) (*accounts.User, error)
	User(ctx context.Context, id string) (*accounts.User, error)
	Structure(ctx context.Context, id string) (*survey.Structure, error)
	CreateSession(ctx context.Context, userID, ip string, lim accounts.SessionLimits) (*accounts.Session, string, error)
	Session(ctx context.Context, token string) (*accounts.Session, *accounts.Principal, error)
	DeleteSession(ctx context.Context, token string) error
	DeleteUserSessions(ctx context.Context, userID string) error
	ChangePassword(ctx context.Context, userID, current, next string) error
	SetMailPrefs(ctx context.Context, userID string, off accounts.MailPrefs) error
	LoginBlocked(ctx context.Context, email string, limit int, window time.Duration) (bool, error)
	RecordLoginFailure(ctx context.Context, email string, window time.Duration) error
	ClearLoginFailures(ctx context.Context, email string) error
}

// sessionPages serves /connexion, /deconnexion and the account pages.
type sessionPages struct {
	store        sessionStore
	views        *views
	audit        auditor
	secure       bool // Secure cookies
	limits       accounts.SessionLimits
	byIP         *rateLimiter // attempts per IP, this instance
	byAccount    *rateLimiter // attempts per account, this instance
	accountLimit int          // failures per account, shared through the store
	// hashSlots bounds concurrent password checks: each takes 64 MiB.
	hashSlots chan struct{}
	// baseOrigin is the configured base URL's origin, that login forms
	// are posted from.
	baseOrigin string
}

func newSessionPages(store sessionStore, v *views, a auditor, secure bool, lim accounts.SessionLimits, ipLimit, accountLimit int, now func() time.Time, baseURL string) *sessionPages {
	return &sessionPages{
		store: store, views: v, audit: a, secure: secure, limits: lim, baseOrigin: originOf(baseURL),
		byIP:         newRateLimiter(ipLimit, loginWindow, now),
		byAccount:    newRateLimiter(accountLimit, loginWindow, now),
		accountLimit: accountLimit,
		hashSlots:    make(chan struct{}, 4),
	}
}

// loginPage is the data of login.html.
type loginPage struct {
	Email  string
	Next   string
	Error  string
	Notice string
}

// loginForm shows the login form; a signed-in visitor goes straight on.
func (h *sessionPages) loginForm(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if token, err := c.Cookie(sessionCookieName); err == nil {
		if _, _, err := h.store.Session(c.Request.Context(), token); err == nil {
			c.Redirect(http.StatusSeeOther, next)
			return
		}
	}
	page := loginPage{Next: next}
	if c.Query("mot-de-passe") == "reinitialise" {
		page.Notice = "Votre nouveau mot de passe est enregistré : connectez-vous avec lui."
	}
	h.views.render(c, http.StatusOK, "login", page)
}

// login checks the credentials under both rate limits, then starts a new
// session (a fresh token, the old session deleted) and goes to a local path.
func (h *sessionPages) login(c *gin.Context) {
	ctx := c.Request.Context()
	// The login form has no session yet, hence no CSRF token: refuse what
	// browsers mark as posted from another site (login CSRF), by its
	// Sec-Fetch-Site or its Origin.
	if foreignPost(c, h.baseOrigin) {
		renderRefusal(c, http.StatusForbidden, "Formulaire refusé", "Ce formulaire de connexion ne vient pas de capsat. Ouvrez la page de connexion et recommencez.")
		return
	}
	email := accounts.NormalizeEmail(c.PostForm("email"))
	page := loginPage{Email: email, Next: safeNext(c.PostForm("next"))}
	if email == "" || c.PostForm("password") == "" {
		page.Error = msgBadCredentials
		h.views.render(c, http.StatusUnauthorized, "login", page)
		return
	}
	if h.throttled(c, email) {
		h.recordFailure(c, email, "trop de tentatives")
		page.Error = msgTooManyLogins
		h.views.render(c, http.StatusTooManyRequests, "login", page)
		return
	}
	u, err := h.checkPassword(ctx, email, c.PostForm("password"))
	if errors.Is(err, survey.ErrUnauthenticated) {
		if err := h.store.RecordLoginFailure(ctx, email, loginWindow); err != nil {
			logger(c).Error("record login failure", "error", err.Error())
		}
		h.recordFailure(c, email, "identifiants incorrects")
		page.Error = msgBadCredentials
		h.views.render(c, http.StatusUnauthorized, "login", page)
		return
	}
	if err != nil {
		h.pageError(c, err)
		return
	}
	if old, err := c.Cookie(sessionCookieName); err == nil {
		_ = h.store.DeleteSession(ctx, old)
	}
	if err := h.startSession(c, u); err != nil {
		h.pageError(c, err)
		return
	}
	h.byAccount.reset(email)
	if err := h.store.ClearLoginFailures(ctx, email); err != nil {
		logger(c).Warn("clear login failures", "error", err.Error())
	}
	h.audit.recordEntry(c, accounts.AuditEntry{Action: accounts.AuditLoginSuccess, StructureID: u.StructureID, Actor: u.Email, UserID: u.ID, Role: u.Role})
	c.Redirect(http.StatusSeeOther, page.Next)
}

// throttled counts one attempt and reports whether the IP or the account
// is over its limit (in this instance, or in the shared failure count).
func (h *sessionPages) throttled(c *gin.Context, email string) bool {
	ipOK := h.byIP.allow(c.ClientIP())
	accountOK := h.byAccount.allow(email)
	if !ipOK || !accountOK {
		return true
	}
	blocked, err := h.store.LoginBlocked(c.Request.Context(), email, h.accountLimit, loginWindow)
	if err != nil {
		logger(c).Error("login failure count", "error", err.Error())
	}
	return blocked
}

// checkPassword waits for a hashing slot, so that a burst of logins cannot
// take more than a bounded amount of memory.
func (h *sessionPages) checkPassword(ctx context.Context, email, password string) (*accounts.User, error) {
	select {
	case h.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.hashSlots }()
	return h.store.CheckPassword(ctx, email, password)
}

// recordFailure logs a failed login in the account's structure log when the
// account exists, in the network's log otherwise.
func (h *sessionPages) recordFailure(c *gin.Context, email, reason string) {
	e := accounts.AuditEntry{Action: accounts.AuditLoginFailure, Actor: email, Target: reason}
	if u, err := h.store.UserByEmail(c.Request.Context(), email); err == nil {
		e.StructureID, e.UserID = u.StructureID, u.ID
	}
	h.audit.recordEntry(c, e)
}

// startSession creates a session for u and sets its cookie.
func (h *sessionPages) startSession(c *gin.Context, u *accounts.User) error {
	_, token, err := h.store.CreateSession(c.Request.Context(), u.ID, c.ClientIP(), h.limits)
	if err != nil {
		return err
	}
	setSessionCookie(c, token, h.limits.Absolute, h.secure)
	return nil
}

// logout deletes the session and its cookie.
func (h *sessionPages) logout(c *gin.Context) {
	if token := c.GetString(ctxSessionToken); token != "" {
		if err := h.store.DeleteSession(c.Request.Context(), token); err != nil {
			h.pageError(c, err)
			return
		}
	}
	h.audit.record(c, accounts.AuditLogout, principal(c).StructureID, "")
	clearSessionCookie(c, h.secure)
	c.Redirect(http.StatusSeeOther, loginPath)
}

// accountPage is the data of account.html.
type accountPage struct {
	CSRF            string
	Email           string
	Role            string
	Structure       string
	Region          string
	PasswordChanged bool
	MailOff         accounts.MailPrefs
	MailSaved       bool
}

var roleLabels = map[accounts.Role]string{
	accounts.RoleStructureAdmin:  "Administrateur de la structure",
	accounts.RoleStructureMember: "Membre de la structure",
	accounts.RoleRegionViewer:    "Fédération régionale",
	accounts.RoleFederation:      "Fédération nationale",
}

// account shows who is signed in.
func (h *sessionPages) account(c *gin.Context) {
	who := principal(c)
	page := accountPage{CSRF: csrfToken(c), Email: who.Name, Role: roleLabels[who.Role], Region: who.Region,
		PasswordChanged: c.Query("mot-de-passe") == "modifie", MailSaved: c.Query("e-mails") == "enregistres"}
	u, err := h.store.User(c.Request.Context(), who.UserID)
	if err != nil {
		h.pageError(c, err)
		return
	}
	page.MailOff = u.MailOff
	if who.StructureID != "" {
		st, err := h.store.Structure(c.Request.Context(), who.StructureID)
		if err != nil {
			h.pageError(c, err)
			return
		}
		page.Structure = st.Name
	}
	h.views.render(c, http.StatusOK, "account", page)
}

// saveMailPrefs records the e-mails the person turned off: an unticked box
// turns its kind off.
func (h *sessionPages) saveMailPrefs(c *gin.Context) {
	who := principal(c)
	off := accounts.MailPrefs{Alerts: c.PostForm("alerts") == "", Digest: c.PostForm("digest") == ""}
	if err := h.store.SetMailPrefs(c.Request.Context(), who.UserID, off); err != nil {
		h.pageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, homePath+"?e-mails=enregistres")
}

// passwordPage is the data of password.html.
type passwordPage struct {
	CSRF   string
	Error  string
	Fields map[string]string
}

func (h *sessionPages) passwordForm(c *gin.Context) {
	h.views.render(c, http.StatusOK, "password", passwordPage{CSRF: csrfToken(c)})
}

// changePassword checks the current password, stores the new one, ends
// every session of the user and starts a fresh one for this browser.
func (h *sessionPages) changePassword(c *gin.Context) {
	who := principal(c)
	next, confirm := c.PostForm("new_password"), c.PostForm("confirm_password")
	page := passwordPage{CSRF: csrfToken(c)}
	if next != confirm {
		page.Error, page.Fields = "Le mot de passe n'a pas été modifié.", map[string]string{"confirm_password": "La confirmation ne correspond pas au nouveau mot de passe."}
		h.views.render(c, http.StatusUnprocessableEntity, "password", page)
		return
	}
	if !h.byAccount.allow(who.Name) {
		page.Error = msgTooManyLogins
		h.views.render(c, http.StatusTooManyRequests, "password", page)
		return
	}
	err := h.changeWithSlot(c.Request.Context(), who.UserID, c.PostForm("current_password"), next)
	var verr *survey.ValidationError
	if errors.As(err, &verr) {
		page.Error, page.Fields = "Le mot de passe n'a pas été modifié.", map[string]string{}
		for k, f := range verr.Fields {
			page.Fields[k] = f.Message
		}
		h.views.render(c, http.StatusUnprocessableEntity, "password", page)
		return
	}
	if err == nil {
		err = h.renewAfterPasswordChange(c, who.UserID)
	}
	if err != nil {
		h.pageError(c, err)
		return
	}
	h.byAccount.reset(who.Name)
	h.audit.record(c, accounts.AuditPasswordChange, who.StructureID, "")
	c.Redirect(http.StatusSeeOther, homePath+"?mot-de-passe=modifie")
}

func (h *sessionPages) changeWithSlot(ctx context.Context, userID, current, next string) error {
	select {
	case h.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-h.hashSlots }()
	return h.store.ChangePassword(ctx, userID, current, next)
}

func (h *sessionPages) renewAfterPasswordChange(c *gin.Context, userID string) error {
	if err := h.store.DeleteUserSessions(c.Request.Context(), userID); err != nil {
		return err
	}
	u, err := h.store.User(c.Request.Context(), userID)
	if err != nil {
		return err
	}
	return h.startSession(c, u)
}

// pageError logs an unexpected error and shows the generic error page.
func (h *sessionPages) pageError(c *gin.Context, err error) {
	logger(c).Error("page failed", "error", err.Error())
	h.views.render(c, http.StatusInternalServerError, "refusal", refusalPage{Title: "Erreur", Message: "Une erreur interne est survenue. Réessayez dans quelques instants."})
}
