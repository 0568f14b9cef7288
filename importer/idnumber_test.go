package importer

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// idWithCheck completes 17 digits with the check character computed here,
// independently of ValidateIDNumber's table, from the GB 11643 definition:
// weight_i = 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, 10 written X.
func idWithCheck(t *testing.T, first17 string) string {
	t.Helper()
	sum := 0
	for i, c := range first17 {
		w := 1
		for k := 0; k < 17-i; k++ {
			w = w * 2 % 11
		}
		sum += int(c-'0') * w
	}
	v := (12 - sum%11) % 11
	if v == 10 {
		return first17 + "X"
	}
	return first17 + string(rune('0'+v))
}

func TestValidateIDNumber(t *testing.T) {
	defer func(f func() time.Time) { idNow = f }(idNow)
	idNow = func() time.Time { return time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) }

	x := idWithCheck(t, "44030419870315105")
	if !strings.HasSuffix(x, "X") {
		t.Fatalf("fixture %s should end in X", x)
	}
	valid := []string{
		idWithCheck(t, "11010119900307123"),
		idWithCheck(t, "51010420000229003"), // leap day
		idWithCheck(t, "11010519491001001"),
		x,
		strings.ToLower(x),
		" " + idWithCheck(t, "31011519780615441") + " ",
		idWithCheck(t, "11010120261124001"), // born today
	}
	for _, s := range valid {
		if err := ValidateIDNumber(s); err != nil {
			t.Errorf("ValidateIDNumber(%q) = %v, want nil", s, err)
		}
	}

	good := idWithCheck(t, "11010119900307123")
	wrongCheck := good[:17] + string("0123456789"[(int(good[17]-'0')+1)%10])
	if good[17] == 'X' {
		wrongCheck = good[:17] + "0"
	}
	invalid := []struct{ s, because string }{
		{"", "must have 18 characters, got 0"},
		{"11010119900307123", "must have 18 characters, got 17"},
		{"110101900307123", "old 15-digit"},
		{"1.10101199003071E+17", "stored as a number in Excel"},
		{wrongCheck, "check digit is"},
		{"11010119900307A23" + "4", "character 15 is not a digit"},
		{"11010119900307123Y", "last character must be a digit or X"},
		{idWithCheck(t, "11010119900230123"), "not a real date"},
		{idWithCheck(t, "11010120010229123"), "not a real date"}, // 2001 is no leap year
		{idWithCheck(t, "11010118991231123"), "before 1900"},
		{idWithCheck(t, "11010120261125123"), "in the future"},
	}
	for _, tt := range invalid {
		err := ValidateIDNumber(tt.s)
		if !errors.Is(err, ErrIDNumber) || !strings.Contains(err.Error(), tt.because) {
			t.Errorf("ValidateIDNumber(%q) = %v, want error containing %q", tt.s, err, tt.because)
		}
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	if got := NormalizeIDNumber(" 44030419870315105x "); got != "44030419870315105X" {
		t.Errorf("NormalizeIDNumber = %q", got)
	}
}
