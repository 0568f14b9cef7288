package importer

import (
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/store"
)

// Field length limits, matching the store's column sizes.
const (
	maxNameLen         = 64
	maxCustomerTypeLen = 32
	maxEmailLen        = 128
)

// Candidate is a validated contact ready for deduplication, the blacklist
// check and saving. Phones are E.164 in dialing order (phone column first,
// then alt_phone), without duplicates.
type Candidate struct {
	Line         int               `json:"row"`
	Name         string            `json:"name"`
	Phones       []string          `json:"phones"`
	IDNumber     string            `json:"id_number,omitempty"`
	CustomerType string            `json:"customer_type,omitempty"`
	ManagerEmail string            `json:"manager_email,omitempty"`
	Email        string            `json:"email,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
}

// ContactInput is one contact as the ingest API receives it (the API's
// Contact body); file rows are turned into the same shape.
type ContactInput struct {
	Name         string            `json:"name"`
	Phone        string            `json:"phone"`
	AltPhone     string            `json:"alt_phone"`
	IDNumber     string            `json:"id_number"`
	CustomerType string            `json:"customer_type"`
	ManagerEmail string            `json:"manager_email"`
	Email        string            `json:"email"` // the customer's own (email campaigns)
	Attributes   map[string]string `json:"attributes"`
}

// Validate maps a row and validates it; see ValidateContact for the rules.
func (m Mapping) Validate(row Row) (*Candidate, []FieldError) {
	return ValidateContact(row.Line, m.Input(row))
}

// Input picks the mapped cells of a row; unmapped, non-empty cells become
// attributes keyed by their header.
func (m Mapping) Input(row Row) ContactInput {
	var in ContactInput
	for i, cell := range row.Cells {
		if cell == "" {
			continue
		}
		if i >= len(m.Columns) {
			in.setAttribute(attributeKey("", i), cell)
			continue
		}
		switch c := m.Columns[i]; c.Field {
		case FieldName:
			in.Name = cell
		case FieldPhone:
			in.Phone = cell
		case FieldAltPhone:
			in.AltPhone = cell
		case FieldIDNumber:
			in.IDNumber = cell
		case FieldCustomerType:
			in.CustomerType = cell
		case FieldManagerEmail:
			in.ManagerEmail = cell
		case FieldEmail:
			in.Email = cell
		case FieldAttribute:
			in.setAttribute(c.Attribute, cell)
		}
	}
	return in
}

func (in *ContactInput) setAttribute(k, v string) {
	if in.Attributes == nil {
		in.Attributes = make(map[string]string, 4)
	}
	in.Attributes[k] = v
}

// ValidateContact applies the import rules to one contact; row is the file
// row or the 1-based index in an API request. It returns nil and the reasons
// when the contact is rejected, or the candidate and any warnings.
//
// Rules: at least one valid phone is needed. A bad number in phone or
// alt_phone is reported on its field and dropped, and the row survives when
// another number is valid (the customer can still be reached; the error
// tells the user which number to fix). A cell may hold several numbers
// separated by / 、 ; , or line breaks. An empty ID number is allowed, an
// invalid one rejects the row (it is the key for the blacklist and for
// deduplication, so a wrong one must not slip in). A bad manager e-mail is
// dropped with a warning; over-long name or customer type reject the row, as
// they usually mean shifted columns.
func ValidateContact(row int, in ContactInput) (*Candidate, []FieldError) {
	c := &Candidate{Line: row, Attributes: in.Attributes}
	var errs []FieldError
	fail := func(f Field, msg string) { errs = append(errs, FieldError{Row: row, Field: string(f), Message: msg}) }

	c.Phones = appendPhones(c.Phones, in.Phone, FieldPhone, fail)
	c.Phones = appendPhones(c.Phones, in.AltPhone, FieldAltPhone, fail)
	reject := false
	if len(c.Phones) == 0 {
		reject = true
		if len(errs) == 0 {
			fail(FieldPhone, "no phone number")
		}
	}
	if c.IDNumber = NormalizeIDNumber(in.IDNumber); c.IDNumber != "" {
		if err := ValidateIDNumber(c.IDNumber); err != nil {
			fail(FieldIDNumber, strings.TrimPrefix(err.Error(), ErrIDNumber.Error()+": "))
			reject = true
		}
	}
	reject = !checkLen(&c.Name, in.Name, maxNameLen, FieldName, fail) || reject
	reject = !checkLen(&c.CustomerType, in.CustomerType, maxCustomerTypeLen, FieldCustomerType, fail) || reject
	c.ManagerEmail = checkEmail(in.ManagerEmail, FieldManagerEmail, fail)
	c.Email = checkEmail(in.Email, FieldEmail, fail)
	reject = !checkAttributes(c.Attributes, fail) || reject
	if reject {
		return nil, errs
	}
	return c, errs
}

// phoneSplitter separates several numbers written in one cell.
var phoneSplitter = strings.NewReplacer("/", "\n", "、", "\n", ";", "\n", "；", "\n", ",", "\n", "，", "\n", "\r", "\n")

// appendPhones normalises each number in cell and appends the new ones.
func appendPhones(phones []string, cell string, f Field, fail func(Field, string)) []string {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return phones
	}
	parts := []string{cell}
	if strings.ContainsAny(cell, "/、;；,，\n\r") {
		parts = strings.Split(phoneSplitter.Replace(cell), "\n")
	}
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		e164, _, err := dialplan.NormalizePhone(p)
		if err != nil {
			fail(f, strings.TrimSpace(p)+": "+strings.TrimPrefix(err.Error(), dialplan.ErrPhoneInvalid.Error()+": "))
			continue
		}
		if !contains(phones, e164) {
			phones = append(phones, e164)
		}
	}
	return phones
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkLen(dst *string, v string, limit int, f Field, fail func(Field, string)) bool {
	*dst = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(*dst); n > limit {
		fail(f, "longer than "+strconv.Itoa(limit)+" characters")
		return false
	}
	return true
}

// checkEmail returns the address, or "" after a warning when it is not one.
// Only plain local@domain.tld addresses are kept, bare or with a display
// name ("王经理 <wang@bank.example>"); quoted local parts and dotless
// domains are legal but never a bank manager's mailbox.
func checkEmail(v string, field Field, fail func(Field, string)) string {
	v = strings.TrimSpace(v)
	if v == "" || plainEmail(v) {
		return v
	}
	a, err := mail.ParseAddress(v)
	if err != nil || !plainEmail(a.Address) {
		fail(field, v+": not an e-mail address, ignored")
		return ""
	}
	return a.Address
}

// plainEmail accepts the common local@domain.tld form without net/mail,
// which costs more than the rest of a row's validation together.
func plainEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	if at < 1 || at > 64 || len(v) > maxEmailLen || strings.Count(v, "@") != 1 {
		return false
	}
	local, domain := v[:at], v[at+1:]
	for i := 0; i < len(local); i++ {
		if c := local[i]; !isAlnum(c) && !strings.ContainsRune("._%+-", rune(c)) {
			return false
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// checkAttributes enforces the per-contact attribute limits (store.MaxAttributes
// keys of store.MaxAttributeKeyLen characters, values of store.MaxAttributeLen):
// a row over them is rejected, naming the key and the limit.
func checkAttributes(attrs map[string]string, fail func(Field, string)) bool {
	if len(attrs) > store.MaxAttributes {
		fail("attributes", fmt.Sprintf("%d attributes; the limit is %d per contact (map extra columns to ignore)", len(attrs), store.MaxAttributes))
		return false
	}
	var bad []string
	for k, v := range attrs {
		if len(k) > store.MaxAttributeKeyLen && utf8.RuneCountInString(k) > store.MaxAttributeKeyLen ||
			len(v) > store.MaxAttributeLen && utf8.RuneCountInString(v) > store.MaxAttributeLen {
			bad = append(bad, k)
		}
	}
	sort.Strings(bad) // map order is random; errors come in a stable order
	for _, k := range bad {
		if n := utf8.RuneCountInString(k); n > store.MaxAttributeKeyLen {
			fail("attributes", fmt.Sprintf("attribute name %q… is %d characters; the limit is %d", string([]rune(k)[:16]), n, store.MaxAttributeKeyLen))
			continue
		}
		fail(Field("attributes."+k), fmt.Sprintf("%d characters; the limit is %d", utf8.RuneCountInString(attrs[k]), store.MaxAttributeLen))
	}
	return len(bad) == 0
}
