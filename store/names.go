package store

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckName refuses text that would show differently from what it is: NUL and
// other control characters, zero-width characters, and bidirectional
// formatting (U+202E can make "gpj.exe" read as "exe.jpg"). Names are shown
// in lists, exports and the audit log, where such characters hide or disguise
// who or what is meant. field names the field in the error.
func CheckName(field, s string) *FieldError {
	if !utf8.ValidString(s) {
		return &FieldError{Field: field, Message: "is not valid UTF-8 text"}
	}
	for i, r := range []rune(s) {
		if hiddenRune(r) {
			return &FieldError{Field: field, Message: fmt.Sprintf("must not contain control, zero-width or bidirectional formatting characters (U+%04X at character %d)", r, i+1)}
		}
	}
	return nil
}

// hiddenRune is a character that is invisible or changes how the text around
// it is displayed: controls (Cc, which includes NUL, tab and newline), format
// characters (Cf: zero-width space and joiners, bidi embeddings, overrides and
// isolates, the byte-order mark, soft hyphen), and line/paragraph separators.
func hiddenRune(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) ||
		r == utf8.RuneError
}

// checkNames collects CheckName's errors for several fields.
func checkNames(errs []FieldError, fields ...[2]string) []FieldError {
	for _, f := range fields {
		if fe := CheckName(f[0], f[1]); fe != nil {
			errs = append(errs, *fe)
		}
	}
	return errs
}
