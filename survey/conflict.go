package survey

// ConflictError is a change refused by the state of the data (a published
// questionnaire, an answered order, a reference already used), with a
// French message for the user and, when one field is the cause, that field.
// errors.Is(err, ErrConflict) holds for it.
type ConflictError struct {
	Message string
	Fields  map[string]FieldError
}

// Error implements error.
func (e *ConflictError) Error() string { return "conflict: " + e.Message }

// Is makes a ConflictError match ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Conflict builds a ConflictError with a message only.
func Conflict(message string) error { return &ConflictError{Message: message} }

// ConflictOn builds a ConflictError caused by one field.
func ConflictOn(field, code, message string) error {
	return &ConflictError{Message: message, Fields: map[string]FieldError{field: {Code: code, Message: message}}}
}
