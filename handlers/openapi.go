package handlers

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// apiOperation documents one route of the JSON API. The OpenAPI document is
// built from apiOperations; TestOpenAPICoversEveryRoute fails when a route
// of the router is missing from it, so adding a route means adding a line:
//
//	{Method: "POST", Path: sapi + "/orders/import", Tag: "orders", Summary: "Importer un fichier CSV ou XLSX", Upload: "file", Query: []string{"dry_run"}, Status: 200, Reply: importResultJSON{}},
//	{Method: "GET", Path: sapi + "/orders/:oid/survey/qr.png", Tag: "surveys", Summary: "QR code du lien", Status: 200, ReplyType: "image/png"},
type apiOperation struct {
	Method    string
	Path      string // as registered in gin: "/api/v1/structures/:sid"
	Tag       string
	Summary   string
	Request   any      // JSON body: a zero value of its Go type, nil for none
	Upload    string   // multipart/form-data file field, for uploads
	Status    int      // success status
	Reply     any      // JSON success body: a Go value, a list(...) wrapper, or nil for none
	ReplyType string   // content type of a non-JSON success body ("image/png", "text/csv"...)
	Query     []string // the query parameters the route accepts (any other is a 400), described in queryParameters (add new ones there)
	Public    bool     // no API key needed
}

// list documents a body of the form {"key": [item, ...]}.
type list struct {
	Key  string
	Item any
}

// apiOperations is the table of documented routes, grouped by resource.
func apiOperations() []apiOperation {
	const sapi = "/api/v1/structures/:sid"
	orderFilters := []string{"service_type", "start_from", "start_to", "status", "q", "page", "per_page"}
	return []apiOperation{
		{Method: "GET", Path: "/api/v1/openapi.json", Tag: "meta", Summary: "Ce document OpenAPI", Status: 200, Reply: map[string]any{}, Public: true},

		{Method: "GET", Path: "/api/v1/structures", Tag: "structures", Summary: "Structures visibles par l'appelant", Status: 200, Reply: list{"structures", survey.Structure{}}},
		{Method: "POST", Path: "/api/v1/structures", Tag: "structures", Summary: "Créer une structure (fédération) avec ses deux questionnaires par défaut", Request: survey.StructureInput{}, Status: 201, Reply: survey.Structure{}},
		{Method: "GET", Path: sapi, Tag: "structures", Summary: "Lire une structure", Status: 200, Reply: survey.Structure{}},
		{Method: "PATCH", Path: sapi, Tag: "structures", Summary: "Modifier une structure (champs absents inchangés)", Request: survey.StructurePatch{}, Status: 200, Reply: survey.Structure{}},

		{Method: "GET", Path: sapi + "/questionnaires", Tag: "questionnaires", Summary: "Toutes les versions des questionnaires", Status: 200, Reply: list{"questionnaires", survey.Questionnaire{}}},
		{Method: "POST", Path: sapi + "/questionnaires", Tag: "questionnaires", Summary: "Créer un questionnaire (version 1, brouillon)", Request: survey.QuestionnaireInput{}, Status: 201, Reply: survey.Questionnaire{}},
		{Method: "GET", Path: sapi + "/questionnaires/:qid", Tag: "questionnaires", Summary: "Lire une version", Status: 200, Reply: survey.Questionnaire{}},
		{Method: "PUT", Path: sapi + "/questionnaires/:qid", Tag: "questionnaires", Summary: "Remplacer un brouillon (409 pour une version publiée ou archivée)", Request: survey.QuestionnaireInput{}, Status: 200, Reply: survey.Questionnaire{}},
		{Method: "POST", Path: sapi + "/questionnaires/:qid/publish", Tag: "questionnaires", Summary: "Publier un brouillon (administrateur) : la dernière version publiée sert aux nouveaux liens", Status: 200, Reply: survey.Questionnaire{}},
		{Method: "POST", Path: sapi + "/questionnaires/:qid/archive", Tag: "questionnaires", Summary: "Archiver une version (administrateur)", Status: 200, Reply: survey.Questionnaire{}},
		{Method: "DELETE", Path: sapi + "/questionnaires/:qid", Tag: "questionnaires", Summary: "Supprimer un brouillon (409 pour une version publiée ou archivée)", Status: 204},
		{Method: "POST", Path: sapi + "/questionnaires/:qid/versions", Tag: "questionnaires", Summary: "Créer la version suivante (copie en brouillon)", Status: 201, Reply: survey.Questionnaire{}},

		{Method: "GET", Path: sapi + "/orders", Tag: "orders", Summary: "Bons de commande filtrés, du plus récent au plus ancien", Query: orderFilters, Status: 200, Reply: orderListJSON{}},
		{Method: "POST", Path: sapi + "/orders", Tag: "orders", Summary: "Enregistrer un bon de commande", Request: survey.OrderInput{}, Status: 201, Reply: orderJSON{}},
		{Method: "GET", Path: sapi + "/orders/:oid", Tag: "orders", Summary: "Lire un bon de commande", Status: 200, Reply: orderJSON{}},
		{Method: "PUT", Path: sapi + "/orders/:oid", Tag: "orders", Summary: "Remplacer un bon de commande (409 une fois répondu)", Request: survey.OrderInput{}, Status: 200, Reply: orderJSON{}},
		{Method: "DELETE", Path: sapi + "/orders/:oid", Tag: "orders", Summary: "Supprimer un bon non répondu et ses liens", Status: 204},
		{Method: "POST", Path: sapi + "/orders/:oid/survey", Tag: "surveys", Summary: "Émettre le lien du questionnaire (ou rendre le lien en cours) ; un lien rendu par l'API compte comme remis en « lien copié » s'il n'a pas été remis avant", Status: 200, Reply: surveyLinkJSON{}},
		{Method: "DELETE", Path: sapi + "/orders/:oid/survey", Tag: "surveys", Summary: "Annuler le lien en cours", Status: 204},
		{Method: "POST", Path: sapi + "/orders/import", Tag: "orders", Summary: "Importer des bons de commande (CSV ou XLSX) ; dry_run=true vérifie sans écrire", Upload: "file", Query: []string{"dry_run"}, Status: 200, Reply: survey.ImportReport{}},
		{Method: "GET", Path: sapi + "/orders/:oid/survey/qr.png", Tag: "surveys", Summary: "QR code du lien, à imprimer sur le bon (PNG) : le lien de la commande suivi de ?c=qr ; produire le code remet le lien en QR code (premier canal du lien, pour le taux de réponse par canal ; ?apercu=1 : simple aperçu, sans remise)", Status: 200, ReplyType: "image/png"},
		{Method: "GET", Path: sapi + "/orders/:oid/survey/qr.svg", Tag: "surveys", Summary: "QR code du lien, à imprimer sur le bon (SVG) : le lien de la commande suivi de ?c=qr ; remise en QR code comme le PNG", Status: 200, ReplyType: "image/svg+xml"},
		{Method: "POST", Path: sapi + "/orders/:oid/survey/email", Tag: "surveys", Summary: "Envoyer le lien au client par e-mail maintenant (le lien est émis s'il le faut) : 202 ; 422 sans e-mail client ; 409 répondu ou client désinscrit", Status: 202, Reply: sentJSON{}},
		{Method: "GET", Path: sapi + "/orders/:oid/messages", Tag: "surveys", Summary: "Messages du bon (invitations, relances) : prévus, envoyés, en échec avec la raison, annulés ; opened_at : première ouverture du lien par le client (null sinon)", Status: 200, Reply: messagesJSON{}},
		{Method: "GET", Path: sapi + "/settings/email", Tag: "structures", Summary: "Réglages des envois par e-mail (par défaut : envoi automatique désactivé)", Status: 200, Reply: survey.EmailSettings{}},
		{Method: "PUT", Path: sapi + "/settings/email", Tag: "structures", Summary: "Remplacer les réglages des envois par e-mail (administrateur)", Request: survey.EmailSettings{}, Status: 200, Reply: survey.EmailSettings{}},
		{Method: "POST", Path: sapi + "/surveys/batch", Tag: "surveys", Summary: "Émettre les liens de tous les bons d'un filtre (statut par défaut : not_issued)", Request: survey.OrderFilter{}, Status: 200, Reply: batchIssueJSON{}},

		{Method: "POST", Path: sapi + "/api-keys", Tag: "accounts", Summary: "Créer une clé d'API (affichée une seule fois)", Request: apiKeyBody{}, Status: 201, Reply: apiKeyCreated{}},
		{Method: "GET", Path: sapi + "/api-keys", Tag: "accounts", Summary: "Clés d'API de la structure (nom, dernier usage ; jamais la clé)", Status: 200, Reply: list{"api_keys", apiKeyJSON{}}},
		{Method: "DELETE", Path: sapi + "/api-keys/:kid", Tag: "accounts", Summary: "Révoquer une clé d'API", Status: 204},
		{Method: "POST", Path: sapi + "/users", Tag: "accounts", Summary: "Créer un utilisateur de la structure (mot de passe généré affiché une fois s'il n'est pas fourni)", Request: userBody{}, Status: 201, Reply: userCreated{}},
		{Method: "GET", Path: sapi + "/users", Tag: "accounts", Summary: "Utilisateurs de la structure", Status: 200, Reply: list{"users", accounts.User{}}},
		{Method: "DELETE", Path: sapi + "/users/:uid", Tag: "accounts", Summary: "Supprimer un utilisateur de la structure", Status: 204},
		{Method: "GET", Path: sapi + "/audit", Tag: "accounts", Summary: "Journal d'audit de la structure (connexions, clés, exports, suppressions)", Query: []string{"limit"}, Status: 200, Reply: list{"entries", accounts.AuditEntry{}}},
		{Method: "POST", Path: "/api/v1/users", Tag: "accounts", Summary: "Créer un utilisateur régional ou fédéral (fédération)", Request: userBody{}, Status: 201, Reply: userCreated{}},

		{Method: "GET", Path: sapi + "/indicators", Tag: "indicators", Summary: "Indicateurs de satisfaction de la structure (chaque valeur avec numérateur et dénominateur) ; par canal de première remise du lien (e-mail, lien copié ou obtenu par l'API, QR code) : REPONSES_MAIL, REPONSES_LIEN, REPONSES_QR (réponses aux liens de ce canal) et TAUX_REPONSE_MAIL, TAUX_REPONSE_LIEN, TAUX_REPONSE_QR (réponses aux liens remis par ce canal / liens remis par ce canal, dénominateur et n propres à chaque canal)", Query: []string{"from", "to", "service", "by"}, Status: 200, Reply: survey.Indicators{}},
		{Method: "GET", Path: sapi + "/exports/satisfaction.xlsx", Tag: "indicators", Summary: "Classeur Excel de satisfaction (Synthèse, Indicateurs, Questions, Évolution, Verbatims, Réponses, Méthode)", Query: []string{"from", "to", "service", "by"}, Status: 200, ReplyType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{Method: "POST", Path: sapi + "/exports/dashboard", Tag: "indicators", Summary: "Remplir le tableau de bord CAP (xlsx, champ file ; champs from, to, service) : noms définis et feuille « Satisfaction clients »", Upload: "file", Status: 200, ReplyType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},

		{Method: "GET", Path: sapi + "/benchmark", Tag: "federation", Summary: "Position de la structure face à sa région et au réseau (médiane, quartiles ; sans nommer les autres structures)", Query: []string{"from", "to", "service"}, Status: 200, Reply: benchmarkJSON{}},
		{Method: "GET", Path: "/api/v1/federation/indicators", Tag: "federation", Summary: "Indicateurs du réseau, par région, par type et par structure (chiffres sous 5 réponses retenus)", Query: []string{"from", "to", "service"}, Status: 200, Reply: indicatorsJSON{}},
		{Method: "GET", Path: "/api/v1/federation/exports/consolidated.xlsx", Tag: "federation", Summary: "Classeur consolidé du réseau", Query: []string{"from", "to", "service"}, Status: 200, ReplyType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{Method: "POST", Path: "/api/v1/federation/uploads", Tag: "federation", Summary: "Verser le classeur exporté par une structure auto-hébergée (feuille Indicateurs ; champ structure_id) : remplace le versement précédent des mêmes mois", Upload: "file", Status: 201, Reply: uploadJSON{}},
		{Method: "GET", Path: "/api/v1/regions/:region/indicators", Tag: "federation", Summary: "Indicateurs d'une région et de ses structures", Query: []string{"from", "to", "service"}, Status: 200, Reply: indicatorsJSON{}},
		{Method: "GET", Path: "/api/v1/regions/:region/exports/consolidated.xlsx", Tag: "federation", Summary: "Classeur consolidé d'une région", Query: []string{"from", "to", "service"}, Status: 200, ReplyType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	}
}

// queryParameters describes the query parameters operations may list.
func queryParameters() map[string]map[string]any {
	str := func(desc string, extra ...any) map[string]any {
		schema := map[string]any{"type": "string"}
		for i := 0; i+1 < len(extra); i += 2 {
			schema[extra[i].(string)] = extra[i+1]
		}
		return map[string]any{"description": desc, "schema": schema}
	}
	integer := func(desc string, minimum, maximum int) map[string]any {
		return map[string]any{"description": desc, "schema": map[string]any{"type": "integer", "minimum": minimum, "maximum": maximum}}
	}
	return map[string]map[string]any{
		"service_type": str("Type de prestation", "enum", enumValues(reflect.TypeFor[survey.ServiceType]())),
		"start_from":   str("Date de début au plus tôt (incluse)", "format", "date"),
		"start_to":     str("Date de début au plus tard (incluse)", "format", "date"),
		"status":       str("Statut du questionnaire", "enum", enumValues(reflect.TypeFor[survey.SurveyStatus]())),
		"q":            str("Recherche dans la référence et le client, sans tenir compte des majuscules ni des accents"),
		"page":         integer("Page, à partir de 1", 1, 1000000),
		"per_page":     integer("Bons par page (50 par défaut)", 1, survey.MaxOrdersPerPage),
		"limit":        {"description": "Nombre d'entrées au plus (200 par défaut)", "schema": map[string]any{"type": "integer"}},
		"from":         str("Début de la période (incluse, AAAA-MM-JJ ; par défaut les 12 derniers mois complets)", "format", "date"),
		"to":           str("Fin de la période (incluse, AAAA-MM-JJ)", "format", "date"),
		"service":      str("Type de prestation (vide : toutes)", "enum", enumValues(reflect.TypeFor[survey.ServiceType]())),
		"by":           str("Découpage des indicateurs (le classeur, lui, est toujours mois par mois)", "enum", []string{"month", "quarter", "year"}),
		"dry_run":      {"description": "Vérifier sans rien écrire", "schema": map[string]any{"type": "boolean"}},
	}
}

// enumValues lists the values of capsat's enumerated string types.
func enumValues(t reflect.Type) []string {
	var out []string
	add := func(vs ...any) {
		for _, v := range vs {
			out = append(out, reflect.ValueOf(v).String())
		}
	}
	switch t {
	case reflect.TypeFor[survey.ServiceType]():
		add(survey.ServiceMAD, survey.ServiceMAC)
	case reflect.TypeFor[survey.StructureType]():
		for _, st := range survey.StructureTypes {
			add(st)
		}
	case reflect.TypeFor[survey.SurveyStatus]():
		add(survey.SurveyNotIssued, survey.SurveyIssued, survey.SurveyAnswered, survey.SurveyExpired, survey.SurveyCancelled)
	case reflect.TypeFor[survey.QuestionType]():
		add(survey.QuestionScale, survey.QuestionYesNo, survey.QuestionNPS, survey.QuestionChoice, survey.QuestionText)
	case reflect.TypeFor[survey.QuestionRole]():
		add(survey.RoleNone, survey.RoleOverall, survey.RoleReuse, survey.RoleRecommend, survey.RoleComment)
	case reflect.TypeFor[survey.MessageKind]():
		add(survey.KindInvitation, survey.KindReminder)
	case reflect.TypeFor[survey.MessageStatus]():
		for _, st := range survey.MessageStatuses {
			add(st)
		}
	case reflect.TypeFor[survey.QuestionnaireStatus]():
		add(survey.StatusDraft, survey.StatusPublished, survey.StatusArchived)
	}
	return out
}

// openAPIPath turns a gin path into an OpenAPI one and lists its parameters.
func openAPIPath(ginPath string) (string, []string) {
	segs := strings.Split(ginPath, "/")
	var params []string
	for i, s := range segs {
		if len(s) > 1 && (s[0] == ':' || s[0] == '*') {
			params = append(params, s[1:])
			segs[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(segs, "/"), params
}

// openAPIDocument builds the whole OpenAPI 3 document.
func openAPIDocument(baseURL string) map[string]any {
	schemas := schemaSet{defs: map[string]any{}, names: map[reflect.Type]string{}}
	errRef := schemas.ref(reflect.TypeFor[apiError]())
	paths := map[string]any{}
	for _, op := range apiOperations() {
		path, params := openAPIPath(op.Path)
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(op.Method)] = operationObject(op, params, &schemas, errRef)
		if op.Method == http.MethodGet {
			item["head"] = headOperation(op, params, &schemas, errRef)
		}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "capsat API",
			"version":     "1",
			"description": "Satisfaction des clients des structures d'insertion : bons de commande, questionnaires, liens d'enquête. Erreurs : {\"error\", \"fields\", \"codes\"} ; les champs sont désignés par leur chemin JSON (client.siret).",
		},
		"servers": []any{map[string]any{"url": baseURL}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         schemas.defs,
			"securitySchemes": map[string]any{"apiKey": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"apiKey": []any{}}},
	}
}

func operationObject(op apiOperation, params []string, schemas *schemaSet, errRef map[string]any) map[string]any {
	o := map[string]any{"tags": []any{op.Tag}, "summary": op.Summary, "operationId": operationID(op)}
	var ps []any
	for _, p := range params {
		ps = append(ps, map[string]any{"name": p, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	qp := queryParameters()
	for _, q := range op.Query {
		p := map[string]any{"name": q, "in": "query"}
		for k, v := range qp[q] {
			p[k] = v
		}
		ps = append(ps, p)
	}
	if ps != nil {
		o["parameters"] = ps
	}
	hasBody := op.Request != nil || op.Upload != ""
	switch {
	case op.Request != nil:
		o["requestBody"] = map[string]any{"required": true, "content": jsonContent(schemas.ref(reflect.TypeOf(op.Request)))}
	case op.Upload != "":
		form := map[string]any{"type": "object", "required": []any{op.Upload}, "properties": map[string]any{op.Upload: map[string]any{"type": "string", "format": "binary"}}}
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": form}}}
	}
	success := map[string]any{"description": http.StatusText(op.Status)}
	switch {
	case op.Reply != nil:
		success["content"] = jsonContent(schemas.reply(op.Reply))
	case op.ReplyType != "":
		success["content"] = map[string]any{op.ReplyType: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	}
	responses := map[string]any{strconv.Itoa(op.Status): success}
	errorsOf := []int{http.StatusNotFound}
	if !op.Public {
		errorsOf = append(errorsOf, http.StatusUnauthorized, http.StatusForbidden)
	}
	// Every route refuses query parameters it does not list.
	errorsOf = append(errorsOf, http.StatusBadRequest)
	if hasBody || op.Query != nil {
		errorsOf = append(errorsOf, http.StatusUnprocessableEntity)
	}
	if hasBody {
		errorsOf = append(errorsOf, http.StatusRequestEntityTooLarge)
	}
	if op.Method != http.MethodGet && op.Method != http.MethodHead {
		errorsOf = append(errorsOf, http.StatusConflict)
	}
	for _, code := range errorsOf {
		responses[strconv.Itoa(code)] = map[string]any{"description": http.StatusText(code), "content": jsonContent(errRef)}
	}
	o["responses"] = responses
	if op.Public {
		o["security"] = []any{}
	}
	return o
}

// headOperation documents the HEAD of a GET route: the same statuses and
// headers, without a body.
func headOperation(op apiOperation, params []string, schemas *schemaSet, errRef map[string]any) map[string]any {
	op.Method, op.Reply, op.ReplyType = http.MethodHead, nil, ""
	op.Summary += " (en-têtes seulement)"
	o := operationObject(op, params, schemas, errRef)
	for _, r := range o["responses"].(map[string]any) {
		delete(r.(map[string]any), "content")
	}
	return o
}

func operationID(op apiOperation) string {
	path, _ := openAPIPath(op.Path)
	r := strings.NewReplacer("/api/v1/", "", "/", "_", "{", "", "}", "", ".", "_")
	return strings.ToLower(op.Method) + "_" + r.Replace(path)
}

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// schemaSet turns Go types into OpenAPI schemas by reflection, so that the
// document follows the JSON the handlers really produce. Named structs go
// into components and are referenced.
type schemaSet struct {
	defs  map[string]any
	names map[reflect.Type]string
}

func (s *schemaSet) reply(v any) map[string]any {
	if l, ok := v.(list); ok {
		return map[string]any{"type": "object", "properties": map[string]any{
			l.Key: map[string]any{"type": "array", "items": s.ref(reflect.TypeOf(l.Item))},
		}}
	}
	return s.ref(reflect.TypeOf(v))
}

// ref returns the schema of t: a $ref for named structs, inline otherwise.
func (s *schemaSet) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Struct && t.Name() != "":
		name, ok := s.names[t]
		if !ok {
			name = s.nameFor(t)
			s.names[t] = name
			s.defs[name] = map[string]any{} // placeholder against recursion
			s.defs[name] = s.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return s.inline(t)
}

// nameFor names a component: handler views lose their JSON suffix and get a
// capital ("orderJSON" → "Order"); a clash takes the package as prefix.
func (s *schemaSet) nameFor(t reflect.Type) string {
	name := strings.TrimSuffix(t.Name(), "JSON")
	name = strings.ToUpper(name[:1]) + name[1:]
	if t.PkgPath() == "capsat/handlers" {
		name = "API" + name
		if name == "APIApiError" {
			name = "Error"
		}
	}
	if _, taken := s.defs[name]; taken {
		name = strings.ReplaceAll(t.PkgPath(), "/", "_") + "_" + name
	}
	return name
}

func (s *schemaSet) inline(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.String:
		m := map[string]any{"type": "string"}
		if vs := enumValues(t); vs != nil {
			m["enum"] = vs
		}
		return m
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": s.ref(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.ref(t.Elem())}
	case reflect.Struct:
		return s.object(t)
	}
	return map[string]any{}
}

// object lists a struct's JSON fields, embedded structs flattened as
// encoding/json does.
func (s *schemaSet) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	s.addFields(t, props)
	return map[string]any{"type": "object", "properties": props}
}

func (s *schemaSet) addFields(t reflect.Type, props map[string]any) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			s.addFields(ft, props)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = s.ref(f.Type)
	}
}

// openAPIHandler serves the document, built once when the router is.
func openAPIHandler(baseURL string) gin.HandlerFunc {
	doc := openAPIDocument(baseURL)
	return func(c *gin.Context) { c.JSON(http.StatusOK, doc) }
}
