package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

// TestReportsAPI dials a few calls through the dialer's store API and reads
// the outbound report as JSON, csv and xlsx: figures, Chinese headers,
// numbers as numbers and talk time as a time; agents may not read reports.
func TestReportsAPI(t *testing.T) {
	h := newHarness(t)
	d := newDialSetup(h, "报表活动", 4, nil)
	h.do("POST", d.path+"/start", h.tokens[store.RoleSupervisor], nil, 200, nil)
	dialed(t, h, d, store.ResultHuman, store.ResultBusy, store.ResultAbandoned, store.ResultNoAnswer)
	now := time.Now()
	q := url.Values{"from": {now.Add(-2 * time.Hour).Format(time.RFC3339)}, "to": {now.Add(2 * time.Hour).Format(time.RFC3339)},
		"group_by": {"campaign"}}
	var rep store.Report
	h.do("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleSupervisor], nil, 200, &rep)
	if len(rep.Rows) != 1 {
		t.Fatalf("rows %+v, want one campaign", rep.Rows)
	}
	r := rep.Rows[0]
	for k, want := range map[string]float64{"campaign_id": float64(d.camp.ID), "dials": 4, "answered": 2, "human": 2, "abandoned": 1,
		"busy": 1, "no_answer": 1, "connected": 1, "reached": 1, "abandon_rate": 0.5, "answer_rate": 0.5} {
		if got, _ := r[k].(float64); got != want {
			t.Errorf("%s = %v, want %v", k, r[k], want)
		}
	}
	h.do("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleAgent], nil, 403, nil)
	h.do("GET", "/api/v1/reports/outbound?group_by=channel", h.tokens[store.RoleSupervisor], nil, 400, nil)
	h.do("GET", "/api/v1/reports/nosuch", h.tokens[store.RoleSupervisor], nil, 400, nil)

	q.Set("format", "csv")
	w := h.raw("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleSupervisor], nil)
	if w.Code != 200 {
		t.Fatalf("csv: %d %s", w.Code, w.Body.String())
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\uFEFF"))).ReadAll()
	must(t, err)
	if len(recs) != 3 || recs[0][0] != "活动编号" || recs[0][1] != "拨打次数" || recs[1][1] != "4" || recs[2][0] != "合计/Total" {
		t.Errorf("csv %q", recs)
	}

	q.Set("format", "xlsx")
	w = h.raw("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleSupervisor], nil)
	if w.Code != 200 {
		t.Fatalf("xlsx: %d %s", w.Code, w.Body.String())
	}
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	must(t, err)
	header, _ := f.GetCellValue("Sheet1", "B1")
	if header != "拨打次数" {
		t.Errorf("B1 = %q, want 拨打次数", header)
	}
	cols, _ := f.GetRows("Sheet1")
	talk := -1
	for i, hd := range cols[0] {
		if hd == "通话时长" {
			talk = i
		}
	}
	if talk < 0 {
		t.Fatalf("no 通话时长 column in %q", cols[0])
	}
	dials, _ := excelize.CoordinatesToCellName(2, 2)
	if ty, _ := f.GetCellType("Sheet1", dials); ty != excelize.CellTypeNumber && ty != excelize.CellTypeUnset {
		t.Errorf("dials cell type %v, want a number", ty)
	}
	talkCell, _ := excelize.CoordinatesToCellName(talk+1, 2)
	style, _ := f.GetCellStyle("Sheet1", talkCell)
	st, _ := f.GetStyle(style)
	if st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "[h]:mm:ss" {
		t.Errorf("talk time cell %s style %+v, want [h]:mm:ss", talkCell, st)
	}
	raw, _ := f.GetCellValue("Sheet1", talkCell, excelize.Options{RawCellValue: true})
	if raw == "" || strings.Contains(raw, ":") {
		t.Errorf("talk time raw value %q, want a day fraction", raw)
	}

	// A custom report: today's outbound by campaign, two measures, shared with a group.
	g := h.srv.store
	grp := &store.Group{Name: "报表组", Kind: store.GroupAgent}
	must(t, g.CreateGroup(t.Context(), grp))
	var saved store.SavedReport
	h.do("POST", "/api/v1/saved-reports", h.tokens[store.RoleSupervisor], savedReportRequest{Name: "今日外呼", Report: store.ReportOutbound,
		GroupBy: []store.Dimension{store.DimCampaign}, Measures: []string{"dials", "abandon_rate"}, Period: store.PeriodToday, SharedWith: &grp.ID}, 201, &saved)
	h.do("POST", "/api/v1/saved-reports", h.tokens[store.RoleSupervisor], savedReportRequest{Name: "坏", Report: store.ReportOutbound,
		Measures: []string{"nosuch"}, Period: store.PeriodToday}, 400, nil)
	var run store.Report
	h.do("GET", "/api/v1/saved-reports/"+itoa(saved.ID)+"/run", h.tokens[store.RoleSupervisor], nil, 200, &run)
	if len(run.Columns) != 3 || len(run.Rows) != 1 || run.Rows[0]["dials"].(float64) != 4 {
		t.Errorf("custom report %+v %+v", run.Columns, run.Rows)
	}
	var mine list[store.SavedReport]
	h.do("GET", "/api/v1/saved-reports", h.tokens[store.RoleQA], nil, 200, &mine)
	if mine.Total != 0 {
		t.Errorf("qa outside the group sees %+v", mine.Items)
	}
	h.do("GET", "/api/v1/saved-reports/"+itoa(saved.ID)+"/run", h.tokens[store.RoleQA], nil, 404, nil)
	h.do("GET", "/api/v1/saved-reports", h.tokens[store.RoleAgent], nil, 403, nil)
}

// A saved report is changed and deleted by its owner (or an admin) only:
// a user it is shared with runs it but gets a 403 for PATCH and DELETE, a
// user who cannot see it a 404; bad fields are refused naming them as on
// create; the delete takes the schedule with it; each change is audited.
func TestSavedReportEditAndDelete(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	sup, qa, admin := h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA], h.tokens[store.RoleAdmin]
	grp := &store.Group{Name: "看报表的", Kind: store.GroupAgent}
	must(t, h.srv.store.CreateGroup(ctx, grp))
	must(t, h.srv.store.UpdateUser(ctx, h.users[store.RoleQA], store.UserUpdate{GroupIDs: []int64{grp.ID}}))
	var saved store.SavedReport
	h.do("POST", "/api/v1/saved-reports", sup, savedReportRequest{Name: "今日外呼", Report: store.ReportOutbound,
		GroupBy: []store.Dimension{store.DimCampaign}, Measures: []string{"dials"}, Period: store.PeriodToday, SharedWith: &grp.ID}, 201, &saved)
	path := "/api/v1/saved-reports/" + itoa(saved.ID)
	h.do("GET", path+"/run", qa, nil, 200, nil) // shared: QA runs it

	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "  "}, "name"},
		{map[string]any{"report": "nosuch"}, "report"},
		{map[string]any{"period": "hourly"}, "period"},
		{map[string]any{"group_by": []string{"planet"}}, "group_by"},
		{map[string]any{"measures": []string{"nosuch"}}, "measures"},
		{map[string]any{"shared_with_group_id": 999999}, "shared_with_group_id"},
	} {
		rec := h.raw("PATCH", path, sup, tc.body)
		if e := errorOf(t, rec); rec.Code/100 != 4 || len(e.Details) == 0 || e.Details[0].Field != tc.field {
			t.Errorf("%v: %d %s, want a refusal naming %s", tc.body, rec.Code, rec.Body, tc.field)
		}
	}
	for _, tc := range []struct {
		who, method, token string
		want               int
	}{
		{"shared viewer", "PATCH", qa, 403},
		{"shared viewer", "DELETE", qa, 403},
		{"agent without reports", "PATCH", h.tokens[store.RoleAgent], 403},
	} {
		if rec := h.raw(tc.method, path, tc.token, map[string]any{"name": "改名"}); rec.Code != tc.want {
			t.Errorf("%s %s: %d %s, want %d", tc.who, tc.method, rec.Code, rec.Body, tc.want)
		}
	}
	h.do("PATCH", "/api/v1/saved-reports/999999", sup, map[string]any{"name": "x"}, 404, nil)
	h.do("DELETE", "/api/v1/saved-reports/999999", sup, nil, 404, nil)

	// The owner renames it, keeps it per day over 7 days and stops sharing it.
	var edited store.SavedReport
	h.do("PATCH", path, sup, map[string]any{"name": "近7天外呼", "group_by": []string{"day"}, "period": "last_7_days",
		"shared_with_group_id": 0}, 200, &edited)
	if edited.Name != "近7天外呼" || edited.Period != store.PeriodLast7Days || len(edited.GroupBy) != 1 || edited.GroupBy[0] != store.DimDay ||
		edited.SharedWith != nil || len(edited.Measures) != 1 || edited.OwnerID != h.users[store.RoleSupervisor].ID {
		t.Fatalf("edited %+v", edited)
	}
	var mine list[store.SavedReport]
	h.do("GET", "/api/v1/saved-reports", sup, nil, 200, &mine)
	if mine.Total != 1 || mine.Items[0].Name != "近7天外呼" {
		t.Fatalf("listed %+v", mine.Items)
	}
	h.do("GET", path+"/run", qa, nil, 404, nil) // no longer shared
	h.do("PATCH", path, qa, map[string]any{"name": "x"}, 404, nil)
	// An admin may tidy up another user's report.
	h.do("PATCH", path, admin, map[string]any{"name": "周报"}, 200, &edited)
	if edited.Name != "周报" || edited.OwnerID != h.users[store.RoleSupervisor].ID {
		t.Fatalf("admin edit %+v", edited)
	}

	// Scheduled, then deleted: the schedule goes with it and is never due again.
	h.do("POST", path+"/schedule", sup, map[string]any{"every": "daily", "at": "08:00", "emails": []string{"ops@bank.example"}}, 201, nil)
	h.do("DELETE", path, sup, nil, 204, nil)
	h.do("GET", path+"/run", sup, nil, 404, nil)
	h.do("GET", path+"/schedule", sup, nil, 404, nil)
	h.do("DELETE", path, sup, nil, 404, nil)
	if _, err := h.srv.store.ReportScheduleOf(ctx, saved.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("schedule of the deleted report: %v", err)
	}
	if due, err := h.srv.store.ClaimDueSchedules(ctx, time.Now().AddDate(0, 0, 2), 10); err != nil || len(due) != 0 {
		t.Fatalf("due after the delete: %+v %v", due, err)
	}

	for _, tc := range []struct {
		action string
		want   []string // results, oldest first
	}{
		// six bad fields, the shared viewer, the owner, the viewer after
		// the share ended, the admin
		{"report.update", []string{"failed", "failed", "failed", "failed", "failed", "failed", "denied", "ok", "failed", "ok"}},
		{"report.delete", []string{"denied", "ok", "failed"}},
	} {
		entries, _, err := h.srv.store.ListAudit(ctx, store.AuditFilter{Action: tc.action, TargetType: "saved_report", TargetID: itoa(saved.ID)})
		must(t, err)
		var got []string
		for i := len(entries) - 1; i >= 0; i-- {
			got = append(got, entries[i].Result)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s audit results %v, want %v (%+v)", tc.action, got, tc.want, entries)
		}
		if tc.action == "report.delete" && !strings.Contains(entries[1].Detail, "schedule_removed=true") {
			t.Errorf("delete audited as %q, want the schedule's removal noted", entries[1].Detail)
		}
	}
}
