package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

func TestLoginLogout(t *testing.T) {
	h := newHarness(t)
	rec := h.raw("POST", "/api/v1/auth/login", "", loginRequest{Username: "u_admin", Password: "wrong"})
	if rec.Code != 401 || errorOf(t, rec).Code != "unauthenticated" {
		t.Fatalf("wrong password: %d %s", rec.Code, rec.Body.String())
	}
	tok := h.tokens[store.RoleQA]
	h.do("GET", "/api/v1/me", tok, nil, 200, nil)
	h.do("POST", "/api/v1/auth/logout", tok, nil, 204, nil)
	h.do("GET", "/api/v1/me", tok, nil, 401, nil)
	h.do("GET", "/api/v1/me", "garbage", nil, 401, nil)

	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?action=auth.", h.tokens[store.RoleAdmin], nil, 200, &audit)
	var logins, denied, logouts int
	for _, e := range audit.Items {
		switch {
		case e.Action == "auth.login" && e.Result == "ok":
			logins++
		case e.Action == "auth.login" && e.Result == "denied":
			denied++
		case e.Action == "auth.logout":
			logouts++
		}
	}
	if logins != 4 || denied != 1 || logouts != 1 {
		t.Fatalf("audit has %d logins, %d denied, %d logouts; want 4, 1, 1", logins, denied, logouts)
	}
}

func TestCreateUserValidation(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"missing fields", map[string]any{}, 400, "username"},
		{"wrong type", `{"username":"x1","password":"Agent-Pass-2026","role":"agent","level":"high"}`, 400, "level"},
		{"bad role", map[string]any{"username": "x2", "password": "Agent-Pass-2026", "role": "boss"}, 400, "role"},
		{"weak password", map[string]any{"username": "x3", "password": "short", "role": "agent"}, 400, "password"},
		{"bad extension", map[string]any{"username": "x4", "password": "Agent-Pass-2026", "role": "agent", "extension": "12ab"}, 400, "extension"},
		{"unknown group", map[string]any{"username": "x5", "password": "Agent-Pass-2026", "role": "agent", "group_ids": []int{42}}, 400, "group_ids"},
		{"unknown permission", map[string]any{"username": "x6", "password": "Agent-Pass-2026", "role": "agent", "permissions": []string{"fly"}}, 400, "permissions"},
		{"not json", `{"username":`, 400, ""},
		{"oversize", `{"display_name":"` + strings.Repeat("a", 2<<20) + `"}`, 413, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := h.raw("POST", "/api/v1/users", admin, c.body)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body.String())
			}
			e := errorOf(t, rec)
			if c.field != "" && (len(e.Details) == 0 || e.Details[0].Field != c.field) {
				t.Fatalf("details %+v, want field %q", e.Details, c.field)
			}
		})
	}
	var users list[userView]
	h.do("GET", "/api/v1/users", admin, nil, 200, &users)
	if users.Total != 4 {
		t.Fatalf("bad requests created users: total %d, want 4", users.Total)
	}
}

func TestUserLifecycle(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	var g store.Group
	h.do("POST", "/api/v1/groups", admin, map[string]any{"name": "信用卡催收组", "kind": "agent"}, 201, &g)
	var u userView
	h.do("POST", "/api/v1/users", admin, map[string]any{"username": "zhangwei", "password": "Agent-Pass-2026",
		"role": "agent", "display_name": "张伟", "extension": "1001", "group_ids": []int64{g.ID}, "level": 3}, 201, &u)
	if u.SIPPassword == "" || u.Extension != "1001" || len(u.GroupIDs) != 1 || u.Level != 3 {
		t.Fatalf("created %+v", u)
	}
	rec := h.raw("POST", "/api/v1/users", admin, map[string]any{"username": "zhangwei", "password": "Agent-Pass-2026", "role": "agent"})
	if rec.Code != http.StatusConflict {
		t.Fatalf("duplicate username: %d", rec.Code)
	}
	rec = h.raw("POST", "/api/v1/users", admin, map[string]any{"username": "lisi", "password": "Agent-Pass-2026", "role": "agent", "extension": "1001"})
	if rec.Code != http.StatusConflict {
		t.Fatalf("duplicate extension: %d", rec.Code)
	}
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{"zhangwei", "Agent-Pass-2026"}, 200, &login)
	h.do("GET", "/api/v1/users", login.Token, nil, 403, nil)

	var changed userView
	h.do("PATCH", "/api/v1/users/"+itoa(u.ID), admin, map[string]any{"role": "supervisor", "group_ids": []int64{}}, 200, &changed)
	if changed.Role != store.RoleSupervisor || len(changed.GroupIDs) != 0 || changed.SIPPassword != "" {
		t.Fatalf("patched %+v", changed)
	}
	h.do("GET", "/api/v1/me", login.Token, nil, 401, nil) // role change ends sessions
	h.do("PATCH", "/api/v1/users/"+itoa(h.users[store.RoleAdmin].ID), admin, map[string]any{"role": "agent"}, 409, nil)
	h.do("DELETE", "/api/v1/users/"+itoa(h.users[store.RoleAdmin].ID), admin, nil, 409, nil)
	h.do("DELETE", "/api/v1/users/"+itoa(u.ID), admin, nil, 204, nil)
	h.do("DELETE", "/api/v1/users/"+itoa(u.ID), admin, nil, 404, nil)

	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?target_type=user&target_id="+itoa(u.ID), admin, nil, 200, &audit)
	var actions []string
	for _, e := range audit.Items {
		actions = append(actions, e.Action+":"+e.Result)
	}
	want := "user.delete:failed user.delete:ok user.update:ok auth.login:ok user.create:ok"
	if strings.Join(actions, " ") != want {
		t.Fatalf("audit for the user: %v, want %s", actions, want)
	}
}
