package notices

import (
	"capsat/survey"
)

// AlertMessageID is the _id of the alert about order oid's answer to
// address to: enqueuing it twice (a retry, two instances) writes it once.
func AlertMessageID(oid, to string) string {
	return "alert." + oid + "." + addressKey(to)
}

// Alert composes the alert sent to one of a structure's alert addresses
// when an answer is flagged dissatisfied. It names the order by its
// reference and links to the follow-up page; it carries nothing the client
// wrote.
func (t *Templates) Alert(baseURL string, st *survey.Structure, orderID, reference, to string) (*survey.OutboxMessage, error) {
	msg := &survey.OutboxMessage{ID: AlertMessageID(orderID, to), Kind: KindAlert, StructureID: st.ID, To: to}
	data := struct{ Structure, Reference, Link, Settings string }{
		Structure: st.Name, Reference: reference,
		Link:     baseURL + "/app/structures/" + st.ID + "/suivi",
		Settings: baseURL + "/compte",
	}
	return msg, t.compose(msg, st.Name+" : un client est insatisfait (bon "+reference+")", data)
}
