package handlers

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/notices"
)

var resetLinkRE = regexp.MustCompile(`http://capsat\.test/mot-de-passe/nouveau\?jeton=([A-Za-z0-9_-]+)`)

// queued lists the messages of kind waiting in the outbox.
func (e *testEnv) queued(kind survey.MessageKind) []survey.OutboxMessage {
	e.t.Helper()
	due, err := e.store.DueMessages(context.Background(), e.clock.Now().Add(365*24*time.Hour), 1000)
	if err != nil {
		e.t.Fatalf("due messages: %v", err)
	}
	var out []survey.OutboxMessage
	for _, m := range due {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// requestReset posts the "Mot de passe oublié ?" form from ip.
func (e *testEnv) requestReset(email, ip string) *http.Response {
	e.t.Helper()
	rec := postForm(e.router, forgotPath, url.Values{"email": {email}}, "", ip)
	return rec.Result()
}

func resetToken(t *testing.T, m survey.OutboxMessage) string {
	t.Helper()
	got := resetLinkRE.FindStringSubmatch(m.Data[notices.DataText])
	if got == nil || !strings.Contains(m.Data[notices.DataHTML], got[0]) {
		t.Fatalf("no reset link in both parts: %q", m.Data)
	}
	return got[1]
}

func TestPasswordResetByEmail(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	st, _ := e.structure("AI du Bocage", "Normandie")
	u := e.user("charge@bocage.fr", accounts.RoleStructureMember, st.ID, "")
	other, _ := e.session(u.ID) // another browser, ended by the reset

	// The sign-in page links to the form.
	rec := getWithCookie(e.router, loginPath, "")
	if !strings.Contains(rec.Body.String(), "href=\"/mot-de-passe/oublie\">Mot de passe oublié\u202f?</a>") {
		t.Fatal("sign-in page lacks the link")
	}
	known := postForm(e.router, forgotPath, url.Values{"email": {" Charge@Bocage.fr "}}, "", "198.51.100.1")
	unknown := postForm(e.router, forgotPath, url.Values{"email": {"personne@bocage.fr"}}, "", "198.51.100.1")
	if known.Code != http.StatusOK || unknown.Code != http.StatusOK {
		t.Fatalf("answers %d, %d", known.Code, unknown.Code)
	}
	strip := func(s string) string { return regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(s, "") }
	if strip(known.Body.String()) != strip(unknown.Body.String()) || !strings.Contains(known.Body.String(), "Si un compte capsat existe pour cette adresse") {
		t.Fatal("the answer differs for an address without account")
	}
	msgs := e.queued(notices.KindPasswordReset)
	if len(msgs) != 1 || msgs[0].To != "charge@bocage.fr" {
		t.Fatalf("queued %+v", msgs)
	}
	if s := msgs[0].Data[notices.DataSubject]; s == "" || strings.Contains(msgs[0].Data[notices.DataText], testPassword) {
		t.Fatalf("message %q", msgs[0].Data)
	}
	token := resetToken(t, msgs[0])

	// Only the token's hash is stored.
	n, err := e.store.DB().Collection("password_resets").CountDocuments(context.Background(), map[string]any{"_id": token})
	if err != nil || n != 0 {
		t.Fatalf("token stored in clear: %d %v", n, err)
	}

	rec = getWithCookie(e.router, resetPath+"?jeton="+token, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `name="jeton" value="`+token+`"`) {
		t.Fatalf("reset page: %d %s", rec.Code, rec.Body)
	}
	// Same rules as any password: a weak one is refused beside its field
	// and the link still works.
	rec = postForm(e.router, resetPath, url.Values{"jeton": {token}, "new_password": {"motdepasse123"}, "confirm_password": {"motdepasse123"}}, "", "")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="new_password-error"`) {
		t.Fatalf("weak password: %d", rec.Code)
	}
	rec = postForm(e.router, resetPath, url.Values{"jeton": {token}, "new_password": {"Le chêne pousse lentement"}, "confirm_password": {"autre chose encore"}}, "", "")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="confirm_password-error"`) {
		t.Fatalf("mismatch: %d", rec.Code)
	}
	const next = "Le chêne pousse lentement"
	rec = postForm(e.router, resetPath, url.Values{"jeton": {token}, "new_password": {next}, "confirm_password": {next}}, "", "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != loginPath+"?mot-de-passe=reinitialise" {
		t.Fatalf("reset: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if _, _, err := e.store.Session(context.Background(), other); err == nil {
		t.Error("the other session survived the reset")
	}
	if rec := e.login("charge@bocage.fr", next); rec.Code != http.StatusSeeOther {
		t.Errorf("login with the new password: %d", rec.Code)
	}
	if rec := e.login("charge@bocage.fr", testPassword); rec.Code != http.StatusUnauthorized {
		t.Errorf("login with the old password: %d", rec.Code)
	}

	// Reused: the link served once.
	rec = getWithCookie(e.router, resetPath+"?jeton="+token, "")
	if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), "plus valable") {
		t.Errorf("reused link page: %d", rec.Code)
	}
	rec = postForm(e.router, resetPath, url.Values{"jeton": {token}, "new_password": {"Une autre phrase secrète"}, "confirm_password": {"Une autre phrase secrète"}}, "", "")
	if rec.Code != http.StatusGone {
		t.Errorf("reused link post: %d", rec.Code)
	}
	if rec := e.login("charge@bocage.fr", next); rec.Code != http.StatusSeeOther {
		t.Errorf("the reused link changed the password: %d", rec.Code)
	}
}

func TestPasswordResetLinkExpires(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("federation@coorace.fr", accounts.RoleFederation, "", "")
	e.requestReset("federation@coorace.fr", "198.51.100.2")
	msgs := e.queued(notices.KindPasswordReset)
	if len(msgs) != 1 {
		t.Fatalf("queued %d", len(msgs))
	}
	token := resetToken(t, msgs[0])
	e.clock.Advance(accounts.ResetTTL + time.Second)
	if rec := getWithCookie(e.router, resetPath+"?jeton="+token, ""); rec.Code != http.StatusGone {
		t.Errorf("expired link page: %d", rec.Code)
	}
	rec := postForm(e.router, resetPath, url.Values{"jeton": {token}, "new_password": {"Le chêne pousse lentement"}, "confirm_password": {"Le chêne pousse lentement"}}, "", "")
	if rec.Code != http.StatusGone {
		t.Errorf("expired link post: %d", rec.Code)
	}
	for _, bad := range []string{"", "court", strings.Repeat("x", 24) + "<"} {
		if rec := getWithCookie(e.router, resetPath+"?jeton="+url.QueryEscape(bad), ""); rec.Code != http.StatusGone {
			t.Errorf("token %q: %d", bad, rec.Code)
		}
	}
}

func TestPasswordResetRateLimits(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.user("charge@bocage.fr", accounts.RoleFederation, "", "")
	// Per address: the same answer, no more than resetAddressLimit mails an hour.
	for i := range resetAddressLimit + 2 {
		res := e.requestReset("charge@bocage.fr", "198.51.100."+strconv.Itoa(10+i))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i, res.StatusCode)
		}
	}
	if n := len(e.queued(notices.KindPasswordReset)); n != resetAddressLimit {
		t.Errorf("%d mails for one address, want %d", n, resetAddressLimit)
	}
	// Per IP: refused past resetIPLimit, whatever the address.
	for i := range resetIPLimit {
		if res := e.requestReset("x"+strconv.Itoa(i)+"@exemple.fr", "203.0.113.9"); res.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", i, res.StatusCode)
		}
	}
	if res := e.requestReset("autre@exemple.fr", "203.0.113.9"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("past the IP limit: %d", res.StatusCode)
	}
	// An hour later, the address may ask again.
	e.clock.Advance(resetWindow)
	e.requestReset("charge@bocage.fr", "198.51.100.99")
	if n := len(e.queued(notices.KindPasswordReset)); n != resetAddressLimit+1 {
		t.Errorf("%d mails after the window, want %d", n, resetAddressLimit+1)
	}
	// A malformed address: an error beside the field, nothing counted.
	rec := postForm(e.router, forgotPath, url.Values{"email": {"pas une adresse"}}, "", "198.51.100.200")
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `id="email-error"`) {
		t.Errorf("bad address: %d", rec.Code)
	}
}
