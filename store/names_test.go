package store_test

import (
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

func TestSecurityHole14CheckName(t *testing.T) {
	tests := []struct {
		name, s string
		ok      bool
	}{
		{"plain Chinese", "信用卡催收一组", true},
		{"plain English with punctuation", "Card team (north) - 2", true},
		{"NUL", "team\x00a", false},
		{"newline", "team\na", false},
		{"right-to-left override", "invoice\u202Egpj.exe", false},
		{"right-to-left isolate", "a\u2067b", false},
		{"zero-width space", "ad\u200Bmin", false},
		{"zero-width joiner", "ad\u200Dmin", false},
		{"byte-order mark", "\uFEFFteam", false},
		{"C1 control", "team\u0085", false},
		{"invalid UTF-8", "team\xff", false},
	}
	for _, tt := range tests {
		fe := store.CheckName("display_name", tt.s)
		if (fe == nil) != tt.ok {
			t.Errorf("%s: CheckName(%q) = %v, want ok=%v", tt.name, tt.s, fe, tt.ok)
		}
		if fe != nil && (fe.Field != "display_name" || !strings.Contains(fe.Message, "U+") && !strings.Contains(fe.Message, "UTF-8")) {
			t.Errorf("%s: error %+v does not name the field and the character", tt.name, fe)
		}
	}
}
