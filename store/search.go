package store

import (
	"strings"

	"gorm.io/gorm"
)

// Search is a free-text search over customers. Phones and ID numbers are
// masked for most users, so matching them by prefix would let anyone recover
// a full number one digit at a time (a search that answers "1 hit" or "0
// hits" is an oracle). A search therefore matches names by substring, phones
// and ID numbers only by their exact full value, and by prefix only when the
// caller may see them unmasked (Prefix is set by the API for pii_view).
type Search struct {
	Text   string   // substring of the name (or of a blacklist entry's reason)
	Exact  []string // full values in stored form: E.164 phones, uppercase ID numbers
	Prefix string   // phone or ID number prefix; only for users with pii_view
}

// IsZero reports whether the search matches everything.
func (s Search) IsZero() bool { return s.Text == "" && len(s.Exact) == 0 && s.Prefix == "" }

// where adds the search to q: text against textCol, exact values and
// prefixes against valueCols (a phone prefix also as typed after +86).
func (s Search) where(q *gorm.DB, textCol string, valueCols ...string) *gorm.DB {
	if s.IsZero() {
		return q
	}
	cond := q.Session(&gorm.Session{NewDB: true})
	expr := cond.Where("1 = 0")
	if s.Text != "" {
		expr = expr.Or(textCol+" LIKE ? ESCAPE '!'", "%"+likeLiteral(s.Text)+"%")
	}
	for _, col := range valueCols {
		if len(s.Exact) > 0 {
			expr = expr.Or(col+" IN ?", s.Exact)
		}
		if s.Prefix != "" {
			p := likeLiteral(s.Prefix) + "%"
			expr = expr.Or(col+" LIKE ? ESCAPE '!'", p).Or(col+" LIKE ? ESCAPE '!'", "+86"+p)
		}
	}
	return q.Where(expr)
}

// likeEscaper makes text match itself in LIKE ... ESCAPE '!'. '!' rather than
// a backslash, which MySQL strings would need doubled and SQLite not.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

func likeLiteral(s string) string { return likeEscaper.Replace(s) }
