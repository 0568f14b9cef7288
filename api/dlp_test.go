package api

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestUIPolicy(t *testing.T) {
	h := newHarness(t)
	h.srv.cfg.DLP.IdleLock = 10 * time.Minute
	for role, export := range map[store.Role]bool{store.RoleAdmin: true, store.RoleSupervisor: false, store.RoleQA: false, store.RoleAgent: false} {
		var p uiPolicy
		h.do("GET", "/api/v1/me/ui-policy", h.tokens[role], nil, 200, &p)
		if p.CanExport != export || p.IdleLockSeconds != 600 || !p.Watermark || !p.CopyAudit || p.ScreenLocked {
			t.Errorf("%s: %+v, want can_export=%v and a 600 s idle lock", role, p, export)
		}
	}
}

func TestScreenLock(t *testing.T) {
	h := newHarness(t)
	qa := h.tokens[store.RoleQA]
	h.do("POST", "/api/v1/auth/screen-lock", qa, nil, 204, nil)

	// Locked: reads of data answer 423, what the lock screen needs answers.
	rec := h.raw("GET", "/api/v1/campaigns", qa, nil)
	if rec.Code != 423 || errorOf(t, rec).Code != "screen_locked" {
		t.Fatalf("campaigns while locked: %d %s", rec.Code, rec.Body.String())
	}
	var p uiPolicy
	h.do("GET", "/api/v1/me/ui-policy", qa, nil, 200, &p)
	if !p.ScreenLocked {
		t.Fatal("ui-policy does not say the screen is locked (a reload would show the data)")
	}
	h.do("GET", "/api/v1/me", qa, nil, 200, nil)
	h.do("GET", "/api/v1/campaigns", h.tokens[store.RoleAdmin], nil, 200, nil) // other sessions are not locked

	rec = h.raw("POST", "/api/v1/auth/unlock", qa, unlockRequest{Password: "wrong-password"})
	if rec.Code != 400 || errorOf(t, rec).Details[0].Field != "password" {
		t.Fatalf("wrong unlock password: %d %s", rec.Code, rec.Body.String())
	}
	h.do("POST", "/api/v1/auth/unlock", qa, unlockRequest{Password: testPassword}, 204, nil)
	h.do("GET", "/api/v1/campaigns", qa, nil, 200, nil)
	if a := h.auditOf("auth.unlock"); len(a) != 2 || a[0].Result != "ok" || a[1].Result != "failed" {
		t.Fatalf("unlocks not audited: %+v", a)
	}

	// Guessing at the lock screen locks the account and ends the session.
	sup := h.tokens[store.RoleSupervisor]
	h.do("POST", "/api/v1/auth/screen-lock", sup, nil, 204, nil)
	var last int
	for i := 0; i < 5; i++ {
		last = h.raw("POST", "/api/v1/auth/unlock", sup, unlockRequest{Password: fmt.Sprintf("guess-%d", i)}).Code
	}
	if last != 401 {
		t.Fatalf("fifth wrong unlock: %d, want 401 (account locked)", last)
	}
	if rec := h.raw("GET", "/api/v1/me", sup, nil); rec.Code != 401 {
		t.Fatalf("session after a lockout at the lock screen: %d, want 401", rec.Code)
	}
}

func TestClientEvents(t *testing.T) {
	h := newHarness(t)
	agent := h.tokens[store.RoleAgent]
	h.do("POST", "/api/v1/audit/client-events", agent, clientEventRequest{Action: ClientCopy, Target: "me/tasks:phone", Count: 11}, 204, nil)
	h.do("POST", "/api/v1/audit/client-events", agent, clientEventRequest{Action: ClientPrintBlock, Target: "campaign/3"}, 204, nil)
	a := h.auditOf("client.")
	if len(a) != 2 || a[1].Action != "client.copy" || a[1].Username != "u_agent" || a[1].Detail != "target=me/tasks:phone count=11" || a[0].Action != "client.print_blocked" {
		t.Fatalf("client events audit: %+v", a)
	}
	for _, bad := range []struct {
		body  any
		field string
	}{
		{clientEventRequest{Action: "paste"}, "action"},
		{clientEventRequest{Action: ClientCopy, Target: "x\u202ey"}, "target"},
		{clientEventRequest{Action: ClientCopy, Target: "x\ny"}, "target"},
		{clientEventRequest{Action: ClientCopy, Target: strings.Repeat("t", 129)}, "target"},
		{clientEventRequest{Action: ClientCopy, Count: -1}, "count"},
	} {
		rec := h.raw("POST", "/api/v1/audit/client-events", agent, bad.body)
		if rec.Code != 400 || errorOf(t, rec).Details[0].Field != bad.field {
			t.Errorf("%+v: %d %s, want 400 on %s", bad.body, rec.Code, rec.Body.String(), bad.field)
		}
	}
}

func TestClientEventsRateLimit(t *testing.T) {
	h := newHarness(t)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	h.srv.cfg.Now = func() time.Time { return now }
	qa := h.tokens[store.RoleQA]
	ev := clientEventRequest{Action: ClientCopy, Target: "campaign/1/contacts:name", Count: 2}
	for i := 0; i < clientEventsPerMinute; i++ {
		h.do("POST", "/api/v1/audit/client-events", qa, ev, 204, nil)
	}
	for i := 0; i < 3; i++ {
		h.do("POST", "/api/v1/audit/client-events", qa, ev, 429, nil)
	}
	h.do("POST", "/api/v1/audit/client-events", h.tokens[store.RoleAgent], ev, 204, nil) // per user
	if n := len(h.auditOf("client.copy")); n != clientEventsPerMinute+1 {
		t.Fatalf("%d copy entries, want %d", n, clientEventsPerMinute+1)
	}
	if n := len(h.auditOf("client.rate_limited")); n != 1 {
		t.Fatalf("%d rate-limit entries, want one per minute", n)
	}
	if n := len(h.auditOf("client.")); n != clientEventsPerMinute+2 {
		t.Fatalf("%d client entries, want the copies and one for the flood's refusals", n)
	}
	now = now.Add(time.Minute)
	h.do("POST", "/api/v1/audit/client-events", qa, ev, 204, nil)
}

func TestPIIAccessIsAuditedAndSearchable(t *testing.T) {
	h := newHarness(t)
	admin, qa := h.tokens[store.RoleAdmin], h.tokens[store.RoleQA]
	camp := h.campaign("PII")
	h.ingest(camp.ID,
		map[string]any{"name": "张伟", "phone": "13800138000", "id_number": "110101199003071233"},
		map[string]any{"name": "李娜", "phone": "13900139000"})
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"phone": "13700137000"}, 201, nil)
	start := time.Now().Add(-time.Minute)

	path := fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID)
	h.do("GET", path, admin, nil, 200, nil)
	h.do("GET", path, qa, nil, 200, nil) // masked: nothing revealed, nothing audited
	h.do("GET", "/api/v1/dnc", admin, nil, 200, nil)
	h.do("GET", "/api/v1/dnc", qa, nil, 200, nil)
	h.do("GET", "/api/v1/dnc?q=13600136000", admin, nil, 200, nil) // no hit: nothing revealed
	h.do("POST", "/api/v1/exports", admin, map[string]any{"campaign_id": camp.ID, "fields": []string{"name", "phone"}, "format": "csv"}, 200, nil)
	h.do("POST", "/api/v1/exports", admin, map[string]any{"campaign_id": camp.ID, "fields": []string{"name"}, "format": "csv"}, 200, nil)

	// An agent granted pii_view sees its tasks unmasked, and that is audited.
	agent := h.users[store.RoleAgent]
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", agent.ID), admin, map[string]any{"permissions": []string{"pii_view"}}, 200, nil)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{agent.Username, testPassword}, 200, &login)
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/assignments", camp.ID), admin, map[string]any{"mode": "bulk", "agent_ids": []int64{agent.ID}, "count": 2}, 200, nil)
	h.do("GET", "/api/v1/me/tasks", login.Token, nil, 200, nil)

	got := h.auditOf("pii.")
	type row struct{ action, user, target, detail string }
	var rows []row
	for _, e := range got {
		rows = append(rows, row{e.Action, e.Username, e.TargetType + "/" + e.TargetID, e.Detail})
	}
	want := []row{
		{"pii.task.list", "u_agent", fmt.Sprintf("user/%d", agent.ID), "count=2"},
		{"pii.export", "u_admin", fmt.Sprintf("campaign/%d", camp.ID), "streamed format=csv"}, // written before the file; export.create has rows=2
		{"pii.dnc.list", "u_admin", "dnc/", "count=1"},
		{"pii.contact.list", "u_admin", fmt.Sprintf("campaign/%d", camp.ID), "count=2 total=2 page=1"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("pii audit rows:\n got %v\nwant %v", rows, want)
	}

	// Searchable by operator, action and time.
	var l list[store.AuditEntry]
	q := url.Values{"action": {"pii."}, "user": {"u_admin"}, "from": {start.Format(time.RFC3339)}, "to": {time.Now().Add(time.Minute).Format(time.RFC3339)}}
	h.do("GET", "/api/v1/audit?"+q.Encode(), admin, nil, 200, &l)
	if l.Total != 3 {
		t.Fatalf("admin's pii entries in the window: %d, want 3", l.Total)
	}
	q.Set("to", start.Format(time.RFC3339))
	h.do("GET", "/api/v1/audit?"+q.Encode(), admin, nil, 200, &l)
	if l.Total != 0 {
		t.Fatalf("pii entries before the window: %d", l.Total)
	}
}

func TestExportsPII(t *testing.T) {
	sensitive := map[string]bool{"idcard": true}
	tests := []struct {
		fields []string
		want   bool
	}{
		{[]string{"name", "status"}, false},
		{[]string{"name", "phone"}, true},
		{[]string{"alt_phone"}, true},
		{[]string{"id_number"}, true},
		{[]string{"attributes.balance"}, false},
		{[]string{"attributes.idcard"}, true},
	}
	for _, tt := range tests {
		if got := exportsPII(tt.fields, sensitive); got != tt.want {
			t.Errorf("exportsPII(%v) = %v, want %v", tt.fields, got, tt.want)
		}
	}
}

// TestContactViewPIIAudit: one contact shown unmasked to a pii_view user is
// a pii.contact.view entry naming the contact and its campaign; shown
// masked, nothing is recorded.
func TestContactViewPIIAudit(t *testing.T) {
	h := newHarness(t)
	camp := h.campaign("单个客户")
	h.ingest(camp.ID, map[string]any{"name": "张伟", "phone": "13800138000"})
	path := fmt.Sprintf("/api/v1/campaigns/%d/contacts/1", camp.ID)
	var v contactView
	h.do("GET", path, h.tokens[store.RoleAdmin], nil, 200, &v)
	if v.Phone != "+8613800138000" {
		t.Fatalf("admin sees phone %q", v.Phone)
	}
	h.do("GET", path, h.tokens[store.RoleQA], nil, 200, nil) // masked
	a := h.auditOf("pii.")
	if len(a) != 1 || a[0].Action != string(PIIContactView) || a[0].Username != "u_admin" || a[0].TargetType != "contact" ||
		a[0].TargetID != "1" || a[0].Detail != fmt.Sprintf("count=1 campaign=%d", camp.ID) {
		t.Fatalf("pii entries: %+v", a)
	}
}

// TestPIIAccessWithoutItsEntryIsRefused: a read that would show unmasked
// customer data answers 500 without it when its access entry cannot be
// written; masked answers need no entry and still work.
func TestPIIAccessWithoutItsEntryIsRefused(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "pii.db")
	h := newHarnessWith(t, harnessOptions{store: storetest.Options{SQLitePath: dbPath}})
	camp := h.campaign("审计失败")
	h.ingest(camp.ID, map[string]any{"name": "张伟", "phone": "13800138000"})
	h.do("POST", "/api/v1/dnc", h.tokens[store.RoleAdmin], map[string]any{"phone": "13700137000"}, 201, nil)

	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("ALTER TABLE audit_entries RENAME TO audit_entries_gone"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID),
		fmt.Sprintf("/api/v1/campaigns/%d/contacts/1", camp.ID),
		"/api/v1/dnc",
	} {
		rec := h.raw("GET", path, h.tokens[store.RoleAdmin], nil)
		if rec.Code != 500 || strings.Contains(rec.Body.String(), "13800138000") || strings.Contains(rec.Body.String(), "13700137000") {
			t.Errorf("GET %s without its access entry: %d %s", path, rec.Code, rec.Body.String())
		}
		h.do("GET", path, h.tokens[store.RoleSupervisor], nil, 200, nil)
	}
	// A file with unmasked phones is not sent when its entry cannot be
	// written first.
	rec := h.raw("POST", "/api/v1/exports", h.tokens[store.RoleAdmin], map[string]any{"campaign_id": camp.ID, "fields": []string{"name", "phone"}, "format": "csv"})
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "13800138000") {
		t.Errorf("export without its access entry: %d %s", rec.Code, rec.Body.String())
	}
}
