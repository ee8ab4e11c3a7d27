package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes the JSON body into v. On failure it answers (400 for
// malformed JSON or a wrong type, naming the field; 413 for an oversized
// body) and returns false.
func bindJSON(c *gin.Context, v any) bool {
	dec := json.NewDecoder(c.Request.Body)
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
