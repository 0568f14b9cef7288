package dialplan

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// PhoneKind says what a normalised China number is.
type PhoneKind string

// Phone kinds returned by NormalizePhone.
const (
	PhoneMobile   PhoneKind = "mobile"
	PhoneLandline PhoneKind = "landline"
)

// ErrPhoneInvalid is wrapped by every NormalizePhone error; the wrapping text
// says why ("too short", ...), fit to show to the person who imported the file.
var ErrPhoneInvalid = errors.New("invalid phone number")

// ErrPhonePrecisionLost marks numbers that Excel turned into scientific
// notation ("1.38001E+10"): the missing digits cannot be recovered.
var ErrPhonePrecisionLost = errors.New("phone number lost digits in scientific notation")

// phoneMaxDigits bounds the digit buffer; no China number with prefixes
// (0086 + area code + subscriber + extension) comes close.
const phoneMaxDigits = 24

// phoneDigits is the scanned form of a raw phone string: its digits in order,
// whether it began with "+", and where a trailing extension starts.
type phoneDigits struct {
	buf      [phoneMaxDigits]byte
	n        int
	plus     bool
	lastDash int // digit count before the last '-' group, -1 if none
}

// NormalizePhone turns a China mobile or landline number as people and
// spreadsheets write it into E.164 (+8613800138000, +861012345678).
//
// Accepted: "+86"/"0086" prefixes (and "86" before an 11-digit mobile), spaces,
// dashes, dots, parentheses, full-width digits and punctuation, Excel's
// "13800138000.0", and scientific notation only when it keeps every digit.
// Landlines need their area code (an 8-digit local number is ambiguous).
//
// Extensions ("0755-12345678转801", "ext 801", "#801", a third "-801" group)
// are dropped, not rejected: the switchboard number still reaches the
// customer's company and an agent can ask for the extension, while rejecting
// would lose the contact. The dialer cannot dial extensions by itself.
//
// Mobile prefixes are checked structurally (1[3-9], 11 digits) because new
// ranges are allocated faster than metadata updates; landline area codes are
// checked against a table derived once from libphonenumber's metadata.
func NormalizePhone(raw string) (e164 string, kind PhoneKind, err error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", "", fmt.Errorf("%w: empty", ErrPhoneInvalid)
	}
	if phoneLooksScientific(s) {
		if s, err = phoneExpandScientific(s); err != nil {
			return "", "", err
		}
	}
	s = phoneTrimExcelFraction(s)
	var d phoneDigits
	if err := d.scan(s); err != nil {
		return "", "", err
	}
	return d.classify()
}

// scan collects digits, skipping separators and stopping at an extension mark.
func (d *phoneDigits) scan(s string) error {
	d.lastDash = -1
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if r >= '０' && r <= '９' {
			r = r - '０' + '0'
		}
		switch {
		case r >= '0' && r <= '9':
			if d.n == phoneMaxDigits {
				return fmt.Errorf("%w: too long", ErrPhoneInvalid)
			}
			d.buf[d.n] = byte(r)
			d.n++
		case r == '+' || r == '＋':
			if d.n > 0 || d.plus {
				return fmt.Errorf("%w: '+' inside the number", ErrPhoneInvalid)
			}
			d.plus = true
		case r == '-' || r == '－' || r == '‐' || r == '—':
			if d.n > 0 {
				d.lastDash = d.n
			}
		case phoneIsSeparator(r):
		case phoneIsExtensionMark(s[i:]):
			return phoneCheckExtension(s[i:])
		default:
			return fmt.Errorf("%w: unexpected character %q", ErrPhoneInvalid, r)
		}
		i += size
	}
	return nil
}

func phoneIsSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '.', '(', ')', '（', '）', '\u3000', '\u00a0', '[', ']':
		return true
	}
	return false
}

// phoneExtensionMarks are the ways Chinese and English lists write an extension.
var phoneExtensionMarks = []string{"转", "分机", "ext.", "ext", "EXT", "Ext", "x", "X", "#", "＃", ",", "，"}

func phoneIsExtensionMark(s string) bool {
	for _, m := range phoneExtensionMarks {
		if strings.HasPrefix(s, m) {
			return true
		}
	}
	return false
}

// phoneCheckExtension accepts the rest of the string after an extension mark
// only if it is a plausible extension, so "138x0013" is not silently truncated.
func phoneCheckExtension(rest string) error {
	for _, m := range phoneExtensionMarks {
		if strings.HasPrefix(rest, m) {
			rest = rest[len(m):]
			break
		}
	}
	rest = strings.TrimSpace(rest)
	if rest == "" || len(rest) > 6 || strings.Trim(rest, "0123456789") != "" {
		return fmt.Errorf("%w: unreadable extension %q", ErrPhoneInvalid, rest)
	}
	return nil
}

// classify strips country and trunk prefixes and decides mobile or landline.
func (d *phoneDigits) classify() (string, PhoneKind, error) {
	national, err := d.national()
	if err != nil {
		return "", "", err
	}
	e164, kind, err := phoneClassifyNational(national)
	if err != nil && d.lastDash > 0 && !d.plus {
		// "010-12345678-801": a trailing dash group after a complete
		// landline is an extension.
		head := string(d.buf[:d.lastDash])
		if e, k, err2 := phoneClassifyNational(head); err2 == nil && k == PhoneLandline && d.n-d.lastDash <= 6 {
			return e, k, nil
		}
	}
	return e164, kind, err
}

// national returns the digits after any country code, with the trunk 0 kept
// for landlines written in national form ("010..." -> "010...").
func (d *phoneDigits) national() (string, error) {
	digits := string(d.buf[:d.n])
	if d.n < 7 {
		return "", fmt.Errorf("%w: too short (%d digits)", ErrPhoneInvalid, d.n)
	}
	switch {
	case d.plus && strings.HasPrefix(digits, "86"):
		return phoneInternational(digits[2:]), nil
	case d.plus:
		return "", fmt.Errorf("%w: not a China number (country code is not +86)", ErrPhoneInvalid)
	case strings.HasPrefix(digits, "0086"):
		return phoneInternational(digits[4:]), nil
	case d.n == 13 && strings.HasPrefix(digits, "861") && digits[3] >= '3':
		return digits[2:], nil
	}
	return digits, nil
}

// phoneInternational turns the part after +86 into national form; people
// sometimes keep the trunk zero ("+86 (0)10 ...").
func phoneInternational(rest string) string {
	if strings.HasPrefix(rest, "0") || strings.HasPrefix(rest, "1") && len(rest) == 11 {
		return rest
	}
	return "0" + rest
}

// phoneClassifyNational checks a national-form number: a mobile "1[3-9]" plus
// 9 digits, or a landline "0" + area code + 7 or 8 subscriber digits.
func phoneClassifyNational(n string) (string, PhoneKind, error) {
	switch {
	case n == "":
		return "", "", fmt.Errorf("%w: empty", ErrPhoneInvalid)
	case n[0] == '1':
		return phoneMobile(n)
	case n[0] == '0':
		return phoneLandline(n[1:])
	case len(n) == 7 || len(n) == 8:
		return "", "", fmt.Errorf("%w: landline without area code", ErrPhoneInvalid)
	}
	return "", "", fmt.Errorf("%w: not a China mobile or landline", ErrPhoneInvalid)
}

func phoneMobile(n string) (string, PhoneKind, error) {
	// n may be one digit: the head before a dash ("1-000000000") is tried
	// as a landline with an extension.
	if len(n) < 2 || n[1] < '3' {
		return "", "", fmt.Errorf("%w: not a China mobile or landline", ErrPhoneInvalid)
	}
	if len(n) != 11 {
		return "", "", fmt.Errorf("%w: a mobile number has 11 digits, got %d", ErrPhoneInvalid, len(n))
	}
	return "+86" + n, PhoneMobile, nil
}

// phoneLandline checks area code + subscriber (n has no trunk zero).
func phoneLandline(n string) (string, PhoneKind, error) {
	if len(n) < 9 {
		return "", "", fmt.Errorf("%w: too short for a landline with area code", ErrPhoneInvalid)
	}
	area := 3
	if n[0] == '1' || n[0] == '2' {
		area = 2
	}
	sub := n[area:]
	switch {
	case len(sub) > 8:
		return "", "", fmt.Errorf("%w: too long for a landline", ErrPhoneInvalid)
	case len(sub) < 7:
		return "", "", fmt.Errorf("%w: too short for a landline with area code", ErrPhoneInvalid)
	case sub[0] == '0':
		return "", "", fmt.Errorf("%w: landline number cannot start with 0 after the area code", ErrPhoneInvalid)
	case !phoneAreaCodeOK(n[:area], len(sub)):
		return "", "", fmt.Errorf("%w: unknown area code 0%s", ErrPhoneInvalid, n[:area])
	}
	return "+86" + n, PhoneLandline, nil
}

// phoneTrimExcelFraction removes the ".0" Excel adds when a number column is
// exported as text ("13800138000.0").
func phoneTrimExcelFraction(s string) string {
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 || dot == len(s)-1 || strings.Trim(s[dot+1:], "0") != "" {
		return s
	}
	if strings.Trim(s[:dot], "0123456789") != "" {
		return s
	}
	return s[:dot]
}

// phoneLooksScientific spots Excel's "1.38001E+10" without mistaking an
// "ext" extension mark for an exponent.
func phoneLooksScientific(s string) bool {
	return s[0] >= '0' && s[0] <= '9' && strings.ContainsAny(s, "eE") && !strings.ContainsAny(s, "tT")
}

// phoneExpandScientific expands "1.3800138E+10" when every digit survived and
// rejects "1.38001E+10", whose last digits Excel rounded away.
func phoneExpandScientific(s string) (string, error) {
	mant, exp, ok := strings.Cut(strings.ToUpper(s), "E")
	if !ok {
		return s, nil
	}
	exp = strings.TrimPrefix(exp, "+")
	e := 0
	for _, c := range exp {
		if c < '0' || c > '9' || e > 30 {
			return "", fmt.Errorf("%w: unreadable number %q", ErrPhoneInvalid, s)
		}
		e = e*10 + int(c-'0')
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if len(intPart) != 1 || strings.Trim(intPart+frac, "0123456789") != "" || exp == "" {
		return "", fmt.Errorf("%w: unreadable number %q", ErrPhoneInvalid, s)
	}
	if len(frac) < e {
		return "", fmt.Errorf("%w: %w (%s): Excel kept only %d digits; format the column as text and export again",
			ErrPhoneInvalid, ErrPhonePrecisionLost, s, 1+len(frac))
	}
	if len(frac) > e {
		return "", fmt.Errorf("%w: not a whole number %q", ErrPhoneInvalid, s)
	}
	return intPart + frac, nil
}

// phoneAreaCodes maps an area code (without trunk zero) to the subscriber
// lengths libphonenumber accepts for it; bit 7 and bit 8 are set.
var (
	phoneAreaOnce  sync.Once
	phoneAreaCodes map[string]uint16
)

func phoneAreaCodeOK(area string, subLen int) bool {
	phoneAreaOnce.Do(phoneBuildAreaCodes)
	return phoneAreaCodes[area]&(1<<subLen) != 0
}

// phoneBuildAreaCodes asks libphonenumber once about every structurally
// possible area code with a few sample subscriber numbers. Parsing costs
// ~15 µs a number, far too slow for a million-row import, so the verdicts are
// kept in a table (tens of milliseconds, once per process).
func phoneBuildAreaCodes() {
	phoneAreaCodes = make(map[string]uint16, 400)
	var areas []string
	areas = append(areas, "10")
	for i := 20; i <= 29; i++ {
		areas = append(areas, fmt.Sprint(i))
	}
	for i := 300; i <= 999; i++ {
		areas = append(areas, fmt.Sprint(i))
	}
	samples := map[int][]string{7: {"6234567", "2345678", "8765432"}, 8: {"62345678", "23456789", "87654321"}}
	for _, a := range areas {
		for l, subs := range samples {
			for _, sub := range subs {
				num, err := phonenumbers.Parse("+86"+a+sub, "CN")
				if err == nil && phonenumbers.IsValidNumber(num) && phoneIsFixed(num) {
					phoneAreaCodes[a] |= 1 << l
					break
				}
			}
		}
	}
}

func phoneIsFixed(num *phonenumbers.PhoneNumber) bool {
	t := phonenumbers.GetNumberType(num)
	return t == phonenumbers.FIXED_LINE || t == phonenumbers.FIXED_LINE_OR_MOBILE
}

// FormatNational writes an E.164 China number the way people here dial it:
// a mobile as its 11 digits (13800138000), a landline as trunk 0, area code,
// a dash and the subscriber number (010-12345678, 0755-12345678). Anything
// else comes back unchanged. NormalizePhone reads the result back.
func FormatNational(e164 string) string {
	n, ok := strings.CutPrefix(e164, "+86")
	switch {
	case !ok || len(n) < 9 || strings.Trim(n, "0123456789") != "":
		return e164
	case n[0] == '1' && len(n) == 11:
		return n
	}
	area := 3
	if n[0] == '1' || n[0] == '2' {
		area = 2
	}
	return "0" + n[:area] + "-" + n[area:]
}
