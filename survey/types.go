// Package survey is capsat's domain: structures, questionnaires, purchase
// orders, survey links, responses and the indicators computed from them.
// It knows nothing of HTTP; its Store persists it in MongoDB (or the embedded
// FerretDB) through the official driver.
package survey

import "time"

// ServiceType is the kind of service a purchase order is for.
type ServiceType string

// The two service types (README, "Domain and indicator definitions").
const (
	ServiceMAD ServiceType = "mise_a_disposition" // staff provision
	ServiceMAC ServiceType = "mise_a_contrat"     // hiring
)

// ServiceTypes lists every service type, in display order.
var ServiceTypes = []ServiceType{ServiceMAD, ServiceMAC}

// Valid reports whether s is a known service type.
func (s ServiceType) Valid() bool { return s == ServiceMAD || s == ServiceMAC }

// Label is the French name of the service type.
func (s ServiceType) Label() string {
	switch s {
	case ServiceMAD:
		return "Mise à disposition"
	case ServiceMAC:
		return "Mise à contrat"
	}
	return "Toutes"
}

// StructureType is the legal kind of a member structure.
type StructureType string

// Structure types of the network.
const (
	TypeAI    StructureType = "AI"
	TypeETTI  StructureType = "ETTI"
	TypeACI   StructureType = "ACI"
	TypeEI    StructureType = "EI"
	TypeOther StructureType = "other"
)

// StructureTypes lists every structure type.
var StructureTypes = []StructureType{TypeAI, TypeETTI, TypeACI, TypeEI, TypeOther}

// Structure is one member organisation: the tenant.
type Structure struct {
	ID        string            `bson:"_id" json:"id"`
	Name      string            `bson:"name" json:"name"`
	SIRET     string            `bson:"siret" json:"siret"`
	Region    string            `bson:"region" json:"region"`
	Type      StructureType     `bson:"type" json:"type"`
	Settings  StructureSettings `bson:"settings" json:"settings"`
	CreatedAt time.Time         `bson:"created_at" json:"created_at"`
	UpdatedAt time.Time         `bson:"updated_at" json:"updated_at"`
}

// StructureSettings are the options a structure admin may change.
type StructureSettings struct {
	SurveyExpiryDays int  `bson:"survey_expiry_days" json:"survey_expiry_days"`
	Anonymous        bool `bson:"anonymous" json:"anonymous"` // not named in network tables
}

// DefaultSurveyExpiryDays is the life of a survey link unless the structure says otherwise.
const DefaultSurveyExpiryDays = 60

// QuestionType is how a question is answered.
type QuestionType string

// Question types.
const (
	QuestionScale     QuestionType = "scale"      // 4-level satisfaction scale plus "Sans objet"
	QuestionYesNo     QuestionType = "yes_no"     // oui / non
	QuestionNPS       QuestionType = "nps"        // recommendation 0–10
	QuestionChoice    QuestionType = "choice"     // one of Choices
	QuestionText      QuestionType = "text"       // free text
	DefaultTextMaxLen              = 2000         // free text limit when MaxLength is 0
	YesAnswer                      = "oui"        // stored value of a yes
	NoAnswer                       = "non"        // stored value of a no
	NotApplicable                  = "sans_objet" // stored value of "Sans objet"
)

// QuestionRole marks the questions indicators are computed from.
type QuestionRole string

// Question roles.
const (
	RoleNone      QuestionRole = ""
	RoleOverall   QuestionRole = "overall"   // the overall satisfaction question (exactly one)
	RoleReuse     QuestionRole = "reuse"     // "would you use our services again" (yes/no)
	RoleRecommend QuestionRole = "recommend" // NPS question (0–10)
	RoleComment   QuestionRole = "comment"   // free comment shown as verbatim
)

// ScaleLevel is one level of the satisfaction scale.
type ScaleLevel struct {
	Value string // stored value
	Label string // French label
	Score int    // 4 = Très satisfait ... 1; 0 for Sans objet
}

// ScaleLevels is the satisfaction scale, best first, "Sans objet" last.
var ScaleLevels = []ScaleLevel{
	{"tres_satisfait", "Très satisfait", 4},
	{"satisfait", "Satisfait", 3},
	{"peu_satisfait", "Peu satisfait", 2},
	{"pas_du_tout_satisfait", "Pas du tout satisfait", 1},
	{NotApplicable, "Sans objet", 0},
}

// ScaleScore returns the score of a stored scale value (0 for Sans objet) and
// whether the value is a known level.
func ScaleScore(v string) (int, bool) {
	for _, l := range ScaleLevels {
		if l.Value == v {
			return l.Score, true
		}
	}
	return 0, false
}

// Question is one question of a questionnaire. Code is stable across the
// versions of a questionnaire so that indicators follow a question over time.
type Question struct {
	Code      string       `bson:"code" json:"code"`
	Label     string       `bson:"label" json:"label"`
	Help      string       `bson:"help,omitempty" json:"help,omitempty" text:"multiline"`
	Type      QuestionType `bson:"type" json:"type"`
	Required  bool         `bson:"required" json:"required"`
	Role      QuestionRole `bson:"role,omitempty" json:"role,omitempty"`
	Choices   []string     `bson:"choices,omitempty" json:"choices,omitempty"`
	MaxLength int          `bson:"max_length,omitempty" json:"max_length,omitempty"`
}

// QuestionnaireStatus is the lifecycle state of a questionnaire version.
type QuestionnaireStatus string

// Questionnaire lifecycle: draft → published → archived.
const (
	StatusDraft     QuestionnaireStatus = "draft"
	StatusPublished QuestionnaireStatus = "published"
	StatusArchived  QuestionnaireStatus = "archived"
)

// Questionnaire is one version of a questionnaire. Versions of the same
// questionnaire share a FamilyID; a published version never changes.
type Questionnaire struct {
	ID           string              `bson:"_id" json:"id"`
	StructureID  string              `bson:"structure_id" json:"structure_id"`
	FamilyID     string              `bson:"family_id" json:"family_id"`
	Version      int                 `bson:"version" json:"version"`
	Title        string              `bson:"title" json:"title"`
	Intro        string              `bson:"intro,omitempty" json:"intro,omitempty"`
	ServiceTypes []ServiceType       `bson:"service_types" json:"service_types"`
	Status       QuestionnaireStatus `bson:"status" json:"status"`
	// Revision counts the saves of a draft, so that an editor who saves
	// over a revision they did not read is told instead of overwriting it.
	Revision    int        `bson:"revision" json:"revision"`
	Questions   []Question `bson:"questions" json:"questions"`
	CreatedAt   time.Time  `bson:"created_at" json:"created_at"`
	UpdatedAt   time.Time  `bson:"updated_at" json:"updated_at"`
	PublishedAt *time.Time `bson:"published_at,omitempty" json:"published_at,omitempty"`
	ArchivedAt  *time.Time `bson:"archived_at,omitempty" json:"archived_at,omitempty"`
}

// Client is the client company (or household) of a purchase order.
type Client struct {
	Company     string `bson:"company" json:"company"`
	SIRET       string `bson:"siret,omitempty" json:"siret"`
	ContactName string `bson:"contact_name,omitempty" json:"contact_name"`
	Email       string `bson:"email,omitempty" json:"email"`
	Phone       string `bson:"phone,omitempty" json:"phone"`
}

// SurveyStatus is where an order's survey stands.
type SurveyStatus string

// Survey statuses of an order, as filters and API values.
const (
	SurveyNotIssued SurveyStatus = "not_issued"
	SurveyIssued    SurveyStatus = "issued"
	SurveyAnswered  SurveyStatus = "answered"
	SurveyExpired   SurveyStatus = "expired"
	SurveyCancelled SurveyStatus = "cancelled"
)

// OrderSurvey is the state of an order's current survey link, kept on the
// order so that lists and filters need no join.
type OrderSurvey struct {
	Token           string     `bson:"token" json:"-"`
	QuestionnaireID string     `bson:"questionnaire_id" json:"questionnaire_id"`
	IssuedAt        time.Time  `bson:"issued_at" json:"issued_at"`
	ExpiresAt       time.Time  `bson:"expires_at" json:"expires_at"`
	CancelledAt     *time.Time `bson:"cancelled_at,omitempty" json:"cancelled_at,omitempty"`
	AnsweredAt      *time.Time `bson:"answered_at,omitempty" json:"answered_at,omitempty"`
}

// Order is a purchase order (bon de commande). Dates are "YYYY-MM-DD".
type Order struct {
	ID          string       `bson:"_id" json:"id"`
	StructureID string       `bson:"structure_id" json:"structure_id"`
	Reference   string       `bson:"reference" json:"reference"`
	ServiceType ServiceType  `bson:"service_type" json:"service_type"`
	Client      Client       `bson:"client" json:"client"`
	JobTitle    string       `bson:"job_title" json:"job_title"`
	StartDate   string       `bson:"start_date" json:"start_date"`
	EndDate     string       `bson:"end_date" json:"end_date"`
	Hours       float64      `bson:"hours" json:"hours"`
	Notes       string       `bson:"notes,omitempty" json:"notes"`
	Survey      *OrderSurvey `bson:"survey,omitempty" json:"survey,omitempty"`
	LinkTokens  []string     `bson:"link_tokens,omitempty" json:"-"` // every link ever issued, so deleting the order reaches them by _id
	CreatedAt   time.Time    `bson:"created_at" json:"created_at"`
	UpdatedAt   time.Time    `bson:"updated_at" json:"updated_at"`
	// ReferenceKey is ReferenceKey(Reference), set by whoever writes the
	// order: the store's unique index on (structure_id, reference_key)
	// refuses a near-duplicate reference.
	ReferenceKey string `bson:"reference_key" json:"-"`
	// Rev is the number of the order's last change (issue, cancel, answer,
	// edit, deletion) this document shows: the store keeps each change as a
	// document of its own, claimed by its number, and the order is a copy.
	Rev int `bson:"rev,omitempty" json:"-"`
}

// SurveyStatusAt tells where the order's survey stands at time now.
func (o *Order) SurveyStatusAt(now time.Time) SurveyStatus {
	s := o.Survey
	switch {
	case s == nil:
		return SurveyNotIssued
	case s.AnsweredAt != nil:
		return SurveyAnswered
	case s.CancelledAt != nil:
		return SurveyCancelled
	case !now.Before(s.ExpiresAt):
		return SurveyExpired
	}
	return SurveyIssued
}

// SurveyLink is an issued survey link. Its _id is the token itself, so that
// resolving a token is a lookup by _id and never a scan.
type SurveyLink struct {
	Token           string      `bson:"_id" json:"-"`
	StructureID     string      `bson:"structure_id" json:"structure_id"`
	OrderID         string      `bson:"order_id" json:"order_id"`
	QuestionnaireID string      `bson:"questionnaire_id" json:"questionnaire_id"`
	ServiceType     ServiceType `bson:"service_type" json:"service_type"`
	IssuedAt        time.Time   `bson:"issued_at" json:"issued_at"`
	ExpiresAt       time.Time   `bson:"expires_at" json:"expires_at"`
	CancelledAt     *time.Time  `bson:"cancelled_at,omitempty" json:"cancelled_at,omitempty"`
	// Order is what the survey page shows of the order and the response
	// keeps, copied at issue and kept in step by order edits, so that
	// opening or answering a link reads the link alone. Links issued
	// before it existed have none; their order is read instead.
	Order *LinkOrder `bson:"order,omitempty" json:"-"`
	// Rev is the number of its order's last change this link shows (its
	// issue, then edits and its end); 0 for links issued before changes
	// were numbered.
	Rev int `bson:"rev,omitempty" json:"-"`
}

// LinkOrder is a survey link's copy of its order's shown fields.
type LinkOrder struct {
	Reference string `bson:"reference"`
	JobTitle  string `bson:"job_title,omitempty"`
	StartDate string `bson:"start_date,omitempty"`
	EndDate   string `bson:"end_date,omitempty"`
}

// NewLinkOrder is o's copy for its survey links.
func NewLinkOrder(o *Order) *LinkOrder {
	return &LinkOrder{Reference: o.Reference, JobTitle: o.JobTitle, StartDate: o.StartDate, EndDate: o.EndDate}
}

// Response is a client's answer to an order's survey. Its _id is the order
// id: the store itself guarantees one response per order.
type Response struct {
	OrderID              string            `bson:"_id" json:"order_id"`
	StructureID          string            `bson:"structure_id" json:"structure_id"`
	OrderReference       string            `bson:"order_reference" json:"order_reference"`
	ServiceType          ServiceType       `bson:"service_type" json:"service_type"`
	JobTitle             string            `bson:"job_title,omitempty" json:"job_title,omitempty"`
	QuestionnaireID      string            `bson:"questionnaire_id" json:"questionnaire_id"`
	QuestionnaireFamily  string            `bson:"questionnaire_family" json:"questionnaire_family"`
	QuestionnaireVersion int               `bson:"questionnaire_version" json:"questionnaire_version"`
	IssuedAt             time.Time         `bson:"issued_at" json:"issued_at"` // cohort date: period attribution
	SubmittedAt          time.Time         `bson:"submitted_at" json:"submitted_at"`
	Answers              map[string]string `bson:"answers" json:"answers"` // question code → stored value
	Flagged              bool              `bson:"flagged" json:"flagged"` // dissatisfied: to follow up
	FollowUp             *FollowUp         `bson:"follow_up,omitempty" json:"follow_up,omitempty"`
	// Channel is how the client reached the survey (empty: ChannelLink).
	Channel Channel `bson:"channel,omitempty" json:"channel,omitempty"`
}

// FollowUp is what the structure did about a dissatisfied answer.
type FollowUp struct {
	Action   string     `bson:"action" json:"action"`
	ClosedAt *time.Time `bson:"closed_at,omitempty" json:"closed_at,omitempty"`
	ClosedBy string     `bson:"closed_by,omitempty" json:"closed_by,omitempty"`
	Updated  time.Time  `bson:"updated_at" json:"updated_at"`
}

// IsDissatisfied reports whether answers call for a follow-up: any
// "Pas du tout satisfait", or a recommendation of 6 or less.
func IsDissatisfied(q *Questionnaire, answers map[string]string) bool {
	for _, qu := range q.Questions {
		v, ok := answers[qu.Code]
		if !ok || v == "" {
			continue
		}
		switch qu.Type {
		case QuestionScale:
			if v == "pas_du_tout_satisfait" {
				return true
			}
		case QuestionNPS:
			if n, ok := parseNPS(v); ok && n <= 6 {
				return true
			}
		}
	}
	return false
}

func parseNPS(v string) (int, bool) {
	if len(v) == 0 || len(v) > 2 {
		return 0, false
	}
	n := 0
	for _, r := range v {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, n <= 10
}

// ParseNPS parses a stored recommendation value (0–10).
func ParseNPS(v string) (int, bool) { return parseNPS(v) }
