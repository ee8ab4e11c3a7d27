package handlers

import (
	"net/http"
	"time"

	"capsat/survey/mailer"

	"github.com/gin-gonic/gin"
)

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
