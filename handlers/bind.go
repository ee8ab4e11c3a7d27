package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes the JSON body into v. On failure it answers (400 for
// malformed JSON, a wrong type or a field v does not have, naming the
// field; 413 for an oversized body) and returns false.
func bindJSON(c *gin.Context, v any) bool {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &tooBig):
		c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, apiError{Error: fmt.Sprintf("Requête trop volumineuse (%d octets au plus).", tooBig.Limit)})
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		badRequest(c, "Type de valeur invalide.", map[string]string{field: fmt.Sprintf("Valeur de type %s attendue.", jsonTypeName(typeErr.Type.Kind().String()))})
	case unknownField(err) != "":
		badRequest(c, "Champ inconnu : "+unknownField(err)+".", map[string]string{unknownField(err): "Champ inconnu : vérifiez son nom ou retirez-le."})
	case errors.As(err, &syntaxErr):
		badRequest(c, "JSON mal formé.", map[string]string{"body": fmt.Sprintf("Erreur de syntaxe JSON près de l'octet %d.", syntaxErr.Offset)})
	case errors.Is(err, io.ErrUnexpectedEOF):
		badRequest(c, "JSON mal formé.", map[string]string{"body": "Le JSON est incomplet."})
	case errors.Is(err, io.EOF):
		badRequest(c, "Corps de requête vide.", map[string]string{"body": "Un objet JSON est attendu."})
	default:
		badRequest(c, "JSON invalide.", map[string]string{"body": "Un objet JSON valide est attendu."})
	}
	return false
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "texte"
	case "float64", "float32", "int", "int64", "int32":
		return "nombre"
	case "bool":
		return "booléen (true/false)"
	case "slice":
		return "liste"
	case "struct", "map":
		return "objet"
	}
	return kind
}

// unknownField is the name of the field encoding/json refused with
// DisallowUnknownFields ("json: unknown field \"x\""), or "".
func unknownField(err error) string {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return ""
	}
	name, uerr := strconv.Unquote(rest)
	if uerr != nil {
		return rest
	}
	return name
}
