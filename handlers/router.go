// Package handlers translates HTTP into calls of the survey domain and back:
// the JSON API, the public survey pages and the back-office pages.
package handlers

import (
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"capsat/config"
	"capsat/export"
	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/mailer"
	"capsat/survey/notices"
	"capsat/survey/readmodel"
	"capsat/survey/store"

	"github.com/gin-gonic/gin"
)

// Deps are what the router needs; cmd wires them.
type Deps struct {
	Store *store.Store
	// ReadModel serves indicators, benchmarks and federation figures.
	ReadModel *readmodel.Model
	Config    config.Config
	Logger    *slog.Logger
	Now       func() time.Time
	// E-mail (mail_routes.go): whether an SMTP server is configured, the
	// mailer's templates (nil: parsed here) and how to wake its loop.
	MailConfigured bool
	MailTemplates  *mailer.Templates
	WakeMailer     func()
	// StoreWarning, when set, is shown on the federation pages: the
	// embedded store nears its limits (said by cmd at start).
	StoreWarning string
}

// storeWithFigures is the store with its read model, for the handlers that
// read both (indicators and figures beside structures and accounts).
type storeWithFigures struct {
	*store.Store
	*readmodel.Model
}

func (d Deps) withFigures() storeWithFigures { return storeWithFigures{d.Store, d.ReadModel} }

// Router is the HTTP handler of capsat with the policy of every route, so
// that tests can check that no route lacks an authorization rule.
type Router struct {
	*gin.Engine
	policies map[string][]policy
	// queries are the query parameters of each API route (apiQueryParameters).
	queries map[string][]string
}

// Policies returns the declared policies by "METHOD /path".
func (r *Router) Policies() map[string][]string {
	out := make(map[string][]string, len(r.policies))
	for k, ps := range r.policies {
		for _, p := range ps {
			out[k] = append(out[k], string(p))
		}
	}
	return out
}

// route registers a handler with the policies that may call it. An API
// route refuses the query parameters its apiOperation does not list. A GET
// route answers HEAD as well, with the same policies and parameters.
func (r *Router) route(g *gin.RouterGroup, method, path string, h gin.HandlerFunc, policies ...policy) {
	if len(policies) == 0 {
		panic("route " + method + " " + path + " declares no policy")
	}
	full := g.BasePath() + path
	if g.BasePath() == "/" {
		full = path
	}
	methods := []string{method}
	if method == http.MethodGet {
		methods = append(methods, http.MethodHead)
	}
	for _, m := range methods {
		chain := []gin.HandlerFunc{authorize(policies...)}
		if strings.HasPrefix(full, "/api/") {
			chain = append(chain, onlyQueryParameters(r.queries[m+" "+full]))
		}
		r.policies[m+" "+full] = policies
		g.Handle(m, path, append(chain, h)...)
	}
}

// NewRouter builds every route of capsat. Tests call it too, so that they
// exercise the real routes and middleware. It fails when a template is
// missing or broken.
func NewRouter(d Deps) (*Router, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Config.Debug {
		gin.SetMode(gin.DebugMode)
	} else {
		gin.SetMode(gin.ReleaseMode)
	}
	e := gin.New()
	e.ContextWithFallback = true
	e.HandleMethodNotAllowed = true
	r := &Router{Engine: e, policies: map[string][]policy{}, queries: apiQueryParameters()}
	// Only configured load balancers may name the client's IP: rate limits
	// and the audit log must not trust a forged X-Forwarded-For.
	if err := e.SetTrustedProxies(d.Config.TrustedProxyList()); err != nil {
		return nil, fmt.Errorf("trusted proxies (CAPSAT_TRUSTED_PROXIES): %w", err)
	}
	e.Use(requestID(d.Logger), accessLog(), pageSecurityHeaders(d.Config.HTTPS()), recovery())
	pages, err := loadViews()
	if err != nil {
		return nil, err
	}
	noRoute, noMethod := fallbacks(pages, d.Store)
	e.NoRoute(noRoute...)
	e.NoMethod(noMethod...)

	health := &healthHandlers{store: d.Store}
	structures := &structuresAPI{store: d.Store}
	audit := auditor{store: d.Store}
	orders := &ordersAPI{store: d.Store, baseURL: d.Config.BaseURL, now: d.Now, audit: audit}
	questionnaires := &questionnairesAPI{store: d.Store}

	// Probes: no credentials.
	root := e.Group("/")
	r.route(root, http.MethodGet, "/healthz", health.live, policyPublic)
	r.route(root, http.MethodGet, "/readyz", health.ready, policyPublic)
	r.route(root, http.MethodGet, "/static/*filepath", staticFiles(pages), policyPublic)
	r.route(root, http.MethodGet, "/favicon.ico", favicon, policyPublic)
	// "/": the signed-in user's home, or the sign-in page.
	r.route(e.Group("/", authenticate(d.Store)), http.MethodGet, "/", toHome, policyPublic)

	// JSON API: API keys (and, for pages' scripts, sessions).
	api := e.Group("/api/v1", bodyLimit(d.Config.MaxBodyBytes), authenticate(d.Store))
	r.route(api, http.MethodGet, "/structures", structures.list, policyAuthenticated)
	r.route(api, http.MethodPost, "/structures", structures.create, policyFederation)

	// A structure's own data: its members, never another structure.
	sapi := api.Group("/structures/:sid")
	r.route(sapi, http.MethodGet, "", structures.get, policyStructure, policyFederation)
	r.route(sapi, http.MethodPatch, "", structures.update, policyStructureAdmin, policyFederation)
	r.route(sapi, http.MethodPost, "/orders", orders.create, policyStructure)
	r.route(sapi, http.MethodGet, "/orders/:oid", orders.get, policyStructure)
	r.route(sapi, http.MethodPost, "/orders/:oid/survey", orders.issueSurvey, policyStructure)
	r.route(sapi, http.MethodDelete, "/orders/:oid/survey", orders.cancelSurvey, policyStructure)
	r.route(sapi, http.MethodGet, "/orders", orders.list, policyStructure)
	r.route(sapi, http.MethodPut, "/orders/:oid", orders.update, policyStructure)
	r.route(sapi, http.MethodDelete, "/orders/:oid", orders.remove, policyStructure)
	r.route(sapi, http.MethodPost, "/surveys/batch", orders.issueBatch, policyStructure)
	r.route(sapi, http.MethodGet, "/questionnaires", questionnaires.list, policyStructure)
	r.route(sapi, http.MethodPost, "/questionnaires", questionnaires.create, policyStructure)
	r.route(sapi, http.MethodGet, "/questionnaires/:qid", questionnaires.get, policyStructure)
	r.route(sapi, http.MethodPut, "/questionnaires/:qid", questionnaires.update, policyStructure)
	r.route(sapi, http.MethodPost, "/questionnaires/:qid/publish", questionnaires.publish, policyStructureAdmin)
	r.route(sapi, http.MethodPost, "/questionnaires/:qid/archive", questionnaires.archive, policyStructureAdmin)
	r.route(sapi, http.MethodPost, "/questionnaires/:qid/versions", questionnaires.newVersion, policyStructure)
	r.route(sapi, http.MethodDelete, "/questionnaires/:qid", questionnaires.remove, policyStructure)

	// The API's own description: public, so that clients can be generated.
	r.route(api, http.MethodGet, "/openapi.json", openAPIHandler(d.Config.BaseURL), policyPublic)

	// QR codes of an order's live survey link, to print on the purchase order.
	qr := &qrAPI{store: d.Store, baseURL: d.Config.BaseURL, now: d.Now}
	r.route(sapi, http.MethodGet, "/orders/:oid/survey/qr.png", qr.png, policyStructure)
	r.route(sapi, http.MethodGet, "/orders/:oid/survey/qr.svg", qr.svg, policyStructure)

	// File uploads: same API, with the upload size limit instead of the body limit.
	uploads := e.Group("/api/v1", bodyLimit(d.Config.MaxUploadBytes), authenticate(d.Store))
	suploads := uploads.Group("/structures/:sid")
	imports := &importAPI{store: d.Store, maxBytes: d.Config.MaxUploadBytes}
	r.route(suploads, http.MethodPost, "/orders/import", imports.importOrders, policyStructure)

	// Accounts: API keys, users and the audit log of a structure; the
	// federation's own accounts; sessions for the pages.
	apiKeys := &apiKeysAPI{store: d.Store, audit: audit}
	users := &usersAPI{store: d.Store, audit: audit}
	auditLog := &auditAPI{store: d.Store}
	r.route(sapi, http.MethodPost, "/api-keys", apiKeys.create, policyStructureAdmin)
	r.route(sapi, http.MethodGet, "/api-keys", apiKeys.list, policyStructureAdmin)
	r.route(sapi, http.MethodDelete, "/api-keys/:kid", apiKeys.revoke, policyStructureAdmin)
	r.route(sapi, http.MethodPost, "/users", users.createInStructure, policyStructureAdmin, policyFederation)
	r.route(sapi, http.MethodGet, "/users", users.list, policyStructureAdmin)
	r.route(sapi, http.MethodDelete, "/users/:uid", users.delete, policyStructureAdmin)
	r.route(sapi, http.MethodGet, "/audit", auditLog.list, policyStructureAdmin)
	r.route(api, http.MethodPost, "/users", users.createNetworkUser, policyFederation)

	sessions := newSessionPages(d.Store, pages, audit, d.Config.CookiesSecure(),
		accounts.SessionLimits{Idle: d.Config.SessionIdleTimeout, Absolute: d.Config.SessionMaxAge},
		d.Config.LoginIPLimit, d.Config.LoginAccountLimit, d.Now, d.Config.BaseURL)
	// The login form is posted without a session, so without CSRF token.
	loginPages := e.Group("/", markPages(pages), bodyLimit(d.Config.MaxBodyBytes))
	r.route(loginPages, http.MethodGet, loginPath, sessions.loginForm, policyPublic)
	r.route(loginPages, http.MethodPost, loginPath, sessions.login, policyPublic)
	// "Mot de passe oublié ?": no session either.
	mails, err := notices.ParseTemplates()
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	resets := newResetPages(d.Store, pages, mails, audit, d.Config.BaseURL, d.Now)
	resets.wake = d.WakeMailer
	r.route(loginPages, http.MethodGet, forgotPath, resets.forgotForm, policyPublic)
	r.route(loginPages, http.MethodPost, forgotPath, resets.requestReset, policyPublic)
	r.route(loginPages, http.MethodGet, resetPath, resets.newPasswordForm, policyPublic)
	r.route(loginPages, http.MethodPost, resetPath, resets.setPassword, policyPublic)
	// Pages of signed-in people: session cookie, CSRF token on every form.
	userPages := e.Group("/", markPages(pages), bodyLimit(d.Config.MaxBodyBytes), authenticate(d.Store))
	r.route(userPages, http.MethodPost, "/deconnexion", sessions.logout, policyUser)
	r.route(userPages, http.MethodGet, homePath, sessions.account, policyUser)
	r.route(userPages, http.MethodGet, "/compte/mot-de-passe", sessions.passwordForm, policyUser)
	r.route(userPages, http.MethodPost, "/compte/mot-de-passe", sessions.changePassword, policyUser)
	r.route(userPages, http.MethodPost, "/compte/e-mails", sessions.saveMailPrefs, policyUser)

	// Public survey: anyone holding a link; the strict page headers of
	// every response and a per-IP rate limit.
	alerts := &alerter{store: d.Store, mails: mails, baseURL: d.Config.BaseURL, log: d.Logger, wake: d.WakeMailer}
	surveyPages := &surveyPage{store: d.Store, alerts: alerts, views: pages, secureCookies: d.Config.CookiesSecure(), writes: make(chan struct{}, maxConcurrentSubmissions)}
	publicLimit := newRateLimiter(d.Config.PublicRateLimit, time.Minute, d.Now)
	public := e.Group("/s", limitPerIP(publicLimit, surveyPages.tooManyRequests))
	r.route(public, http.MethodGet, "/:token", surveyPages.show, policyPublic)
	r.route(public, http.MethodPost, "/:token", surveyPages.submit, policyPublic)
	r.route(public, http.MethodGet, "/:token/merci", surveyPages.thanks, policyPublic)

	// Indicators and workbooks of a structure; the dashboard upload has the
	// upload size limit instead of the JSON body limit.
	exports := &exportsAPI{store: d.withFigures(), now: d.Now, maxUpload: d.Config.MaxUploadBytes, limits: export.DefaultUploadLimits, audit: audit}
	r.route(sapi, http.MethodGet, "/indicators", exports.indicators, policyStructure)
	r.route(sapi, http.MethodGet, "/exports/satisfaction.xlsx", exports.satisfaction, policyStructure)
	// The margin covers the multipart envelope and the form fields, so that a
	// file just over the limit gets the handler's precise message.
	dashboardUploads := e.Group("/api/v1/structures/:sid", bodyLimit(d.Config.MaxUploadBytes+uploadEnvelopeBytes), authenticate(d.Store))
	r.route(dashboardUploads, http.MethodPost, "/exports/dashboard", exports.dashboard, policyStructure)

	// Federation and regions: aggregates only (federation_api.go, benchmark_api.go).
	fed := &federationAPI{store: d.withFigures(), now: d.Now, maxUpload: d.Config.MaxUploadBytes}
	fapi := api.Group("/federation")
	r.route(fapi, http.MethodGet, "/indicators", fed.indicators, policyFederation)
	r.route(fapi, http.MethodGet, "/exports/consolidated.xlsx", fed.consolidated, policyFederation)
	// Workbook uploads take the upload limit, not the JSON body limit.
	fedUploads := e.Group("/api/v1/federation", bodyLimit(d.Config.MaxUploadBytes+uploadEnvelopeBytes), authenticate(d.Store))
	r.route(fedUploads, http.MethodPost, "/uploads", fed.upload, policyFederation)
	rapi := api.Group("/regions/:region")
	r.route(rapi, http.MethodGet, "/indicators", fed.indicators, policyRegion)
	r.route(rapi, http.MethodGet, "/exports/consolidated.xlsx", fed.consolidated, policyRegion)
	bench := &benchmarkAPI{store: d.withFigures(), now: d.Now}
	r.route(sapi, http.MethodGet, "/benchmark", bench.get, policyStructure)

	mail, err := routeMail(r, d, sapi, pages)
	if err != nil {
		return nil, err
	}
	routeBackoffice(r, d, pages, audit, mail)

	return r, nil
}

// routeBackoffice registers the back-office pages of a structure: session
// (or key) callers, CSRF token on every form, page refusals.
func routeBackoffice(r *Router, d Deps, pages *views, audit auditor, mail *mailPages) {
	app := r.Group("/", markPages(pages), bodyLimit(d.Config.MaxBodyBytes), backofficeHeaders(), authenticate(d.Store))
	r.route(app, http.MethodGet, "/tableau-de-bord", toStructureHome, policyUser)
	sapp := app.Group("/app/structures/:sid")
	dashboard := &dashboardPage{store: d.withFigures(), views: pages, now: d.Now}
	r.route(sapp, http.MethodGet, "", dashboard.show, policyStructure)
	followUps := &followUpsPage{store: d.withFigures(), views: pages, audit: audit, now: d.Now}
	r.route(sapp, http.MethodGet, "/suivi", followUps.list, policyStructure)
	r.route(sapp, http.MethodPost, "/suivi/:oid", followUps.record, policyStructure)
	orders := &ordersPages{store: d.Store, views: pages, baseURL: d.Config.BaseURL, now: d.Now, mail: mail}
	r.route(sapp, http.MethodGet, "/commandes", orders.list, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/nouvelle", orders.newForm, policyStructure)
	r.route(sapp, http.MethodPost, "/commandes", orders.create, policyStructure)
	r.route(sapp, http.MethodPost, "/commandes/liens", orders.issueSelection, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/liens", orders.selection, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/liens.csv", orders.linksCSV, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/qr", orders.printQR, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/:oid", orders.show, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/:oid/modifier", orders.editForm, policyStructure)
	r.route(sapp, http.MethodPost, "/commandes/:oid", orders.update, policyStructure)
	r.route(sapp, http.MethodPost, "/commandes/:oid/lien", orders.issue, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/:oid/lien/annulation", orders.confirmCancel, policyStructure)
	r.route(sapp, http.MethodPost, "/commandes/:oid/lien/annulation", orders.cancel, policyStructure)
	r.route(sapp, http.MethodPost, "/commandes/:oid/lien/copie", orders.copied, policyStructure)
	qr := &qrAPI{store: d.Store, baseURL: d.Config.BaseURL, now: d.Now}
	r.route(sapp, http.MethodGet, "/commandes/:oid/qr.png", qr.png, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/:oid/qr.svg", qr.svg, policyStructure)
	responses := &responsesPages{store: d.withFigures(), views: pages, now: d.Now}
	r.route(sapp, http.MethodGet, "/reponses", responses.list, policyStructure)
	r.route(sapp, http.MethodGet, "/reponses/:oid", responses.show, policyStructure)
	exportPages := &exportsPage{store: d.withFigures(), views: pages, audit: audit, now: d.Now, maxUpload: d.Config.MaxUploadBytes, limits: export.DefaultUploadLimits}
	r.route(sapp, http.MethodGet, "/exports", exportPages.show, policyStructure)
	r.route(sapp, http.MethodGet, "/exports/classeur", exportPages.download, policyStructure)
	// Uploads: the upload size limit (and the multipart envelope) instead of the body limit.
	uploads := r.Group("/app/structures/:sid", markPages(pages), bodyLimit(d.Config.MaxUploadBytes+uploadEnvelopeBytes), backofficeHeaders(), authenticate(d.Store))
	r.route(uploads, http.MethodPost, "/exports/tableau-de-bord", exportPages.fill, policyStructure)
	questionnaires := &questionnairePages{store: d.Store, views: pages}
	r.route(sapp, http.MethodGet, "/questionnaires", questionnaires.list, policyStructure)
	r.route(sapp, http.MethodGet, "/questionnaires/:qid/apercu", questionnaires.preview, policyStructure)
	r.route(sapp, http.MethodPost, "/questionnaires/:qid/version", questionnaires.newVersion, policyStructure)
	r.route(sapp, http.MethodPost, "/questionnaires/:qid/publication", questionnaires.publish, policyStructureAdmin)
	editor := &questionnaireEditor{store: d.Store, views: pages, list: questionnaires.render}
	r.route(sapp, http.MethodGet, "/questionnaires/:qid/modifier", editor.show, policyStructure)
	r.route(sapp, http.MethodPost, "/questionnaires/:qid/modifier", editor.save, policyStructure)
	r.route(sapp, http.MethodPost, "/questionnaires/:qid/suppression", editor.remove, policyStructure)
	admin := &adminPages{store: d.Store, views: pages, audit: audit}
	r.route(sapp, http.MethodGet, "/administration", admin.show, policyStructureAdmin)
	r.route(sapp, http.MethodPost, "/administration/utilisateurs", admin.createUser, policyStructureAdmin)
	r.route(sapp, http.MethodPost, "/administration/utilisateurs/:uid/suppression", admin.deleteUser, policyStructureAdmin)
	r.route(sapp, http.MethodPost, "/administration/cles", admin.createKey, policyStructureAdmin)
	r.route(sapp, http.MethodPost, "/administration/cles/:kid/revocation", admin.revokeKey, policyStructureAdmin)
	r.route(sapp, http.MethodPost, "/administration/reglages", admin.saveSettings, policyStructureAdmin)
	imports := &importPage{store: d.Store, views: pages, maxBytes: d.Config.MaxUploadBytes}
	r.route(sapp, http.MethodGet, "/commandes/import", imports.show, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/import/modele.csv", imports.templateCSV, policyStructure)
	r.route(sapp, http.MethodGet, "/commandes/import/modele.xlsx", imports.templateXLSX, policyStructure)
	// The confirmation carries the file in base64: a third larger.
	importUploads := r.Group("/app/structures/:sid", markPages(pages), bodyLimit(d.Config.MaxUploadBytes*4/3+uploadEnvelopeBytes), backofficeHeaders(), authenticate(d.Store))
	r.route(importUploads, http.MethodPost, "/commandes/import", imports.upload, policyStructure)
	network := &federationPages{store: d.withFigures(), views: pages, audit: audit, now: d.Now, maxUpload: d.Config.MaxUploadBytes, storeWarning: d.StoreWarning}
	r.route(app, http.MethodGet, "/app/reseau", network.network, policyFederation)
	r.route(app, http.MethodGet, "/app/regions/:region", network.region, policyRegion)
	r.route(app, http.MethodGet, "/app/regions/:region/structures/:structure", network.structure, policyRegion)
	r.route(app, http.MethodGet, "/app/reseau/structures", network.structures, policyFederation)
	r.route(app, http.MethodPost, "/app/reseau/structures", network.createStructure, policyFederation)
	networkUploads := r.Group("/app/reseau", markPages(pages), bodyLimit(d.Config.MaxUploadBytes+uploadEnvelopeBytes), backofficeHeaders(), authenticate(d.Store))
	r.route(networkUploads, http.MethodPost, "/classeurs", network.uploadWorkbook, policyFederation)
}

// staticFiles serves the embedded stylesheet and images, cacheable for a
// day. Directories are not listed: /static/ itself is a 404.
func staticFiles(pages *views) gin.HandlerFunc {
	sub, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static", http.FileServer(http.FS(sub)))
	return func(c *gin.Context) {
		name := strings.TrimPrefix(c.Param("filepath"), "/")
		if info, err := fs.Stat(sub, name); err != nil || info.IsDir() {
			c.Set(ctxPageViews, pages)
			refusePageNoLogin(c, survey.ErrNotFound)
			return
		}
		c.Header("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(c.Writer, c.Request)
	}
}

// favicon serves the icon browsers ask for at the root, whatever the page.
func favicon(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.FileFromFS("static/favicon.ico", http.FS(staticFS))
}

// The store and its read model are what the indicators and the workbooks read.
var _ export.Source = storeWithFigures{}

// routeMail registers the e-mail routes (issue 14): the API under sapi,
// the back-office pages, and the public opt-out page.
func routeMail(r *Router, d Deps, sapi *gin.RouterGroup, pages *views) (*mailPages, error) {
	templates := d.MailTemplates
	if templates == nil {
		t, err := mailer.ParseTemplates()
		if err != nil {
			return nil, err
		}
		templates = t
	}
	wake := d.WakeMailer
	if wake == nil {
		wake = func() {}
	}
	api := &mailAPI{store: d.Store, wake: wake}
	r.route(sapi, http.MethodGet, "/settings/email", api.getSettings, policyStructure)
	r.route(sapi, http.MethodPut, "/settings/email", api.putSettings, policyStructureAdmin)
	r.route(sapi, http.MethodPost, "/orders/:oid/survey/email", api.sendSurvey, policyStructure)
	r.route(sapi, http.MethodGet, "/orders/:oid/messages", api.orderMessages, policyStructure)

	mp := &mailPages{store: d.Store, views: pages, templates: templates, configured: d.MailConfigured, baseURL: d.Config.BaseURL, now: d.Now, wake: wake}
	app := r.Group("/app/structures/:sid", markPages(pages), bodyLimit(d.Config.MaxBodyBytes), backofficeHeaders(), authenticate(d.Store))
	r.route(app, http.MethodPost, "/commandes/:oid/envoi", mp.send, policyStructure)
	r.route(app, http.MethodPost, "/commandes/:oid/relance", mp.remind, policyStructure)
	r.route(app, http.MethodGet, "/envois", mp.outbox, policyStructure)
	r.route(app, http.MethodPost, "/envois/questionnaires", mp.sendSelection, policyStructure)
	r.route(app, http.MethodGet, "/reglages-email", mp.settingsForm, policyStructureAdmin)
	r.route(app, http.MethodPost, "/reglages-email", mp.saveSettings, policyStructureAdmin)
	r.route(app, http.MethodGet, "/reglages-email/apercu", mp.preview, policyStructureAdmin)

	// The opt-out link of every mail: no account, the token is the proof;
	// rate-limited like the survey pages.
	limit := newRateLimiter(d.Config.PublicRateLimit, time.Minute, d.Now)
	public := r.Group("/desinscription", markPages(pages), bodyLimit(d.Config.MaxBodyBytes), limitPerIP(limit, func(c *gin.Context) {
		c.String(http.StatusTooManyRequests, "Trop de requêtes : réessayez dans une minute.")
	}))
	r.route(public, http.MethodGet, "/:token", mp.unsubscribe, policyPublic)
	r.route(public, http.MethodPost, "/:token", mp.confirmUnsubscribe, policyPublic)
	return mp, nil
}
