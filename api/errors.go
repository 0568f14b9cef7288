package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

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
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &ve):
		e := newError("invalid_argument", "%s", ve.Error())
		e.Details = ve.Fields
		return e
	case errors.As(err, &mbe):
		return newError("too_large", "request body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, store.ErrNotFound):
		return newError("not_found", "not found")
	case errors.Is(err, store.ErrConflict):
		return newError("conflict", "%s", conflictMessage(err))
	case errors.Is(err, store.ErrInvalid):
		return newError("invalid_argument", "%s", err.Error())
	}
	return newError("internal", "Internal error.")
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
	c.AbortWithStatusJSON(ae.Status, errorBody{Error: ae})
}

// bind decodes a JSON body into v, naming the field on a type error.
func bind(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		return bindError(err)
	}
	return nil
}

func bindError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te):
		return fieldError(te.Field, fmt.Sprintf("must be %s, not %s", te.Type.String(), te.Value))
	case errors.As(err, &se):
		return newError("invalid_argument", "body is not valid JSON at byte %d", se.Offset)
	case errors.Is(err, io.EOF):
		return newError("invalid_argument", "request body is empty; a JSON object is expected")
	}
	return newError("invalid_argument", "body: %v", err)
}
