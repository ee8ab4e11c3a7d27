package handlers

import (
	"context"
	"errors"
	"strings"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

const ctxPrincipal = "capsat.principal"

// authenticator resolves credentials to a principal.
type authenticator interface {
	AuthenticateAPIKey(ctx context.Context, key string) (*accounts.Principal, error)
	Session(ctx context.Context, token string) (*accounts.Session, *accounts.Principal, error)
}

// authenticate reads a Bearer API key, or else the session cookie, and sets
// the principal. It rejects a bad API key but lets anonymous requests (and
// stale cookies) through: each route's policy decides whether it needs a
// caller. A cookie-authenticated state-changing request must carry the
// session's CSRF token; API keys need none, browsers never send them alone.
func authenticate(a authenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		if h := c.GetHeader("Authorization"); h != "" {
			key, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				respondError(c, survey.ErrUnauthenticated)
				return
			}
			p, err := a.AuthenticateAPIKey(c.Request.Context(), strings.TrimSpace(key))
			if err != nil {
				respondError(c, err)
				return
			}
			c.Set(ctxPrincipal, p)
			c.Next()
			return
		}
		token, err := c.Cookie(sessionCookieName)
		if err != nil || token == "" {
			c.Next()
			return
		}
		sess, p, err := a.Session(c.Request.Context(), token)
		if errors.Is(err, survey.ErrUnauthenticated) {
			c.Next()
			return
		}
		if err != nil {
			respondError(c, err)
			return
		}
		if changesState(c.Request.Method) && !validCSRF(c, sess.CSRFToken) {
			refuseCSRF(c)
			return
		}
		c.Set(ctxPrincipal, p)
		c.Set(ctxSession, sess)
		c.Set(ctxSessionToken, token)
		c.Next()
	}
}

// principal returns the caller, or nil when anonymous.
func principal(c *gin.Context) *accounts.Principal {
	if v, ok := c.Get(ctxPrincipal); ok {
		return v.(*accounts.Principal)
	}
	return nil
}

// policy says who may call a route. Every route declares one (see routes).
type policy string

const (
	// policyPublic: anyone, no credentials (health, survey pages).
	policyPublic policy = "public"
	// policyAuthenticated: any signed-in user or key; the handler scopes results.
	policyAuthenticated policy = "authenticated"
	// policyStructure: a member or admin of the structure in the :sid parameter.
	policyStructure policy = "structure"
	// policyStructureAdmin: an admin of the structure in :sid.
	policyStructureAdmin policy = "structure_admin"
	// policyFederation: the federation only.
	policyFederation policy = "federation"
	// policyRegion: the federation, or a region user of the :region parameter.
	policyRegion policy = "region"
	// policyUser: a person signed in with a session (any role), not an API
	// key: account pages such as the password change.
	policyUser policy = "user"
)

// authorize lets the request through when any of the policies accepts the
// caller; otherwise it answers with the first policy's refusal. Another
// structure's objects answer 404, not 403, so that callers learn nothing
// about what exists elsewhere.
func authorize(policies ...policy) gin.HandlerFunc {
	return func(c *gin.Context) {
		var first error
		for _, p := range policies {
			err := check(p, principal(c), c)
			if err == nil {
				traceDecision(c, nil)
				c.Next()
				return
			}
			if first == nil {
				first = err
			}
		}
		traceDecision(c, first)
		answerError(c, first)
	}
}

// authTraceKey marks a request context carrying an *authTrace.
type authTraceKey struct{}

// authTrace records authorize's decision when the request's context carries
// one, so that the route-walking test can tell a policy refusal from a
// handler's own 404 (both answer the same body, on purpose).
type authTrace struct {
	decided bool
	err     error
}

func traceDecision(c *gin.Context, err error) {
	if tr, ok := c.Request.Context().Value(authTraceKey{}).(*authTrace); ok {
		tr.decided, tr.err = true, err
	}
}

func check(p policy, who *accounts.Principal, c *gin.Context) error {
	if p == policyPublic {
		return nil
	}
	if who == nil {
		return survey.ErrUnauthenticated
	}
	switch p {
	case policyAuthenticated:
		return nil
	case policyStructure:
		if who.InStructure(c.Param("sid")) {
			return nil
		}
		return survey.ErrNotFound
	case policyStructureAdmin:
		if who.InStructure(c.Param("sid")) {
			if who.Role == accounts.RoleStructureAdmin {
				return nil
			}
			return survey.ErrForbidden
		}
		return survey.ErrNotFound
	case policyFederation:
		if who.Role == accounts.RoleFederation {
			return nil
		}
		return survey.ErrForbidden
	case policyRegion:
		if who.Role == accounts.RoleFederation || (who.Role == accounts.RoleRegionViewer && who.Region == c.Param("region")) {
			return nil
		}
		return survey.ErrForbidden
	case policyUser:
		if who.UserID != "" {
			return nil
		}
		return survey.ErrForbidden
	}
	return errors.New("route without a known policy: " + string(p))
}
