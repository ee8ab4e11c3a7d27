package survey

// FollowUpActionMaxLen bounds the text of an action taken on a dissatisfied answer.
const FollowUpActionMaxLen = 2000

// Open reports whether a flagged response still waits for its follow-up to be closed.
func (r *Response) Open() bool {
	return r.Flagged && (r.FollowUp == nil || r.FollowUp.ClosedAt == nil)
}
