package api

import "testing"

func TestSafeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"张伟", "张伟"},
		{`=HYPERLINK("http://evil.example","点我")`, `'=HYPERLINK("http://evil.example","点我")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"+", "'+"},
		{"-", "'-"},
		{"+86 138 0013 8000", "'+86 138 0013 8000"}, // spaces: not a plain number
		// Plain numbers stay usable: phones in E.164, negative amounts.
		{"+8613800138000", "+8613800138000"},
		{"-1200.50", "-1200.50"},
		{"-1,200.50", "-1,200.50"},
		{"+0.5", "+0.5"},
		{"-.5", "-.5"},
		{"-1.2.3", "'-1.2.3"},
		{"-1e5", "'-1e5"},
		{"010-12345678", "010-12345678"}, // does not start with a sign
	}
	for _, tt := range tests {
		if got := safeCell(tt.in); got != tt.want {
			t.Errorf("safeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskDialed(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13800138000", "138****8000"},
		{"010-12345678", "010-****5678"},
		{"0755-1234567", "0755-***4567"},
		{"123", "***"},
	}
	for _, tt := range tests {
		if got := maskDialed(tt.in); got != tt.want {
			t.Errorf("maskDialed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExportLangOf(t *testing.T) {
	tests := []struct {
		lang, accept string
		want         exportLang
		bad          bool
	}{
		{"", "", langZH, false},
		{"en", "", langEN, false},
		{"zh-CN", "en-US", langZH, false},
		{"en-GB", "", langEN, false},
		{"", "en-US,en;q=0.9", langEN, false},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", langZH, false},
		{"", "fr-FR,en;q=0.5", langEN, false},
		{"", "fr-FR", langZH, false},
		{"fr", "", "", true},
		{"not a tag!", "", "", true},
	}
	for _, tt := range tests {
		got, err := exportLangOf(tt.lang, tt.accept)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("exportLangOf(%q, %q) = %q, %v; want %q (error %v)", tt.lang, tt.accept, got, err, tt.want, tt.bad)
		}
	}
}
