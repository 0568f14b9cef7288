package store

import (
	"slices"
	"strings"
)

// Enum is a typed string with a closed set of values. EnumValues is that
// set's only definition: validation (OneOf, EnumError) checks against it and
// the API's OpenAPI document lists it, so the two cannot disagree.
type Enum interface {
	EnumValues() []string
}

// PatternEnum is an Enum that also takes values of one pattern (a calendar
// window's "date:YYYY-MM-DD"). EnumPattern returns the pattern as a regular
// expression (for the document) and as people write it (for messages);
// MatchPattern decides, and may check more than the form (a real date).
type PatternEnum interface {
	Enum
	EnumPattern() (re, hint string)
	MatchPattern(s string) bool
}

// OneOf reports whether v is one of its type's values, or matches its
// pattern.
func OneOf[E interface {
	~string
	Enum
}](v E) bool {
	if slices.Contains(v.EnumValues(), string(v)) {
		return true
	}
	p, ok := any(v).(PatternEnum)
	return ok && p.MatchPattern(string(v))
}

// EnumError reports a value outside e's set on field.
func EnumError(field string, e Enum) FieldError {
	return FieldError{Field: field, Message: EnumMessage(e)}
}

// EnumMessage is the one wording of "not one of the values": it lists them,
// so the user learns the valid values from the error, and the API's tests
// recognise a field validated against a set by it.
func EnumMessage(e Enum) string {
	msg := EnumPrefix + strings.Join(e.EnumValues(), ", ")
	if p, ok := e.(PatternEnum); ok {
		_, hint := p.EnumPattern()
		msg += ", or " + hint
	}
	return msg
}

// EnumPrefix starts every EnumMessage.
const EnumPrefix = "must be one of: "

func enumStrings[E ~string](vs []E) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
