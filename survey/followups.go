package survey

import "sort"

// FollowUpActionMaxLen bounds the text of an action taken on a dissatisfied answer.
const FollowUpActionMaxLen = 2000

// Open reports whether a flagged response still waits for its follow-up to be closed.
func (r *Response) Open() bool {
	return r.Flagged && (r.FollowUp == nil || r.FollowUp.ClosedAt == nil)
}

// SortFollowUps orders flagged responses newest answer first, as the
// follow-up list does.
func SortFollowUps(rs []Response) {
	sort.SliceStable(rs, func(i, j int) bool {
		if !rs[i].SubmittedAt.Equal(rs[j].SubmittedAt) {
			return rs[i].SubmittedAt.After(rs[j].SubmittedAt)
		}
		return rs[i].OrderID > rs[j].OrderID
	})
}
