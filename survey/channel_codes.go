package survey

// Response rate by channel: the responses that came through a channel, and
// their share of the questionnaires sent. The three shares add up to
// TAUX_REPONSE, since a response comes through exactly one channel (the one
// of the link the client opened to answer).
const (
	CodeResponsesEmail    = "REPONSES_MAIL"
	CodeResponsesLink     = "REPONSES_LIEN"
	CodeResponsesQR       = "REPONSES_QR"
	CodeResponseRateEmail = "TAUX_REPONSE_MAIL"
	CodeResponseRateLink  = "TAUX_REPONSE_LIEN"
	CodeResponseRateQR    = "TAUX_REPONSE_QR"
)

// ChannelCode describes one by-channel indicator.
type ChannelCode struct {
	HeadlineCode
	Channel Channel
}

// ChannelCodes lists the by-channel indicators in display order: the
// counts, then the rates.
var ChannelCodes = []ChannelCode{
	{HeadlineCode{CodeResponsesEmail, "Réponses par un lien envoyé par e-mail", KindCount}, ChannelEmail},
	{HeadlineCode{CodeResponsesLink, "Réponses par un lien copié", KindCount}, ChannelLink},
	{HeadlineCode{CodeResponsesQR, "Réponses par QR code", KindCount}, ChannelQR},
	{HeadlineCode{CodeResponseRateEmail, "Taux de réponse par e-mail (réponses par e-mail / envoyés)", KindRate}, ChannelEmail},
	{HeadlineCode{CodeResponseRateLink, "Taux de réponse par lien copié (réponses par lien copié / envoyés)", KindRate}, ChannelLink},
	{HeadlineCode{CodeResponseRateQR, "Taux de réponse par QR code (réponses par QR code / envoyés)", KindRate}, ChannelQR},
}

// IsChannelCode reports whether code is one of ChannelCodes.
func IsChannelCode(code string) bool {
	for _, cc := range ChannelCodes {
		if cc.Code == code {
			return true
		}
	}
	return false
}
