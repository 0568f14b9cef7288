package importer

import (
	"sort"
	"strings"

	"github.com/bankcc/callcenter/dialplan"
)

// Sensitivity says which personal identifier a column or attribute holds.
// Such attributes are masked like the contact's own phone and ID number for
// users without pii_view; the campaign keeps the list (sensitive_attributes).
type Sensitivity string

const (
	SensitivePhone Sensitivity = "phone"
	SensitiveID    Sensitivity = "id_number"
)

// SampleRows is how many rows are read ahead to judge columns by content.
const SampleRows = 100

// headerSensitivity recognises phone and ID columns by name, in Chinese or
// English ("证件号码", "身份证", "idcard", "id_no", "手机2", "mobile2", "tel").
func headerSensitivity(header string) Sensitivity {
	n := normalizeHeader(header)
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(n, s) {
				return true
			}
		}
		return false
	}
	switch {
	case n == "":
		return ""
	case has("身份证", "证件", "idcard", "idno", "idnumber", "护照", "passport"):
		return SensitiveID
	case has("手机", "电话", "座机", "联系方式", "mobile", "phone", "cellphone", "手机号") || strings.HasPrefix(n, "tel"):
		return SensitivePhone
	}
	return ""
}

// valueSensitivity tells whether one value is a resident ID number (with a
// valid check digit) or a China phone number.
func valueSensitivity(v string) Sensitivity {
	v = strings.TrimSpace(v)
	if len(v) < 7 || len(v) > 40 {
		return ""
	}
	if len(v) == 18 && ValidateIDNumber(v) == nil {
		return SensitiveID
	}
	if c := v[0]; c != '+' && c != '(' && (c < '0' || c > '9') && !strings.HasPrefix(v, "（") {
		return ""
	}
	if _, _, err := dialplan.NormalizePhone(v); err == nil {
		return SensitivePhone
	}
	return ""
}

// contentSensitivity judges a column by its sampled values: it holds IDs or
// phones when most of its non-empty values are one.
func contentSensitivity(values []string) Sensitivity {
	var n, ids, phones int
	for _, v := range values {
		if v == "" {
			continue
		}
		n++
		switch valueSensitivity(v) {
		case SensitiveID:
			ids++
		case SensitivePhone:
			phones++
		}
	}
	switch {
	case n == 0:
		return ""
	case ids*2 > n:
		return SensitiveID
	case phones*2 > n:
		return SensitivePhone
	}
	return ""
}

// column returns the sampled values of column i.
func column(sample []Row, i int) []string {
	out := make([]string, 0, len(sample))
	for _, r := range sample {
		if i < len(r.Cells) {
			out = append(out, r.Cells[i])
		}
	}
	return out
}

// detectContent looks at sampled rows: columns beyond the header get
// col_N attributes (as Input names them), an unnamed or unrecognised column
// full of ID numbers becomes id_number if no column holds it, one full of
// phones becomes phone if the file has no phone column, and every column is
// marked sensitive by its header or content.
func (m *Mapping) detectContent(sample []Row) {
	width := len(m.Columns)
	for _, r := range sample {
		width = max(width, len(r.Cells))
	}
	for i := len(m.Columns); i < width; i++ {
		m.Columns = append(m.Columns, Column{Index: i, Field: FieldAttribute, Attribute: attributeKey("", i)})
	}
	for i := range m.Columns {
		c := &m.Columns[i]
		byContent := contentSensitivity(column(sample, i))
		if c.Field == FieldAttribute {
			switch {
			case byContent == SensitiveID && m.Column(FieldIDNumber) < 0:
				c.Field = FieldIDNumber
			case byContent == SensitivePhone && m.Column(FieldPhone) < 0 && m.Column(FieldAltPhone) < 0:
				c.Field = FieldPhone
			}
		}
		c.Sensitive = headerSensitivity(c.Header)
		if byContent != "" {
			c.Sensitive = byContent
		}
	}
}

// SensitiveAttributes lists the attribute keys of sensitive columns.
func (m Mapping) SensitiveAttributes() []string {
	var out []string
	for _, c := range m.Columns {
		if c.Field == FieldAttribute && c.Sensitive != "" {
			out = append(out, c.Attribute)
		}
	}
	return out
}

// SensitiveInputs lists the attribute keys of ingested contacts that are
// named like phone or ID fields or mostly hold such values.
func SensitiveInputs(inputs []ContactInput) []string {
	values := map[string][]string{}
	for _, in := range inputs[:min(len(inputs), SampleRows)] {
		for k, v := range in.Attributes {
			values[k] = append(values[k], v)
		}
	}
	seen := map[string]bool{}
	for _, in := range inputs {
		for k := range in.Attributes {
			seen[k] = true
		}
	}
	var out []string
	for k := range seen {
		if headerSensitivity(k) != "" || contentSensitivity(values[k]) != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Sample reads up to n rows ahead (to judge columns by content) and returns
// them with a Source that still yields every row, the sampled ones first.
// A read error met while sampling is returned by Next after those rows.
func Sample(src Source, n int) (Source, []Row) {
	r := &replaySource{Source: src}
	for len(r.rows) < n {
		row, err := src.Next()
		if err != nil {
			r.err = err
			break
		}
		r.rows = append(r.rows, row)
	}
	return r, r.rows
}

type replaySource struct {
	Source
	rows []Row
	next int
	err  error
}

func (r *replaySource) Next() (Row, error) {
	if r.next < len(r.rows) {
		r.next++
		return r.rows[r.next-1], nil
	}
	if r.err != nil {
		return Row{}, r.err
	}
	return r.Source.Next()
}
