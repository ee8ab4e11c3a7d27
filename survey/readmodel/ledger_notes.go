package readmodel

import (
	"capsat/survey"
	"capsat/survey/packed"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// notesComments is how many comments of each service type a month's notes
// keep: the dashboard shows the five latest of its period, for one type or
// both.
const notesComments = 5

// ledgerNotes is what a structure's dashboard and follow-up list need of a
// month's responses, kept apart so that they read a few kilobytes instead
// of the month's responses: its latest comments (the dashboard), and its
// dissatisfied responses with their follow-up, without their answers
// ("Suivi"). They are stored in the last part of the month's ledger, under
// the summary's version, each in its own field so that a reader projects
// the one it needs.
type ledgerNotes struct {
	Comments  []survey.Verbatim // newest answer first, notesComments per service type
	FollowUps []survey.Response // newest answer first
}

// noteFollowUp is how a follow-up is stored in the notes: short keys, only
// what the list of "Suivi" needs.
type noteFollowUp struct {
	OrderID     string             `json:"o"`
	Reference   string             `json:"r"`
	Service     survey.ServiceType `json:"s"`
	Version     string             `json:"q"`
	VersionNo   int                `json:"v"`
	IssuedAt    time.Time          `json:"i"`
	SubmittedAt time.Time          `json:"t"`
	FollowUp    *survey.FollowUp   `json:"f,omitempty"`
}

// noteKind says which notes a reader needs.
type noteKind int

const (
	noNotes noteKind = iota
	commentNotes
	followUpNotes
)

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

// pack sorts the notes, keeps the latest comments and compresses each kind.
func (n *ledgerNotes) pack() (comments, followUps []byte, err error) {
	n.Comments = latestComments(n.Comments)
	survey.SortFollowUps(n.FollowUps)
	stored := make([]noteFollowUp, len(n.FollowUps))
	for i, r := range n.FollowUps {
		stored[i] = noteFollowUp{OrderID: r.OrderID, Reference: r.OrderReference, Service: r.ServiceType, Version: r.QuestionnaireID,
			VersionNo: r.QuestionnaireVersion, IssuedAt: r.IssuedAt, SubmittedAt: r.SubmittedAt, FollowUp: r.FollowUp}
	}
	if comments, err = packJSON(n.Comments); err != nil {
		return nil, nil, err
	}
	followUps, err = packJSON(stored)
	return comments, followUps, err
}

func packJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return packed.Compress(b)
}

// unpackNotes reads the notes of kind from the fields of a notes part (its
// reader projected the one it needs).
func unpackNotes(sid, partID string, comments, followUps []byte, kind noteKind) (*ledgerNotes, error) {
	n := &ledgerNotes{}
	var err error
	switch kind {
	case commentNotes:
		err = unpackJSON(comments, &n.Comments)
	case followUpNotes:
		var stored []noteFollowUp
		err = unpackJSON(followUps, &stored)
		for _, f := range stored {
			n.FollowUps = append(n.FollowUps, survey.Response{
				OrderID: f.OrderID, OrderReference: f.Reference, StructureID: sid, ServiceType: f.Service,
				QuestionnaireID: f.Version, QuestionnaireVersion: f.VersionNo,
				IssuedAt: f.IssuedAt, SubmittedAt: f.SubmittedAt, Flagged: true, FollowUp: f.FollowUp,
			})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("ledger notes %s: %w", partID, err)
	}
	return n, nil
}

func unpackJSON(b []byte, v any) error {
	raw, err := packed.Decompress(b)
	if err != nil || len(raw) == 0 {
		return err
	}
	return json.Unmarshal(raw, v)
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
