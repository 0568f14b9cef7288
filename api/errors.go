package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"

	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// apiError is the one error shape every route answers with.
type apiError struct {
	Status  int                `json:"-"`
	Code    string             `json:"code"`
	Message string             `json:"message"`
	Details []store.FieldError `json:"details,omitempty"`
	// Existing is the stored record a 409 collides with, when showing it
	// helps the client (the blacklist entry already listing a number).
	Existing any `json:"existing,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

type errorBody struct {
	Error *apiError `json:"error"`
}

// Error codes and their statuses, in one table.
var codeStatus = map[string]int{
	"invalid_argument":  http.StatusBadRequest,
	"unauthenticated":   http.StatusUnauthorized,
	"permission_denied": http.StatusForbidden,
	"not_found":         http.StatusNotFound,
	"conflict":          http.StatusConflict,
	"too_large":         http.StatusRequestEntityTooLarge,
	"unprocessable":     http.StatusUnprocessableEntity,
	"request_timeout":   http.StatusRequestTimeout,
	"too_many_requests": http.StatusTooManyRequests,
	"unavailable":       http.StatusServiceUnavailable,
	"internal":          http.StatusInternalServerError,
}

func newError(code, format string, args ...any) *apiError {
	return &apiError{Status: codeStatus[code], Code: code, Message: fmt.Sprintf(format, args...)}
}

func fieldError(field, message string) *apiError {
	e := newError("invalid_argument", "%s: %s", field, message)
	e.Details = []store.FieldError{{Field: field, Message: message}}
	return e
}

// toAPIError maps any error to the shape; unknown errors become "Internal
// error." so no internal detail leaks.
func toAPIError(err error) *apiError {
	var ae *apiError
	var ve *store.ValidationError
	var mbe *http.MaxBytesError
	var na *store.ErrNotAllowed
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &na):
		return newError("permission_denied", "%s", na.Reason)
	case errors.As(err, &ve):
		e := newError("invalid_argument", "%s", ve.Error())
		e.Details = ve.Fields
		return e
	case errors.As(err, &mbe):
		return newError("too_large", "request body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return newError("request_timeout", "the request body did not arrive in time; the connection is closed")
	case errors.Is(err, store.ErrNotFound):
		return newError("not_found", "not found")
	case errors.Is(err, store.ErrConflict):
		return newError("conflict", "%s", conflictMessage(err))
	case errors.Is(err, store.ErrInvalid):
		return newError("invalid_argument", "%s", err.Error())
	case errors.Is(err, messaging.ErrNotConfigured):
		return newError("unprocessable", "%s", messagingText(err))
	case errors.Is(err, messaging.ErrBadMessage):
		return newError("invalid_argument", "%s", messagingText(err))
	}
	return newError("internal", "Internal error.")
}

// messagingText is a messaging error without the package prefixes:
// "messaging: not configured: no sender for fax" → "not configured: no sender for fax".
func messagingText(err error) string {
	return strings.ReplaceAll(err.Error(), "messaging: ", "")
}

func conflictMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "\n"); i > 0 {
		msg = msg[:i]
	}
	if strings.Contains(msg, "store: ") {
		msg = strings.TrimPrefix(msg[strings.Index(msg, "store: "):], "store: ")
	}
	return "already exists or is in use: " + msg
}

// fail writes err in the error shape and stops the chain.
func fail(c *gin.Context, err error) {
	ae := toAPIError(err)
	if ae.Code == "internal" {
		logger(c).ErrorContext(c.Request.Context(), "request failed", "err", err)
	}
	c.Error(err) //nolint:errcheck // recorded for the access log and audit
	if ae.Status == http.StatusRequestTimeout {
		c.Header("Connection", "close") // the rest of a trickled body is not waited for
	}
	c.AbortWithStatusJSON(ae.Status, errorBody{Error: ae})
}

// bind decodes a JSON body into v: exactly one JSON object and nothing after
// it, naming the field on a type error. Messages speak of JSON, never of Go
// types.
func bind(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		return bindError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil && !isSyntax(err) {
			return bindError(err)
		}
		return newError("invalid_argument", "body: unexpected data after the JSON object at byte %d; send exactly one object", dec.InputOffset())
	}
	return nil
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

func bindError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, os.ErrDeadlineExceeded):
		return err
	case errors.As(err, &te) && te.Field == "":
		return newError("invalid_argument", "body must be a JSON object, not %s", jsonKind(te.Value))
	case errors.As(err, &te):
		return fieldError(te.Field, fmt.Sprintf("must be %s, not %s", jsonType(te.Type), jsonKind(te.Value)))
	case errors.As(err, &se):
		return newError("invalid_argument", "body is not valid JSON at byte %d", se.Offset)
	case errors.Is(err, io.EOF):
		return newError("invalid_argument", "request body is empty; a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newError("invalid_argument", "body ends in the middle of the JSON object")
	}
	return newError("invalid_argument", "body is not a valid request: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonType names what a field takes in JSON terms ("an integer"), not Go's
// ("api.campaignRequest").
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("an integer between %d and %d", minInt(t.Bits()), maxInt(t.Bits()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number of 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

func minInt(bits int) int64 { return -1 << (bits - 1) }
func maxInt(bits int) int64 { return 1<<(bits-1) - 1 }

// jsonKind names the JSON value the client sent; for a number too large for
// its field, it says so.
func jsonKind(v string) string {
	switch {
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ") + " (out of range)"
	case v == "number", v == "string", v == "bool", v == "array", v == "object":
		return map[string]string{"number": "a number", "string": "a string", "bool": "true/false", "array": "a list", "object": "an object"}[v]
	}
	return v
}
