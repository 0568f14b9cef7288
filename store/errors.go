package store

import (
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Sentinel errors; callers compare with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Errors of the dialer's writes (leases, claims, attempts).
var (
	// ErrLeaseHeld: another instance holds the campaign's lease.
	ErrLeaseHeld = fmt.Errorf("campaign lease held by another instance: %w", ErrConflict)
	// ErrLeaseLost: the caller's fencing token is stale (another instance took
	// the campaign over) or its lease expired; the runner must stop.
	ErrLeaseLost = errors.New("campaign lease lost")
	// ErrClaimLost: the contact is no longer claimed with the caller's claim
	// token (the claim expired and was released or taken).
	ErrClaimLost = errors.New("contact claim lost")
	// ErrNoCallerID: every caller ID of the campaign reached its daily limit.
	ErrNoCallerID = errors.New("no caller ID left today: every caller ID reached its daily limit")
)

// FieldError names the field (and row, for imports) a piece of bad input is in.
type FieldError struct {
	Row     int    `json:"row,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
	// Warning marks a problem that did not reject the row (a bad second
	// number was dropped, say), so the user knows what to fix.
	Warning bool `json:"warning,omitempty"`
	// DuplicateOf is set on a row skipped as a duplicate: what it repeats.
	DuplicateOf DuplicateOf `json:"duplicate_of,omitzero"`
}

// DuplicateOf names what a duplicate row repeats: an earlier row of the same
// file or request, a contact already in the campaign, or a blacklist entry.
type DuplicateOf struct {
	Row        int   `json:"row,omitempty"`
	ContactID  int64 `json:"contact_id,omitempty"`
	DNCEntryID int64 `json:"dnc_entry_id,omitempty"`
}

// IsDuplicate tells whether the error reports a duplicate row.
func (e FieldError) IsDuplicate() bool { return e.DuplicateOf != DuplicateOf{} }

// ValidationError carries one or more field errors; it wraps ErrInvalid.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "invalid: " + strings.Join(parts, "; ")
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid builds a ValidationError for one field.
func Invalid(field, message string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: message}}}
}

// translate maps driver errors to the package sentinels so that callers never
// see gorm or driver types.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) || isDuplicate(err) {
		return errors.Join(ErrConflict, err)
	}
	return err
}

func isDuplicate(err error) bool {
	msg := err.Error()
	// MySQL/MariaDB error 1062 and SQLite's unique constraint text.
	return strings.Contains(msg, "Error 1062") || strings.Contains(msg, "UNIQUE constraint failed")
}
