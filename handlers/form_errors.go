package handlers

import (
	"errors"
	"sort"
	"strings"

	"capsat/survey"
)

// errorLink is one line of the error summary.
type errorLink struct {
	Href    string
	Message string
}

// formErrors are a form's messages by field name, with the summary that
// links to each field, in the order of the form.
type formErrors struct {
	Message string
	Fields  map[string]string
	Links   []errorLink
}

// conflictFormErrors turns a conflict that names fields (a reference or an
// e-mail already used) into a form's messages, fields renamed by rename;
// false when err is no ConflictError.
func conflictFormErrors(err error, rename map[string]string) (*formErrors, bool) {
	var cerr *survey.ConflictError
	if !errors.As(err, &cerr) {
		return nil, false
	}
	fe := &formErrors{Message: cerr.Message, Fields: map[string]string{}}
	for k, f := range cerr.Fields {
		if r, ok := rename[k]; ok {
			k = r
		}
		fe = addFormError(fe, k, f.Message)
	}
	return fe, true
}

// newFormErrors turns a validation error into field messages; order lists
// the form's fields so that the summary follows the page.
func newFormErrors(err error, order []string, rename map[string]string) (*formErrors, bool) {
	var verr *survey.ValidationError
	if !errors.As(err, &verr) {
		return nil, false
	}
	fe := &formErrors{Message: verr.Message, Fields: map[string]string{}}
	for k, f := range verr.Fields {
		if r, ok := rename[k]; ok {
			k = r
		}
		fe.Fields[k] = f.Message
	}
	rank := map[string]int{}
	for i, k := range order {
		rank[k] = i + 1
	}
	keys := make([]string, 0, len(fe.Fields))
	for k := range fe.Fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank[keys[i]], rank[keys[j]]
		if ri == 0 {
			ri = len(order) + 1
		}
		if rj == 0 {
			rj = len(order) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		fe.Links = append(fe.Links, errorLink{Href: "#" + fieldID(k), Message: fe.Fields[k]})
	}
	if fe.Message == "" {
		fe.Message = "Le formulaire contient des erreurs."
	}
	return fe, true
}

// fieldID is the HTML id of a form field named by its key ("client.siret" → "client-siret").
func fieldID(key string) string { return strings.ReplaceAll(key, ".", "-") }

// Field returns the message of a field, for templates ("" when none).
func (fe *formErrors) Field(key string) string {
	if fe == nil {
		return ""
	}
	return fe.Fields[key]
}

// addFormError adds one field message to fe (created when nil).
func addFormError(fe *formErrors, key, message string) *formErrors {
	if fe == nil {
		fe = &formErrors{Message: "Le formulaire contient des erreurs.", Fields: map[string]string{}}
	}
	fe.Fields[key] = message
	fe.Links = append(fe.Links, errorLink{Href: "#" + fieldID(key), Message: message})
	return fe
}

// inputField is one text-like input of a back-office form: its name, id,
// label, type, the typed value and its message.
type inputField struct {
	ID, Name, Label, Type, Value, Error string
}

// fieldOf builds an inputField for templates.
func fieldOf(fe *formErrors, name, label, inputType, value string) inputField {
	return fieldNamed(fe, name, name, label, inputType, value)
}

// fieldNamed is fieldOf for a page with two forms that post the same field
// name: key names the field's id and its messages, name is what the form
// posts and the handler reads.
func fieldNamed(fe *formErrors, key, name, label, inputType, value string) inputField {
	return inputField{ID: fieldID(key), Name: name, Label: label, Type: inputType, Value: value, Error: fe.Field(key)}
}
