package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// sendFrom is raw with a client address and extra headers.
func (h *harness) sendFrom(method, path, token, addr string, headers map[string]string, body any) *httptest.ResponseRecorder {
	h.t.Helper()
	buf, isRaw := body.(string)
	if !isRaw {
		b, _ := json.Marshal(body)
		buf = string(b)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if addr != "" {
		req.RemoteAddr = addr + ":40000"
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// workstation registers name and returns the view carrying the token.
func (h *harness) workstation(name string) workstationView {
	h.t.Helper()
	var v workstationView
	h.do("POST", "/api/v1/workstations", h.tokens[store.RoleAdmin], workstationRequest{Name: name, Note: "desk 12"}, 201, &v)
	if !strings.HasPrefix(v.Token, "ws_") {
		h.t.Fatalf("create answered no token: %+v", v)
	}
	return v
}

func (h *harness) report(token, addr string, body any) *httptest.ResponseRecorder {
	return h.sendFrom("POST", "/api/v1/workstations/report", token, addr, nil, body)
}

func (h *harness) auditOf(action string) []store.AuditEntry {
	h.t.Helper()
	var l list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?page_size=500&action="+action, h.tokens[store.RoleAdmin], nil, 200, &l)
	return l.Items
}

func TestWorkstationReportLifecycle(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	ws := h.workstation("PC-Agent-01")

	var l list[workstationView]
	h.do("GET", "/api/v1/workstations", admin, nil, 200, &l)
	if l.Total != 1 || l.Items[0].Token != "" || l.Items[0].State != store.LockUnknown || l.Items[0].Name != "pc-agent-01" {
		t.Fatalf("list after create (the token must not be listed): %+v", l.Items)
	}

	locked := map[string]any{"name": "pc-agent-01", "state": "locked", "platform": "linux", "details": map[string]string{"udev_rule": "present", "modprobe": "present"}}
	if rec := h.report(ws.Token, "10.0.0.5", locked); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"state":"locked"`) {
		t.Fatalf("report: %d %s", rec.Code, rec.Body.String())
	}
	h.report(ws.Token, "10.0.0.5", locked) // unchanged: not audited again
	h.do("GET", "/api/v1/workstations?state=locked", admin, nil, 200, &l)
	if l.Total != 1 || !l.Items[0].Locked || !l.Items[0].Fresh || l.Items[0].Address != "10.0.0.5" || l.Items[0].Details["udev_rule"] != "present" {
		t.Fatalf("after a locked report: %+v", l.Items)
	}
	unlocked := map[string]any{"state": "unlocked", "platform": "linux"}
	h.report(ws.Token, "10.0.0.5", unlocked)
	audit := h.auditOf("workstation.report")
	if len(audit) != 2 || audit[0].Detail != "state=unlocked previous=locked platform=linux" ||
		audit[1].Detail != "state=locked previous=unknown platform=linux" || audit[0].Username != "workstation:pc-agent-01" {
		t.Fatalf("report audit (one entry per change): %+v", audit)
	}

	// Refusals: a user's session is no workstation token; bad bodies change nothing.
	for _, c := range []struct {
		token string
		body  any
		want  int
	}{
		{"", locked, 401},
		{h.tokens[store.RoleAdmin], locked, 401},
		{"ws_guessed", locked, 401},
		{ws.Token, map[string]any{"state": "open"}, 400},
		{ws.Token, map[string]any{"name": "pc-other", "state": "locked"}, 400},
		{ws.Token, `{"state":`, 400},
	} {
		if rec := h.report(c.token, "10.0.0.5", c.body); rec.Code != c.want {
			t.Errorf("report with token %.8q body %v: %d, want %d (%s)", c.token, c.body, rec.Code, c.want, rec.Body.String())
		}
	}
	h.do("GET", "/api/v1/workstations", admin, nil, 200, &l)
	if l.Items[0].State != store.LockUnlocked {
		t.Fatalf("a refused report changed the state: %+v", l.Items[0])
	}
	if denied := h.auditOf("workstation.report"); len(denied) != 4 || denied[0].Result != "denied" {
		t.Fatalf("bad tokens are not audited: %+v", denied)
	}

	// A new token replaces the old one; deleting the workstation ends it.
	var rotated workstationView
	h.do("POST", fmt.Sprintf("/api/v1/workstations/%d/token", ws.ID), admin, nil, 200, &rotated)
	if rec := h.report(ws.Token, "10.0.0.5", locked); rec.Code != 401 {
		t.Fatalf("old token after rotation: %d", rec.Code)
	}
	if rec := h.report(rotated.Token, "10.0.0.5", locked); rec.Code != 200 {
		t.Fatalf("new token: %d", rec.Code)
	}
	h.do("DELETE", fmt.Sprintf("/api/v1/workstations/%d", ws.ID), admin, nil, 204, nil)
	if rec := h.report(rotated.Token, "10.0.0.5", locked); rec.Code != 401 {
		t.Fatalf("token of a deleted workstation: %d", rec.Code)
	}
	if rec := h.raw("POST", "/api/v1/workstations", admin, workstationRequest{Name: "bad name"}); rec.Code != 400 || errorOf(t, rec).Details[0].Field != "name" {
		t.Fatalf("bad name: %d %s", rec.Code, rec.Body.String())
	}
}

// softphoneLogin stands in for the agent desk's POST /api/v1/me/softphone/login:
// the real authentication, then the helper the desk calls.
func softphoneLogin(h *harness) http.Handler {
	r := gin.New()
	r.POST("/login", h.srv.authenticate, func(c *gin.Context) {
		if err := h.srv.checkWorkstation(c); err != nil {
			fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
	return r
}

func TestSoftphoneSignInNeedsLockedWorkstation(t *testing.T) {
	h := newHarness(t)
	locked, unlocked := h.workstation("pc-locked"), h.workstation("pc-open")
	h.workstation("pc-silent") // never reports
	h.report(locked.Token, "10.0.0.5", map[string]any{"state": "locked"})
	h.report(unlocked.Token, "10.0.0.6", map[string]any{"state": "unlocked"})
	login := softphoneLogin(h)
	agent := h.tokens[store.RoleAgent]
	tests := []struct {
		name, header, addr string
		require            bool
		want               int
		reason             string
	}{
		{"not required, no header", "", "10.0.0.7", false, 204, ""},
		{"not required, unlocked", "pc-open", "10.0.0.6", false, 204, ""},
		{"locked workstation", "PC-LOCKED", "10.0.0.5", true, 204, ""},
		{"no header", "", "10.0.0.5", true, 403, "X-Workstation"},
		{"unregistered", "pc-home", "10.0.0.5", true, 403, "not registered"},
		{"never reported", "pc-silent", "10.0.0.5", true, 403, "never reported"},
		{"unlocked", "pc-open", "10.0.0.6", true, 403, "unlocked, not locked"},
		{"name of a locked PC used elsewhere", "pc-locked", "10.0.0.9", true, 403, "comes from 10.0.0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.srv.cfg.DLP.RequireLockedWorkstation = tt.require
			req := httptest.NewRequest("POST", "/login", nil)
			req.Header.Set("Authorization", "Bearer "+agent)
			req.Header.Set(workstationHeader, tt.header)
			req.RemoteAddr = tt.addr + ":40000"
			rec := httptest.NewRecorder()
			login.ServeHTTP(rec, req)
			if rec.Code != tt.want || (tt.reason != "" && !strings.Contains(errorOf(t, rec).Message, tt.reason)) {
				t.Fatalf("%d %s, want %d naming %q", rec.Code, rec.Body.String(), tt.want, tt.reason)
			}
		})
	}
	var l list[workstationView]
	h.do("GET", "/api/v1/workstations?q=pc-locked", h.tokens[store.RoleAdmin], nil, 200, &l)
	if l.Items[0].LastAgentID == nil || *l.Items[0].LastAgentID != h.users[store.RoleAgent].ID {
		t.Fatalf("the agent is not recorded on the workstation: %+v", l.Items[0])
	}
}

func TestMyWorkstation(t *testing.T) {
	h := newHarness(t)
	ws := h.workstation("pc-7")
	h.report(ws.Token, "10.0.0.7", map[string]any{"state": "partial"})
	h.srv.cfg.DLP.RequireLockedWorkstation = true
	var got workstationCheck
	rec := h.sendFrom("GET", "/api/v1/me/workstation", h.tokens[store.RoleAgent], "10.0.0.7", map[string]string{workstationHeader: "pc-7"}, nil)
	decode(t, rec, &got)
	if !got.Registered || got.State != store.LockPartial || got.Allowed || !got.Required || !strings.Contains(got.Reason, "partial") {
		t.Fatalf("partial workstation: %+v", got)
	}
	h.report(ws.Token, "10.0.0.7", map[string]any{"state": "locked"})
	got = workstationCheck{}
	decode(t, h.sendFrom("GET", "/api/v1/me/workstation", h.tokens[store.RoleAgent], "10.0.0.7", map[string]string{workstationHeader: "pc-7"}, nil), &got)
	if !got.Allowed || got.Reason != "" {
		t.Fatalf("locked workstation: %+v", got)
	}
}
