package readmodel

import (
	"capsat/survey"
	"capsat/survey/packed"
	"encoding/json"
	"fmt"
	"slices"
)

// notesComments is how many comments of each service type a month's notes
// keep: the dashboard shows the five latest of its period, for one type or
// both.
const notesComments = 5

// ledgerNotes is what a structure's dashboard and follow-up list need of a
// month's responses, kept apart so that they read a few kilobytes instead
// of the month's responses: its latest comments, and its dissatisfied
// responses with their follow-up (without their answers). It is stored as
// the last part of the month's ledger, under the summary's version.
type ledgerNotes struct {
	Comments  []survey.Verbatim `json:"comments"`   // newest answer first, notesComments per service type
	FollowUps []survey.Response `json:"follow_ups"` // newest answer first
}

// add notes one response of the month; comment is its answer to the
// question code.
func (n *ledgerNotes) add(r *summaryResponse, code, comment string) {
	if comment != "" {
		n.Comments = append(n.Comments, survey.Verbatim{
			OrderID: r.OrderID, OrderReference: r.OrderReference, ServiceType: r.ServiceType,
			IssuedAt: r.IssuedAt, SubmittedAt: r.SubmittedAt, QuestionCode: code, Text: comment,
		})
	}
	if r.Flagged {
		n.FollowUps = append(n.FollowUps, survey.Response{
			OrderID: r.OrderID, OrderReference: r.OrderReference, StructureID: r.StructureID, ServiceType: r.ServiceType,
			QuestionnaireID: r.QuestionnaireID, QuestionnaireVersion: r.QuestionnaireVersion,
			IssuedAt: r.IssuedAt, SubmittedAt: r.SubmittedAt, Flagged: true, FollowUp: r.FollowUp,
		})
	}
}

// pack sorts the notes, keeps the latest comments and compresses them.
func (n *ledgerNotes) pack() ([]byte, error) {
	n.Comments = latestComments(n.Comments)
	survey.SortFollowUps(n.FollowUps)
	b, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	return packed.Compress(b)
}

// unpackNotes reads the notes of a (compressed) notes part.
func unpackNotes(id string, b []byte) (*ledgerNotes, error) {
	raw, err := packed.Decompress(b)
	if err != nil {
		return nil, fmt.Errorf("ledger notes %s: %w", id, err)
	}
	n := &ledgerNotes{}
	if err := json.Unmarshal(raw, n); err != nil {
		return nil, fmt.Errorf("ledger notes %s: %w", id, err)
	}
	return n, nil
}

// latestComments sorts comments newest answer first and keeps the
// notesComments latest of each service type.
func latestComments(vs []survey.Verbatim) []survey.Verbatim {
	slices.SortStableFunc(vs, func(a, b survey.Verbatim) int { return b.SubmittedAt.Compare(a.SubmittedAt) })
	kept, per := vs[:0], map[survey.ServiceType]int{}
	for _, v := range vs {
		if per[v.ServiceType] < notesComments {
			per[v.ServiceType]++
			kept = append(kept, v)
		}
	}
	return kept
}
