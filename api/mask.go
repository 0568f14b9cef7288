package api

import (
	"context"
	"strings"

	"github.com/bankcc/callcenter/dialplan"
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

// maskAttr masks a sensitive attribute by its shape: a phone or ID number
// like the core fields, anything else keeps only its first and last character.
func maskAttr(v string) string {
	if e164, _, err := dialplan.NormalizePhone(v); err == nil {
		return maskPhone(e164)
	}
	if id := strings.ToUpper(strings.TrimSpace(v)); isIDShape(id) {
		return maskID(id)
	}
	r := []rune(v)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// piiMasker masks what a user without pii_view must not see: a contact's
// phones and ID number, and the attributes its campaign lists as sensitive.
// Campaigns' lists are loaded once per request.
type piiMasker struct {
	off       bool // the user has pii_view
	ctx       context.Context
	store     *store.Store
	sensitive map[int64]map[string]bool
}

func (s *Server) masker(c *gin.Context) *piiMasker {
	return &piiMasker{off: canSeePII(c), ctx: c.Request.Context(), store: s.store, sensitive: map[int64]map[string]bool{}}
}

// campaign returns a campaign's sensitive attribute keys.
func (m *piiMasker) campaign(id int64) (map[string]bool, error) {
	if keys, ok := m.sensitive[id]; ok {
		return keys, nil
	}
	camp, err := m.store.GetCampaign(m.ctx, id)
	if err != nil {
		return nil, err
	}
	m.sensitive[id] = camp.Sensitive()
	return m.sensitive[id], nil
}

// contact masks one contact in place.
func (m *piiMasker) contact(ct *store.Contact) error {
	if m.off {
		return nil
	}
	maskContact(ct)
	keys, err := m.campaign(ct.CampaignID)
	if err != nil {
		return err
	}
	for k, v := range ct.Attributes {
		if keys[k] && v != "" {
			ct.Attributes[k] = maskAttr(v)
		}
	}
	return nil
}

func maskContact(ct *store.Contact) {
	ct.Phone = maskPhone(ct.Phone)
	if ct.AltPhone != "" {
		ct.AltPhone = maskPhone(ct.AltPhone)
	}
	if ct.IDNumber != "" {
		ct.IDNumber = maskID(ct.IDNumber)
	}
}

// maskDigits masks every run of 7 or more digits in free text (an import
// error quoting the bad cell, "1391234567: a mobile number has 11 digits"),
// keeping the first three and last four of long runs, two and two of short.
func maskDigits(s string) string {
	var b strings.Builder
	run := 0
	flush := func(end int) {
		if run >= 7 {
			digits := s[end-run : end]
			keepL, keepR := 3, 4
			if run < 10 {
				keepL, keepR = 2, 2
			}
			b.WriteString(digits[:keepL] + strings.Repeat("*", run-keepL-keepR) + digits[run-keepR:])
		} else {
			b.WriteString(s[end-run : end])
		}
		run = 0
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' || run >= 17 && (c == 'X' || c == 'x') {
			run++
			continue
		}
		flush(i)
		b.WriteByte(s[i])
	}
	flush(len(s))
	return b.String()
}
