package api

import (
	"strings"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// maxSearchLen bounds the q parameter; no name, phone or ID number is longer.
const maxSearchLen = 128

// searchParam turns ?q= into a store.Search under the masking rule: without
// pii_view a phone or ID number matches only when q is the whole value (a
// phone in any accepted form, an ID number in either case), never by prefix,
// so searching cannot reveal a masked digit; names match by substring.
func searchParam(c *gin.Context) (store.Search, error) {
	return searchOf(c, c.Query("q"))
}

// searchOf is searchParam for a q already bound from the query.
func searchOf(c *gin.Context, q string) (store.Search, error) {
	q = strings.TrimSpace(q)
	if len(q) > maxSearchLen {
		return store.Search{}, fieldError("q", "at most 128 bytes")
	}
	return newSearch(q, canSeePII(c)), nil
}

func newSearch(q string, pii bool) store.Search {
	if q == "" {
		return store.Search{}
	}
	s := store.Search{Text: q}
	if e164, _, err := dialplan.NormalizePhone(q); err == nil {
		s.Exact = append(s.Exact, e164)
	}
	if id := strings.ToUpper(q); isIDShape(id) {
		s.Exact = append(s.Exact, id)
	}
	if pii {
		s.Prefix = q
	}
	return s
}

// isIDShape reports whether s is written like an 18-character resident ID
// number (17 digits and a digit or X); the checksum is not needed to match.
func isIDShape(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s[17] == 'X' || s[17] >= '0' && s[17] <= '9'
}
