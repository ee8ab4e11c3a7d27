package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// indicatorBatch is the number of documents asked for per round trip when
// reading a structure's orders and responses.
const indicatorBatch = 2000

// issuedOrder is the projection of an order that indicators read.
type issuedOrder struct {
	ID          string             `bson:"_id"`
	ServiceType survey.ServiceType `bson:"service_type"`
	Survey      struct {
		Token       string     `bson:"token"`
		IssuedAt    time.Time  `bson:"issued_at"`
		CancelledAt *time.Time `bson:"cancelled_at"`
		AnsweredAt  *time.Time `bson:"answered_at"`
	} `bson:"survey"`
}

// IndexedIndicatorSource reads what indicators and exports need of structure sid
// for the surveys issued in r from the orders and responses themselves: one
// find on each, on the prefix of the structure_survey_issued and
// structure_issued indexes, side by side. It is the reader on MongoDB; the
// embedded store, where such a find scans the collection, reads the read
// model's ledgers instead, and a contract test holds the two to the same
// result.
func (s *Store) IndexedIndicatorSource(ctx context.Context, sid string, r survey.DateRange) (*survey.IndicatorSource, error) {
	qs, err := s.ListQuestionnaires(ctx, sid)
	if err != nil {
		return nil, err
	}
	src := &survey.IndicatorSource{Questionnaires: qs}
	ordersDone := make(chan error, 1)
	go func() { ordersDone <- s.readIssuedSurveys(ctx, sid, r, src) }()
	errResponses := s.EachResponse(ctx, sid, r, func(resp *survey.Response) error {
		src.AddResponse(resp)
		if resp.Flagged {
			src.FollowUps = append(src.FollowUps, survey.Response{
				OrderID: resp.OrderID, OrderReference: resp.OrderReference, ServiceType: resp.ServiceType,
				QuestionnaireID: resp.QuestionnaireID, QuestionnaireVersion: resp.QuestionnaireVersion,
				IssuedAt: resp.IssuedAt, SubmittedAt: resp.SubmittedAt, Flagged: true, FollowUp: resp.FollowUp,
			})
		}
		return nil
	})
	if err := errors.Join(<-ordersDone, errResponses); err != nil {
		return nil, err
	}
	survey.SortFollowUps(src.FollowUps)
	return src, nil
}

// readIssuedSurveys fills src.Surveys (and nothing else, so that it can run
// beside the reading of the responses).
func (s *Store) readIssuedSurveys(ctx context.Context, sid string, r survey.DateRange, src *survey.IndicatorSource) error {
	issued := bson.M{"$gte": r.From.UTC(), "$lt": r.End().UTC()}
	proj := bson.M{"_id": 1, "service_type": 1, "survey.token": 1, "survey.issued_at": 1, "survey.cancelled_at": 1, "survey.answered_at": 1}
	var surveys []survey.IssuedSurvey
	var tokens []string
	err := streamFind(ctx, s, colOrders, bson.M{"structure_id": sid, "survey.issued_at": issued}, proj, func(o *issuedOrder) error {
		surveys = append(surveys, survey.IssuedSurvey{
			OrderID: o.ID, ServiceType: o.ServiceType, IssuedAt: o.Survey.IssuedAt,
			Cancelled: o.Survey.CancelledAt != nil && o.Survey.AnsweredAt == nil,
		})
		tokens = append(tokens, o.Survey.Token)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read issued surveys: %w", Translate(err))
	}
	// The links' first channels, by _id (the token) on MongoDB's _id index.
	channels, err := s.channelsOf(ctx, tokens)
	if err != nil {
		return err
	}
	for i := range surveys {
		surveys[i].Channel = channels[tokens[i]]
	}
	src.Surveys = surveys
	return nil
}

// EachResponse calls fn on every response of structure sid whose survey was
// issued in r, streaming them from one cursor (fn must not keep the pointer).
func (s *Store) EachResponse(ctx context.Context, sid string, r survey.DateRange, fn func(*survey.Response) error) error {
	filter := bson.M{"structure_id": sid, "issued_at": bson.M{"$gte": r.From.UTC(), "$lt": r.End().UTC()}}
	var proj bson.M
	if err := streamFind(ctx, s, colResponses, filter, proj, fn); err != nil {
		return fmt.Errorf("read responses: %w", Translate(err))
	}
	return nil
}

// streamFind runs one find and decodes its documents one at a time.
//
// Why one cursor and not batches ranged on _id (keyset pagination): a
// FerretDB server evaluates every filter but {_id: v} by scanning the whole
// collection in Go, so each _id-ranged batch would rescan it; measured in
// BENCHMARKS.md. One cursor with a batch size streams the same way (getMore
// round trips of indicatorBatch documents) on MongoDB and FerretDB alike.
func streamFind[T any](ctx context.Context, s *Store, collection string, filter, projection bson.M, fn func(*T) error) error {
	opts := options.Find().SetBatchSize(indicatorBatch).SetProjection(projection)
	cur, err := s.db.Collection(collection).Find(ctx, filter, opts)
	if err != nil {
		return Translate(err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v T
		if err := cur.Decode(&v); err != nil {
			return fmt.Errorf("decode %s: %w", collection, Translate(err))
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return Translate(cur.Err())
}
