package api

import (
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// maskPhone keeps what an agent needs to recognise a number (the first three
// and last four national digits): +8613800138000 → 138****8000.
func maskPhone(p string) string {
	n := strings.TrimPrefix(p, "+86")
	if len(n) < 8 {
		return strings.Repeat("*", len(n))
	}
	return n[:3] + strings.Repeat("*", len(n)-7) + n[len(n)-4:]
}

// maskID keeps the region code and the last four characters of a resident
// ID number: 110101199003071234 → 110101********1234.
func maskID(id string) string {
	if len(id) < 10 {
		return strings.Repeat("*", len(id))
	}
	return id[:6] + strings.Repeat("*", len(id)-10) + id[len(id)-4:]
}

// canSeePII tells whether the signed-in user may see unmasked customer identifiers.
func canSeePII(c *gin.Context) bool { return currentUser(c).Can(store.PermPIIView) }
