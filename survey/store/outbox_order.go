package store

import (
	"capsat/survey"
	"context"
)

// orderForMail reads order oid of structure sid as a message must see it:
// answered as soon as its answer is claimed (the order's answered_at copy
// comes later, from the read model), whatever its copies show yet.
func (s *Store) orderForMail(ctx context.Context, sid, oid string) (*survey.Order, error) {
	st, err := s.orderState(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	o := st.order
	if o.Survey != nil && o.Survey.AnsweredAt == nil {
		at := s.Now()
		answered := st.answer != nil
		if answered {
			at = st.answer.At
		} else if answered, err = s.hasResponse(ctx, oid); err != nil {
			return nil, err
		}
		if answered {
			sv := *o.Survey
			sv.AnsweredAt = &at
			o.Survey = &sv
		}
	}
	return &o, nil
}
