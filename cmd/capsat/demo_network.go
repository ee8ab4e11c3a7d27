package main

import "capsat/survey"

// The demo network: fictional structures, clients and comments, written to
// look like what a regional federation of the Coorace network sees.

// demoStructure describes one demo structure and how its clients behave.
type demoStructure struct {
	Name   string
	Region string
	Type   survey.StructureType
	Town   string // where it is based, for its clients
	Prefix string // of its purchase-order references
	// OrdersPerMonth is the usual volume; MADShare the share of staff provision.
	OrdersPerMonth int
	MADShare       float64
	// ResponseRate is the chance an issued survey is answered; Mood shifts
	// answers towards satisfied (+) or dissatisfied (-).
	ResponseRate float64
	Mood         float64
	ExpiryDays   int // survey link life; 0 keeps the default
}

// demoNetwork is the fixed list of demo structures; the first one gets the
// structure API key printed at the end.
func demoNetwork() []demoStructure {
	return []demoStructure{
		{"AI Bocage Emploi", "Normandie", survey.TypeAI, "Vire", "BE", 4, 0.85, 0.68, 0.2, 0},
		{"Lisieux Services Emploi", "Normandie", survey.TypeAI, "Lisieux", "LSE", 3, 0.8, 0.6, 0.1, 0},
		{"Côte de Nacre Intérim Insertion", "Normandie", survey.TypeETTI, "Bayeux", "CNI", 3, 0.9, 0.55, 0, 30},
		{"Les Jardins du Bessin", "Normandie", survey.TypeACI, "Bayeux", "JDB", 2, 0.3, 0.7, 0.3, 0},
		{"Tarn Solidarité Emploi", "Occitanie", survey.TypeAI, "Albi", "TSE", 4, 0.8, 0.62, 0.15, 0},
		{"AI Rouergue Services", "Occitanie", survey.TypeAI, "Rodez", "ARS", 3, 0.85, 0.58, 0.05, 0},
		{"Lauragais Emploi Services", "Occitanie", survey.TypeAI, "Castelnaudary", "LES", 2, 0.8, 0.4, -0.45, 0},
		{"Intérim Solidaire Occitan", "Occitanie", survey.TypeETTI, "Carcassonne", "ISO", 3, 0.9, 0.5, 0, 45},
		{"Trégor Emploi Services", "Bretagne", survey.TypeAI, "Lannion", "TES", 4, 0.8, 0.66, 0.25, 0},
		{"Pays de Pontivy Initiatives", "Bretagne", survey.TypeAI, "Pontivy", "PPI", 3, 0.75, 0.6, 0.05, 0},
		{"AI Vitré Fougères Services", "Bretagne", survey.TypeAI, "Vitré", "VFS", 3, 0.85, 0.64, 0.1, 0},
		{"Les Ateliers de l'Aber", "Bretagne", survey.TypeACI, "Morlaix", "ADA", 2, 0.35, 0.72, 0.2, 0},
	}
}

// demoTowns are the towns of each region's clients.
var demoTowns = map[string][]string{
	"Normandie": {"Vire", "Lisieux", "Bayeux", "Falaise", "Coutances", "Saint-Lô", "Flers", "Argentan", "Honfleur", "Condé-en-Normandie", "Pont-l'Évêque", "Villers-Bocage"},
	"Occitanie": {"Albi", "Castres", "Rodez", "Millau", "Figeac", "Carcassonne", "Limoux", "Castelnaudary", "Gaillac", "Villefranche-de-Rouergue", "Graulhet", "Revel"},
	"Bretagne":  {"Lannion", "Guingamp", "Morlaix", "Pontivy", "Vitré", "Fougères", "Loudéac", "Paimpol", "Carhaix-Plouguer", "Landivisiau", "Janzé", "Perros-Guirec"},
}

// demoClientKind is a kind of client, with the jobs it orders.
type demoClientKind struct {
	Kind    string
	Weight  int
	Names   []string // "%s" is replaced by a town when present
	MADJobs []string
	MACJobs []string
	Private bool // a household: no SIRET
}

var demoClientKinds = []demoClientKind{
	{Kind: "mairie", Weight: 3, Names: []string{"Mairie de %s", "Commune de %s", "CCAS de %s"},
		MADJobs: []string{"Agent d'entretien des espaces verts", "Agent d'entretien des locaux", "Agent de restauration scolaire", "Agent de voirie"},
		MACJobs: []string{"Agent technique polyvalent", "Agent d'entretien des locaux"}},
	{Kind: "ehpad", Weight: 2, Names: []string{"EHPAD Les Tilleuls (%s)", "EHPAD La Roseraie (%s)", "Résidence du Parc, %s", "EHPAD Les Glycines (%s)"},
		MADJobs: []string{"Agent de service hospitalier", "Plongeur", "Aide-cuisinier", "Lingère"},
		MACJobs: []string{"Agent de service hospitalier", "Aide-cuisinier"}},
	{Kind: "pme", Weight: 4, Names: []string{"Transports Lemarchand", "Menuiserie Guérin et Fils", "Boulangerie Hébert", "Logistique du Val (%s)", "Garage Lebrun", "Hôtel du Commerce, %s", "Restaurant Le Relais", "Supermarché de %s", "Entreprise Le Goff Bâtiment", "Conserverie Marchand", "Paysages Roussel", "Nettoyage Pro %s"},
		MADJobs: []string{"Manutentionnaire", "Préparateur de commandes", "Aide-maçon", "Déménageur", "Plongeur", "Agent de nettoyage", "Peintre en bâtiment", "Employé libre-service"},
		MACJobs: []string{"Préparateur de commandes", "Chauffeur-livreur", "Employé polyvalent de restauration", "Agent de production", "Manœuvre du bâtiment"}},
	{Kind: "association", Weight: 1, Names: []string{"Association Familles de %s", "Centre social de %s", "Comité des fêtes de %s"},
		MADJobs: []string{"Agent d'entretien des locaux", "Animateur périscolaire", "Manutentionnaire"},
		MACJobs: []string{"Agent d'accueil"}},
	{Kind: "particulier", Weight: 4, Private: true, Names: []string{"%s (particulier)"},
		MADJobs: []string{"Aide à domicile", "Employé de ménage", "Jardinier", "Petits travaux de bricolage", "Repassage à domicile"}},
}

var demoFirstNames = []string{"Claire", "Jean", "Nathalie", "Philippe", "Isabelle", "Thierry", "Sandrine", "Pascal", "Catherine", "Yann", "Sophie", "Gilles", "Marie", "Bruno", "Anne", "Erwan", "Martine", "Laurent", "Céline", "Michel"}
var demoLastNames = []string{"Martin", "Lefèvre", "Durand", "Le Gall", "Hébert", "Marie", "Guérin", "Roussel", "Fabre", "Vidal", "Le Bihan", "Moreau", "Lemoine", "Bouvier", "Garcia", "Rouquette", "Jacquet", "Tanguy", "Poulain", "Mercier"}

// demoComments are free comments by mood (overall satisfaction level) and
// service type; "" keys apply to both services.
var demoComments = map[string]map[survey.ServiceType][]string{
	"tres_satisfait": {
		survey.ServiceMAD: {
			"Très bonne prestation, la personne était ponctuelle et efficace. Merci !",
			"Intervenant sérieux et souriant, nos résidents l'ont beaucoup apprécié.",
			"Réactivité exemplaire : demande faite le lundi, personne sur place le mardi matin.",
			"Travail soigné, rien à redire. Nous referons appel à vous pour l'été.",
			"Madame très agréable et consciencieuse, je la redemande pour les prochaines semaines.",
			"Excellent suivi de la part de la chargée de mission, toujours joignable.",
		},
		survey.ServiceMAC: {
			"Candidat bien préparé, il s'est intégré très vite à l'équipe.",
			"Présélection pertinente, nous avons embauché dès le premier entretien.",
			"Merci pour l'accompagnement après l'embauche, c'est rassurant pour nous comme pour le salarié.",
		},
	},
	"satisfait": {
		survey.ServiceMAD: {
			"Bonne prestation dans l'ensemble.",
			"RAS, la mission s'est bien passée.",
			"Personne motivée, quelques retards en début de mission mais vite corrigés.",
			"Satisfait, mais la facture est arrivée avec deux mois de retard.",
			"Bon travail, il faudrait juste prévoir un point à mi-parcours.",
		},
		survey.ServiceMAC: {
			"Recrutement réussi, délai un peu long pour recevoir les premiers CV.",
			"Bonne adéquation au poste, à confirmer après la période d'essai.",
			"Accompagnement correct, un appel à un mois serait apprécié.",
		},
	},
	"peu_satisfait": {
		survey.ServiceMAD: {
			"La personne ne connaissait pas le matériel, il a fallu tout lui montrer.",
			"Plusieurs absences non prévenues pendant la mission.",
			"Délai trop long entre la demande et l'arrivée de l'intervenant.",
			"Le bon de commande et la facture ne correspondaient pas au nombre d'heures.",
		},
		survey.ServiceMAC: {
			"Les candidats présentés ne correspondaient pas vraiment au profil demandé.",
			"Pas de nouvelles de la structure après l'embauche.",
		},
	},
	"pas_du_tout_satisfait": {
		survey.ServiceMAD: {
			"Personne arrivée avec une heure de retard le premier jour, puis plus venue.",
			"Aucun suivi, nous avons dû relancer trois fois pour obtenir un remplaçant.",
			"Travail bâclé, nous avons dû repasser derrière.",
		},
		survey.ServiceMAC: {
			"Le salarié a quitté le poste au bout d'une semaine et personne ne nous a rappelés.",
		},
	},
}

// demoNotes are occasional remarks written on purchase orders.
var demoNotes = []string{
	"Prévoir des chaussures de sécurité.",
	"Remplacement d'un agent en arrêt maladie.",
	"Accès par l'entrée du personnel, demander M. le gardien.",
	"Mission renouvelable selon les besoins.",
	"Renfort pour la saison estivale.",
	"Horaires : 7 h – 12 h du lundi au vendredi.",
}
