package notices

import (
	"time"

	"capsat/survey"
)

// ResetPath is the page a password reset link opens.
const ResetPath = "/mot-de-passe/nouveau"

// PasswordReset composes the message with the single-use link to set a
// new password; expires is when the link stops working.
func (t *Templates) PasswordReset(baseURL, to, token string, expires time.Time) (*survey.OutboxMessage, error) {
	msg := &survey.OutboxMessage{Kind: KindPasswordReset, StructureID: NetworkSender, To: to}
	data := struct {
		Link, Expires string
		Minutes       int
	}{Link: baseURL + ResetPath + "?jeton=" + token, Expires: parisTime(expires)}
	return msg, t.compose(msg, "capsat : choisir un nouveau mot de passe", data)
}

// parisTime is "14 h 05", the time of day in Paris.
func parisTime(t time.Time) string {
	return t.In(survey.IndicatorLocation()).Format("15 h 04")
}
