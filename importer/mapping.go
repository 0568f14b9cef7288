package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bankcc/callcenter/store"
)

// Field is a contact field a column can map to.
type Field string

// Contact fields (the Contact body of the API).
const (
	FieldName         Field = "name"
	FieldPhone        Field = "phone"
	FieldAltPhone     Field = "alt_phone"
	FieldIDNumber     Field = "id_number"
	FieldCustomerType Field = "customer_type"
	FieldManagerEmail Field = "manager_email"
	FieldEmail        Field = "email"
	// FieldIgnore drops a column; FieldAttribute (the default for unknown
	// headers) keeps it in Candidate.Attributes under Column.Attribute.
	FieldIgnore    Field = "ignore"
	FieldAttribute Field = "attribute"
)

var contactFields = []Field{FieldName, FieldPhone, FieldAltPhone, FieldIDNumber, FieldCustomerType, FieldManagerEmail, FieldEmail}

// Column says what one file column holds.
type Column struct {
	Index     int    `json:"index"` // 0-based position in Row.Cells
	Header    string `json:"header"`
	Field     Field  `json:"field"`
	Attribute string `json:"attribute,omitempty"` // key in Attributes when Field is FieldAttribute
	// Sensitive says the column holds phone or ID numbers (by its header or
	// its content); as an attribute it is masked like the core fields.
	Sensitive Sensitivity `json:"sensitive,omitempty"`
}

// Mapping assigns file columns to contact fields; each contact field is held
// by at most one column. Build it with NewMapping.
type Mapping struct {
	Columns []Column `json:"columns"`
}

// headerSynonyms are exact names (after normalizeHeader) seen in bank lists.
var headerSynonyms = map[string]Field{
	"客户姓名": FieldName, "姓名": FieldName, "客户名称": FieldName, "户名": FieldName, "名称": FieldName,
	"name": FieldName, "customername": FieldName, "fullname": FieldName,
	"手机号码": FieldPhone, "手机号": FieldPhone, "手机": FieldPhone, "电话": FieldPhone, "电话号码": FieldPhone,
	"联系电话": FieldPhone, "联系方式": FieldPhone, "移动电话": FieldPhone, "phone": FieldPhone,
	"mobile": FieldPhone, "mobilephone": FieldPhone, "tel": FieldPhone, "telephone": FieldPhone,
	"备用电话": FieldAltPhone, "其他电话": FieldAltPhone, "其它电话": FieldAltPhone, "备用号码": FieldAltPhone,
	"固定电话": FieldAltPhone, "座机": FieldAltPhone, "家庭电话": FieldAltPhone, "单位电话": FieldAltPhone,
	"altphone": FieldAltPhone, "alternatephone": FieldAltPhone, "phone2": FieldAltPhone,
	"身份证号码": FieldIDNumber, "身份证号": FieldIDNumber, "身份证": FieldIDNumber, "证件号码": FieldIDNumber,
	"证件号": FieldIDNumber, "idnumber": FieldIDNumber, "idno": FieldIDNumber, "idcard": FieldIDNumber,
	"客户类型": FieldCustomerType, "客户类别": FieldCustomerType, "客户等级": FieldCustomerType,
	"customertype": FieldCustomerType, "type": FieldCustomerType,
	"客户经理邮箱": FieldManagerEmail, "经理邮箱": FieldManagerEmail, "客户经理email": FieldManagerEmail,
	"manageremail": FieldManagerEmail,
}

// normalizeHeader lower-cases a header and drops spaces, punctuation and a
// bracketed note, so "手机号码（必填）" and "Phone *" match their synonyms.
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	for _, open := range []string{"(", "（", "["} {
		if i := strings.Index(h, open); i > 0 {
			h = h[:i]
		}
	}
	return strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune("_-*:：./", r):
			return -1
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r):
			return -1 // a line break typed in the header cell, a zero-width space
		}
		return r
	}, h)
}

// guessField is the fallback for headers not in headerSynonyms.
func guessField(n string) Field {
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(n, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("经理", "manager"):
		// "客户经理姓名/电话" describe the manager, not the customer.
		if has("邮箱", "email", "mail") {
			return FieldManagerEmail
		}
		return FieldAttribute
	case has("邮箱", "email", "e-mail", "mail"):
		return FieldEmail
	case has("身份证", "证件号"):
		return FieldIDNumber
	case has("备用", "其他", "其它", "alt") && has("电话", "手机", "号码", "phone", "tel"):
		return FieldAltPhone
	case has("手机", "电话", "phone", "mobile"):
		return FieldPhone
	case has("姓名", "name", "客户名称"):
		return FieldName
	case has("客户类型", "客户类别", "customertype"):
		return FieldCustomerType
	}
	return FieldAttribute
}

// NewMapping recognises header columns, then applies the user's explicit
// mapping, JSON {"column header or 1-based column number": "field"} (nil or
// empty for none). Field may be a contact field, "ignore", or
// "attributes.<key>" to keep the column under another attribute name. An
// explicit field wins over the one recognised elsewhere.
func NewMapping(header []string, user []byte) (Mapping, error) {
	return NewSampledMapping(header, nil, user)
}

// NewSampledMapping is NewMapping that also judges columns by the content
// of sampled rows (see Sample): ID-number and phone columns are recognised
// without a known header, and sensitive columns are marked.
func NewSampledMapping(header []string, sample []Row, user []byte) (Mapping, error) {
	m := detectMapping(header)
	m.detectContent(sample)
	if len(strings.TrimSpace(string(user))) == 0 {
		return m, nil
	}
	var overrides map[string]string
	if err := json.Unmarshal(user, &overrides); err != nil {
		return Mapping{}, fmt.Errorf("%w: not a JSON object of column to field: %v", ErrBadMapping, err)
	}
	taken := map[Field]string{}
	for key, value := range overrides {
		i, err := m.columnFor(key)
		if err != nil {
			return Mapping{}, err
		}
		col, err := parseTarget(m.Columns[i], value)
		if err != nil {
			return Mapping{}, err
		}
		if isContactField(col.Field) {
			if other, dup := taken[col.Field]; dup {
				return Mapping{}, fmt.Errorf("%w: columns %q and %q both mapped to %s", ErrBadMapping, other, key, col.Field)
			}
			taken[col.Field] = key
			m.release(col.Field)
		}
		m.Columns[i] = col
	}
	return m, nil
}

func detectMapping(header []string) Mapping {
	m := Mapping{Columns: make([]Column, len(header))}
	used := map[Field]bool{}
	for i, h := range header {
		m.Columns[i] = Column{Index: i, Header: h, Field: FieldAttribute, Attribute: attributeKey(h, i)}
		if f, ok := headerSynonyms[normalizeHeader(h)]; ok && !used[f] {
			m.Columns[i].Field, used[f] = f, true
		}
	}
	for i := range m.Columns {
		c := &m.Columns[i]
		if c.Field != FieldAttribute || c.Header == "" {
			continue
		}
		f := guessField(normalizeHeader(c.Header))
		if f == FieldPhone && used[FieldPhone] {
			f = FieldAltPhone // a second phone-like column
		}
		if f != FieldAttribute && !used[f] {
			c.Field, used[f] = f, true
		}
	}
	return m
}

func attributeKey(header string, i int) string {
	if header == "" {
		return "col_" + strconv.Itoa(i+1)
	}
	return header
}

// columnFor finds a column by exact header, trimmed header, or 1-based number.
func (m Mapping) columnFor(key string) (int, error) {
	for _, exact := range []bool{true, false} {
		for i, c := range m.Columns {
			if exact && c.Header == key || !exact && strings.EqualFold(strings.TrimSpace(c.Header), strings.TrimSpace(key)) {
				return i, nil
			}
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(key)); err == nil && n >= 1 && n <= len(m.Columns) {
		return n - 1, nil
	}
	return 0, fmt.Errorf("%w: no column %q in the file", ErrBadMapping, key)
}

func parseTarget(col Column, value string) (Column, error) {
	v := Target(strings.TrimSpace(value))
	switch {
	case v == "" || v == "-":
		col.Field = FieldIgnore
	case !store.OneOf(v):
		return col, fmt.Errorf("%w: column %q: unknown field %q, %s", ErrBadMapping, col.Header, value, store.EnumMessage(v))
	case Target("").MatchPattern(string(v)):
		col.Field, col.Attribute = FieldAttribute, strings.TrimPrefix(string(v), attributePrefix)
	default:
		col.Field = Field(v)
	}
	return col, nil
}

func isContactField(f Field) bool {
	for _, c := range contactFields {
		if c == f {
			return true
		}
	}
	return false
}

// release turns a recognised column of field f back into an attribute.
func (m *Mapping) release(f Field) {
	for i := range m.Columns {
		if m.Columns[i].Field == f {
			m.Columns[i].Field = FieldAttribute
		}
	}
}

// Column returns the column holding f, or -1.
func (m Mapping) Column(f Field) int {
	for _, c := range m.Columns {
		if c.Field == f {
			return c.Index
		}
	}
	return -1
}

// Check reports what makes the mapping unusable for an import: no column
// holds phone numbers.
func (m Mapping) Check() error {
	if m.Column(FieldPhone) < 0 && m.Column(FieldAltPhone) < 0 {
		return fmt.Errorf("%w: no column recognised as phone; map one, e.g. {\"联系方式\":\"phone\"}", ErrBadMapping)
	}
	attrs := 0
	for _, c := range m.Columns {
		if c.Field != FieldAttribute {
			continue
		}
		attrs++
		if n := utf8.RuneCountInString(c.Attribute); n > store.MaxAttributeKeyLen {
			return fmt.Errorf("%w: column %d: the attribute name is %d characters, the limit is %d; map it to \"attributes.<shorter name>\" or \"ignore\"",
				ErrBadMapping, c.Index+1, n, store.MaxAttributeKeyLen)
		}
	}
	if attrs > store.MaxAttributes {
		return fmt.Errorf("%w: %d columns would be kept as attributes, the limit is %d per contact; map the others to \"ignore\"",
			ErrBadMapping, attrs, store.MaxAttributes)
	}
	return nil
}

// Preview reads up to n data rows from src for the mapping screen. The
// caller closes src (or keeps reading it for the import).
func Preview(src Source, n int) ([]Row, error) {
	var rows []Row
	for len(rows) < n {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}
