package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// The issue: re-adding an ID with reason "dup" answered 201 and replaced
// "法务要求停止催收". Now the entry is kept: 409 with who/when/why, or the
// reason is added to its history on request.
func TestBlacklistReAddKeepsTheReason(t *testing.T) {
	h := newHarness(t)
	admin, sup := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor]
	id := "110101199003071233"
	var first dncView
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"id_number": id, "reason": "法务要求停止催收"}, 201, &first)

	rec := h.do("POST", "/api/v1/dnc", sup, map[string]any{"id_number": id, "reason": "dup"}, 409, nil)
	var body struct {
		Error struct {
			Code     string         `json:"code"`
			Message  string         `json:"message"`
			Existing store.DNCEntry `json:"existing"`
		} `json:"error"`
	}
	decode(t, rec, &body)
	ex := body.Error.Existing
	if body.Error.Code != "conflict" || ex.ID != first.ID || ex.Reason != "法务要求停止催收" || ex.CreatedByName != "u_admin" || ex.CreatedAt.IsZero() {
		t.Fatalf("409 body %s", rec.Body.String())
	}
	if ex.Value != "110101********1233" { // the supervisor has no pii_view
		t.Fatalf("existing entry shown as %q to a user without pii_view", ex.Value)
	}
	if !strings.Contains(body.Error.Message, "法务要求停止催收") || !strings.Contains(body.Error.Message, "add_reason") {
		t.Fatalf("message %q", body.Error.Message)
	}
	var l list[store.DNCEntry]
	h.do("GET", "/api/v1/dnc", admin, nil, 200, &l)
	if l.Total != 1 || l.Items[0].Reason != "法务要求停止催收" {
		t.Fatalf("after the refused re-add: %+v", l.Items)
	}

	h.do("POST", "/api/v1/dnc", sup, map[string]any{"id_number": id, "add_reason": true}, 400, nil)
	var added dncView
	h.do("POST", "/api/v1/dnc", sup, map[string]any{"id_number": id, "reason": "dup", "add_reason": true}, 200, &added)
	if !added.ReasonAdded || added.ID != first.ID || len(added.Reasons) != 2 {
		t.Fatalf("add_reason answered %+v", added)
	}
	h.do("GET", "/api/v1/dnc", admin, nil, 200, &l)
	rs := l.Items[0].Reasons
	if l.Items[0].Reason != "法务要求停止催收" || len(rs) != 2 || rs[0].Reason != "法务要求停止催收" || rs[1].Reason != "dup" ||
		rs[0].CreatedByName != "u_admin" || rs[1].CreatedByName != "u_supervisor" {
		t.Fatalf("reasons %+v", rs)
	}
	// A value that is not listed yet is simply added, add_reason or not.
	h.do("POST", "/api/v1/dnc", sup, map[string]any{"phone": "13900139000", "reason": "投诉", "add_reason": true}, 201, nil)
}

func TestBlacklistBatchReportsDuplicatesByRow(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	var first dncView
	h.do("POST", "/api/v1/dnc", admin, map[string]any{"phone": "13800138000", "reason": "法务要求停止催收"}, 201, &first)
	var res dncBatchResponse
	h.do("POST", "/api/v1/dnc/batch", admin, map[string]any{"entries": []map[string]any{
		{"phone": "+86 138 0013 8000", "reason": "dup"},
		{"id_number": "440305198512310026", "reason": "批量"},
		{"phone": "12345"},
		{"id_number": "440305198512310026", "reason": "批量"},
	}}, 200, &res)
	if res.Added != 1 || res.Existing != 2 || res.Rejected != 1 || len(res.Duplicates) != 2 {
		t.Fatalf("batch %+v", res)
	}
	d0, d1 := res.Duplicates[0], res.Duplicates[1]
	if d0.Row != 1 || d0.Field != "phone" || d0.DuplicateOf.DNCEntryID != first.ID || d1.Row != 4 || d1.DuplicateOf.Row != 2 {
		t.Fatalf("duplicates %+v", res.Duplicates)
	}
	var l list[store.DNCEntry]
	h.do("GET", "/api/v1/dnc?kind=phone", admin, nil, 200, &l)
	if l.Total != 1 || l.Items[0].Reason != "法务要求停止催收" || len(l.Items[0].Reasons) != 1 {
		t.Fatalf("the listed phone changed: %+v", l.Items)
	}
	rec := h.upload("/api/v1/dnc/import", admin, "dnc.csv", []byte("手机号码\n13800138000\n"), map[string]string{"reason": "文件"})
	decode(t, rec, &res)
	if rec.Code != 200 || res.Added != 0 || len(res.Duplicates) != 1 || res.Duplicates[0].Row != 2 {
		t.Fatalf("file import of a listed phone: %d %+v", rec.Code, res)
	}
}

// The contacts list and the contact view name the entry that blocks a
// contact: kind, matched value (masked without pii_view), reasons, source,
// who and when.
func TestContactShowsTheBlockingEntry(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp, other := h.campaign("催收"), h.campaign("其他")
	id := "110101199003071233"
	h.ingest(camp.ID, map[string]any{"name": "张伟", "phone": "13800138000", "id_number": id}, map[string]any{"name": "李娜", "phone": "13900139000"})
	h.do("POST", "/api/v1/dnc", h.tokens[store.RoleSupervisor], map[string]any{"id_number": id, "reason": "法务要求停止催收", "source": "customer_request"}, 201, nil)

	for _, tc := range []struct {
		role  store.Role
		value string
	}{{store.RoleAdmin, id}, {store.RoleQA, "110101********1233"}} {
		var l list[contactView]
		h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), h.tokens[tc.role], nil, 200, &l)
		zw, ln := l.Items[0], l.Items[1]
		if zw.Status != store.ContactBlocked || len(zw.BlockedBy) != 1 || len(ln.BlockedBy) != 0 {
			t.Fatalf("%s: contacts %+v", tc.role, l.Items)
		}
		b := zw.BlockedBy[0]
		if b.Field != "id_number" || b.Kind != store.DNCIDNumber || b.Value != tc.value || b.Reason != "法务要求停止催收" ||
			b.Source != store.DNCCustomerRequest || b.CreatedByName != "u_supervisor" || b.CreatedAt.IsZero() || len(b.Reasons) != 1 {
			t.Fatalf("%s: blocked_by %+v", tc.role, b)
		}

		var one contactView
		h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts/%d", camp.ID, zw.ID), h.tokens[tc.role], nil, 200, &one)
		if one.ID != zw.ID || one.NotDialable != store.ReasonBlacklisted || len(one.BlockedBy) != 1 || one.BlockedBy[0].Value != tc.value {
			t.Fatalf("%s: contact view %+v", tc.role, one)
		}
	}
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts/%d", other.ID, 1), admin, nil, 404, nil)
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts/abc", camp.ID), admin, nil, 400, nil)
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts/1", camp.ID), h.tokens[store.RoleAgent], nil, 403, nil)
}
