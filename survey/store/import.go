package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ImportOrders applies an import file to structure sid, or with dryRun only
// reports what it would do. The structure's orders are read once and
// compared in memory (the embedded store scans a collection for any filter
// but an exact _id); new orders are inserted in bulk, changed ones updated
// by _id. An order that already has a response is never changed.
func (s *Store) ImportOrders(ctx context.Context, sid string, f *survey.ImportFile, dryRun bool) (*survey.ImportReport, error) {
	existing, err := s.ordersByReference(ctx, sid, f)
	if err != nil {
		return nil, err
	}
	plan := survey.PlanImport(sid, f, existing, s.Now(), s.validate.Order)
	if err := s.refuseAnsweredUpdates(ctx, f, plan); err != nil {
		return nil, err
	}
	report := &survey.ImportReport{Unchanged: plan.Unchanged}
	if dryRun {
		report.Created, report.Updated = len(plan.Inserts), len(plan.Updates)
	} else if err := s.applyImport(ctx, f, plan, report); err != nil {
		return nil, err
	} else {
		// Invitations of what the import created or changed, when the
		// structure sends automatically; orders already over are history
		// and get none (see PlanInvitation).
		ids := slices.Clone(report.CreatedIDs)
		for _, u := range plan.Updates {
			ids = append(ids, u.Order.ID)
		}
		if err := s.PlanImported(ctx, sid, ids); err != nil {
			s.log.Warn("plan imported invitations", "structure", sid, "error", err.Error())
		}
	}
	report.Rejected = survey.SortedRejections(plan.Rejected)
	return report, nil
}

// importProjection is what comparing and updating orders needs: the
// embedded store spends its time encoding documents, so send less.
var importProjection = bson.M{
	"structure_id": 1, "reference": 1, "reference_key": 1, "service_type": 1, "client": 1, "job_title": 1, "start_date": 1, "end_date": 1,
	"hours": 1, "notes": 1, "survey": 1,
}

// ordersByReference loads the structure's orders the file may update: on
// MongoDB all of them in one query; on the embedded store, where that
// query converts every structure's orders, those whose reference key a
// row of the file has, found in the structure's order catalogue and read
// by _id.
func (s *Store) ordersByReference(ctx context.Context, sid string, f *survey.ImportFile) (map[string]*survey.Order, error) {
	if s.embedded {
		return s.cataloguedByReference(ctx, sid, f)
	}
	cur, err := s.db.Collection(colOrders).Find(ctx, bson.M{"structure_id": sid}, options.Find().SetProjection(importProjection))
	if err != nil {
		return nil, fmt.Errorf("load orders for import: %w", Translate(err))
	}
	var orders []*survey.Order
	if err := cur.All(ctx, &orders); err != nil {
		return nil, fmt.Errorf("load orders for import: %w", Translate(err))
	}
	byRef := make(map[string]*survey.Order, len(orders))
	for _, o := range orders {
		byRef[o.Reference] = o
	}
	return byRef, nil
}

// refuseAnsweredUpdates catches answers the order's copy does not show yet
// (the response is the source of truth): it looks up, by _id, the response
// of each order to update whose survey was issued.
func (s *Store) refuseAnsweredUpdates(ctx context.Context, f *survey.ImportFile, plan *survey.ImportPlan) error {
	kept := plan.Updates[:0]
	for _, u := range plan.Updates {
		if u.Order.Survey != nil {
			answered, err := s.hasResponse(ctx, u.Order.ID)
			if err != nil {
				return fmt.Errorf("import: %w", Translate(err))
			}
			if answered {
				plan.Reject(f, u.Row, "reference", survey.AnsweredMessage(u.Order.Reference))
				continue
			}
		}
		kept = append(kept, u)
	}
	plan.Updates = kept
	return nil
}

// applyImport writes the plan: one unordered InsertMany for the new orders,
// whose duplicate-key failures (an order created meanwhile) become rejected
// rows, then one edit per changed order, claimed as its next change (see
// UpdateOrder): an order deleted or answered meanwhile is a rejected row.
func (s *Store) applyImport(ctx context.Context, f *survey.ImportFile, plan *survey.ImportPlan, report *survey.ImportReport) error {
	if err := s.insertImported(ctx, f, plan, report); err != nil {
		return err
	}
	for _, u := range plan.Updates {
		err := s.importEdit(ctx, u.Order.StructureID, u.Order.ID, u.Input)
		var conflict *survey.ConflictError
		switch {
		case errors.Is(err, survey.ErrNotFound):
			plan.Reject(f, u.Row, "reference", "La commande a été supprimée pendant l'import : ligne ignorée.")
			continue
		case errors.As(err, &conflict) && conflict.Fields["service_type"].Code != "":
			plan.Reject(f, u.Row, "service_type", survey.MsgServiceTypeLocked)
			continue
		case errors.As(err, &conflict):
			plan.Reject(f, u.Row, "reference", survey.AnsweredMessage(u.Input.Reference))
			continue
		case err != nil:
			return fmt.Errorf("import: update order %s: %w", u.Order.ID, Translate(err))
		}
		report.Updated++
		report.Orders = append(report.Orders, survey.ImportedOrder{Row: u.Row, ID: u.Order.ID, Reference: u.Input.Reference})
	}
	slices.SortFunc(report.Orders, func(a, b survey.ImportedOrder) int { return a.Row - b.Row })
	return nil
}

// importEdit edits one order of an import.
func (s *Store) importEdit(ctx context.Context, sid, oid string, in survey.OrderInput) error {
	st, err := s.orderState(ctx, sid, oid)
	if err != nil {
		return err
	}
	return s.editOrder(ctx, st, in)
}

func (s *Store) insertImported(ctx context.Context, f *survey.ImportFile, plan *survey.ImportPlan, report *survey.ImportReport) error {
	if len(plan.Inserts) == 0 {
		return nil
	}
	docs := make([]any, len(plan.Inserts))
	entries := make([]catalogueEdit, len(plan.Inserts))
	for i, ins := range plan.Inserts {
		docs[i], entries[i] = ins.Order, putEntry(ins.Order)
	}
	sid := plan.Inserts[0].Order.StructureID
	if err := s.editCatalogue(ctx, sid, entries...); err != nil { // first, as for CreateOrder
		return fmt.Errorf("import: %w", err)
	}
	_, err := s.db.Collection(colOrders).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	report.Created = len(plan.Inserts)
	refused := map[int]bool{}
	defer func() {
		for i, ins := range plan.Inserts {
			if !refused[i] {
				report.CreatedIDs = append(report.CreatedIDs, ins.Order.ID)
				report.Orders = append(report.Orders, survey.ImportedOrder{Row: ins.Row, ID: ins.Order.ID, Reference: ins.Order.Reference, Created: true})
			}
		}
	}()
	if err == nil {
		return nil
	}
	var bulk mongo.BulkWriteException
	if !errors.As(err, &bulk) || bulk.WriteConcernError != nil {
		return fmt.Errorf("import: insert orders: %w", Translate(err))
	}
	for _, we := range bulk.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) || we.Index < 0 || we.Index >= len(plan.Inserts) {
			return fmt.Errorf("import: insert orders: %w", Translate(err))
		}
		ins := plan.Inserts[we.Index]
		refused[we.Index] = true
		if err := s.editCatalogue(ctx, sid, removeEntry(ins.Order)); err != nil {
			s.log.Warn("order catalogue: entry of an order not imported left behind", "order_id", ins.Order.ID, "error", err.Error())
		}
		plan.Reject(f, ins.Row, "reference", fmt.Sprintf("Une commande « %s » a été enregistrée pendant l'import : ligne ignorée, réimportez le fichier.", ins.Order.Reference))
		report.Created--
	}
	return nil
}
