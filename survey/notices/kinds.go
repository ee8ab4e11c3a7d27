// Package notices composes the e-mails capsat sends to people with an
// account or a role in a structure (not to clients): password resets,
// dissatisfaction alerts and monthly digests. A message is composed when it
// is enqueued and kept in the outbox message's Data (subject, text and HTML
// parts), so that the sender loop sends it as it is.
package notices

import "capsat/survey"

// Message kinds of this package (outbox API values).
const (
	KindPasswordReset   survey.MessageKind = "password_reset"
	KindAlert           survey.MessageKind = "alert"
	KindStructureDigest survey.MessageKind = "digest_structure"
	KindRegionDigest    survey.MessageKind = "digest_region"
)

// Keys of OutboxMessage.Data of a composed message.
const (
	DataSubject = "subject"
	DataText    = "text"
	DataHTML    = "html"
)

// NetworkSender is the StructureID of messages bound to no structure
// (password resets, region digests): the outbox requires one, and no
// structure's "Envois" page lists it.
const NetworkSender = "reseau"
