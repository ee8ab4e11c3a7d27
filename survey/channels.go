package survey

// Channel is how a survey link was first handed out to the client: in an
// e-mail, copied from the back-office (or exported, or returned by the
// API), or printed as a QR code. The store records it once per link, at
// the first hand-out; the survey URL may carry it as a query parameter
// that leaves the token alone, a hint read at answer time for a link with
// no hand-out recorded.
type Channel string

// Channels of a link. A link answered with no hand-out recorded (and every
// response stored before channels existed without one) counts as
// ChannelLink: handed by hand.
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
