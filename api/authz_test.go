package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// TestAuthorizationMatrix walks every route of routes.go for every role and
// without a token: no token is 401, a role without the route's permission is
// 403, and a role with it gets past authorization (any other status).
func TestAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	roles := []store.Role{store.RoleAdmin, store.RoleSupervisor, store.RoleQA, store.RoleAgent}
	for _, rt := range h.srv.apiRoutes() {
		if rt.Path == "/api/v1/auth/logout" {
			continue // would end the session the rest of the test uses; covered in TestLoginLogout
		}
		path := strings.NewReplacer(":id", "999999", ":uuid", "no-such-call", ":name", "agents", ":action", "hold").Replace(rt.Path)
		if rec := h.raw(rt.Method, path, "", "{}"); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s %s without token: %d, want 401", rt.Method, path, rec.Code)
		}
		for _, role := range roles {
			rec := h.raw(rt.Method, path, h.tokens[role], "{}")
			allowed := rt.Perm == signedIn || can(h.users[role], rt.Perm)
			switch {
			case !allowed && rec.Code != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403", rt.Method, path, role, rec.Code)
			case allowed && (rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized):
				t.Errorf("%s %s as %s: %d, want it allowed", rt.Method, path, role, rec.Code)
			}
		}
	}
}

// TestRolePermissionsTable pins who may do the sensitive things, so a change
// to the role table is a deliberate one.
func TestRolePermissionsTable(t *testing.T) {
	cases := []struct {
		role store.Role
		perm store.Permission
		want bool
	}{
		{store.RoleAdmin, store.PermAuditRead, true},
		{store.RoleAdmin, store.PermExport, true},
		{store.RoleSupervisor, store.PermAuditRead, false},
		{store.RoleSupervisor, store.PermExport, false},
		{store.RoleSupervisor, store.PermListen, true},
		{store.RoleSupervisor, store.PermUsersManage, false},
		{store.RoleQA, store.PermScore, true},
		{store.RoleQA, store.PermCampaignManage, false},
		{store.RoleAgent, store.PermAgentDesk, true},
		{store.RoleAgent, store.PermCampaignView, false},
		{store.RoleAgent, store.PermPIIView, false},
		{store.RoleSupervisor, store.PermShiftManage, true},
		{store.RoleSupervisor, store.PermBroadcastManage, true},
		{store.RoleQA, store.PermShiftManage, false},
		{store.RoleAgent, store.PermShiftManage, false},
		{store.RoleAgent, store.PermBroadcastManage, false},
	}
	for _, c := range cases {
		u := &store.User{Role: c.role}
		if got := u.Can(c.perm); got != c.want {
			t.Errorf("%s can %s = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
	granted := &store.User{Role: store.RoleSupervisor}
	granted.SetExtraPermissions([]store.Permission{store.PermExport})
	if !granted.Can(store.PermExport) {
		t.Error("a per-user export grant is not honoured")
	}
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	h := newHarness(t)
	var spec struct {
		Paths map[string]map[string]struct {
			Summary string `json:"summary"`
		} `json:"paths"`
	}
	h.do("GET", "/api/openapi.json", "", nil, 200, &spec)
	for _, rt := range h.srv.allRoutes() {
		op, ok := spec.Paths[openapiPath(rt.Path)][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is not in the OpenAPI document", rt.Method, rt.Path)
			continue
		}
		if op.Summary == "" {
			t.Errorf("%s %s has no summary", rt.Method, rt.Path)
		}
	}
}
