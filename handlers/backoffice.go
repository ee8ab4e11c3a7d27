package handlers

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// backofficeCSP is the page policy of the back-office: the survey pages'
// policy plus our own scripts (the copy button), never inline ones.
const backofficeCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; " +
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
		{Href: root + "/exports", Label: "Exports"},
		{Href: root + "/questionnaires", Label: "Questionnaires"},
	} {
		l.Current = l.Href == active
		b.Nav = append(b.Nav, l)
	}
	if who := principal(c); who != nil && who.Role == accounts.RoleStructureAdmin {
		b.Nav = append(b.Nav, navLink{Href: root + "/administration", Label: "Administration", Current: active == root+"/administration"})
	}
	return b, true
}

// formErrors are a form's messages by field name, with the summary that
// links to each field, in the order of the form.
type formErrors struct {
	Message string
	Fields  map[string]string
	Links   []errorLink
}

// conflictFormErrors turns a conflict that names fields (a reference or an
// e-mail already used) into a form's messages, fields renamed by rename;
// false when err is no ConflictError.
func conflictFormErrors(err error, rename map[string]string) (*formErrors, bool) {
	var cerr *survey.ConflictError
	if !errors.As(err, &cerr) {
		return nil, false
	}
	fe := &formErrors{Message: cerr.Message, Fields: map[string]string{}}
	for k, f := range cerr.Fields {
		if r, ok := rename[k]; ok {
			k = r
		}
		fe = addFormError(fe, k, f.Message)
	}
	return fe, true
}

// newFormErrors turns a validation error into field messages; order lists
// the form's fields so that the summary follows the page.
func newFormErrors(err error, order []string, rename map[string]string) (*formErrors, bool) {
	var verr *survey.ValidationError
	if !errors.As(err, &verr) {
		return nil, false
	}
	fe := &formErrors{Message: verr.Message, Fields: map[string]string{}}
	for k, f := range verr.Fields {
		if r, ok := rename[k]; ok {
			k = r
		}
		fe.Fields[k] = f.Message
	}
	rank := map[string]int{}
	for i, k := range order {
		rank[k] = i + 1
	}
	keys := make([]string, 0, len(fe.Fields))
	for k := range fe.Fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank[keys[i]], rank[keys[j]]
		if ri == 0 {
			ri = len(order) + 1
		}
		if rj == 0 {
			rj = len(order) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fe.Links = append(fe.Links, errorLink{Href: "#" + fieldID(k), Message: fe.Fields[k]})
	}
	if fe.Message == "" {
		fe.Message = "Le formulaire contient des erreurs."
	}
	return fe, true
}

// fieldID is the HTML id of a form field named by its key ("client.siret" → "client-siret").
func fieldID(key string) string { return strings.ReplaceAll(key, ".", "-") }

// Field returns the message of a field, for templates ("" when none).
func (fe *formErrors) Field(key string) string {
	if fe == nil {
		return ""
	}
	return fe.Fields[key]
}

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

// inputField is one text-like input of a back-office form: its name, id,
// label, type, the typed value and its message.
type inputField struct {
	ID, Name, Label, Type, Value, Error string
}

// fieldOf builds an inputField for templates.
func fieldOf(fe *formErrors, name, label, inputType, value string) inputField {
	return inputField{ID: fieldID(name), Name: name, Label: label, Type: inputType, Value: value, Error: fe.Field(name)}
}
