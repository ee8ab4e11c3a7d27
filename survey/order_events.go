package survey

import "time"

// OrderEventKind is what happened to an order, as its page tells it.
type OrderEventKind string

// The events of an order's history.
const (
	EventIssued    OrderEventKind = "issued"    // its first survey link
	EventReissued  OrderEventKind = "reissued"  // a new link after a cancelled or expired one
	EventCancelled OrderEventKind = "cancelled" // the live link was cancelled
	EventAnswered  OrderEventKind = "answered"  // the client answered
	EventEdited    OrderEventKind = "edited"    // the order's fields changed
)

// OrderEvent is one line of an order's history.
type OrderEvent struct {
	Kind      OrderEventKind
	At        time.Time
	ExpiresAt time.Time // issued and reissued: the link's end
}

// Label is the French wording of the event.
func (k OrderEventKind) Label() string {
	switch k {
	case EventIssued:
		return "Lien du questionnaire créé"
	case EventReissued:
		return "Nouveau lien créé"
	case EventCancelled:
		return "Lien annulé"
	case EventAnswered:
		return "Réponse du client reçue"
	case EventEdited:
		return "Bon de commande modifié"
	}
	return string(k)
}

// MaxSelection caps the orders one selection (links, QR codes, CSV) may
// name: a printable page of QR codes stays printable.
const MaxSelection = 200
