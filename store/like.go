package store

import "strings"

// likeEscape ends a LIKE whose pattern comes from likeText. '!' rather than
// the backslash, which SQLite does not treat as an escape without this
// clause and MySQL reads differently inside a string literal.
const likeEscape = " ESCAPE '!'"

// likeText makes s match itself literally inside a LIKE pattern, so a
// search for "mapping_template" does not treat _ as a wildcard.
func likeText(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
