package survey

// Default questionnaires shipped to every new structure: short (under three
// minutes), in French, one per service type. Codes are stable across
// versions; indicator codes are derived from them (see QuestionIndicatorCode).

func scale(code, label string) Question {
	return Question{Code: code, Label: label, Type: QuestionScale, Required: true}
}

// DefaultMADQuestions are the staff-provision questions.
func DefaultMADQuestions() []Question {
	return []Question{
		scale("reactivite", "Notre réactivité pour répondre à votre demande"),
		scale("adequation_profil", "L'adéquation du profil de la personne à votre besoin"),
		scale("qualite_travail", "La qualité du travail réalisé"),
		scale("ponctualite", "La ponctualité et le comportement de la personne"),
		scale("suivi_mission", "Le suivi de la mission par notre structure"),
		scale("clarte_administratif", "La clarté des documents administratifs et de la facturation"),
		{Code: "satisfaction_globale", Label: "Votre satisfaction globale", Type: QuestionScale, Required: true, Role: RoleOverall},
		{Code: "reutiliser", Label: "Feriez-vous de nouveau appel à nos services ?", Type: QuestionYesNo, Required: true, Role: RoleReuse},
		{Code: "recommandation", Label: "Quelle est la probabilité que vous recommandiez notre structure à un partenaire ? (0 = pas du tout probable, 10 = très probable)", Type: QuestionNPS, Required: true, Role: RoleRecommend},
		{Code: "commentaire", Label: "Un commentaire, une suggestion ?", Type: QuestionText, Role: RoleComment, MaxLength: DefaultTextMaxLen},
	}
}

// DefaultMACQuestions are the hiring questions.
func DefaultMACQuestions() []Question {
	return []Question{
		scale("preselection", "La qualité de la présélection des candidats"),
		scale("delai_presentation", "Le délai de présentation des candidats"),
		scale("adequation_recrute", "L'adéquation de la personne recrutée au poste"),
		scale("accompagnement", "L'accompagnement après le recrutement"),
		{Code: "satisfaction_globale", Label: "Votre satisfaction globale", Type: QuestionScale, Required: true, Role: RoleOverall},
		{Code: "reutiliser", Label: "Feriez-vous de nouveau appel à nos services ?", Type: QuestionYesNo, Required: true, Role: RoleReuse},
		{Code: "recommandation", Label: "Quelle est la probabilité que vous recommandiez notre structure à un partenaire ? (0 = pas du tout probable, 10 = très probable)", Type: QuestionNPS, Required: true, Role: RoleRecommend},
		{Code: "commentaire", Label: "Un commentaire, une suggestion ?", Type: QuestionText, Role: RoleComment, MaxLength: DefaultTextMaxLen},
	}
}

// DefaultQuestionnaires returns the two default questionnaires for a
// structure, unsaved and unpublished (CreateStructure publishes them).
func DefaultQuestionnaires(structureID string) []Questionnaire {
	return []Questionnaire{
		{
			StructureID:  structureID,
			Title:        "Votre avis sur notre mise à disposition de personnel",
			Intro:        "Merci de prendre deux minutes pour nous dire ce que vous avez pensé de notre intervention. Vos réponses nous aident à progresser.",
			ServiceTypes: []ServiceType{ServiceMAD},
			Questions:    DefaultMADQuestions(),
		},
		{
			StructureID:  structureID,
			Title:        "Votre avis sur notre accompagnement au recrutement",
			Intro:        "Merci de prendre deux minutes pour nous dire ce que vous avez pensé de notre accompagnement. Vos réponses nous aident à progresser.",
			ServiceTypes: []ServiceType{ServiceMAC},
			Questions:    DefaultMACQuestions(),
		},
	}
}
