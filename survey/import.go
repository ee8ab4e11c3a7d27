package survey

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ImportReport is the outcome of an order import: valid rows are applied,
// rejected rows are not.
type ImportReport struct {
	Created   int               `json:"created"`
	Updated   int               `json:"updated"`
	Unchanged int               `json:"unchanged"`
	Rejected  []ImportRejection `json:"rejected"`
}

// ImportRejection is one problem of one row: the row as a spreadsheet shows
// it, the column header as written in the file, and a French message.
type ImportRejection struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
	order   int    // column index, to list a row's problems left to right
}

// importPlan is what an import would do, computed in memory against the
// structure's existing orders.
type importPlan struct {
	inserts   []plannedInsert
	updates   []plannedUpdate
	unchanged int
	rejected  []ImportRejection
}

type plannedInsert struct {
	row   int
	order *Order
}

type plannedUpdate struct {
	row   int
	order *Order // the stored order
	input OrderInput
}

// ImportOrders applies an import file to structure sid, or with dryRun only
// reports what it would do. The structure's orders are read once and
// compared in memory (the embedded store scans a collection for any filter
// but an exact _id); new orders are inserted in bulk, changed ones updated
// by _id. An order that already has a response is never changed.
func (s *Store) ImportOrders(ctx context.Context, sid string, f *ImportFile, dryRun bool) (*ImportReport, error) {
	existing, err := s.ordersByReference(ctx, sid)
	if err != nil {
		return nil, err
	}
	plan := planImport(sid, f, existing, s.Now(), s.validate.Order)
	if err := s.refuseAnsweredUpdates(ctx, f, plan); err != nil {
		return nil, err
	}
	report := &ImportReport{Unchanged: plan.unchanged}
	if dryRun {
		report.Created, report.Updated = len(plan.inserts), len(plan.updates)
	} else if err := s.applyImport(ctx, f, plan, report); err != nil {
		return nil, err
	}
	report.Rejected = sortedRejections(plan.rejected)
	return report, nil
}

// importProjection is what comparing and updating orders needs: the
// embedded store spends its time encoding documents, so send less.
var importProjection = bson.M{
	"reference": 1, "service_type": 1, "client": 1, "job_title": 1, "start_date": 1, "end_date": 1,
	"hours": 1, "notes": 1, "survey": 1,
}

// ordersByReference loads the structure's orders in one query.
func (s *Store) ordersByReference(ctx context.Context, sid string) (map[string]*Order, error) {
	cur, err := s.db.Collection(colOrders).Find(ctx, bson.M{"structure_id": sid}, options.Find().SetProjection(importProjection))
	if err != nil {
		return nil, fmt.Errorf("load orders for import: %w", err)
	}
	var orders []*Order
	if err := cur.All(ctx, &orders); err != nil {
		return nil, fmt.Errorf("load orders for import: %w", err)
	}
	byRef := make(map[string]*Order, len(orders))
	for _, o := range orders {
		byRef[o.Reference] = o
	}
	return byRef, nil
}

// planImport validates every row and sorts it into insert, update,
// unchanged or rejected. A reference repeated in the file is rejected from
// its second occurrence on. Columns absent from the file leave the stored
// values as they are. validate checks and normalises one input.
func planImport(sid string, f *ImportFile, existing map[string]*Order, now time.Time, validate func(*OrderInput) error) *importPlan {
	plan := &importPlan{}
	firstRow := map[string]int{}
	for i := range f.Rows {
		row := &f.Rows[i]
		ref := strings.TrimSpace(row.Input.Reference)
		if first, seen := firstRow[ref]; seen && ref != "" {
			plan.reject(f, row.Row, "reference", fmt.Sprintf("Référence « %s » déjà présente ligne %d du fichier : ligne ignorée.", ref, first))
			continue
		}
		firstRow[ref] = row.Row
		stored := existing[ref]
		in := mergeImportRow(f, row.Input, stored)
		if rejected := plan.validate(f, row, &in, validate); rejected {
			continue
		}
		switch {
		case stored == nil:
			plan.inserts = append(plan.inserts, plannedInsert{row: row.Row, order: newOrderFromInput(sid, in, now)})
		case inputOf(stored) == in:
			plan.unchanged++
		case stored.Survey != nil && stored.Survey.AnsweredAt != nil:
			plan.reject(f, row.Row, "reference", answeredMessage(ref))
		case serviceTypeLocked(stored, in, now):
			plan.reject(f, row.Row, "service_type", msgServiceTypeLocked)
		default:
			plan.updates = append(plan.updates, plannedUpdate{row: row.Row, order: stored, input: in})
		}
	}
	return plan
}

// validate records the row's unreadable cells and the validation errors of
// its input; it reports whether the row is rejected.
func (p *importPlan) validate(f *ImportFile, row *ImportRow, in *OrderInput, validate func(*OrderInput) error) bool {
	p.rejected = append(p.rejected, row.Problems...)
	err := validate(in)
	var verr *ValidationError
	if errors.As(err, &verr) {
		for key, fe := range verr.Fields {
			if !row.bad[key] { // an unreadable cell is reported once, as read
				p.reject(f, row.Row, key, importMessage(key, fe, in))
			}
		}
	}
	return len(row.Problems) > 0 || err != nil
}

// importMessage words a validation error for a spreadsheet user: an empty
// cell is "obligatoire" in the file's formats, not an ISO date or a code.
func importMessage(key string, fe FieldError, in *OrderInput) string {
	switch {
	case key == "start_date" && in.StartDate == "":
		return "Date de début obligatoire (JJ/MM/AAAA)."
	case key == "service_type" && in.ServiceType == "":
		return "Type de prestation obligatoire : Mise à disposition (MAD) ou Mise à contrat (MAC, recrutement)."
	}
	return fe.Message
}

func (p *importPlan) reject(f *ImportFile, row int, key, message string) {
	p.rejected = append(p.rejected, ImportRejection{Row: row, Column: f.Column(key), Message: message, order: f.columnOrder(key)})
}

func answeredMessage(ref string) string {
	return fmt.Sprintf("La commande « %s » a déjà reçu une réponse au questionnaire : elle ne peut plus être modifiée.", ref)
}

// mergeImportRow lays the file's columns over the stored order, so that a
// column the file does not have keeps its stored value.
func mergeImportRow(f *ImportFile, row OrderInput, stored *Order) OrderInput {
	if stored == nil {
		return row
	}
	in := inputOf(stored)
	fields := []struct {
		key      string
		dst, src *string
	}{
		{"client.company", &in.Client.Company, &row.Client.Company},
		{"client.siret", &in.Client.SIRET, &row.Client.SIRET},
		{"client.contact_name", &in.Client.ContactName, &row.Client.ContactName},
		{"client.email", &in.Client.Email, &row.Client.Email},
		{"client.phone", &in.Client.Phone, &row.Client.Phone},
		{"job_title", &in.JobTitle, &row.JobTitle},
		{"start_date", &in.StartDate, &row.StartDate},
		{"end_date", &in.EndDate, &row.EndDate},
		{"notes", &in.Notes, &row.Notes},
	}
	for _, fl := range fields {
		if f.Has(fl.key) {
			*fl.dst = *fl.src
		}
	}
	in.Reference = row.Reference
	if f.Has("service_type") {
		in.ServiceType = row.ServiceType
	}
	if f.Has("hours") {
		in.Hours = row.Hours
	}
	return in
}

// inputOf is the stored order as an input, for comparison and merging.
func inputOf(o *Order) OrderInput {
	return OrderInput{
		Reference: o.Reference, ServiceType: o.ServiceType, Client: o.Client, JobTitle: o.JobTitle,
		StartDate: o.StartDate, EndDate: o.EndDate, Hours: o.Hours, Notes: o.Notes,
	}
}

// newOrderFromInput builds a new order of structure sid from a validated input.
func newOrderFromInput(sid string, in OrderInput, now time.Time) *Order {
	return &Order{
		ID: NewID(), StructureID: sid, Reference: in.Reference, ServiceType: in.ServiceType,
		Client: in.Client, JobTitle: in.JobTitle, StartDate: in.StartDate, EndDate: in.EndDate,
		Hours: in.Hours, Notes: in.Notes, CreatedAt: now, UpdatedAt: now,
	}
}

// refuseAnsweredUpdates catches answers the order's copy does not show yet
// (the response is the source of truth): it looks up, by _id, the response
// of each order to update whose survey was issued.
func (s *Store) refuseAnsweredUpdates(ctx context.Context, f *ImportFile, plan *importPlan) error {
	kept := plan.updates[:0]
	for _, u := range plan.updates {
		if u.order.Survey != nil {
			answered, err := s.hasResponse(ctx, u.order.ID)
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			if answered {
				plan.reject(f, u.row, "reference", answeredMessage(u.order.Reference))
				continue
			}
		}
		kept = append(kept, u)
	}
	plan.updates = kept
	return nil
}

// applyImport writes the plan: one unordered InsertMany for the new orders,
// whose duplicate-key failures (an order created meanwhile) become rejected
// rows, then one update by _id per changed order.
func (s *Store) applyImport(ctx context.Context, f *ImportFile, plan *importPlan, report *ImportReport) error {
	if err := s.insertImported(ctx, f, plan, report); err != nil {
		return err
	}
	now := s.Now()
	for _, u := range plan.updates {
		found, err := s.writeOrderEdit(ctx, u.order, u.input, now)
		if err != nil {
			return fmt.Errorf("import: update order %s: %w", u.order.ID, err)
		}
		if !found {
			plan.reject(f, u.row, "reference", "La commande a été supprimée pendant l'import : ligne ignorée.")
			continue
		}
		report.Updated++
	}
	return nil
}

func (s *Store) insertImported(ctx context.Context, f *ImportFile, plan *importPlan, report *ImportReport) error {
	if len(plan.inserts) == 0 {
		return nil
	}
	docs := make([]any, len(plan.inserts))
	for i, ins := range plan.inserts {
		docs[i] = ins.order
	}
	_, err := s.db.Collection(colOrders).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	report.Created = len(plan.inserts)
	if err == nil {
		return nil
	}
	var bulk mongo.BulkWriteException
	if !errors.As(err, &bulk) || bulk.WriteConcernError != nil {
		return fmt.Errorf("import: insert orders: %w", err)
	}
	for _, we := range bulk.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) || we.Index < 0 || we.Index >= len(plan.inserts) {
			return fmt.Errorf("import: insert orders: %w", err)
		}
		ins := plan.inserts[we.Index]
		plan.reject(f, ins.row, "reference", fmt.Sprintf("Une commande « %s » a été enregistrée pendant l'import : ligne ignorée, réimportez le fichier.", ins.order.Reference))
		report.Created--
	}
	return nil
}

// sortedRejections orders problems by row, then left to right; never nil,
// so that the JSON shows an empty list.
func sortedRejections(rs []ImportRejection) []ImportRejection {
	out := append([]ImportRejection{}, rs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Row != out[j].Row {
			return out[i].Row < out[j].Row
		}
		if out[i].order != out[j].order {
			return out[i].order < out[j].order
		}
		return out[i].Column < out[j].Column
	})
	return out
}
