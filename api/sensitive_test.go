package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// TestSensitiveAttributesMasked replays the probe of hole 2: ID and phone
// numbers ingested as extra attributes were shown in clear next to a masked
// phone. Detection marks them sensitive for the campaign and every view a
// user without pii_view has (contacts, task list, export) masks them.
func TestSensitiveAttributesMasked(t *testing.T) {
	h := newHarness(t)
	admin, qa := h.tokens[store.RoleAdmin], h.tokens[store.RoleQA]
	camp := h.campaign("敏感字段")
	h.ingest(camp.ID, map[string]any{"name": "张伟", "phone": "13800138000",
		"attributes": map[string]string{"idcard": "110101199003071233", "mobile2": "13900139000", "备注": "VIP客户", "联系人": "021-61234567"}})

	var got store.Campaign
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), admin, nil, 200, &got)
	if strings.Join(got.SensitiveAttributes, ",") != "idcard,mobile2,联系人" {
		t.Fatalf("sensitive_attributes = %q", got.SensitiveAttributes)
	}
	masked := map[string]string{"idcard": "110101********1233", "mobile2": "139****9000", "备注": "VIP客户", "联系人": "216***4567"}
	clear := map[string]string{"idcard": "110101199003071233", "mobile2": "13900139000", "备注": "VIP客户", "联系人": "021-61234567"}
	contacts := fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID)
	checkAttrs := func(who string, attrs store.Attributes, want map[string]string) {
		t.Helper()
		for k, v := range want {
			if attrs[k] != v {
				t.Errorf("%s sees %s=%q, want %q", who, k, attrs[k], v)
			}
		}
	}
	var list list[contactView]
	h.do("GET", contacts, qa, nil, 200, &list)
	checkAttrs("qa in contacts", list.Items[0].Attributes, masked)
	h.do("GET", contacts, admin, nil, 200, &list)
	checkAttrs("admin in contacts", list.Items[0].Attributes, clear)

	// The agent's task list.
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/assignments", camp.ID), admin,
		map[string]any{"mode": "bulk", "agent_ids": []int64{h.users[store.RoleAgent].ID}}, 200, nil)
	var tasks struct{ Items []store.Contact }
	h.do("GET", "/api/v1/me/tasks", h.tokens[store.RoleAgent], nil, 200, &tasks)
	checkAttrs("agent in tasks", tasks.Items[0].Attributes, masked)

	// An export granted without pii_view.
	sup := h.users[store.RoleSupervisor]
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), admin, map[string]any{"permissions": []string{"export"}}, 200, nil)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{sup.Username, testPassword}, 200, &login)
	rec := h.do("POST", "/api/v1/exports", login.Token, map[string]any{"campaign_id": camp.ID, "format": "csv",
		"fields": []string{"attributes.idcard", "attributes.mobile2", "attributes.备注"}}, 200, nil)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
	if err != nil || strings.Join(recs[1], ",") != "110101********1233,139****9000,VIP客户" {
		t.Fatalf("masked export = %q (%v)", recs, err)
	}

	// The list is editable: 备注 becomes sensitive, masked keeping first and last character.
	h.do("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), admin, map[string]any{"sensitive_attributes": []string{"idcard", "mobile2", "备注", "联系人"}}, 200, nil)
	h.do("GET", contacts, qa, nil, 200, &list)
	masked["备注"] = "V***户"
	checkAttrs("qa after edit", list.Items[0].Attributes, masked)
	rec = h.raw("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), admin, map[string]any{"sensitive_attributes": []string{strings.Repeat("k", 65)}})
	if rec.Code != 400 || errorOf(t, rec).Details[0].Field != "sensitive_attributes[0]" {
		t.Fatalf("long key: %d %s", rec.Code, rec.Body.String())
	}
}

// TestImportDetectsIDColumnsAndMasksErrors: a 证件号码 column (here with a
// line break typed in the header cell) maps to id_number, a column of phone
// numbers under an unknown header becomes a sensitive attribute, the preview
// a supervisor without pii_view sees is masked, and import errors quoting a
// bad number are masked for such readers (hole 8) but whole for an admin.
func TestImportDetectsIDColumnsAndMasksErrors(t *testing.T) {
	h := newHarness(t)
	admin, sup, qa := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA]
	camp := h.campaign("证件")
	file := []byte("姓名,手机,\"证件\n号码\",紧急联系人,备注\n" +
		"张伟,13800138000,110101199003071233,13900139000,老客户\n" +
		"李娜,1391234567,,13700137000,\n" +
		"王芳,13600136000,11010119900307109X,13500135000,新客户\n")

	rec := h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports/preview", camp.ID), sup, "客户.csv", file, nil)
	if rec.Code != 200 {
		t.Fatalf("preview: %d %s", rec.Code, rec.Body.String())
	}
	var prev previewResponse
	decode(t, rec, &prev)
	cols := prev.Mapping.Columns
	if cols[2].Field != "id_number" || cols[3].Field != "attribute" || cols[3].Sensitive != "phone" || cols[4].Sensitive != "" {
		t.Fatalf("mapping %+v", cols)
	}
	row := strings.Join(prev.Rows[0].Cells, ",")
	if row != "张伟,138****8000,110101********1233,139****9000,老客户" {
		t.Fatalf("supervisor's preview row = %s", row)
	}
	if msg := prev.Rows[1].Errors[0].Message; !strings.HasPrefix(msg, "139***4567: ") {
		t.Fatalf("preview error %q", msg)
	}
	rec = h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports/preview", camp.ID), admin, "客户.csv", file, nil)
	decode(t, rec, &prev)
	if prev.Rows[0].Cells[2] != "110101199003071233" {
		t.Fatalf("admin's preview row = %q", prev.Rows[0].Cells)
	}

	rec = h.upload(fmt.Sprintf("/api/v1/campaigns/%d/imports", camp.ID), admin, "客户.csv", file, nil)
	var acc struct{ ID int64 }
	decode(t, rec, &acc)
	job := h.waitImport(acc.ID)
	if job.Imported != 2 || job.Rejected != 1 || !strings.HasPrefix(job.Errors[0].Message, "1391234567: ") {
		t.Fatalf("admin's job %+v", job)
	}
	var c store.Campaign
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), admin, nil, 200, &c)
	if strings.Join(c.SensitiveAttributes, ",") != "紧急联系人" {
		t.Fatalf("sensitive_attributes = %q", c.SensitiveAttributes)
	}
	var jobQA store.ImportJob
	h.do("GET", fmt.Sprintf("/api/v1/imports/%d", acc.ID), qa, nil, 200, &jobQA)
	if msg := jobQA.Errors[0].Message; strings.Contains(msg, "1391234567") || !strings.HasPrefix(msg, "139***4567: ") {
		t.Fatalf("qa sees job error %q", msg)
	}
	report := h.do("GET", fmt.Sprintf("/api/v1/imports/%d/errors.csv", acc.ID), qa, nil, 200, nil).Body.Bytes()
	if bytes.Contains(report, []byte("1391234567")) || !bytes.Contains(report, []byte("139***4567")) {
		t.Fatalf("qa's errors.csv %s", report)
	}
	report = h.do("GET", fmt.Sprintf("/api/v1/imports/%d/errors.csv", acc.ID), admin, nil, 200, nil).Body.Bytes()
	if !bytes.Contains(report, []byte("1391234567")) {
		t.Fatalf("admin's errors.csv %s", report)
	}
	path := h.srv.reportPath(acc.ID)
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700 | os.ModeDir} {
		if st, err := os.Stat(p); err != nil || st.Mode() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, st.Mode(), err, want)
		}
	}
}

// TestIngestAndBlacklistErrorsMasked: the ingest API and bulk blacklisting
// answer with per-row errors that quote the bad value; a caller without
// pii_view gets them masked.
func TestIngestAndBlacklistErrorsMasked(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	camp := h.campaign("回显")
	var job store.ImportJob
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), sup,
		map[string]any{"contacts": []map[string]any{{"phone": "1391234567"}}}, 200, &job)
	if len(job.Errors) != 1 || job.Errors[0].Message != "139***4567: a mobile number has 11 digits, got 10" {
		t.Fatalf("ingest errors %+v", job.Errors)
	}
	var resp dncBatchResponse
	h.do("POST", "/api/v1/dnc/batch", sup, map[string]any{"entries": []map[string]any{{"phone": "1391234567"}, {"id_number": "19900307123"}}}, 200, &resp)
	for _, e := range resp.Errors {
		if strings.Contains(e.Message, "1391234567") || strings.Contains(e.Message, "19900307123") {
			t.Fatalf("blacklist error shows the value: %+v", resp.Errors)
		}
	}
}
