package api

import "testing"

func TestMask(t *testing.T) {
	cases := []struct {
		in, want string
		id       bool
	}{
		{"+8613800138000", "138****8000", false},
		{"+861012345678", "101***5678", false},
		{"12345", "*****", false},
		{"110101199003071234", "110101********1234", true},
		{"11010119900307123X", "110101********123X", true},
	}
	for _, c := range cases {
		got := maskPhone(c.in)
		if c.id {
			got = maskID(c.in)
		}
		if got != c.want {
			t.Errorf("mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
