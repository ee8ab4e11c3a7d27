package handlers

import "capsat/survey/accounts"

// auditLabels are the audit actions as the administration page writes them.
var auditLabels = map[accounts.AuditAction]string{
	accounts.AuditLoginSuccess:   "Connexion réussie",
	accounts.AuditLoginFailure:   "Échec de connexion",
	accounts.AuditLogout:         "Déconnexion",
	accounts.AuditPasswordChange: "Mot de passe changé",
	accounts.AuditAPIKeyCreate:   "Clé d’API créée",
	accounts.AuditAPIKeyRevoke:   "Clé d’API révoquée",
	accounts.AuditUserCreate:     "Compte créé",
	accounts.AuditUserDelete:     "Compte supprimé",
	accounts.AuditExportDownload: "Export téléchargé",
	accounts.AuditDataDelete:     "Données supprimées",
	accounts.AuditFollowUp:       "Suivi d’une insatisfaction",
}

// auditLabel is an action in French; an action without a label (added
// later) shows its code rather than nothing.
func auditLabel(a accounts.AuditAction) string {
	if l, ok := auditLabels[a]; ok {
		return l
	}
	return string(a)
}

// auditPerPage is how many entries a page of the audit log shows.
const auditPerPage = 25
