package readmodel

import (
	"capsat/survey"
	"time"
)

// summaryResponse is what the summaries and the ledger's notes read of a
// response document.
type summaryResponse struct {
	OrderID              string             `bson:"_id"`
	StructureID          string             `bson:"structure_id"`
	OrderReference       string             `bson:"order_reference"`
	ServiceType          survey.ServiceType `bson:"service_type"`
	QuestionnaireID      string             `bson:"questionnaire_id"`
	QuestionnaireVersion int                `bson:"questionnaire_version"`
	IssuedAt             time.Time          `bson:"issued_at"`
	SubmittedAt          time.Time          `bson:"submitted_at"`
	Answers              map[string]string  `bson:"answers"`
	Flagged              bool               `bson:"flagged"`
	FollowUp             *survey.FollowUp   `bson:"follow_up"`
	Channel              survey.Channel     `bson:"channel"`
}
