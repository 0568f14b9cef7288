package api

import (
	"net/http"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// TestSecurityHole7UsersManageIsNotAdmin is the probe that found hole 7: a
// supervisor holding only users_manage beyond its role tries to grant itself
// export, pii_view and audit_read, to create an admin, and to reset, unlock
// and delete the admin. Every attempt is refused with 403, changes nothing
// and is audited; managing an agent still works.
func TestSecurityHole7UsersManageIsNotAdmin(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	admin := h.tokens[store.RoleAdmin]
	var sup userView
	h.do("POST", "/api/v1/users", admin, map[string]any{"username": "sup_um", "password": "Sup-Manage-2026", "role": "supervisor",
		"permissions": []string{"users_manage"}}, 201, &sup)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{"sup_um", "Sup-Manage-2026"}, 200, &login)
	tok := login.Token
	adminID := itoa(h.users[store.RoleAdmin].ID)
	self := "/api/v1/users/" + itoa(sup.ID)

	probes := []struct {
		name, method, path string
		body               any
	}{
		{"grant itself export", "PATCH", self, map[string]any{"permissions": []string{"users_manage", "export"}}},
		{"grant itself pii_view", "PATCH", self, map[string]any{"permissions": []string{"users_manage", "pii_view"}}},
		{"grant itself audit_read", "PATCH", self, map[string]any{"permissions": []string{"users_manage", "audit_read"}}},
		{"make itself admin", "PATCH", self, map[string]any{"role": "admin"}},
		{"create an admin", "POST", "/api/v1/users", map[string]any{"username": "evil", "password": "Rogue-Admin-2026", "role": "admin"}},
		{"create a user with export", "POST", "/api/v1/users", map[string]any{"username": "evil2", "password": "Rogue-Admin-2026", "role": "agent", "permissions": []string{"export"}}},
		{"create a QA (score it lacks)", "POST", "/api/v1/users", map[string]any{"username": "evil3", "password": "Rogue-Admin-2026", "role": "qa"}},
		{"reset the admin's password", "PATCH", "/api/v1/users/" + adminID, map[string]any{"password": "Taken-Over-2026"}},
		{"disable the admin", "PATCH", "/api/v1/users/" + adminID, map[string]any{"disabled": true}},
		{"unlock the admin", "POST", "/api/v1/users/" + adminID + "/unlock", nil},
		{"delete the admin", "DELETE", "/api/v1/users/" + adminID, nil},
	}
	for _, p := range probes {
		rec := h.raw(p.method, p.path, tok, p.body)
		if rec.Code != http.StatusForbidden || errorOf(t, rec).Code != "permission_denied" {
			t.Errorf("%s: %d %s, want 403", p.name, rec.Code, rec.Body)
		}
	}

	var me userView
	h.do("GET", "/api/v1/me", tok, nil, 200, &me)
	for _, p := range me.Permissions {
		if p == store.PermExport || p == store.PermPIIView || p == store.PermAuditRead || me.Role != store.RoleSupervisor {
			t.Fatalf("the supervisor gained %s (role %s)", p, me.Role)
		}
	}
	var users list[userView]
	h.do("GET", "/api/v1/users", admin, nil, 200, &users)
	if users.Total != 5 {
		t.Fatalf("refused creations left users behind: total %d, want 5", users.Total)
	}
	h.do("POST", "/api/v1/auth/login", "", loginRequest{"u_admin", testPassword}, 200, nil)

	denied := 0
	for _, e := range h.auditRows("user_id=" + itoa(sup.ID)) {
		if e.Result == "denied" && e.Status == http.StatusForbidden {
			denied++
		}
	}
	if denied != len(probes) {
		t.Fatalf("%d refusals audited, want %d", denied, len(probes))
	}

	var agent userView
	h.do("POST", "/api/v1/users", tok, map[string]any{"username": "new_agent", "password": "Agent-Desk-2026", "role": "agent"}, 201, &agent)
	h.do("PATCH", "/api/v1/users/"+itoa(agent.ID), tok, map[string]any{"password": "Agent-Desk-2027"}, 200, nil)
}
