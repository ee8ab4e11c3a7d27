package readmodel

import (
	"capsat/survey"
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Responses returns the whole responses of structure sid whose surveys
// were issued in r (the cohort, as indicators count them), in no order.
// On the embedded store they come from the months' ledgers, read by _id
// (a month with a refresh pending is refreshed first); on MongoDB from one
// find on the responses' structure_issued index. Either way the read costs
// the period asked for, not what the store holds: callers bound r.
func (s *Model) Responses(ctx context.Context, sid string, r survey.DateRange) ([]survey.Response, error) {
	var out []survey.Response
	if !s.embedded {
		err := s.store.EachResponse(ctx, sid, r, func(resp *survey.Response) error {
			out = append(out, *resp)
			return nil
		})
		return out, err
	}
	for _, month := range monthsOf(r) {
		parts, err := s.readLedger(ctx, sid, month)
		if err != nil {
			return nil, fmt.Errorf("responses of %s: %w", month, err)
		}
		for i := range parts {
			err := eachDocument(parts[i].Responses, func(doc []byte) error {
				var resp survey.Response
				if err := bson.Unmarshal(doc, &resp); err != nil {
					return err
				}
				if resp.StructureID == sid && r.Contains(resp.IssuedAt) {
					out = append(out, resp)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("ledger part %s: responses: %w", parts[i].ID, err)
			}
		}
	}
	return out, nil
}
