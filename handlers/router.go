// Package handlers translates HTTP into calls of the survey domain and back:
// the JSON API, the public survey pages and the back-office pages.
package handlers

import (
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"capsat/config"
	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// Deps are what the router needs; cmd wires them.
type Deps struct {
	Store  *survey.Store
	Config config.Config
	Logger *slog.Logger
	Now    func() time.Time
}

// Router is the HTTP handler of capsat with the policy of every route, so
// that tests can check that no route lacks an authorization rule.
type Router struct {
	*gin.Engine
	policies map[string][]policy
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

// route registers a handler with the policies that may call it.
func (r *Router) route(g *gin.RouterGroup, method, path string, h gin.HandlerFunc, policies ...policy) {
	if len(policies) == 0 {
		panic("route " + method + " " + path + " declares no policy")
	}
	full := g.BasePath() + path
	if g.BasePath() == "/" {
		full = path
	}
	r.policies[method+" "+full] = policies
	g.Handle(method, path, authorize(policies...), h)
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
	r := &Router{Engine: e, policies: map[string][]policy{}}
	e.Use(requestID(d.Logger), accessLog(), recovery())
	e.NoRoute(func(c *gin.Context) { respondError(c, survey.ErrNotFound) })
	e.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, apiError{Error: "Méthode non autorisée."})
	})

	pages, err := loadViews()
	if err != nil {
		return nil, err
	}
	_ = pages // used by the page handlers

	health := &healthHandlers{store: d.Store}
	structures := &structuresAPI{store: d.Store}
	orders := &ordersAPI{store: d.Store, baseURL: d.Config.BaseURL}

	// Probes: no credentials.
	root := e.Group("/")
	r.route(root, http.MethodGet, "/healthz", health.live, policyPublic)
	r.route(root, http.MethodGet, "/readyz", health.ready, policyPublic)
	r.route(root, http.MethodGet, "/static/*filepath", staticFiles(), policyPublic)

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

	// Federation and regions: aggregates only (federation_api.go, benchmark_api.go).
	fed := &federationAPI{store: d.Store, now: d.Now}
	fapi := api.Group("/federation")
	r.route(fapi, http.MethodGet, "/indicators", fed.indicators, policyFederation)
	r.route(fapi, http.MethodGet, "/exports/consolidated.xlsx", fed.consolidated, policyFederation)
	r.route(fapi, http.MethodPost, "/uploads", fed.upload, policyFederation)
	rapi := api.Group("/regions/:region")
	r.route(rapi, http.MethodGet, "/indicators", fed.indicators, policyRegion)
	r.route(rapi, http.MethodGet, "/exports/consolidated.xlsx", fed.consolidated, policyRegion)
	bench := &benchmarkAPI{store: d.Store, now: d.Now}
	r.route(sapi, http.MethodGet, "/benchmark", bench.get, policyStructure)

	return r, nil
}

// staticFiles serves the embedded stylesheet and images, cacheable for a day.
func staticFiles() gin.HandlerFunc {
	sub, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static", http.FileServer(http.FS(sub)))
	return func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=86400")
		fileServer.ServeHTTP(c.Writer, c.Request)
	}
}
