package survey

// Response rate by channel: the responses to the links first handed out
// through a channel, and their share of the links first handed out through
// that channel (its own denominator, n). A link answered with no hand-out
// recorded counts as the link handed by hand (ChannelLink); a link never
// handed out and never answered is in no channel.
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
	{HeadlineCode{CodeResponsesEmail, "Réponses aux liens remis par e-mail", KindCount}, ChannelEmail},
	{HeadlineCode{CodeResponsesLink, "Réponses aux liens copiés", KindCount}, ChannelLink},
	{HeadlineCode{CodeResponsesQR, "Réponses aux liens remis en QR code", KindCount}, ChannelQR},
	{HeadlineCode{CodeResponseRateEmail, "Taux de réponse des liens remis par e-mail (réponses / liens remis par e-mail)", KindRate}, ChannelEmail},
	{HeadlineCode{CodeResponseRateLink, "Taux de réponse des liens copiés (réponses / liens copiés)", KindRate}, ChannelLink},
	{HeadlineCode{CodeResponseRateQR, "Taux de réponse des liens remis en QR code (réponses / liens remis en QR code)", KindRate}, ChannelQR},
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

// ChannelRateCode is the code of the response rate of channel ch, whose
// denominator is the number of links first handed out through ch.
func ChannelRateCode(ch Channel) string {
	for _, cc := range ChannelCodes {
		if cc.Channel == ch.Normal() && cc.Kind == KindRate {
			return cc.Code
		}
	}
	return ""
}
