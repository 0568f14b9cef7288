package api

import (
	"maps"
	"slices"
	"strings"

	"github.com/bankcc/callcenter/store"
)

// enumError reports a value outside its enum's set, naming the values
// (store.EnumMessage), on field.
func enumError(field string, e store.Enum) *apiError {
	return fieldError(field, store.EnumMessage(e))
}

// exportField names an export column: a contact field of contactReaders, or
// "attributes.<key>" for one of the contact's extra attributes.
type exportField string

const attributesPrefix = "attributes."

// EnumValues lists the contact fields in name order.
func (exportField) EnumValues() []string { return slices.Sorted(maps.Keys(contactReaders)) }

// EnumPattern: any attribute key.
func (exportField) EnumPattern() (re, hint string) {
	return `^attributes\..+$`, attributesPrefix + "<key>"
}

// MatchPattern accepts "attributes." and a non-empty key.
func (exportField) MatchPattern(s string) bool {
	key, ok := strings.CutPrefix(s, attributesPrefix)
	return ok && key != ""
}

// enumsOf and stringsOf convert between a stored []string and a typed list.
func enumsOf[E ~string](in []string) []E {
	out := make([]E, len(in))
	for i, v := range in {
		out[i] = E(v)
	}
	return out
}

func stringsOf[E ~string](in []E) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}
