package messaging

import (
	"html"
	"regexp"
	"strings"

	"github.com/bankcc/callcenter/store"
)

// placeholder is {{name}}, {{ attributes.balance }} or {{balance}}; also
// Go-template style {{.Name}}.
var placeholder = regexp.MustCompile(`\{\{\s*\.?([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}`)

// Fields are the values a template may use, by lower-case name.
type Fields map[string]string

// Masking says which identifiers a rendered text must not show in full.
type Masking struct {
	Phones    bool            // phone, alt_phone
	IDNumber  bool            // id_number
	Sensitive map[string]bool // attribute keys the campaign lists as sensitive
}

// ContactFields are a contact's template fields: its columns and its
// attributes (as "balance" and "attributes.balance"), masked as m says.
func ContactFields(c *store.Contact, m Masking) Fields {
	f := Fields{"name": c.Name, "phone": c.Phone, "alt_phone": c.AltPhone, "id_number": c.IDNumber,
		"customer_type": c.CustomerType, "email": c.Email, "manager_email": c.ManagerEmail}
	if m.Phones {
		f["phone"], f["alt_phone"] = maskPhone(c.Phone), maskPhone(c.AltPhone)
	}
	if m.IDNumber {
		f["id_number"] = maskID(c.IDNumber)
	}
	for k, v := range contactAttributes(c) {
		if m.Sensitive[k] {
			v = maskOther(v)
		}
		f["attributes."+strings.ToLower(k)] = v
		if _, core := f[strings.ToLower(k)]; !core {
			f[strings.ToLower(k)] = v
		}
	}
	return f
}

// contactAttributes reads the attributes whether or not the row was decoded.
func contactAttributes(c *store.Contact) store.Attributes {
	if c.Attributes != nil || c.AttrsJSON == "" {
		return c.Attributes
	}
	var a store.Attributes
	_ = jsonUnmarshal(c.AttrsJSON, &a)
	return a
}

// Render fills the placeholders of tpl; an unknown field renders empty
// (a template names fields of every contact, not all have each).
func Render(tpl string, f Fields) string {
	return placeholder.ReplaceAllStringFunc(tpl, func(m string) string {
		return f[strings.ToLower(placeholder.FindStringSubmatch(m)[1])]
	})
}

// RenderHTML is Render for an HTML body: the values are escaped.
func RenderHTML(tpl string, f Fields) string {
	return placeholder.ReplaceAllStringFunc(tpl, func(m string) string {
		return html.EscapeString(f[strings.ToLower(placeholder.FindStringSubmatch(m)[1])])
	})
}

// maskPhone keeps the first three and last four digits: 138****8000.
func maskPhone(p string) string {
	n := strings.TrimPrefix(p, "+86")
	if n == "" {
		return ""
	}
	if len(n) < 8 {
		return strings.Repeat("*", len(n))
	}
	return n[:3] + strings.Repeat("*", len(n)-7) + n[len(n)-4:]
}

// maskID keeps the region code and the last four: 110101********1234.
func maskID(id string) string {
	if len(id) < 10 {
		return strings.Repeat("*", len(id))
	}
	return id[:6] + strings.Repeat("*", len(id)-10) + id[len(id)-4:]
}

// maskOther keeps the first and last character.
func maskOther(v string) string {
	r := []rune(v)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
