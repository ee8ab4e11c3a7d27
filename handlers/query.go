package handlers

import (
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
)

// apiQueryParameters lists, by "METHOD /path" as registered, the query
// parameters each API route accepts: those its apiOperation documents, so
// that the OpenAPI document and the router agree by construction. A GET's
// HEAD accepts the same.
func apiQueryParameters() map[string][]string {
	out := map[string][]string{}
	for _, op := range apiOperations() {
		out[op.Method+" "+op.Path] = op.Query
		if op.Method == http.MethodGet {
			out[http.MethodHead+" "+op.Path] = op.Query
		}
	}
	return out
}

// onlyQueryParameters refuses, with a 400 naming each of them, the query
// parameters an API route does not accept: a misspelt filter
// (?survey_status=answered) must not silently return everything.
func onlyQueryParameters(accepted []string) gin.HandlerFunc {
	hint := "Cette adresse n'accepte aucun paramètre."
	if len(accepted) > 0 {
		hint = "Paramètre inconnu ; paramètres acceptés : " + strings.Join(accepted, ", ") + "."
	}
	return func(c *gin.Context) {
		var unknown []string
		for name := range c.Request.URL.Query() {
			if !slices.Contains(accepted, name) {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) == 0 {
			c.Next()
			return
		}
		sort.Strings(unknown)
		fields := make(map[string]string, len(unknown))
		for _, name := range unknown {
			fields[name] = hint
		}
		badRequest(c, "Paramètre de requête inconnu : "+strings.Join(unknown, ", ")+".", fields)
	}
}
