package store

import (
	"capsat/survey"
	"context"
	"fmt"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// CreateStructure stores a new structure with its two default questionnaires,
// published. The questionnaires are written first and removed again if the
// structure cannot be, so that no half-created structure remains.
func (s *Store) CreateStructure(ctx context.Context, in survey.StructureInput) (*survey.Structure, error) {
	if in.Settings != nil && in.Settings.SurveyExpiryDays == 0 { // settings given without the expiry
		settings := *in.Settings
		settings.SurveyExpiryDays = survey.DefaultSurveyExpiryDays
		in.Settings = &settings
	}
	if err := s.validate.Structure(&in); err != nil {
		return nil, err
	}
	now := s.Now()
	st := &survey.Structure{
		ID: survey.NewID(), Name: in.Name, SIRET: in.SIRET, Region: in.Region, Type: in.Type,
		Settings:  survey.StructureSettings{SurveyExpiryDays: survey.DefaultSurveyExpiryDays},
		CreatedAt: now, UpdatedAt: now,
	}
	if in.Settings != nil {
		st.Settings = *in.Settings
	}
	var ids []any
	for _, q := range survey.DefaultQuestionnaires(st.ID) {
		q.ID, q.FamilyID, q.Version = survey.NewID(), survey.NewID(), 1
		q.Status, q.CreatedAt, q.UpdatedAt, q.PublishedAt = survey.StatusPublished, now, now, &now
		if _, err := s.db.Collection(colQuestionnaires).InsertOne(ctx, q); err != nil {
			s.deleteIDs(ctx, colQuestionnaires, ids)
			return nil, fmt.Errorf("create default questionnaire: %w", Translate(err))
		}
		ids = append(ids, q.ID)
	}
	if _, err := s.db.Collection(colStructures).InsertOne(ctx, st); err != nil {
		s.deleteIDs(ctx, colQuestionnaires, ids)
		return nil, fmt.Errorf("create structure: %w", Translate(err))
	}
	listed := make([]string, len(ids))
	for i, id := range ids {
		listed[i] = id.(string)
	}
	if err := s.startListWith(ctx, st.ID, listed); err != nil {
		// The structure is whole: its first list read writes the list.
		s.log.Warn("questionnaire list not written", slog.String("structure", st.ID), slog.String("error", err.Error()))
	}
	return st, nil
}

// deleteIDs removes documents by _id one at a time (the embedded store only
// uses its index for exact _id filters); used to undo a partial write.
func (s *Store) deleteIDs(ctx context.Context, collection string, ids []any) {
	for _, id := range ids {
		if _, err := s.db.Collection(collection).DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": id}); err != nil {
			s.log.Warn("undo of a partial write failed", slog.String("collection", collection), slog.Any("id", id), slog.String("error", err.Error()))
		}
	}
}

// Structure returns one structure.
func (s *Store) Structure(ctx context.Context, id string) (*survey.Structure, error) {
	if !survey.ValidIDShape(id) {
		return nil, survey.ErrNotFound
	}
	var st survey.Structure
	if err := s.findByID(ctx, colStructures, id, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// ListStructures returns structures sorted by name.
func (s *Store) ListStructures(ctx context.Context, f survey.StructureFilter) ([]survey.Structure, error) {
	filter := bson.M{}
	if f.Region != "" {
		filter["region"] = f.Region
	}
	if f.IDs != nil {
		filter["_id"] = bson.M{"$in": f.IDs}
	}
	cur, err := s.db.Collection(colStructures).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list structures: %w", Translate(err))
	}
	out := []survey.Structure{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list structures: %w", Translate(err))
	}
	return out, nil
}

// UpdateStructure applies a patch after validating the result as a whole.
func (s *Store) UpdateStructure(ctx context.Context, id string, p survey.StructurePatch) (*survey.Structure, error) {
	st, err := s.Structure(ctx, id)
	if err != nil {
		return nil, err
	}
	in := survey.StructureInput{Name: st.Name, SIRET: st.SIRET, Region: st.Region, Type: st.Type, Settings: &st.Settings}
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.SIRET != nil {
		in.SIRET = *p.SIRET
	}
	if p.Region != nil {
		in.Region = *p.Region
	}
	if p.Type != nil {
		in.Type = *p.Type
	}
	if p.Settings != nil {
		settings := *p.Settings
		if settings.SurveyExpiryDays == 0 { // absent from the patch: unchanged
			settings.SurveyExpiryDays = st.Settings.SurveyExpiryDays
		}
		in.Settings = &settings
	}
	if err := s.validate.Structure(&in); err != nil {
		return nil, err
	}
	st.Name, st.SIRET, st.Region, st.Type, st.Settings = in.Name, in.SIRET, in.Region, in.Type, *in.Settings
	st.UpdatedAt = s.Now()
	if _, err := s.db.Collection(colStructures).ReplaceOne(ctx, bson.M{"_id": id}, st); err != nil {
		return nil, fmt.Errorf("update structure: %w", Translate(err))
	}
	s.structures.forget(id)
	return st, nil
}
