package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Translate turns driver errors into domain errors: ErrNotFound, ErrConflict
// (duplicate keys), and ErrUnavailable (a *Fault) when the store cannot be
// reached or cannot write. Errors it translated already pass unchanged.
func Translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, survey.ErrUnavailable), errors.Is(err, survey.ErrConflict):
		return err
	case errors.Is(err, mongo.ErrNoDocuments):
		return survey.ErrNotFound
	}
	// A fault first: a bulk write may fail on a full disk after a duplicate.
	if cause := faultCause(err); cause != "" {
		return &Fault{Cause: cause, Err: err}
	}
	if mongo.IsDuplicateKeyError(err) || isEmbeddedUniqueViolation(err) {
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

// Causes of a store fault, in plain words (start-up messages and logs).
const (
	CauseUnreachable = "store unreachable"
	CauseDiskFull    = "disk full"
	CauseNotWritable = "data folder not writable"
	CauseDiskError   = "disk I/O error"
	// CauseSlow is a store that took the request but did not answer in
	// time (or, embedded, whose database stayed locked by other writers):
	// busy or hung, it may answer the next request.
	CauseSlow = "store too slow"
)

// Fault is a store that cannot serve: unreachable, or unable to write. It
// is survey.ErrUnavailable for the handlers, and names its cause.
type Fault struct {
	Cause string // one of the Cause constants
	Err   error  // the driver's error
}

// Error implements error.
func (f *Fault) Error() string { return f.Cause + ": " + f.Err.Error() }

// Unwrap makes a Fault match survey.ErrUnavailable and its driver error.
func (f *Fault) Unwrap() []error { return []error{survey.ErrUnavailable, f.Err} }

// FaultCause returns the cause of the store fault in err (translated or
// not), or "" when err is no store fault.
func FaultCause(err error) string {
	var f *Fault
	if errors.As(err, &f) {
		return f.Cause
	}
	if err == nil {
		return ""
	}
	return faultCause(err)
}

// SQLite's messages, as the embedded FerretDB passes them on (with the
// code in brackets: "database or disk is full (13)", "disk I/O error
// (4874)"), and the operating system's, by cause.
var sqliteFaults = []struct{ text, cause string }{
	{"database or disk is full", CauseDiskFull},
	{"no space left on device", CauseDiskFull},
	{"attempt to write a readonly database", CauseNotWritable},
	{"unable to open database file", CauseNotWritable},
	{"read-only file system", CauseNotWritable},
	{"disk I/O error", CauseDiskError},
	{"database is locked", CauseSlow},
}

// Server error codes of an unavailable MongoDB: unreachable hosts, a
// primary stepping down or shutting down, no writable primary.
var unreachableCodes = []int{
	6,     // HostUnreachable
	7,     // HostNotFound
	89,    // NetworkTimeout
	91,    // ShutdownInProgress
	189,   // PrimarySteppedDown
	9001,  // SocketException
	10107, // NotWritablePrimary
	11600, // InterruptedAtShutdown
	11602, // InterruptedDueToReplStateChange
	13435, // NotPrimaryNoSecondaryOk
	13436, // NotPrimaryOrSecondary
}

// codeOutOfDiskSpace is MongoDB's OutOfDiskSpace.
const codeOutOfDiskSpace = 14031

// faultCause classifies a driver error. A caller that gave up
// (context.Canceled) is no fault of the store.
func faultCause(err error) string {
	if errors.Is(err, context.Canceled) {
		return ""
	}
	msg := err.Error()
	for _, f := range sqliteFaults {
		if strings.Contains(msg, f.text) {
			return f.cause
		}
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		if se.HasErrorCode(codeOutOfDiskSpace) {
			return CauseDiskFull
		}
		for _, code := range unreachableCodes {
			if se.HasErrorCode(code) {
				return CauseUnreachable
			}
		}
	}
	switch {
	case strings.Contains(msg, "server selection error"), errors.Is(err, mongo.ErrClientDisconnected):
		return CauseUnreachable // no server to send the request to
	case mongo.IsTimeout(err):
		return CauseSlow // sent, or waiting for a connection or the write gate
	case mongo.IsNetworkError(err):
		return CauseUnreachable
	}
	var le mongo.LabeledError
	if errors.As(err, &le) && le.HasErrorLabel("RetryableWriteError") {
		return CauseUnreachable
	}
	return ""
}
