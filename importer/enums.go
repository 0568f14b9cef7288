package importer

import (
	"strings"

	"github.com/bankcc/callcenter/store"
)

// Encoding names the text encoding a user chooses for a csv/txt file; empty
// means detect (a byte-order mark always wins).
type Encoding string

// Encodings lists the encodings by their canonical names.
var Encodings = []Encoding{"utf-8", "gbk", "gb18030"}

// encodingAliases are other names users type for the same encodings.
var encodingAliases = map[string]Encoding{"utf8": "utf-8", "gb2312": "gbk", "cp936": "gbk"}

// EnumValues lists the canonical names (aliases are accepted but not shown).
func (Encoding) EnumValues() []string { return enumStrings(Encodings) }

// Canonical resolves case, spaces and aliases: "" stays "" (detect); ok is
// false for an unknown name.
func (e Encoding) Canonical() (Encoding, bool) {
	n := Encoding(strings.ToLower(strings.TrimSpace(string(e))))
	if a, isAlias := encodingAliases[string(n)]; isAlias {
		n = a
	}
	return n, n == "" || store.OneOf(n)
}

// Target is what a column maps to in a user's mapping: a contact field,
// "ignore", "attribute" (kept under its own header), or "attributes.<key>"
// (kept under another attribute name).
type Target string

// attributePrefix starts a Target naming the attribute to keep a column as.
const attributePrefix = "attributes."

// EnumValues lists the named targets; "attributes.<key>" is the pattern.
func (Target) EnumValues() []string {
	return append(enumStrings(contactFields), string(FieldIgnore), string(FieldAttribute))
}

// EnumPattern: a column may be kept under any attribute name.
func (Target) EnumPattern() (re, hint string) { return `^attributes\..+$`, attributePrefix + "<key>" }

// MatchPattern accepts "attributes." and a non-empty key.
func (Target) MatchPattern(s string) bool {
	key, ok := strings.CutPrefix(s, attributePrefix)
	return ok && key != ""
}

func enumStrings[E ~string](vs []E) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
