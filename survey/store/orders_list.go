package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ordersSort is the stable order of lists: newest first, ties by id.
var ordersSort = bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}

// ListOrders returns one page of a structure's orders matching f, newest
// first. On MongoDB, without text search, the store filters, counts and
// pages (with the structure_created index); the accent-insensitive text
// search is done in Go over the store-filtered orders. The embedded store
// reads the structure's order catalogue instead (order_catalogue.go).
func (s *Store) ListOrders(ctx context.Context, sid string, f survey.OrderFilter) (*survey.OrderPage, error) {
	if err := s.validate.OrderFilter(&f); err != nil {
		return nil, err
	}
	page := &survey.OrderPage{Orders: []survey.Order{}, Page: f.Page, PerPage: f.PerPage}
	skip := (f.Page - 1) * f.PerPage
	if s.embedded {
		return page, s.listCatalogued(ctx, sid, f, page)
	}
	if f.Q != "" {
		all, err := s.matchingOrders(ctx, sid, f)
		if err != nil {
			return nil, err
		}
		page.Total = len(all)
		if skip < len(all) {
			page.Orders = all[skip:min(skip+f.PerPage, len(all))]
		}
		return page, nil
	}
	filter := orderFilter(f, sid, s.Now())
	total, err := s.db.Collection(colOrders).CountDocuments(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("count orders: %w", Translate(err))
	}
	page.Total = int(total)
	opts := options.Find().SetSort(ordersSort).SetSkip(int64(skip)).SetLimit(int64(f.PerPage))
	cur, err := s.db.Collection(colOrders).Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", Translate(err))
	}
	if err := cur.All(ctx, &page.Orders); err != nil {
		return nil, fmt.Errorf("list orders: %w", Translate(err))
	}
	return page, nil
}

// matchingOrders returns every order of the structure matching f (pages
// ignored), newest first.
func (s *Store) matchingOrders(ctx context.Context, sid string, f survey.OrderFilter) ([]survey.Order, error) {
	cur, err := s.db.Collection(colOrders).Find(ctx, orderFilter(f, sid, s.Now()), options.Find().SetSort(ordersSort))
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", Translate(err))
	}
	all := []survey.Order{}
	if err := cur.All(ctx, &all); err != nil {
		return nil, fmt.Errorf("list orders: %w", Translate(err))
	}
	if f.Q == "" {
		return all, nil
	}
	q := survey.FoldForSearch(f.Q)
	matched := all[:0]
	for _, o := range all {
		if strings.Contains(survey.FoldForSearch(o.Reference), q) || strings.Contains(survey.FoldForSearch(o.Client.Company), q) {
			matched = append(matched, o)
		}
	}
	return matched, nil
}

// mongoFilter is the store-side part of f: everything but the text search.
// The survey status conditions mirror Order.SurveyStatusAt.
func orderFilter(f survey.OrderFilter, sid string, now time.Time) bson.M {
	m := bson.M{"structure_id": sid}
	if f.ServiceType != "" {
		m["service_type"] = f.ServiceType
	}
	if f.StartFrom != "" || f.StartTo != "" {
		r := bson.M{}
		if f.StartFrom != "" {
			r["$gte"] = f.StartFrom
		}
		if f.StartTo != "" {
			r["$lte"] = f.StartTo
		}
		m["start_date"] = r
	}
	notAnswered := bson.M{"$exists": false}
	switch f.Status {
	case survey.SurveyNotIssued:
		m["survey"] = bson.M{"$exists": false}
	case survey.SurveyAnswered:
		m["survey.answered_at"] = bson.M{"$exists": true}
	case survey.SurveyCancelled:
		m["survey.answered_at"] = notAnswered
		m["survey.cancelled_at"] = bson.M{"$exists": true}
	case survey.SurveyExpired:
		m["survey.answered_at"] = notAnswered
		m["survey.cancelled_at"] = bson.M{"$exists": false}
		m["survey.expires_at"] = bson.M{"$lte": now}
	case survey.SurveyIssued:
		m["survey.answered_at"] = notAnswered
		m["survey.cancelled_at"] = bson.M{"$exists": false}
		m["survey.expires_at"] = bson.M{"$gt": now}
	}
	return m
}
