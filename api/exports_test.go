package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

func (h *harness) ingest(campID int64, contacts ...map[string]any) store.ImportJob {
	h.t.Helper()
	var job store.ImportJob
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/contacts", campID), h.tokens[store.RoleAdmin], map[string]any{"contacts": contacts}, 200, &job)
	return job
}

func TestExport(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("导出")
	h.ingest(camp.ID,
		map[string]any{"name": "张伟", "phone": "13800138000", "id_number": "110101199003071233", "attributes": map[string]string{"余额": "1200.50"}},
		map[string]any{"name": "李娜", "phone": "13900139000"},
	)
	req := map[string]any{"campaign_id": camp.ID, "statuses": []string{"uncompleted"},
		"fields": []string{"phone", "name", "attributes.余额", "id_number"}, "headers": []string{"手机", "姓名", "余额", "身份证"}}

	// A supervisor has no export permission: 403, and the attempt is audited.
	rec := h.raw("POST", "/api/v1/exports", h.tokens[store.RoleSupervisor], req)
	if rec.Code != 403 {
		t.Fatalf("supervisor export: %d", rec.Code)
	}
	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?action=export.create", admin, nil, 200, &audit)
	if audit.Total != 1 || audit.Items[0].Result != "denied" || audit.Items[0].Username != "u_supervisor" {
		t.Fatalf("denied export not audited: %+v", audit.Items)
	}

	rec = h.raw("POST", "/api/v1/exports", admin, req)
	if rec.Code != 200 {
		t.Fatalf("export: %d %s", rec.Code, rec.Body.String())
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	want := [][]string{{"手机", "姓名", "余额", "身份证"}, {"13800138000", "张伟", "1200.50", "110101199003071233"}, {"13900139000", "李娜"}}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("xlsx rows = %q\nwant %q", rows, want)
	}
	h.do("GET", "/api/v1/audit?action=export.create", admin, nil, 200, &audit)
	if !strings.Contains(audit.Items[0].Detail, "rows=2") || audit.Items[0].Result != "ok" {
		t.Fatalf("export audit: %+v", audit.Items[0])
	}

	// Export granted without pii_view: identifiers masked, CSV.
	sup := h.users[store.RoleSupervisor]
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), admin, map[string]any{"permissions": []string{"export"}}, 200, nil)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{sup.Username, testPassword}, 200, &login)
	req["format"] = "csv"
	rec = h.raw("POST", "/api/v1/exports", login.Token, req)
	if rec.Code != 200 {
		t.Fatalf("granted export: %d %s", rec.Code, rec.Body.String())
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
	if err != nil || recs[1][0] != "138****8000" || recs[1][3] != "110101********1233" {
		t.Fatalf("masked csv = %q (%v)", recs, err)
	}

	rec = h.raw("POST", "/api/v1/exports", admin, map[string]any{"campaign_id": camp.ID, "fields": []string{"name", "salary"}})
	if rec.Code != 400 || errorOf(t, rec).Details[0].Field != "fields[1]" {
		t.Fatalf("unknown field: %d %s", rec.Code, rec.Body.String())
	}
}

func TestBlacklistByIDBlocksEverywhere(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	a, b := h.campaign("甲"), h.campaign("乙")
	id := "110101199003071233"
	h.ingest(a.ID, map[string]any{"name": "张伟", "phone": "13800138000", "id_number": id}, map[string]any{"name": "李娜", "phone": "13900139000"})
	h.ingest(b.ID, map[string]any{"name": "张伟", "phone": "13700137000", "id_number": id})

	var entry dncView
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"id_number": id, "reason": "投诉", "source": "customer_request"}, 201, &entry)
	if entry.Blocked != 2 {
		t.Fatalf("blocked %d contacts, want 2", entry.Blocked)
	}
	statusOf := func(campID int64) map[string]store.ContactStatus {
		var l list[contactView]
		h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", campID), admin, nil, 200, &l)
		out := map[string]store.ContactStatus{}
		for _, c := range l.Items {
			out[c.Name] = c.Status
		}
		return out
	}
	if s := statusOf(a.ID); s["张伟"] != store.ContactBlocked || s["李娜"] != store.ContactPending {
		t.Fatalf("campaign a: %v", s)
	}
	if s := statusOf(b.ID); s["张伟"] != store.ContactBlocked {
		t.Fatalf("campaign b: %v", s)
	}
	// Search finds it whichever way it is typed; a role without pii_view sees it masked.
	var found list[store.DNCEntry]
	h.do("GET", "/api/v1/dnc?q="+id, admin, nil, 200, &found)
	if found.Total != 1 {
		t.Fatalf("search: %d", found.Total)
	}
	h.do("GET", "/api/v1/dnc", h.tokens[store.RoleSupervisor], nil, 200, &found)
	if found.Items[0].Value != "110101********1233" {
		t.Fatalf("supervisor sees %q", found.Items[0].Value)
	}
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"id_number": "110101199003071234"}, 400, nil)
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"phone": "12345"}, 400, nil)
	h.do("POST", "/api/v1/dnc", h.tokens[store.RoleAgent], map[string]any{"phone": "13800138000"}, 403, nil)

	// Bulk from a file: a GBK text export with a bad row.
	rec := h.upload("/api/v1/dnc/import", admin, "dnc.csv", []byte("手机号码,身份证号码\n13900139000,\n12345,\n,440305198512310026\n"), map[string]string{"reason": "批量"})
	var bulk dncBatchResponse
	decode(t, rec, &bulk)
	if rec.Code != 200 || bulk.Added != 2 || bulk.Rejected != 1 || bulk.Errors[0].Row != 3 || bulk.Blocked != 1 {
		t.Fatalf("dnc file import: %d %+v", rec.Code, bulk)
	}
	if s := statusOf(a.ID); s["李娜"] != store.ContactBlocked {
		t.Fatalf("file entry did not block: %v", s)
	}

	h.do("DELETE", fmt.Sprintf("/api/v1/dnc/%d", entry.ID), admin, nil, 204, nil)
	if s := statusOf(a.ID); s["张伟"] != store.ContactPending {
		t.Fatalf("after removal: %v", s)
	}
}

func TestAssignments(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("人工外呼")
	var contacts []map[string]any
	for i := 0; i < 7; i++ {
		contacts = append(contacts, map[string]any{"name": fmt.Sprint("客户", i), "phone": fmt.Sprintf("1380013800%d", i)})
	}
	h.ingest(camp.ID, contacts...)
	var a2 userView
	h.do("POST", "/api/v1/users", admin, map[string]any{"username": "agent2", "password": "Agent-Pass-2026", "role": "agent"}, 201, &a2)
	a1 := h.users[store.RoleAgent].ID
	path := fmt.Sprintf("/api/v1/campaigns/%d/assignments", camp.ID)

	var res store.AssignResult
	h.do("POST", path, h.tokens[store.RoleSupervisor], map[string]any{"mode": "bulk", "agent_ids": []int64{a1, a2.ID}, "count": 5}, 200, &res)
	if res.Moved != 5 || res.PerAgent[a1] != 3 || res.PerAgent[a2.ID] != 2 {
		t.Fatalf("bulk: %+v", res)
	}
	h.do("POST", path, admin, map[string]any{"mode": "reassign", "from_agent_id": a2.ID, "to_agent_id": a1}, 200, &res)
	if res.Moved != 2 {
		t.Fatalf("reassign: %+v", res)
	}
	var mine list[contactView]
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts?owner_agent_id=%d", camp.ID, a1), admin, nil, 200, &mine)
	if mine.Total != 5 {
		t.Fatalf("agent 1 owns %d", mine.Total)
	}
	var tasks list[store.Contact]
	h.do("GET", "/api/v1/me/tasks", h.tokens[store.RoleAgent], nil, 200, &tasks)
	if tasks.Total != 5 || tasks.Items[0].Phone[3:7] != "****" {
		t.Fatalf("agent's task list: %d, first %q", tasks.Total, tasks.Items[0].Phone)
	}
	h.do("POST", path, admin, map[string]any{"mode": "reclaim", "from_agent_id": a1}, 200, &res)
	if res.Moved != 5 {
		t.Fatalf("reclaim: %+v", res)
	}
	h.do("POST", path, admin, map[string]any{"mode": "single", "contact_id": mine.Items[0].ID, "agent_id": a2.ID}, 200, &res)
	h.do("POST", path, admin, map[string]any{"mode": "bulk", "agent_ids": []int64{h.users[store.RoleQA].ID}}, 400, nil)
	h.do("POST", path, admin, map[string]any{"mode": "teleport"}, 400, nil)
	h.do("POST", path, h.tokens[store.RoleAgent], map[string]any{"mode": "bulk"}, 403, nil)
}
