package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// TestSecurityHole14RequestParsing: bad bodies and parameters get a 400 that
// names the field or parameter in JSON terms (no Go type names), and change
// nothing.
func TestSecurityHole14RequestParsing(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	admin := h.tokens[store.RoleAdmin]
	cases := []struct {
		name, method, path string
		body               any
		field, says        string
	}{
		{"array for an object", "POST", "/api/v1/campaigns", `[]`, "", "must be a JSON object, not a list"},
		{"number for a string", "POST", "/api/v1/campaigns", `{"name":5}`, "name", "must be a string"},
		{"overflowing integer", "POST", "/api/v1/campaigns", `{"name":"x","priority":99999999999999999999}`, "priority", "out of range"},
		{"trailing junk", "POST", "/api/v1/campaigns", `{"name":"junk"} {"name":"more"}`, "", "after the JSON object"},
		{"trailing garbage", "POST", "/api/v1/campaigns", `{"name":"junk"}xyz`, "", "after the JSON object"},
		{"cut short", "POST", "/api/v1/campaigns", `{"name":"ju`, "", "JSON"},
		{"page overflow", "GET", "/api/v1/campaigns?page=9223372036854775807", nil, "page", "between 1 and"},
		{"page beyond int64", "GET", "/api/v1/users?page=99999999999999999999", nil, "page", "between 1 and"},
		{"page_size overflow", "GET", "/api/v1/audit?page_size=9223372036854775807", nil, "page_size", "between 1 and"},
		{"id overflow", "GET", "/api/v1/users/99999999999999999999", nil, "id", "positive integer"},
		{"user_id overflow", "GET", "/api/v1/audit?user_id=99999999999999999999", nil, "user_id", "positive integer"},
		{"group_id not a number", "GET", "/api/v1/users?group_id=x", nil, "group_id", "positive integer"},
	}
	for _, c := range cases {
		rec := h.raw(c.method, c.path, admin, c.body)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", c.name, rec.Code, rec.Body)
			continue
		}
		e := errorOf(t, rec)
		if c.field != "" && (len(e.Details) == 0 || e.Details[0].Field != c.field) {
			t.Errorf("%s: details %+v, want field %q", c.name, e.Details, c.field)
		}
		if !strings.Contains(e.Message, c.says) || strings.Contains(e.Message, "api.") || strings.Contains(e.Message, "store.") ||
			strings.Contains(e.Message, "int64") || strings.Contains(e.Message, "Go ") {
			t.Errorf("%s: message %q, want it to say %q in JSON terms", c.name, e.Message, c.says)
		}
	}
	var camps list[store.Campaign]
	h.do("GET", "/api/v1/campaigns", admin, nil, 200, &camps)
	if camps.Total != 0 {
		t.Fatalf("bad bodies created %d campaigns", camps.Total)
	}
}

// TestSecurityHole14HiddenCharactersInNames: NUL, controls, zero-width and
// bidi characters are refused in user display names, group, campaign,
// calendar and strategy names, naming the field.
func TestSecurityHole14HiddenCharactersInNames(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	admin := h.tokens[store.RoleAdmin]
	for _, bad := range []string{"a\u202Eb", "ad\u200Bmin", "a\x00b", "a\u2066b", "a\tb"} {
		cases := []struct {
			path, field string
			body        map[string]any
		}{
			{"/api/v1/users", "display_name", map[string]any{"username": "newbie", "password": "Newbie-Pass-2026", "role": "agent", "display_name": bad}},
			{"/api/v1/groups", "name", map[string]any{"name": bad, "kind": "agent"}},
			{"/api/v1/campaigns", "name", map[string]any{"name": bad}},
			{"/api/v1/calendars", "name", map[string]any{"name": bad}},
		}
		for _, c := range cases {
			rec := h.raw("POST", c.path, admin, c.body)
			if rec.Code != http.StatusBadRequest || !hasField(errorOf(t, rec), c.field) {
				t.Errorf("POST %s with %q: %d %s, want 400 naming %s", c.path, bad, rec.Code, rec.Body, c.field)
			}
		}
	}
}

func hasField(e *apiError, field string) bool {
	for _, d := range e.Details {
		if d.Field == field {
			return true
		}
	}
	return false
}

// TestSecurityHole14Accounts: passwords over 72 bytes and common ones are
// refused with the reason; usernames are one account whatever their case.
func TestSecurityHole14Accounts(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	admin := h.tokens[store.RoleAdmin]
	for _, c := range []struct{ pw, says string }{
		{"Aa1-" + strings.Repeat("长", 30), "72 bytes"},
		{"Password123!", "too common"},
		{"P@ssw0rd2026", "too common"},
	} {
		rec := h.raw("POST", "/api/v1/users", admin, map[string]any{"username": "pwtest", "password": c.pw, "role": "agent"})
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), c.says) {
			t.Errorf("password %q: %d %s, want 400 saying %q", c.pw, rec.Code, rec.Body, c.says)
		}
	}
	rec := h.raw("POST", "/api/v1/users", admin, map[string]any{"username": "U_AGENT", "password": "Other-Pass-2026", "role": "agent"})
	if rec.Code != http.StatusConflict {
		t.Fatalf("U_AGENT beside u_agent: %d, want 409", rec.Code)
	}
	var v userView
	h.do("POST", "/api/v1/users", admin, map[string]any{"username": "LiNa", "password": "Other-Pass-2026", "role": "agent"}, 201, &v)
	if v.Username != "lina" {
		t.Fatalf("stored as %q", v.Username)
	}
	h.do("POST", "/api/v1/auth/login", "", loginRequest{"LINA", "Other-Pass-2026"}, 200, nil)
	if rows := h.auditRows("user=LINA&action=auth.login"); len(rows) != 1 {
		t.Fatalf("audit search by LINA found %d sign-ins, want 1", len(rows))
	}
}
