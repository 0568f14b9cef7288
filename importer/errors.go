package importer

import (
	"errors"
	"strconv"
)

// Sentinel errors; callers compare with errors.Is. The wrapping text says
// what the user can do about it.
var (
	ErrEmptyFile     = errors.New("importer: file is empty")
	ErrUnknownFormat = errors.New("importer: not a recognised contact file")
	ErrTooLarge      = errors.New("importer: file too large")
	ErrZipBomb       = errors.New("importer: archive expands too much")
	ErrNoHeader      = errors.New("importer: no header row")
	ErrNoSheet       = errors.New("importer: sheet not found")
	ErrNoTable       = errors.New("importer: document has no table")
	ErrBadMapping    = errors.New("importer: bad column mapping")
)

// FieldError is one problem in one row, shaped like the import job's
// "errors" entries ({"row","field","message"}). Field is a contact field name
// ("phone", "id_number", ...) or "" for the whole row.
type FieldError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string {
	if e.Field == "" {
		return "row " + strconv.Itoa(e.Row) + ": " + e.Message
	}
	return "row " + strconv.Itoa(e.Row) + ": " + e.Field + ": " + e.Message
}
