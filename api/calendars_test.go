package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// contractCalendar is the Calendar body of api.md.
const contractCalendar = `{"name":"工作日历","timezone":"Asia/Shanghai",
 "windows":[{"day_kind":"workday","customer_type":"","start":"09:00","end":"20:00"},
            {"day_kind":"holiday","customer_type":"VIP客户","start":"10:00","end":"18:00"}],
 "dates":[{"date":"2026-10-01","kind":"holiday"},{"date":"2026-09-28","kind":"workday"}]}`

func createCalendar(h *harness, body any) store.Calendar {
	h.t.Helper()
	var cal store.Calendar
	h.do("POST", "/api/v1/calendars", h.tokens[store.RoleSupervisor], body, http.StatusCreated, &cal)
	return cal
}

func TestCalendarCRUD(t *testing.T) {
	h := newHarness(t)
	sup, qa := h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA]
	cal := createCalendar(h, contractCalendar)
	if cal.ID == 0 || cal.Name != "工作日历" || !cal.UseOfficialHolidays || len(cal.Windows) != 2 || len(cal.Dates) != 2 || cal.Version != 1 {
		t.Fatalf("created %+v", cal)
	}
	path := fmt.Sprintf("/api/v1/calendars/%d", cal.ID)

	var got store.Calendar
	h.do("GET", path, qa, nil, http.StatusOK, &got)
	if got.Windows[1].CustomerType != "VIP客户" || got.Dates[1].Date != "2026-09-28" {
		t.Fatalf("read back %+v", got)
	}
	var cals list[store.Calendar]
	h.do("GET", "/api/v1/calendars?page=1&page_size=10", qa, nil, http.StatusOK, &cals)
	if cals.Total != 1 || len(cals.Items) != 1 || cals.Items[0].ID != cal.ID {
		t.Fatalf("list %+v", cals)
	}

	// PATCH replaces the windows, keeps the rest.
	patch := map[string]any{"windows": []map[string]string{
		{"day_kind": "workday", "start": "09:00", "end": "12:00"},
		{"day_kind": "workday", "start": "14:00", "end": "20:00"},
	}, "use_official_holidays": false}
	h.do("PATCH", path, sup, patch, http.StatusOK, &got)
	if len(got.Windows) != 2 || got.Windows[1].Start != "14:00" || got.UseOfficialHolidays || len(got.Dates) != 2 || got.Version != 2 {
		t.Fatalf("patched %+v", got)
	}
	bad := map[string]any{"windows": []map[string]string{
		{"day_kind": "workday", "start": "09:00", "end": "12:00"},
		{"day_kind": "workday", "start": "11:00", "end": "13:00"},
	}}
	rec := h.do("PATCH", path, sup, bad, http.StatusBadRequest, nil)
	if e := errorOf(t, rec); len(e.Details) != 1 || e.Details[0].Field != "windows[1].start" {
		t.Fatalf("overlap error %+v", e)
	}

	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?action=calendar.", h.tokens[store.RoleAdmin], nil, http.StatusOK, &audit)
	actions := map[string]int{}
	for _, e := range audit.Items {
		if e.TargetType == "calendar" && e.TargetID == itoa(cal.ID) {
			actions[e.Action+"/"+e.Result]++
		}
	}
	if actions["calendar.create/ok"] != 1 || actions["calendar.update/ok"] != 1 || actions["calendar.update/failed"] != 1 {
		t.Fatalf("audit %v", actions)
	}

	h.do("DELETE", path, sup, nil, http.StatusNoContent, nil)
	h.do("GET", path, qa, nil, http.StatusNotFound, nil)
	h.do("DELETE", path, sup, nil, http.StatusNotFound, nil)
	h.do("PATCH", path, sup, map[string]any{"name": "x"}, http.StatusNotFound, nil)
	h.do("GET", "/api/v1/calendars/abc", qa, nil, http.StatusBadRequest, nil)
}

func TestCalendarValidation(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	win := func(kind, start, end string) map[string]string {
		return map[string]string{"day_kind": kind, "start": start, "end": end}
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no name", map[string]any{}, "name"},
		{"bad zone", map[string]any{"name": "c", "timezone": "Beijing"}, "timezone"},
		{"bad day kind", map[string]any{"name": "c", "windows": []any{win("monday", "09:00", "10:00")}}, "windows[0].day_kind"},
		{"end before start", map[string]any{"name": "c", "windows": []any{win("workday", "09:00", "10:00"), win("weekend", "18:00", "10:00")}}, "windows[1].end"},
		{"bad clock", map[string]any{"name": "c", "windows": []any{win("workday", "9am", "10:00")}}, "windows[0].start"},
		{"bad date", map[string]any{"name": "c", "dates": []any{map[string]string{"date": "2026-13-01", "kind": "holiday"}}}, "dates[0].date"},
		{"bad date kind", map[string]any{"name": "c", "dates": []any{map[string]string{"date": "2026-12-01", "kind": "rest"}}}, "dates[0].kind"},
		{"wrong type", `{"name":"c","windows":"all day"}`, "windows"},
	}
	for _, c := range cases {
		rec := h.do("POST", "/api/v1/calendars", sup, c.body, http.StatusBadRequest, nil)
		e := errorOf(t, rec)
		if e.Code != "invalid_argument" || len(e.Details) == 0 || e.Details[0].Field != c.field {
			t.Errorf("%s: %+v, want field %s", c.name, e, c.field)
		}
	}
	createCalendar(h, map[string]any{"name": "dup"})
	rec := h.do("POST", "/api/v1/calendars", sup, map[string]any{"name": "dup"}, http.StatusConflict, nil)
	if errorOf(t, rec).Code != "conflict" {
		t.Fatal(rec.Body.String())
	}
}

func TestCalendarPermissions(t *testing.T) {
	h := newHarness(t)
	cal := createCalendar(h, map[string]any{"name": "c"})
	path := fmt.Sprintf("/api/v1/calendars/%d", cal.ID)
	agent, qa := h.tokens[store.RoleAgent], h.tokens[store.RoleQA]
	h.do("GET", "/api/v1/calendars", agent, nil, http.StatusForbidden, nil)
	h.do("GET", path, agent, nil, http.StatusForbidden, nil)
	h.do("POST", "/api/v1/calendars", agent, map[string]any{"name": "x"}, http.StatusForbidden, nil)
	h.do("PATCH", path, qa, map[string]any{"name": "x"}, http.StatusForbidden, nil)
	h.do("DELETE", path, qa, nil, http.StatusForbidden, nil)
	h.do("GET", path, qa, nil, http.StatusOK, nil)
	h.do("GET", path, "", nil, http.StatusUnauthorized, nil)
}

func TestHolidaysAPI(t *testing.T) {
	h := newHarness(t)
	admin, sup, qa, agent := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA], h.tokens[store.RoleAgent]
	var hs list[store.Holiday]
	h.do("GET", "/api/v1/holidays?year=2026&page_size=100", qa, nil, http.StatusOK, &hs)
	kinds := map[string]store.DateKind{}
	for _, d := range hs.Items {
		kinds[d.Date] = d.Kind
	}
	if hs.Total < 30 || kinds["2026-10-01"] != "holiday" || kinds["2026-10-10"] != "workday" {
		t.Fatalf("2026 official days: total %d, 10-01 %q, 10-10 %q", hs.Total, kinds["2026-10-01"], kinds["2026-10-10"])
	}
	h.do("GET", "/api/v1/holidays?year=twenty", qa, nil, http.StatusBadRequest, nil)
	h.do("GET", "/api/v1/holidays", agent, nil, http.StatusForbidden, nil)

	body := map[string]string{"date": "2027-01-01", "name": "元旦节", "kind": "holiday"}
	h.do("POST", "/api/v1/holidays", sup, body, http.StatusForbidden, nil) // settings_manage only
	var added store.Holiday
	h.do("POST", "/api/v1/holidays", admin, body, http.StatusCreated, &added)
	h.do("POST", "/api/v1/holidays", admin, body, http.StatusConflict, nil)
	rec := h.do("POST", "/api/v1/holidays", admin, map[string]string{"date": "2027-01-01", "name": "x", "kind": "day off"}, http.StatusBadRequest, nil)
	if e := errorOf(t, rec); e.Details[0].Field != "kind" {
		t.Fatalf("bad kind: %+v", e)
	}
	h.do("GET", "/api/v1/holidays?year=2027", qa, nil, http.StatusOK, &hs)
	if hs.Total != 1 || hs.Items[0].ID != added.ID {
		t.Fatalf("2027 after add: %+v", hs)
	}
	path := fmt.Sprintf("/api/v1/holidays/%d", added.ID)
	h.do("DELETE", path, sup, nil, http.StatusForbidden, nil)
	h.do("DELETE", path, admin, nil, http.StatusNoContent, nil)
	h.do("DELETE", path, admin, nil, http.StatusNotFound, nil)
}
