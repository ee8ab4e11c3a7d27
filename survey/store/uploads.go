package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FindStructureForUpload resolves the structure an upload is for, by id,
// SIRET or exact name (case-insensitive); ambiguity is a validation error.
func (s *Store) FindStructureForUpload(ctx context.Context, ref string) (*survey.Structure, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, survey.Invalid("structure_id", "required", "Indiquez la structure (identifiant, SIRET ou nom).")
	}
	if survey.ValidIDShape(ref) {
		if st, err := s.Structure(ctx, ref); err == nil {
			return st, nil
		}
	}
	all, err := s.ListStructures(ctx, survey.StructureFilter{})
	if err != nil {
		return nil, err
	}
	var found []survey.Structure
	siret := survey.NormalizeIdentifier(ref) // as the stored SIRET was
	for _, st := range all {
		if st.SIRET == siret || strings.EqualFold(st.Name, ref) {
			found = append(found, st)
		}
	}
	switch len(found) {
	case 0:
		return nil, survey.Invalid("structure_id", "not_found", "Structure inconnue : vérifiez l'identifiant, le SIRET ou le nom.")
	case 1:
		return &found[0], nil
	}
	return nil, survey.Invalid("structure_id", "ambiguous", "Plusieurs structures correspondent : indiquez l'identifiant de la structure.")
}

// ImportUpload stores a workbook's rows for structure sid, one document per
// month, each replacing any earlier upload of that structure and month.
func (s *Store) ImportUpload(ctx context.Context, sid, fileName string, rows []survey.UploadRow) (*survey.UploadResult, error) {
	if len(rows) == 0 {
		return nil, survey.Invalid("file", "empty", "La feuille « Indicateurs » ne contient aucune ligne mensuelle à importer.")
	}
	// The file's name is shown in the consolidated workbook: text rules.
	fileName, msg := survey.CleanText(fileName, false)
	if msg != "" {
		return nil, survey.Invalid("file", survey.CodeInvalidChar, "Le nom du fichier contient un caractère de contrôle ou invisible : renommez le fichier puis recommencez.")
	}
	months := survey.UploadedMonths(sid, fileName, s.Now(), rows)
	res := &survey.UploadResult{StructureID: sid, Months: []string{}, Replaced: []string{}}
	for _, m := range slices.Sorted(maps.Keys(months)) {
		doc := months[m]
		r, err := s.db.Collection(colUploads).ReplaceOne(ctx, bson.M{"_id": doc.ID}, doc, options.Replace().SetUpsert(true))
		if err != nil {
			return nil, fmt.Errorf("import upload %s: %w", doc.ID, Translate(err))
		}
		res.Months = append(res.Months, m)
		if r.MatchedCount > 0 {
			res.Replaced = append(res.Replaced, m)
		}
	}
	return res, nil
}
