package store

import "strings"

// likeEscape escapes a user's text for `LIKE ? ESCAPE '!'`. The escape
// character is spelled the same for SQLite and MySQL: a backslash is no
// escape at all in SQLite (so `\_` never matches "_") and needs doubling in
// MySQL's string literals.
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
