package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// secondAgent creates another agent and returns its user and token.
func secondAgent(h *harness, name string) (userView, string) {
	h.t.Helper()
	var u userView
	h.do("POST", "/api/v1/users", h.tokens[store.RoleAdmin], map[string]any{"username": name, "password": testPassword,
		"role": "agent", "display_name": name}, http.StatusCreated, &u)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{Username: name, Password: testPassword}, http.StatusOK, &login)
	return u, login.Token
}

func TestCallbacksAPI(t *testing.T) {
	h := newHarness(t)
	sup, admin, agentTok := h.tokens[store.RoleSupervisor], h.tokens[store.RoleAdmin], h.tokens[store.RoleAgent]
	agent := h.users[store.RoleAgent]
	d := newDialSetup(h, "callbacks", 3, nil)
	var contacts list[store.Contact]
	h.do("GET", d.path+"/contacts", admin, nil, http.StatusOK, &contacts)
	mine, notMine := contacts.Items[0], contacts.Items[1]
	h.do("POST", d.path+"/assignments", sup, map[string]any{"mode": "single", "contact_id": mine.ID, "agent_id": agent.ID}, http.StatusOK, nil)
	_, err := h.srv.store.AddDNC(t.Context(), &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613700000000", Source: store.DNCManual}, store.DNCRefuse)
	must(t, err)

	due := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	dueStr := due.Format(time.RFC3339)
	bad := []struct {
		body  map[string]any
		code  int
		field string
	}{
		{map[string]any{"contact_id": mine.ID, "due_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}, 400, "due_at"},
		{map[string]any{"contact_id": mine.ID, "due_at": "明天下午"}, 400, "due_at"},
		{map[string]any{"contact_id": mine.ID}, 400, "due_at"},
		{map[string]any{"due_at": dueStr}, 400, "contact_id"},
		{map[string]any{"contact_id": notMine.ID, "due_at": dueStr}, 400, "contact_id"}, // not the agent's contact
		{map[string]any{"contact_id": mine.ID, "due_at": dueStr, "phone": "12345"}, 400, "phone"},
		{map[string]any{"contact_id": mine.ID, "due_at": dueStr, "phone": "13700000000"}, 400, "phone"}, // blacklisted
		{map[string]any{"contact_id": mine.ID, "due_at": dueStr, "agent_id": h.users[store.RoleSupervisor].ID}, 403, ""},
	}
	for _, b := range bad {
		rec := h.do("POST", "/api/v1/callbacks", agentTok, b.body, b.code, nil)
		if e := errorOf(t, rec); b.field != "" && (len(e.Details) == 0 || e.Details[0].Field != b.field) {
			t.Errorf("%v: %+v, want field %s", b.body, e, b.field)
		}
	}
	// The agent books for their own contact: agent_id defaults to them, the
	// phone to the contact's, masked in the answer (no pii_view).
	var cb callbackView
	h.do("POST", "/api/v1/callbacks", agentTok, map[string]any{"contact_id": mine.ID, "due_at": dueStr, "note": "客户下午有空"}, http.StatusCreated, &cb)
	if cb.AgentID != agent.ID || cb.Phone != "139****0001" || cb.Status != store.CallbackScheduled || !cb.DueAt.Equal(due) ||
		cb.ContactName != "客户1" || cb.GroupID == nil || *cb.GroupID != d.group.ID || cb.CampaignID != d.camp.ID {
		t.Fatalf("booked %+v", cb)
	}
	// A supervisor books for the agent, on another number.
	var other callbackView
	h.do("POST", "/api/v1/callbacks", sup, map[string]any{"contact_id": notMine.ID, "due_at": dueStr, "agent_id": agent.ID,
		"phone": "010-12345678"}, http.StatusCreated, &other)
	var full callbackView
	h.do("GET", fmt.Sprintf("/api/v1/callbacks/%d", other.ID), admin, nil, http.StatusOK, &full)
	if full.Phone != "+861012345678" {
		t.Fatalf("admin sees %q", full.Phone)
	}
	// A phone shown unmasked is a pii access and audited; masked, it is not.
	h.do("GET", "/api/v1/callbacks", admin, nil, http.StatusOK, nil)
	var pii []string
	for _, e := range h.auditOf("pii.callback") {
		pii = append(pii, fmt.Sprintf("%s %s %s/%s %s", e.Action, e.Username, e.TargetType, e.TargetID, e.Detail))
	}
	wantPII := []string{
		fmt.Sprintf("pii.callback.list u_admin user/%d count=2 total=2", h.users[store.RoleAdmin].ID),
		fmt.Sprintf("pii.callback.view u_admin callback/%d count=1 campaign=%d", other.ID, d.camp.ID),
	}
	if strings.Join(pii, "\n") != strings.Join(wantPII, "\n") {
		t.Fatalf("pii entries:\n%s\nwant\n%s", strings.Join(pii, "\n"), strings.Join(wantPII, "\n"))
	}
	// Another agent sees none of them, and cannot touch them.
	_, otherTok := secondAgent(h, "agent_two")
	var l list[callbackView]
	h.do("GET", "/api/v1/callbacks?agent_id="+itoa(agent.ID), otherTok, nil, http.StatusOK, &l)
	if l.Total != 0 {
		t.Fatalf("another agent lists %d callbacks", l.Total)
	}
	h.do("POST", fmt.Sprintf("/api/v1/callbacks/%d/cancel", cb.ID), otherTok, nil, http.StatusNotFound, nil)
	h.do("GET", "/api/v1/callbacks?status=scheduled", agentTok, nil, http.StatusOK, &l)
	if l.Total != 2 {
		t.Fatalf("the agent lists %d callbacks, want 2", l.Total)
	}
	h.do("GET", "/api/v1/callbacks?due_from="+strings.ReplaceAll(due.Add(time.Minute).Format(time.RFC3339), "+", "%2B"), sup, nil, http.StatusOK, &l)
	if l.Total != 0 {
		t.Fatalf("due_from filter: %d", l.Total)
	}
	h.do("GET", "/api/v1/callbacks?status=later", sup, nil, http.StatusBadRequest, nil)
	h.do("GET", "/api/v1/callbacks", h.tokens[store.RoleQA], nil, http.StatusForbidden, nil)

	// Reschedule, refuse the past, cancel (twice is fine), then no more edits.
	path := fmt.Sprintf("/api/v1/callbacks/%d", cb.ID)
	later := due.Add(24 * time.Hour)
	h.do("PATCH", path, agentTok, map[string]any{"due_at": later.Format(time.RFC3339), "note": "改到明天"}, http.StatusOK, &cb)
	if !cb.DueAt.Equal(later) || cb.Note != "改到明天" {
		t.Fatalf("rescheduled %+v", cb)
	}
	rec := h.do("PATCH", path, agentTok, map[string]any{"due_at": time.Now().Add(-time.Minute).Format(time.RFC3339)}, http.StatusBadRequest, nil)
	if e := errorOf(t, rec); e.Details[0].Field != "due_at" {
		t.Fatalf("past reschedule: %+v", e)
	}
	h.do("PATCH", path, agentTok, map[string]any{"agent_id": h.users[store.RoleSupervisor].ID}, http.StatusForbidden, nil)
	h.do("POST", path+"/cancel", agentTok, nil, http.StatusOK, &cb)
	if cb.Status != store.CallbackCancelled {
		t.Fatalf("cancelled %+v", cb)
	}
	h.do("DELETE", path, agentTok, nil, http.StatusOK, nil)
	rec = h.do("PATCH", path, agentTok, map[string]any{"note": "x"}, http.StatusConflict, nil)
	if e := errorOf(t, rec); !strings.Contains(e.Message, "cancelled") {
		t.Fatalf("edit a cancelled callback: %+v", e)
	}
	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?action=callback.&target_id="+itoa(cb.ID), admin, nil, http.StatusOK, &audit)
	if audit.Total < 5 {
		t.Fatalf("audit of the callback: %d entries", audit.Total)
	}
}
