package survey

// SurveyContext is everything the public page needs to show a link.
type SurveyContext struct {
	Link          SurveyLink
	Order         Order
	Structure     Structure
	Questionnaire Questionnaire
}

// MaxBatchIssue caps the orders one batch issue may touch, so that one
// request stays within a reasonable time; a larger selection must be narrowed.
const MaxBatchIssue = 5000

// IssuedLink is the link of one order in a batch issue.
type IssuedLink struct {
	OrderID   string
	Reference string
	Link      SurveyLink
	New       bool // false when the live link was returned
}

// BatchIssueFailure is an order a batch issue could not give a link to.
type BatchIssueFailure struct {
	OrderID   string `json:"order_id"`
	Reference string `json:"reference"`
	Message   string `json:"message"`
}

// BatchIssueResult tells what a batch issue did.
type BatchIssueResult struct {
	Matched  int
	Issued   int // new links
	Existing int // live links returned as they were
	Links    []IssuedLink
	Failures []BatchIssueFailure
}
