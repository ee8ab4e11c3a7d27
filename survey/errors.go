package survey

import (
	"errors"
	"sort"
	"strings"
)

// Domain errors. The store translates driver errors into these; handlers map
// them to HTTP statuses in one place.
var (
	// ErrNotFound means the object does not exist or belongs to another structure.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule or a state rule refused the change.
	ErrConflict = errors.New("conflict")
	// ErrExpired means a survey link is past its expiry date.
	ErrExpired = errors.New("survey link expired")
	// ErrCancelled means a survey link was cancelled.
	ErrCancelled = errors.New("survey link cancelled")
	// ErrAlreadyAnswered means the order already has its response.
	ErrAlreadyAnswered = errors.New("survey already answered")
	// ErrForbidden means the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated means no valid credentials were given.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrUnavailable means the store could not serve the request: it is
	// unreachable, or its disk is full or read-only. The request may be
	// sent again later; a write refused with it was not confirmed (one whose
	// answer was lost on the way may still have been made).
	ErrUnavailable = errors.New("store unavailable")
)

// FieldError is one invalid field: a machine code and a French message.
type FieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ValidationError lists the invalid fields of an input, by dotted JSON path
// (for example "client.siret").
type ValidationError struct {
	Message string
	Fields  map[string]FieldError
}

// Error implements error.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Message)
	for _, k := range keys {
		b.WriteString("; " + k + ": " + e.Fields[k].Message)
	}
	return b.String()
}

// Add records an invalid field, keeping the first problem found for it.
func (e *ValidationError) Add(field, code, message string) {
	if e.Fields == nil {
		e.Fields = map[string]FieldError{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = FieldError{Code: code, Message: message}
	}
}

// OrNil returns nil when no field was added, so callers can `return v.OrNil()`.
func (e *ValidationError) OrNil() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	if e.Message == "" {
		e.Message = "Certaines données sont invalides."
	}
	return e
}

// Invalid builds a one-field validation error.
func Invalid(field, code, message string) error {
	v := &ValidationError{}
	v.Add(field, code, message)
	return v.OrNil()
}
