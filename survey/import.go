package survey

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// MaxImportRows is the largest number of data rows one import accepts.
const MaxImportRows = 50000

// ImportFile is an order import file once read: which columns it has and one
// record per data row, not yet compared with the store.
type ImportFile struct {
	Format  string            // "csv" or "xlsx"
	Headers map[string]int    // field key → column index
	Names   []string          // header texts as in the file, by column index
	Labels  map[string]string // field key → French column name, for columns the file lacks
	Rows    []ImportRow
}

// ImportRow is one data row of an import file.
type ImportRow struct {
	Row      int               // as a spreadsheet shows it (the header is row 1)
	Input    OrderInput        // values converted from French formats
	Problems []ImportRejection // cells that could not be read
	Bad      map[string]bool   // field keys with a problem, already reported in Problems
}

// Has reports whether the file has a column for the field key.
func (f *ImportFile) Has(key string) bool {
	_, ok := f.Headers[key]
	return ok
}

// Column returns the header text of a field key as written in the file, or
// the French column name when the file has no such column.
func (f *ImportFile) Column(key string) string {
	if i, ok := f.Headers[key]; ok {
		return f.Names[i]
	}
	if label, ok := f.Labels[key]; ok {
		return label
	}
	return key
}

// columnOrder sorts messages of one row in the file's column order.
func (f *ImportFile) ColumnOrder(key string) int {
	if i, ok := f.Headers[key]; ok {
		return i
	}
	return len(f.Names)
}

// ImportReport is the outcome of an order import: valid rows are applied,
// rejected rows are not.
type ImportReport struct {
	Created   int               `json:"created"`
	Updated   int               `json:"updated"`
	Unchanged int               `json:"unchanged"`
	Rejected  []ImportRejection `json:"rejected"`
	// CreatedIDs are the orders the import created ("Envoyer les
	// questionnaires" offers to send them all).
	CreatedIDs []string `json:"-"`
	// Orders are the orders an applied import created or changed, in the
	// file's order, for the page to link them.
	Orders []ImportedOrder `json:"-"`
}

// ImportedOrder is one order an applied import created or changed.
type ImportedOrder struct {
	Row       int
	ID        string
	Reference string
	Created   bool
}

// ImportRejection is one problem of one row: the row as a spreadsheet shows
// it, the column header as written in the file, and a French message.
type ImportRejection struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
	Order   int    `json:"-"` // column index, to list a row's problems left to right
}

// ImportPlan is what an import would do, computed in memory against the
// structure's existing orders.
type ImportPlan struct {
	Inserts   []PlannedInsert
	Updates   []PlannedUpdate
	Unchanged int
	Rejected  []ImportRejection
}

// PlannedInsert is a new order of the file, at its row.
type PlannedInsert struct {
	Row   int
	Order *Order
}

// PlannedUpdate is a change to a stored order, from a row of the file.
type PlannedUpdate struct {
	Row   int
	Order *Order // the stored order
	Input OrderInput
}

// PlanImport validates every row and sorts it into insert, update,
// unchanged or rejected. existing holds the structure's orders by
// reference. References are compared by ReferenceKey: a row updates the
// order whose reference has the same key, which keeps its reference as
// stored ("bc-1" in the file is the stored "BC-1"), and a reference
// repeated in the file is rejected from its second occurrence on. Columns
// absent from the file leave the stored values as they are. validate
// checks and normalises one input.
func PlanImport(sid string, f *ImportFile, existing map[string]*Order, now time.Time, validate func(*OrderInput) error) *ImportPlan {
	plan := &ImportPlan{}
	byKey := make(map[string]*Order, len(existing))
	for _, o := range existing {
		key := o.ReferenceKey // as stored: unique in the structure
		if key == "" {
			key = ReferenceKey(o.Reference)
		}
		byKey[key] = o
	}
	firstRow := map[string]int{}
	for i := range f.Rows {
		row := &f.Rows[i]
		ref := strings.TrimSpace(row.Input.Reference)
		key := ReferenceKey(ref)
		if first, seen := firstRow[key]; seen && key != "" {
			plan.Reject(f, row.Row, "reference", fmt.Sprintf("Référence « %s » déjà présente ligne %d du fichier : ligne ignorée.", ref, first))
			continue
		}
		firstRow[key] = row.Row
		stored := byKey[key]
		in := mergeImportRow(f, row.Input, stored)
		if rejected := plan.validate(f, row, &in, validate); rejected {
			continue
		}
		switch {
		case stored == nil:
			plan.Inserts = append(plan.Inserts, PlannedInsert{Row: row.Row, Order: newOrderFromInput(sid, in, now)})
		case inputOf(stored) == in:
			plan.Unchanged++
		case stored.Survey != nil && stored.Survey.AnsweredAt != nil:
			plan.Reject(f, row.Row, "reference", AnsweredMessage(ref))
		case ServiceTypeLocked(stored, in, now):
			plan.Reject(f, row.Row, "service_type", MsgServiceTypeLocked)
		default:
			plan.Updates = append(plan.Updates, PlannedUpdate{Row: row.Row, Order: stored, Input: in})
		}
	}
	return plan
}

// validate records the row's unreadable cells and the validation errors of
// its input; it reports whether the row is rejected.
func (p *ImportPlan) validate(f *ImportFile, row *ImportRow, in *OrderInput, validate func(*OrderInput) error) bool {
	p.Rejected = append(p.Rejected, row.Problems...)
	err := validate(in)
	var verr *ValidationError
	if errors.As(err, &verr) {
		for key, fe := range verr.Fields {
			if !row.Bad[key] { // an unreadable cell is reported once, as read
				p.Reject(f, row.Row, key, importMessage(key, fe, in))
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

func (p *ImportPlan) Reject(f *ImportFile, row int, key, message string) {
	p.Rejected = append(p.Rejected, ImportRejection{Row: row, Column: f.Column(key), Message: message, Order: f.ColumnOrder(key)})
}

func AnsweredMessage(ref string) string {
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
	in.Reference = stored.Reference // the same reference by its key, kept as stored
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
		ID: NewID(), StructureID: sid, Reference: in.Reference, ReferenceKey: ReferenceKey(in.Reference), ServiceType: in.ServiceType,
		Client: in.Client, JobTitle: in.JobTitle, StartDate: in.StartDate, EndDate: in.EndDate,
		Hours: in.Hours, Notes: in.Notes, CreatedAt: now, UpdatedAt: now,
	}
}

// SortedRejections orders problems by row, then left to right; never nil,
// so that the JSON shows an empty list.
func SortedRejections(rs []ImportRejection) []ImportRejection {
	out := append([]ImportRejection{}, rs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Row != out[j].Row {
			return out[i].Row < out[j].Row
		}
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].Column < out[j].Column
	})
	return out
}
