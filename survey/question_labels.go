package survey

// QuestionTypes lists every question type, in the editor's order.
var QuestionTypes = []QuestionType{QuestionScale, QuestionYesNo, QuestionNPS, QuestionChoice, QuestionText}

// QuestionRoles lists every role a question may carry, none first.
var QuestionRoles = []QuestionRole{RoleNone, RoleOverall, RoleReuse, RoleRecommend, RoleComment}

// Label is the French name of a question type, as the editor offers it.
func (t QuestionType) Label() string {
	switch t {
	case QuestionScale:
		return "Échelle de satisfaction (4 niveaux et « Sans objet »)"
	case QuestionYesNo:
		return "Oui ou non"
	case QuestionNPS:
		return "Recommandation (0 à 10)"
	case QuestionChoice:
		return "Choix parmi des réponses proposées"
	case QuestionText:
		return "Réponse libre"
	}
	return string(t)
}

// Label is the French name of the indicator a role feeds.
func (r QuestionRole) Label() string {
	switch r {
	case RoleNone:
		return "Aucun"
	case RoleOverall:
		return "Satisfaction globale"
	case RoleReuse:
		return "Feraient de nouveau appel (fidélisation)"
	case RoleRecommend:
		return "Recommandation (NPS)"
	case RoleComment:
		return "Commentaire (verbatim)"
	}
	return string(r)
}
