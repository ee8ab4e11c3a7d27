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
)
