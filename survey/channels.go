package survey

// Channel is how a client reached the survey: the link in an e-mail, the
// link copied from the back-office (or the API), or the printed QR code.
// It rides on the survey URL as a query parameter that leaves the token
// alone, and is stored with the answer.
type Channel string

// Channels of a response. Responses stored before channels existed have
// none and count as ChannelLink.
const (
	ChannelEmail Channel = "email"
	ChannelLink  Channel = "link"
	ChannelQR    Channel = "qr"
)

// ChannelParam is the query parameter of the survey URL naming the channel.
const ChannelParam = "c"

// Channels lists the channels in display order.
var Channels = []Channel{ChannelEmail, ChannelLink, ChannelQR}

// channelQueryValues are the values of ChannelParam; a missing or unknown
// value is ChannelLink (the link as copied).
var channelQueryValues = map[string]Channel{"mail": ChannelEmail, "qr": ChannelQR}

// ChannelFromQuery reads the value of ChannelParam.
func ChannelFromQuery(v string) Channel {
	if ch, ok := channelQueryValues[v]; ok {
		return ch
	}
	return ChannelLink
}

// QueryValue is the value of ChannelParam for ch ("" for ChannelLink: the
// plain link).
func (ch Channel) QueryValue() string {
	for v, c := range channelQueryValues {
		if c == ch {
			return v
		}
	}
	return ""
}

// Normal is ch, or ChannelLink for an empty or unknown value.
func (ch Channel) Normal() Channel {
	switch ch {
	case ChannelEmail, ChannelQR:
		return ch
	}
	return ChannelLink
}

// Label names the channel in French.
func (ch Channel) Label() string {
	switch ch.Normal() {
	case ChannelEmail:
		return "Lien envoyé par e-mail"
	case ChannelQR:
		return "QR code"
	}
	return "Lien copié"
}

// SurveyURL is the order's survey link (baseURL + /s/{token}) for channel
// ch: the plain link for ChannelLink, the same link with ?c=mail or ?c=qr
// otherwise, so that the token is never changed.
func SurveyURL(baseURL, token string, ch Channel) string {
	u := baseURL + "/s/" + token
	if v := ch.QueryValue(); v != "" {
		u += "?" + ChannelParam + "=" + v
	}
	return u
}

// channelIndex is the position of ch in Channels.
func channelIndex(ch Channel) int {
	switch ch.Normal() {
	case ChannelEmail:
		return 0
	case ChannelQR:
		return 2
	}
	return 1
}
