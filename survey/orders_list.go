package survey

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Page sizes of order lists.
const (
	DefaultOrdersPerPage = 50
	MaxOrdersPerPage     = 200
)

// OrderFilter selects a structure's orders, for lists and batch issues.
// Empty fields match everything. Dates bound start_date, both inclusive.
type OrderFilter struct {
	ServiceType ServiceType  `json:"service_type" validate:"omitempty,service_type"`
	StartFrom   string       `json:"start_from" validate:"omitempty,date"`
	StartTo     string       `json:"start_to" validate:"omitempty,date"`
	Status      SurveyStatus `json:"status" validate:"omitempty,oneof=not_issued issued answered expired cancelled"`
	Q           string       `json:"q" validate:"max=200"`
	Page        int          `json:"page" validate:"min=0,max=1000000"`
	PerPage     int          `json:"per_page" validate:"min=0,max=200"`
}

// OrderFilter checks a filter and fills in the page defaults.
func (v *Validator) OrderFilter(f *OrderFilter) error {
	f.Q = strings.TrimSpace(f.Q)
	errs := v.check(f, nil)
	if f.StartFrom != "" && f.StartTo != "" && f.StartTo < f.StartFrom && errs.Fields["start_to"].Code == "" {
		errs.Add("start_to", "end_before_start", "La fin de la période ne peut pas précéder son début.")
	}
	if f.Page == 0 {
		f.Page = 1
	}
	if f.PerPage == 0 {
		f.PerPage = DefaultOrdersPerPage
	}
	return errs.OrNil()
}

// OrderPage is one page of a filtered order list. Total counts every match.
type OrderPage struct {
	Orders  []Order
	Total   int
	Page    int
	PerPage int
}

// ordersSort is the stable order of lists: newest first, ties by id.
var ordersSort = bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}

// ListOrders returns one page of a structure's orders matching f, newest
// first. Without text search the store filters, counts and pages (MongoDB
// uses the structure_created index); the accent-insensitive text search is
// done in Go over the store-filtered orders.
func (s *Store) ListOrders(ctx context.Context, sid string, f OrderFilter) (*OrderPage, error) {
	if err := s.validate.OrderFilter(&f); err != nil {
		return nil, err
	}
	page := &OrderPage{Orders: []Order{}, Page: f.Page, PerPage: f.PerPage}
	skip := (f.Page - 1) * f.PerPage
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
	filter := f.mongoFilter(sid, s.Now())
	total, err := s.db.Collection(colOrders).CountDocuments(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("count orders: %w", err)
	}
	page.Total = int(total)
	opts := options.Find().SetSort(ordersSort).SetSkip(int64(skip)).SetLimit(int64(f.PerPage))
	cur, err := s.db.Collection(colOrders).Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	if err := cur.All(ctx, &page.Orders); err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	return page, nil
}

// matchingOrders returns every order of the structure matching f (pages
// ignored), newest first.
func (s *Store) matchingOrders(ctx context.Context, sid string, f OrderFilter) ([]Order, error) {
	cur, err := s.db.Collection(colOrders).Find(ctx, f.mongoFilter(sid, s.Now()), options.Find().SetSort(ordersSort))
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	all := []Order{}
	if err := cur.All(ctx, &all); err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	if f.Q == "" {
		return all, nil
	}
	q := foldForSearch(f.Q)
	matched := all[:0]
	for _, o := range all {
		if strings.Contains(foldForSearch(o.Reference), q) || strings.Contains(foldForSearch(o.Client.Company), q) {
			matched = append(matched, o)
		}
	}
	return matched, nil
}

// mongoFilter is the store-side part of f: everything but the text search.
// The survey status conditions mirror Order.SurveyStatusAt.
func (f OrderFilter) mongoFilter(sid string, now time.Time) bson.M {
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
	case SurveyNotIssued:
		m["survey"] = bson.M{"$exists": false}
	case SurveyAnswered:
		m["survey.answered_at"] = bson.M{"$exists": true}
	case SurveyCancelled:
		m["survey.answered_at"] = notAnswered
		m["survey.cancelled_at"] = bson.M{"$exists": true}
	case SurveyExpired:
		m["survey.answered_at"] = notAnswered
		m["survey.cancelled_at"] = bson.M{"$exists": false}
		m["survey.expires_at"] = bson.M{"$lte": now}
	case SurveyIssued:
		m["survey.answered_at"] = notAnswered
		m["survey.cancelled_at"] = bson.M{"$exists": false}
		m["survey.expires_at"] = bson.M{"$gt": now}
	}
	return m
}

// foldForSearch lowercases s and strips French diacritics, so that "ecole"
// finds "École" and "Crème".
func foldForSearch(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch {
		case r < unicode.MaxASCII:
			b.WriteRune(r)
		case strings.ContainsRune("àâäáãå", r):
			b.WriteByte('a')
		case r == 'ç':
			b.WriteByte('c')
		case strings.ContainsRune("éèêë", r):
			b.WriteByte('e')
		case strings.ContainsRune("îïíì", r):
			b.WriteByte('i')
		case strings.ContainsRune("ôöóòõ", r):
			b.WriteByte('o')
		case strings.ContainsRune("ùûüú", r):
			b.WriteByte('u')
		case strings.ContainsRune("ÿý", r):
			b.WriteByte('y')
		case r == 'ñ':
			b.WriteByte('n')
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		case r == '\u00a0' || r == '\u202f':
			b.WriteByte(' ')
		case r == '’':
			b.WriteByte('\'')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
