package handlers

import (
	"net/http"
	"net/url"

	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// toStructureHome sends a signed-in user to their structure's dashboard,
// network users to their figures, others to their account page.
func toStructureHome(c *gin.Context) {
	if toNetworkHome(c) {
		return
	}
	if who := principal(c); who != nil && who.StructureID != "" {
		c.Redirect(http.StatusSeeOther, structurePagesPath(who.StructureID))
		return
	}
	c.Redirect(http.StatusSeeOther, homePath)
}

// toNetworkHome sends network users to their figures.
func toNetworkHome(c *gin.Context) bool {
	who := principal(c)
	switch {
	case who == nil:
		return false
	case who.Role == accounts.RoleFederation:
		c.Redirect(http.StatusSeeOther, "/app/reseau")
		return true
	case who.Role == accounts.RoleRegionViewer && who.Region != "":
		c.Redirect(http.StatusSeeOther, "/app/regions/"+url.PathEscape(who.Region))
		return true
	}
	return false
}
