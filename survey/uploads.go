package survey

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colUploads holds figures imported from self-hosted structures' workbooks,
// one document per structure × month.
const colUploads = "federation_uploads"

// UploadRow is one row of an "Indicateurs" sheet: Service is empty for
// "Toutes" (both services).
type UploadRow struct {
	Code        string
	Month       string
	Service     ServiceType
	Value       float64
	HasValue    bool
	Numerator   int
	Denominator int
}

// UploadedMonth is what a self-hosted structure reported for one month.
// It stands for that structure × month in network figures, instead of any
// local summary.
type UploadedMonth struct {
	ID          string            `bson:"_id" json:"-"` // "<structure id>:<YYYY-MM>"
	StructureID string            `bson:"structure_id" json:"structure_id"`
	Month       string            `bson:"month" json:"month"`
	FileName    string            `bson:"file_name" json:"file_name"`
	UploadedAt  time.Time         `bson:"uploaded_at" json:"uploaded_at"`
	Services    []UploadedService `bson:"services" json:"services"`
}

// UploadedService is the figures of one service ("" = Toutes) in an upload.
type UploadedService struct {
	Service ServiceType `bson:"service" json:"service"`
	Figures NetFigures  `bson:"figures" json:"figures"`
}

// UploadResult says what an upload replaced.
type UploadResult struct {
	StructureID string   `json:"structure_id"`
	Months      []string `json:"months"`
	Replaced    []string `json:"replaced"` // months that had an earlier upload
}

// FindStructureForUpload resolves the structure an upload is for, by id,
// SIRET or exact name (case-insensitive); ambiguity is a validation error.
func (s *Store) FindStructureForUpload(ctx context.Context, ref string) (*Structure, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, Invalid("structure_id", "required", "Indiquez la structure (identifiant, SIRET ou nom).")
	}
	if ValidIDShape(ref) {
		if st, err := s.Structure(ctx, ref); err == nil {
			return st, nil
		}
	}
	all, err := s.ListStructures(ctx, StructureFilter{})
	if err != nil {
		return nil, err
	}
	var found []Structure
	siret := normalizeIdentifier(ref) // as the stored SIRET was
	for _, st := range all {
		if st.SIRET == siret || strings.EqualFold(st.Name, ref) {
			found = append(found, st)
		}
	}
	switch len(found) {
	case 0:
		return nil, Invalid("structure_id", "not_found", "Structure inconnue : vérifiez l'identifiant, le SIRET ou le nom.")
	case 1:
		return &found[0], nil
	}
	return nil, Invalid("structure_id", "ambiguous", "Plusieurs structures correspondent : indiquez l'identifiant de la structure.")
}

// ImportUpload stores a workbook's rows for structure sid, one document per
// month, each replacing any earlier upload of that structure and month.
func (s *Store) ImportUpload(ctx context.Context, sid, fileName string, rows []UploadRow) (*UploadResult, error) {
	if len(rows) == 0 {
		return nil, Invalid("file", "empty", "La feuille « Indicateurs » ne contient aucune ligne mensuelle à importer.")
	}
	months := uploadedMonths(sid, fileName, s.Now(), rows)
	res := &UploadResult{StructureID: sid, Months: []string{}, Replaced: []string{}}
	for _, m := range sortedKeys(months) {
		doc := months[m]
		r, err := s.db.Collection(colUploads).ReplaceOne(ctx, bson.M{"_id": doc.ID}, doc, options.Replace().SetUpsert(true))
		if err != nil {
			return nil, fmt.Errorf("import upload %s: %w", doc.ID, translate(err))
		}
		res.Months = append(res.Months, m)
		if r.MatchedCount > 0 {
			res.Replaced = append(res.Replaced, m)
		}
	}
	return res, nil
}

// uploadedMonths groups rows by month and service into documents.
func uploadedMonths(sid, fileName string, now time.Time, rows []UploadRow) map[string]*UploadedMonth {
	responses := map[string]int{} // month/service → REPONSES, the base of volumes
	for _, r := range rows {
		if r.Code == FigureResponses {
			responses[r.Month+"/"+string(r.Service)] = r.Numerator
		}
	}
	out := map[string]*UploadedMonth{}
	for _, r := range rows {
		doc := out[r.Month]
		if doc == nil {
			doc = &UploadedMonth{ID: SummaryID(sid, r.Month), StructureID: sid, Month: r.Month, FileName: fileName, UploadedAt: now}
			out[r.Month] = doc
		}
		fig := ImportedFigure(r.Code, r.Value, r.HasValue, r.Numerator, r.Denominator, responses[r.Month+"/"+string(r.Service)])
		doc.service(r.Service).Figures[r.Code] = fig
	}
	return out
}

func (u *UploadedMonth) service(st ServiceType) *UploadedService {
	for i := range u.Services {
		if u.Services[i].Service == st {
			return &u.Services[i]
		}
	}
	u.Services = append(u.Services, UploadedService{Service: st, Figures: NetFigures{}})
	return &u.Services[len(u.Services)-1]
}

// figuresFor returns the upload's figures for a service ("" = both): the
// per-service rows when the workbook has them, else its "Toutes" rows.
func (u *UploadedMonth) figuresFor(st ServiceType) NetFigures {
	out := NetFigures{}
	var all NetFigures
	found := false
	for _, us := range u.Services {
		switch {
		case us.Service == "":
			all = us.Figures
		case st == "" || us.Service == st:
			out.Add(us.Figures)
			found = true
		}
	}
	if !found && st == "" && all != nil {
		out.Add(all)
	}
	return out
}
