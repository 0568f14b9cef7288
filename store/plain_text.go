package store

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText checks free text typed by a user (a message, an announcement, a
// note): valid UTF-8, not empty after trimming, at most maxRunes characters,
// and no control or bidirectional-override characters, which could hide or
// reorder what a reader sees. multiline allows line breaks and tabs.
func cleanText(field, s string, maxRunes int, multiline bool) (string, *FieldError) {
	bad := func(msg string) (string, *FieldError) { return "", &FieldError{Field: field, Message: msg} }
	if !utf8.ValidString(s) {
		return bad("is not valid UTF-8")
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return bad("is required")
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return bad(fmt.Sprintf("is %d characters long; at most %d are allowed", n, maxRunes))
	}
	for i, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || isBidiControl(r) {
			return bad(fmt.Sprintf("contains the control character U+%04X at byte %d", r, i))
		}
	}
	return s, nil
}

// isBidiControl reports the embedding, override and isolate characters
// (U+202A-202E, U+2066-2069) and the marks that reorder text invisibly.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}
