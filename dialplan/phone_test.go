package dialplan

import (
	"errors"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNormalizePhoneValid(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		kind PhoneKind
	}{
		{"13800138000", "+8613800138000", PhoneMobile},
		{" 138 0013 8000 ", "+8613800138000", PhoneMobile},
		{"138-0013-8000", "+8613800138000", PhoneMobile},
		{"+86 138 0013 8000", "+8613800138000", PhoneMobile},
		{"(+86)13800138000", "+8613800138000", PhoneMobile},
		{"0086-13800138000", "+8613800138000", PhoneMobile},
		{"8613800138000", "+8613800138000", PhoneMobile},
		{"＋８６　１３８００１３８０００", "+8613800138000", PhoneMobile},
		{"１３８００１３８０００", "+8613800138000", PhoneMobile},
		{"13800138000.0", "+8613800138000", PhoneMobile},
		{"1.3800138000E+10", "+8613800138000", PhoneMobile},
		{"19912345678", "+8619912345678", PhoneMobile},
		{"010-12345678", "+861012345678", PhoneLandline},
		{"(010)12345678", "+861012345678", PhoneLandline},
		{"（010）12345678", "+861012345678", PhoneLandline},
		{"021-87654321", "+862187654321", PhoneLandline},
		{"0755 1234 5678", "+8675512345678", PhoneLandline},
		{"+86 10 12345678", "+861012345678", PhoneLandline},
		{"+86 (0)10 12345678", "+861012345678", PhoneLandline},
		{"0086 755 12345678", "+8675512345678", PhoneLandline},
		{"0755-12345678转801", "+8675512345678", PhoneLandline},
		{"0755-12345678 分机 801", "+8675512345678", PhoneLandline},
		{"010-12345678-801", "+861012345678", PhoneLandline},
		{"010-12345678 ext. 801", "+861012345678", PhoneLandline},
		{"010 12345678#801", "+861012345678", PhoneLandline},
	}
	for _, tt := range tests {
		got, kind, err := NormalizePhone(tt.raw)
		if err != nil || got != tt.want || kind != tt.kind {
			t.Errorf("NormalizePhone(%q) = %q, %q, %v; want %q, %q", tt.raw, got, kind, err, tt.want, tt.kind)
			continue
		}
		// libphonenumber must agree that what we produce is a valid number.
		num, err := phonenumbers.Parse(got, "CN")
		if err != nil || !phonenumbers.IsValidNumber(num) {
			t.Errorf("NormalizePhone(%q) = %q, which libphonenumber rejects", tt.raw, got)
		}
	}
}

func TestNormalizePhoneInvalid(t *testing.T) {
	tests := []struct {
		raw     string
		because string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"12345", "too short"},
		{"1.38001E+10", "Excel kept only 6 digits"},
		{"12800138000", "not a China mobile or landline"},
		{"1380013800", "a mobile number has 11 digits, got 10"},
		{"138001380001", "a mobile number has 11 digits, got 12"},
		{"87654321", "landline without area code"},
		{"+1 415 555 1234", "not a China number"},
		{"0400 1234567", "unknown area code 0400"},
		{"010-01234567", "cannot start with 0"},
		{"010-123456789", "too long for a landline"},
		{"010-123456", "too short for a landline"},
		{"138x0013", "too short"},
		{"13800138000x12ab", "unreadable extension"},
		{"1.3800138E+10", "Excel kept only 8 digits"},
		{"abc", "unexpected character 'a'"},
		{"138+00138000", "'+' inside the number"},
		{"1234567890123456789012345", "too long"},
		{"1-000000000", "not a China mobile or landline"}, // the head "1" once panicked (FuzzText)
	}
	for _, tt := range tests {
		got, _, err := NormalizePhone(tt.raw)
		if err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want error containing %q", tt.raw, got, tt.because)
			continue
		}
		if !errors.Is(err, ErrPhoneInvalid) || !strings.Contains(err.Error(), tt.because) {
			t.Errorf("NormalizePhone(%q) error = %q, want ErrPhoneInvalid containing %q", tt.raw, err, tt.because)
		}
	}
}

func TestNormalizePhonePrecisionLost(t *testing.T) {
	_, _, err := NormalizePhone("1.38001E+10")
	if !errors.Is(err, ErrPhonePrecisionLost) {
		t.Fatalf("error = %v, want ErrPhonePrecisionLost", err)
	}
}

// TestPhoneAreaCodesAgreeWithLibphonenumber checks the cached area code table
// against libphonenumber on numbers not used to build it.
func TestPhoneAreaCodesAgreeWithLibphonenumber(t *testing.T) {
	for _, area := range []string{"10", "20", "21", "371", "571", "755", "898", "400", "800", "699"} {
		raw := "0" + area + "66554433"
		got, _, err := NormalizePhone(raw)
		num, perr := phonenumbers.Parse("+86"+area+"66554433", "CN")
		lib := perr == nil && phonenumbers.IsValidNumber(num) && phoneIsFixed(num)
		if (err == nil) != lib {
			t.Errorf("NormalizePhone(%q) = %q, %v; libphonenumber valid fixed line = %v", raw, got, err, lib)
		}
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	inputs := []string{"13800138000", "+86 139 0013 9000", "0755-12345678", "13800138000.0", "１３６００１３６０００", "12345"}
	NormalizePhone("010-12345678") // build the area code table outside the timing
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		NormalizePhone(inputs[i%len(inputs)])
		i++
	}
}

func TestFormatNational(t *testing.T) {
	tests := []struct{ e164, want string }{
		{"+8613800138000", "13800138000"},
		{"+861012345678", "010-12345678"},
		{"+862161234567", "021-61234567"},
		{"+8675512345678", "0755-12345678"},
		{"+8637161234567", "0371-61234567"},
		{"", ""},
		{"13800138000", "13800138000"}, // not E.164: unchanged
		{"+8612", "+8612"},
	}
	for _, tt := range tests {
		got := FormatNational(tt.e164)
		if got != tt.want {
			t.Errorf("FormatNational(%q) = %q, want %q", tt.e164, got, tt.want)
			continue
		}
		if strings.HasPrefix(tt.e164, "+86") && len(tt.e164) > 10 {
			if back, _, err := NormalizePhone(got); err != nil || back != tt.e164 {
				t.Errorf("NormalizePhone(%q) = %q, %v; want %q back", got, back, err, tt.e164)
			}
		}
	}
}
