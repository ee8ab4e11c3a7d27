package survey

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Regions of the network (metropolitan France and overseas), as the
// federation names them.
var Regions = []string{
	"Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire",
	"Corse", "Grand Est", "Hauts-de-France", "Île-de-France", "Normandie",
	"Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire", "Provence-Alpes-Côte d'Azur",
	"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte",
}

// ValidRegion reports whether r is one of Regions.
func ValidRegion(r string) bool {
	for _, x := range Regions {
		if x == r {
			return true
		}
	}
	return false
}

// StructureInput is what a caller gives to create or update a structure.
type StructureInput struct {
	Name     string             `json:"name" validate:"required,max=200"`
	SIRET    string             `json:"siret" validate:"required,siret"`
	Region   string             `json:"region" validate:"required,region"`
	Type     StructureType      `json:"type" validate:"required,structure_type"`
	Settings *StructureSettings `json:"settings,omitempty"`
}

// Validate checks the input and normalises it with a validator built for
// the call; the store uses its own (Validator.Structure).
func (in *StructureInput) Validate() error { return NewValidator().Structure(in) }

// Structure normalises a structure input and checks it.
func (v *Validator) Structure(in *StructureInput) error {
	in.Name = strings.TrimSpace(in.Name)
	in.SIRET = normalizeIdentifier(in.SIRET)
	in.Region = strings.TrimSpace(in.Region)
	return v.check(in, structureMessage).OrNil()
}

func structureMessage(field, tag string) string {
	switch field + ":" + tag {
	case "name:required":
		return "Le nom est obligatoire."
	case "name:max":
		return "Le nom ne doit pas dépasser 200 caractères."
	case "siret:required":
		return "SIRET invalide (14 chiffres, clé de contrôle)"
	case "region:required":
		return "Région inconnue."
	case "type:required":
		return "Type de structure inconnu (AI, ETTI, ACI, EI ou other)."
	case "settings.survey_expiry_days:min", "settings.survey_expiry_days:max":
		return "La durée de validité doit être comprise entre 1 et 365 jours."
	}
	return ""
}

func validStructureType(t StructureType) bool {
	for _, x := range StructureTypes {
		if x == t {
			return true
		}
	}
	return false
}

// CreateStructure stores a new structure with its two default questionnaires,
// published. The questionnaires are written first and removed again if the
// structure cannot be, so that no half-created structure remains.
func (s *Store) CreateStructure(ctx context.Context, in StructureInput) (*Structure, error) {
	if in.Settings != nil && in.Settings.SurveyExpiryDays == 0 { // settings given without the expiry
		settings := *in.Settings
		settings.SurveyExpiryDays = DefaultSurveyExpiryDays
		in.Settings = &settings
	}
	if err := s.validate.Structure(&in); err != nil {
		return nil, err
	}
	now := s.Now()
	st := &Structure{
		ID: NewID(), Name: in.Name, SIRET: in.SIRET, Region: in.Region, Type: in.Type,
		Settings:  StructureSettings{SurveyExpiryDays: DefaultSurveyExpiryDays},
		CreatedAt: now, UpdatedAt: now,
	}
	if in.Settings != nil {
		st.Settings = *in.Settings
	}
	var ids []any
	for _, q := range DefaultQuestionnaires(st.ID) {
		q.ID, q.FamilyID, q.Version = NewID(), NewID(), 1
		q.Status, q.CreatedAt, q.UpdatedAt, q.PublishedAt = StatusPublished, now, now, &now
		if _, err := s.db.Collection(colQuestionnaires).InsertOne(ctx, q); err != nil {
			s.deleteIDs(ctx, colQuestionnaires, ids)
			return nil, fmt.Errorf("create default questionnaire: %w", translate(err))
		}
		ids = append(ids, q.ID)
	}
	if _, err := s.db.Collection(colStructures).InsertOne(ctx, st); err != nil {
		s.deleteIDs(ctx, colQuestionnaires, ids)
		return nil, fmt.Errorf("create structure: %w", translate(err))
	}
	return st, nil
}

// deleteIDs removes documents by _id one at a time (the embedded store only
// uses its index for exact _id filters); used to undo a partial write.
func (s *Store) deleteIDs(ctx context.Context, collection string, ids []any) {
	for _, id := range ids {
		_, _ = s.db.Collection(collection).DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": id})
	}
}

// Structure returns one structure.
func (s *Store) Structure(ctx context.Context, id string) (*Structure, error) {
	if !ValidIDShape(id) {
		return nil, ErrNotFound
	}
	var st Structure
	if err := s.findByID(ctx, colStructures, id, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// StructureFilter narrows ListStructures. Empty fields match everything.
type StructureFilter struct {
	Region string
	IDs    []string // when non-nil, only these
}

// ListStructures returns structures sorted by name.
func (s *Store) ListStructures(ctx context.Context, f StructureFilter) ([]Structure, error) {
	filter := bson.M{}
	if f.Region != "" {
		filter["region"] = f.Region
	}
	if f.IDs != nil {
		filter["_id"] = bson.M{"$in": f.IDs}
	}
	cur, err := s.db.Collection(colStructures).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "name", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list structures: %w", err)
	}
	out := []Structure{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list structures: %w", err)
	}
	return out, nil
}

// StructurePatch holds the fields a PATCH may change; nil means unchanged.
// Settings are replaced together, except a zero survey_expiry_days, which
// keeps the current value.
type StructurePatch struct {
	Name     *string            `json:"name"`
	SIRET    *string            `json:"siret"`
	Region   *string            `json:"region"`
	Type     *StructureType     `json:"type"`
	Settings *StructureSettings `json:"settings"`
}

// UpdateStructure applies a patch after validating the result as a whole.
func (s *Store) UpdateStructure(ctx context.Context, id string, p StructurePatch) (*Structure, error) {
	st, err := s.Structure(ctx, id)
	if err != nil {
		return nil, err
	}
	in := StructureInput{Name: st.Name, SIRET: st.SIRET, Region: st.Region, Type: st.Type, Settings: &st.Settings}
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
		return nil, fmt.Errorf("update structure: %w", translate(err))
	}
	s.structures.forget(id)
	return st, nil
}
