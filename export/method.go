package export

import (
	"fmt"
	"strings"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// methodRows are the Méthode sheet: what the figures mean and how they
// were computed, so that a reader of the file alone can check them.
func methodRows(in *Satisfaction) [][2]string {
	cur := in.Current
	services := make([]string, len(cur.Services))
	for i, s := range cur.Services {
		services[i] = survey.ServiceLabel(s)
	}
	rows := [][2]string{
		{"Structure", in.StructureName},
		{"Période", cur.Range.String() + " (période précédente comparée : " + in.Previous.Range.String() + ")"},
		{"Prestations", strings.Join(services, ", ")},
		{"Fichier produit le", in.GeneratedAt.In(survey.IndicatorLocation()).Format("02/01/2006 à 15:04") + " (heure de Paris)"},
		{"Questionnaires envoyés", "Bons de commande dont le lien de questionnaire a été émis dans la période. Un lien annulé et non réémis n'est pas compté (le client ne pouvait pas répondre) ; un lien expiré sans réponse est compté. Un lien réémis compte une fois, à la date de sa dernière émission."},
		{"Réponses", "Ceux de ces questionnaires qui ont reçu une réponse."},
		{"Taux de réponse", "Réponses / questionnaires envoyés."},
		{"Règle de période", "Chaque questionnaire est rattaché à la date (heure de Paris) à laquelle son lien a été émis, pour le numérateur comme pour le dénominateur : une réponse tardive met à jour la période d'envoi (la cohorte), jamais la période de réponse."},
		{"Questions de satisfaction", "Échelle à 4 niveaux sans milieu neutre : Très satisfait, Satisfait, Peu satisfait, Pas du tout satisfait, plus « Sans objet ». Taux de satisfaction = (Très satisfait + Satisfait) / réponses autres que Sans objet. Score moyen : 4 = Très satisfait … 1 = Pas du tout satisfait, hors Sans objet. Répartition : part de chaque réponse parmi toutes les réponses à la question, Sans objet compris."},
		{"Satisfaction globale (SAT_GLOBALE)", "Taux de satisfaction de la question marquée « satisfaction globale » dans chaque version de questionnaire."},
		{"NPS", "Question de recommandation de 0 à 10 : % de promoteurs (9–10) − % de détracteurs (0–6), de −100 à 100. Numérateur = promoteurs − détracteurs, dénominateur = réponses à la question ; les passifs (7–8) comptent au dénominateur."},
		{"Taux de fidélisation", "Part de « oui » à la question « Feriez-vous de nouveau appel à nos services ? »."},
		{"Verbatims", "Commentaires libres, avec la référence du bon de commande et les dates d'envoi et de réponse."},
		{"Codes", "Chaque question garde son code d'une version à l'autre : Q_<CODE> est son taux (satisfaction, part de oui ou NPS), Q_<CODE>_SCORE son score moyen, Q_<CODE>_<RÉPONSE> la part d'une réponse. Une question absente d'une version n'est comptée que sur les réponses des versions qui la posent."},
		{"Numérateur et dénominateur", "Chaque valeur est donnée avec son numérateur et son dénominateur : pour agréger des mois ou des structures, additionnez-les puis divisez (ne faites pas la moyenne des taux). Valeur = numérateur / dénominateur ; NPS = 100 × numérateur / dénominateur ; pour un comptage la valeur est le numérateur. Une valeur vide signifie « aucune réponse »."},
		{"Petits effectifs", fmt.Sprintf("Une valeur calculée sur moins de %d réponses est indicative (colonne « Indicatif » de la synthèse). Hors de la structure (région, réseau), un agrégat reposant sur moins de %d réponses n'est pas diffusé.", survey.IndicativeBelow, survey.MinResponses)},
	}
	rows = append(rows, [2]string{"Taux de réponse par canal (feuille Canaux)", "Chaque lien de questionnaire garde le canal par lequel il a été remis au client pour la première fois : envoyé par e-mail depuis capsat (REPONSES_MAIL, TAUX_REPONSE_MAIL), copié depuis la page du bon de commande, exporté en CSV ou obtenu par l'API (REPONSES_LIEN, TAUX_REPONSE_LIEN), ou imprimé en QR code (REPONSES_QR, TAUX_REPONSE_QR). Taux = réponses aux liens remis par ce canal / liens remis par ce canal (n, colonne « Liens remis par ce canal ») : chaque canal a son propre dénominateur. Un lien qui a reçu une réponse sans qu'aucune remise n'ait été enregistrée compte comme lien copié (remis à la main) ; un lien jamais remis ni répondu ne compte dans aucun canal. Même rattachement à la date d'émission du lien que le taux de réponse."})
	if len(cur.Questionnaires) == 0 {
		rows = append(rows, [2]string{"Versions de questionnaire", "Aucune réponse dans la période."})
	}
	for _, v := range cur.Questionnaires {
		rows = append(rows, [2]string{"Version de questionnaire", fmt.Sprintf("%s : %d réponse(s)", v.VersionLabel(), v.Responses)})
	}
	return rows
}

func writeMethod(f *excelize.File, st *styles, in *Satisfaction) error {
	t := table{name: SheetMethod, tableName: "Methode", header: []string{"Rubrique", "Définition"}, widths: []float64{34, 110}}
	return t.writeStream(f, st, func(write cellWriter) error {
		for _, r := range methodRows(in) {
			if err := write([]excelize.Cell{plain(r[0]), st.textCell(r[1])}); err != nil {
				return err
			}
		}
		return nil
	})
}
