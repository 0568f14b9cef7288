package api

import (
	"testing"

	"github.com/bankcc/callcenter/store"
)

// A saved report's schedule: created, changed by PATCH (the next run
// planned again), listed for whoever may run the report, audited; bad
// fields are refused naming them, a second schedule is a 409, another
// user's report a 404.
func TestReportScheduleRoutes(t *testing.T) {
	h := newHarness(t)
	sup, qa := h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA]
	var saved store.SavedReport
	h.do("POST", "/api/v1/saved-reports", sup, savedReportRequest{Name: "每周外呼", Report: store.ReportOutbound,
		GroupBy: []store.Dimension{store.DimCampaign}, Period: store.PeriodLast7Days}, 201, &saved)
	path := "/api/v1/saved-reports/" + itoa(saved.ID) + "/schedule"
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"every": "hourly", "at": "09:00", "emails": []string{"a@bank.example"}}, "every"},
		{map[string]any{"every": "weekly", "at": "09:00", "emails": []string{"a@bank.example"}}, "weekday"},
		{map[string]any{"every": "daily", "at": "25:00", "emails": []string{"a@bank.example"}}, "at"},
		{map[string]any{"every": "daily", "at": "09:00"}, "emails"},
		{map[string]any{"every": "daily", "at": "09:00", "emails": []string{"nobody"}}, "emails[0]"},
		{map[string]any{"every": "daily", "at": "09:00", "group_id": 999}, "group_id"},
	} {
		rec := h.raw("POST", path, sup, tc.body)
		if e := errorOf(t, rec); rec.Code != 400 || len(e.Details) == 0 || e.Details[0].Field != tc.field {
			t.Errorf("%v: %d %s, want 400 naming %s", tc.body, rec.Code, rec.Body, tc.field)
		}
	}
	var sch store.ReportSchedule
	h.do("POST", path, sup, map[string]any{"every": "weekly", "weekday": 1, "at": "08:30",
		"emails": []string{"Ops@Bank.example", "partner@outside.example"}}, 201, &sch)
	if !sch.Enabled || sch.Timezone != "Asia/Shanghai" || sch.Lang != "zh-CN" || sch.NextRunAt == nil ||
		sch.Emails[0] != "ops@bank.example" {
		t.Fatalf("created %+v", sch)
	}
	if next := sch.NextRunAt.In(shanghai); next.Weekday() != 1 || next.Format("15:04") != "08:30" {
		t.Fatalf("next run %v", next)
	}
	if rec := h.raw("POST", path, sup, map[string]any{"every": "daily", "at": "09:00", "emails": []string{"a@bank.example"}}); rec.Code != 409 {
		t.Errorf("second schedule: %d %s", rec.Code, rec.Body)
	}
	var patched store.ReportSchedule
	h.do("PATCH", path, sup, map[string]any{"every": "monthly", "month_day": 1, "at": "07:00"}, 200, &patched)
	if next := patched.NextRunAt.In(shanghai); next.Day() != 1 || next.Format("15:04") != "07:00" || len(patched.Emails) != 2 {
		t.Fatalf("patched %+v next %v", patched, next)
	}
	var off store.ReportSchedule
	h.do("PATCH", path, sup, map[string]any{"enabled": false}, 200, &off)
	if off.Enabled || off.NextRunAt != nil {
		t.Fatalf("disabled %+v", off)
	}
	var got store.ReportSchedule
	h.do("GET", path, sup, nil, 200, &got)
	var l list[store.ReportSchedule]
	h.do("GET", "/api/v1/report-schedules", sup, nil, 200, &l)
	if got.ID != sch.ID || l.Total != 1 || l.Items[0].ID != sch.ID {
		t.Fatalf("get %+v list %+v", got, l)
	}
	// QA staff may run reports but not this one (neither owned nor shared)
	if rec := h.raw("PATCH", path, qa, map[string]any{"enabled": true}); rec.Code != 404 {
		t.Errorf("someone else's report: %d", rec.Code)
	}
	h.do("GET", "/api/v1/report-schedules", qa, nil, 200, &l)
	if l.Total != 0 {
		t.Errorf("QA sees %d schedules", l.Total)
	}
	if rec := h.raw("POST", path, h.tokens[store.RoleAgent], map[string]any{}); rec.Code != 403 {
		t.Errorf("agent: %d", rec.Code)
	}
	audit, _, err := h.srv.store.ListAudit(t.Context(), store.AuditFilter{TargetType: "report_schedule"})
	if err != nil || len(audit) < 3 {
		t.Fatalf("audit %d entries %v", len(audit), err)
	}
}
