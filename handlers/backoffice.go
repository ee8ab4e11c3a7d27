package handlers

import (
	"context"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// backofficeCSP is the page policy of the back-office: the survey pages'
// policy plus our own scripts (the copy button), never inline ones.
const backofficeCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// backofficeHeaders sets the page headers of the back-office pages: those
// of the survey pages, with the back-office script policy.
func backofficeHeaders() gin.HandlerFunc { return securityHeaders(backofficeCSP) }

// structurePagesPath is the root of a structure's back-office pages.
func structurePagesPath(sid string) string { return "/app/structures/" + sid }

// navLink is one entry of the back-office navigation.
type navLink struct {
	Href    string
	Label   string
	Current bool
}

// pageBase is what every back-office page shares: the CSRF token of its
// forms, the structure it shows and the navigation.
type pageBase struct {
	CSRF          string
	SID           string
	StructureName string
	Nav           []navLink
	structure     *survey.Structure // as read for the page, for handlers that need more than its name
}

// backofficeStore is what every structure page needs to name its structure.
type backofficeStore interface {
	Structure(ctx context.Context, id string) (*survey.Structure, error)
}

// newPageBase names the structure of :sid and builds the navigation with
// the entry active marked current.
func newPageBase(c *gin.Context, store backofficeStore, active string) (pageBase, bool) {
	sid := c.Param("sid")
	st, err := store.Structure(c.Request.Context(), sid)
	if err != nil {
		refusePage(c, err)
		return pageBase{}, false
	}
	root := structurePagesPath(sid)
	b := pageBase{CSRF: csrfToken(c), SID: sid, StructureName: st.Name, structure: st}
	for _, l := range []navLink{
		{Href: root, Label: "Tableau de bord"},
		{Href: root + "/suivi", Label: "Suivi des insatisfactions"},
		{Href: root + "/commandes", Label: "Bons de commande"},
		{Href: root + "/reponses", Label: "Réponses"},
		{Href: root + "/exports", Label: "Exports"},
		{Href: root + "/questionnaires", Label: "Questionnaires"},
		{Href: root + "/envois", Label: "Envois"},
	} {
		l.Current = l.Href == active
		b.Nav = append(b.Nav, l)
	}
	if who := principal(c); who != nil && who.Role == accounts.RoleStructureAdmin {
		b.Nav = append(b.Nav, navLink{Href: root + "/administration", Label: "Administration", Current: active == root+"/administration"})
		b.Nav = append(b.Nav, navLink{Href: root + "/reglages-email", Label: "Réglages des envois", Current: active == root+"/reglages-email"})
	}
	return b, true
}
