package store_test

import (
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

func TestSecurityHole14CheckPassword(t *testing.T) {
	tests := []struct {
		user, pw string
		ok       bool
		why      string // a word the refusal must contain
	}{
		{"alice", "Short1!", false, "10 characters"},
		{"alice", "alllowercaseletters", false, "three"},
		{"alice", "lowerUPPER12", true, ""},
		{"alice", "lower-digits-123", true, ""},
		{"alice", "Alice-2026-pass", false, "username"},
		{"bob", "密码密码密码Ab1!", true, ""},
		{"bob", "Test-Pass-2026", true, ""},
		// common passwords, whole or dressed up with digits, symbols and substitutions
		{"bob", "Password123!", false, "common"},
		{"bob", "P@ssw0rd2026", false, "common"},
		{"bob", "Welcome@2026", false, "common"},
		{"bob", "Qwerty123456", false, "common"},
		{"bob", "1qaz@WSX2026", false, "common"},
		{"bob", "Icbc@123456", false, "common"},
		{"bob", "Admin@12345", false, "common"},
		{"bob", "Woaini@1314", false, "common"},
		// bcrypt reads 72 bytes: longer is refused, naming the limit
		{"bob", "Aa1-" + strings.Repeat("x", 68), true, ""},
		{"bob", "Aa1-" + strings.Repeat("x", 69), false, "72 bytes"},
		{"bob", "Aa1-" + strings.Repeat("密", 23), false, "72 bytes"},
	}
	for _, tt := range tests {
		err := store.CheckPassword(tt.user, tt.pw)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPassword(%q, %q) = %v, want ok=%v", tt.user, tt.pw, err, tt.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.why) {
			t.Errorf("CheckPassword(%q, %q) = %v, want it to say %q", tt.user, tt.pw, err, tt.why)
		}
	}
}
