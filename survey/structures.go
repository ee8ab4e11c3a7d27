package survey

import (
	"strings"
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

// Structure normalises a structure input and checks it.
func (v *Validator) Structure(in *StructureInput) error {
	in.Name = strings.TrimSpace(in.Name)
	in.SIRET = NormalizeIdentifier(in.SIRET)
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

// StructureFilter narrows ListStructures. Empty fields match everything.
type StructureFilter struct {
	Region string
	IDs    []string // when non-nil, only these
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
