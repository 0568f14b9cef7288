package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/store"
)

// exportStyle is how an export writes values for the person reading it.
type exportStyle struct {
	lang exportLang
	e164 bool           // phones as +8613800138000 instead of as dialed
	loc  *time.Location // times are written in this zone
	pii  bool           // the user may see phones and ID numbers unmasked
	// sensitive names the campaign's attributes masked like phones and IDs.
	sensitive map[string]bool
}

// phone writes a stored E.164 number as dialed (or E.164), masked for users
// without pii_view.
func (s *exportStyle) phone(p string) string {
	switch {
	case p == "":
		return ""
	case s.e164 && s.pii:
		return p
	case s.e164:
		return maskPhone(p)
	case s.pii:
		return dialplan.FormatNational(p)
	}
	return maskDialed(dialplan.FormatNational(p))
}

func (s *exportStyle) idNumber(id string) string {
	if id == "" || s.pii {
		return id
	}
	return maskID(id)
}

// time writes a time as Excel reads it, in the export's zone.
func (s *exportStyle) time(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(s.loc).Format("2006-01-02 15:04:05")
}

func (s *exportStyle) id(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// maskDialed masks a number written as dialed, keeping what recognises it:
// a mobile's first three and last four digits (138****8000), a landline's
// area code and last four (010-****5678).
func maskDialed(n string) string {
	head := 3
	if i := strings.IndexByte(n, '-'); i > 0 {
		head = i + 1
	}
	if len(n) < head+4 {
		return strings.Repeat("*", len(n))
	}
	return n[:head] + strings.Repeat("*", len(n)-head-4) + n[len(n)-4:]
}

// shanghai is China Standard Time. The fixed zone stands in when the host
// has no zone database: China has kept UTC+8 without daylight saving since 1991.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// safeCell keeps a spreadsheet from running a cell as a formula: text that
// starts with =, +, -, @, tab or CR gets a leading apostrophe, which Excel,
// LibreOffice and WPS show as text. A plain number (+8613800138000,
// -1200.50, -1,200.50) is left alone: no spreadsheet runs it as anything
// but a number, and phone numbers and negative amounts stay usable.
func safeCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !plainNumber(v) {
			return "'" + v
		}
	}
	return v
}

// plainNumber tells whether v is a signed decimal number: digits with
// optional thousands commas and one decimal point.
func plainNumber(v string) bool {
	if v[0] == '+' || v[0] == '-' {
		v = v[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == ',' && !dot && digits > 0:
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// contactReaders are the exportable contact fields, each written in the
// export's style.
var contactReaders = map[string]func(s *exportStyle, c *store.Contact) string{
	"id":              func(_ *exportStyle, c *store.Contact) string { return strconv.FormatInt(c.ID, 10) },
	"name":            func(_ *exportStyle, c *store.Contact) string { return c.Name },
	"phone":           func(s *exportStyle, c *store.Contact) string { return s.phone(c.Phone) },
	"alt_phone":       func(s *exportStyle, c *store.Contact) string { return s.phone(c.AltPhone) },
	"id_number":       func(s *exportStyle, c *store.Contact) string { return s.idNumber(c.IDNumber) },
	"customer_type":   func(_ *exportStyle, c *store.Contact) string { return c.CustomerType },
	"manager_email":   func(_ *exportStyle, c *store.Contact) string { return c.ManagerEmail },
	"email":           func(_ *exportStyle, c *store.Contact) string { return c.Email },
	"status":          func(s *exportStyle, c *store.Contact) string { return s.lang.value("status", string(c.Status)) },
	"attempts":        func(_ *exportStyle, c *store.Contact) string { return strconv.Itoa(c.Attempts) },
	"last_result":     func(s *exportStyle, c *store.Contact) string { return s.lang.value("result", c.LastResult) },
	"last_attempt_at": func(s *exportStyle, c *store.Contact) string { return s.time(c.LastAttemptAt) },
	"next_attempt_at": func(s *exportStyle, c *store.Contact) string { return s.time(c.NextAttemptAt) },
	"owner_agent_id":  func(s *exportStyle, c *store.Contact) string { return s.id(c.OwnerAgentID) },
	"block_reason":    func(s *exportStyle, c *store.Contact) string { return s.lang.value("block", c.BlockReason) },
	"created_at":      func(s *exportStyle, c *store.Contact) string { return s.time(&c.CreatedAt) },
}

// attribute writes an attribute value, masked for users without pii_view
// when the campaign marks the attribute sensitive.
func (s *exportStyle) attribute(key, v string) string {
	if v == "" || s.pii || !s.sensitive[key] {
		return v
	}
	return maskAttr(v)
}
