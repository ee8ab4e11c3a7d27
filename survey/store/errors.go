package store

import (
	"capsat/survey"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Translate turns driver errors into domain errors.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return survey.ErrNotFound
	case mongo.IsDuplicateKeyError(err), isEmbeddedUniqueViolation(err):
		return fmt.Errorf("%w: %w", survey.ErrConflict, err)
	}
	return err
}

// isEmbeddedUniqueViolation recognises the embedded FerretDB's answer to an
// update that breaks a unique index: an InternalError carrying SQLite's
// message instead of a duplicate key error.
func isEmbeddedUniqueViolation(err error) bool {
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
