package store

// The store's collections. The read model keeps its own (summaries,
// ledgers, the refresh queue) and creates them itself.
const (
	colStructures     = "structures"
	colQuestionnaires = "questionnaires"
	colOrders         = "orders"
	colLinks          = "survey_links"
	colResponses      = "responses"
	colAPIKeys        = "api_keys"
	colUsers          = "users"
	colSessions       = "sessions"
	colLoginFailures  = "login_failures"
	colAudit          = "audit_log"
	// colUploads holds figures imported from self-hosted structures'
	// workbooks, one document per structure × month.
	colUploads = "federation_uploads"
	// colMigrations records the one-off data migrations done on the
	// store, one document per migration, read by _id at start.
	colMigrations = "migrations"
	// colHealth holds the write probe's document (health.go).
	colHealth = "health"
	// colChanges holds every claimed change of an order (issue, cancel,
	// answer, edit, deletion of its survey link or of itself), one document
	// each with _id "<order id>:<n>": see "One fate per link" in
	// order_change.go.
	colChanges = "order_changes"
	// colOrderCatalogue lists each structure's orders by creation month on
	// the embedded store (see order_catalogue.go).
	colOrderCatalogue = "order_catalogue"
	// The outbox (outbox.go): pending messages only, so that the sender's
	// poll reads a small collection; final ones move to colMessages.
	colOutbox = "mail_outbox"
	// colMessages is the history of final messages, by _id (survey
	// messages: "<order id>.<n>").
	colMessages = "mail_messages"
	// colMessageClaims holds each send attempt's claim, "<message id>#<n>",
	// unique by _id: one sender per attempt, across instances.
	colMessageClaims = "mail_claims"
	// colMessageIndex lists a structure's messages, "<structure id>:<k>",
	// k = 1, 2, ...; colMessageHeads holds the last k known, by structure.
	colMessageIndex = "mail_index"
	colMessageHeads = "mail_index_heads"
	// colEmailSettings holds each structure's e-mail settings, by _id.
	colEmailSettings = "mail_settings"
	// colOptOuts holds the addresses that asked for no more survey
	// messages, "<structure id>:<address>"; colUnsubscribe the one-click
	// opt-out tokens of the messages sent.
	colOptOuts     = "mail_optouts"
	colUnsubscribe = "mail_unsubscribe"
	// colImportBatches holds the orders each import created, by _id, for
	// "Envoyer les questionnaires" after the import.
	colImportBatches = "import_batches"
	// colPasswordResets holds pending password resets, by the SHA-256 of
	// their link's token.
	colPasswordResets = "password_resets"
	// colQuestionnaireLists lists each structure's questionnaire versions
	// on the embedded store (see questionnaire_lists.go).
	colQuestionnaireLists = "questionnaire_lists"
	// colLinkChannels holds the channel each survey link was first handed
	// out through, by the link's token (link_channels.go).
	colLinkChannels = "link_channels"
	// colLinkOpens holds the first opening of each order's survey page, by
	// order id (link_opens.go).
	colLinkOpens = "link_opens"
)
