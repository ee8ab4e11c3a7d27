package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"capsat/survey"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// This file is what the read model reads of the store: the orders and
// responses summaries are built from, every questionnaire, the uploaded
// figures, and the one write it makes back (an order's answered_at copy).

// SourceQuery selects the orders and responses of summaries: those of the
// structures listed (nil: every structure) whose survey was issued in
// [From, To) (zero From: any date).
type SourceQuery struct {
	Structures []string
	From, To   time.Time
}

// SourceOrder is what a summary reads of an order.
type SourceOrder struct {
	ID          string             `bson:"_id"`
	StructureID string             `bson:"structure_id"`
	ServiceType survey.ServiceType `bson:"service_type"`
	Survey      *SourceSurvey      `bson:"survey"`
}

// SourceSurvey is what a summary reads of an order's survey.
type SourceSurvey struct {
	Token       string     `bson:"token"`
	IssuedAt    time.Time  `bson:"issued_at"`
	CancelledAt *time.Time `bson:"cancelled_at,omitempty"`
	AnsweredAt  *time.Time `bson:"answered_at,omitempty"`
	// Channel is the link's first hand-out channel, read from its own
	// document ("" when not handed out).
	Channel survey.Channel `bson:"-"`
}

// sourceOrderFields projects an order on SourceOrder; of a response the
// read model reads everything, which the ledger keeps.
var sourceOrderFields = bson.M{"_id": 1, "structure_id": 1, "service_type": 1, "survey.token": 1, "survey.issued_at": 1, "survey.cancelled_at": 1, "survey.answered_at": 1}

// filters returns the order and response filters of q. One structure and a
// date range are exactly the prefix of the structure_survey_issued and
// structure_issued indexes.
func (q SourceQuery) filters() (orders, responses bson.M) {
	orders, responses = bson.M{}, bson.M{}
	switch {
	case len(q.Structures) == 1:
		orders["structure_id"], responses["structure_id"] = q.Structures[0], q.Structures[0]
	case q.Structures != nil:
		in := bson.M{"$in": q.Structures}
		orders["structure_id"], responses["structure_id"] = in, in
	}
	if q.From.IsZero() {
		orders["survey"] = bson.M{"$exists": true}
		return orders, responses
	}
	orders["survey.issued_at"] = bson.M{"$gte": q.From, "$lt": q.To}
	responses["issued_at"] = bson.M{"$gte": q.From, "$lt": q.To}
	return orders, responses
}

// EachSource streams the orders, then the responses (as stored documents,
// each a copy fn may keep) that q selects.
func (s *Store) EachSource(ctx context.Context, q SourceQuery, onOrder func(*SourceOrder), onResponse func(bson.Raw) error) error {
	orderFilter, responseFilter := q.filters()
	cur, err := s.db.Collection(colOrders).Find(ctx, orderFilter, options.Find().SetProjection(sourceOrderFields))
	if err != nil {
		return fmt.Errorf("read orders: %w", Translate(err))
	}
	var orders []SourceOrder
	var tokens []string
	for cur.Next(ctx) {
		var o SourceOrder
		if err := cur.Decode(&o); err != nil {
			_ = cur.Close(ctx)
			return fmt.Errorf("read orders: %w", Translate(err))
		}
		if o.Survey != nil && o.Survey.Token != "" {
			tokens = append(tokens, o.Survey.Token)
		}
		orders = append(orders, o)
	}
	if err := closeCursor(ctx, cur); err != nil {
		return fmt.Errorf("read orders: %w", Translate(err))
	}
	channels, err := s.channelsOf(ctx, tokens)
	if err != nil {
		return err
	}
	for i := range orders {
		if sv := orders[i].Survey; sv != nil {
			sv.Channel = channels[sv.Token]
		}
		onOrder(&orders[i])
	}
	cur, err = s.db.Collection(colResponses).Find(ctx, responseFilter)
	if err != nil {
		return fmt.Errorf("read responses: %w", Translate(err))
	}
	for cur.Next(ctx) {
		if err := onResponse(slices.Clone(cur.Current)); err != nil {
			_ = cur.Close(ctx)
			return err
		}
	}
	if err := closeCursor(ctx, cur); err != nil {
		return fmt.Errorf("read responses: %w", Translate(err))
	}
	return nil
}

// closeCursor closes cur and returns the first of its iteration and close errors.
func closeCursor(ctx context.Context, cur *mongo.Cursor) error {
	err := cur.Err()
	if cerr := cur.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// AllQuestionnaires reads every questionnaire at once (for full rebuilds),
// by id.
func (s *Store) AllQuestionnaires(ctx context.Context) (map[string]*survey.Questionnaire, error) {
	cur, err := s.db.Collection(colQuestionnaires).Find(ctx, bson.M{})
	if err != nil {
		return nil, fmt.Errorf("read questionnaires: %w", Translate(err))
	}
	var qs []survey.Questionnaire
	if err := cur.All(ctx, &qs); err != nil {
		return nil, fmt.Errorf("read questionnaires: %w", Translate(err))
	}
	out := make(map[string]*survey.Questionnaire, len(qs))
	for i := range qs {
		out[qs[i].ID] = &qs[i]
	}
	return out, nil
}

// UploadsIn returns the uploaded structure-months of period p.
func (s *Store) UploadsIn(ctx context.Context, p survey.MonthSpan) ([]survey.UploadedMonth, error) {
	cur, err := s.db.Collection(colUploads).Find(ctx, bson.M{"month": bson.M{"$gte": p.From, "$lte": p.To}})
	if err != nil {
		return nil, fmt.Errorf("read uploads: %w", Translate(err))
	}
	out := []survey.UploadedMonth{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("read uploads: %w", Translate(err))
	}
	return out, nil
}

// SourceOrderByID reads order oid as summaries read it, by _id; nil when
// it is gone.
func (s *Store) SourceOrderByID(ctx context.Context, oid string) (*SourceOrder, error) {
	var o SourceOrder
	err := Translate(s.db.Collection(colOrders).FindOne(ctx, bson.M{"_id": oid}, options.FindOne().SetProjection(sourceOrderFields)).Decode(&o))
	switch {
	case errors.Is(err, survey.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read order %s: %w", oid, err)
	}
	if o.Survey != nil && o.Survey.Token != "" {
		if o.Survey.Channel, err = s.LinkChannel(ctx, o.Survey.Token); err != nil {
			return nil, err
		}
	}
	return &o, nil
}

// ResponseDocument reads the response to order oid as stored, by _id; nil
// without one.
func (s *Store) ResponseDocument(ctx context.Context, oid string) (bson.Raw, error) {
	raw, err := s.db.Collection(colResponses).FindOne(ctx, bson.M{"_id": oid}).Raw()
	switch err = Translate(err); {
	case errors.Is(err, survey.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read response %s: %w", oid, err)
	}
	return raw, nil
}
