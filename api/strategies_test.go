package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// contractStrategy is the Strategy body of api.md, for calendar id.
func contractStrategy(calendarID int64) string {
	return fmt.Sprintf(`{"name":"催缴策略","calendar_id":%d,"phone_order":["phone","alt_phone"],
 "min_attempts":1,"max_attempts":3,"max_attempts_per_contact":6,
 "min_retry_interval_s":600,"max_retry_interval_s":7200,
 "retry_intervals":{"busy":{"min_s":300,"max_s":900},"no_answer":{"min_s":1800,"max_s":7200}},
 "batch_size":50,"batch_interval_s":60,"period_start":"2026-11-24","period_end":"2026-12-31"}`, calendarID)
}

func TestStrategyCRUD(t *testing.T) {
	h := newHarness(t)
	sup, qa := h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA]
	cal := createCalendar(h, contractCalendar)
	var st store.Strategy
	h.do("POST", "/api/v1/strategies", sup, contractStrategy(cal.ID), http.StatusCreated, &st)
	if st.ID == 0 || st.Version != 1 || st.CalendarID != cal.ID || st.MaxAttemptsPerContact != 6 ||
		st.RetryIntervals["busy"].MaxS != 900 || st.PeriodEnd != "2026-12-31" || !slices.Equal(st.PhoneOrder, []string{"phone", "alt_phone"}) {
		t.Fatalf("created %+v", st)
	}
	path := fmt.Sprintf("/api/v1/strategies/%d", st.ID)

	var got store.Strategy
	h.do("GET", path, qa, nil, http.StatusOK, &got)
	if got.RetryIntervals["no_answer"].MinS != 1800 || got.BatchIntervalS != 60 {
		t.Fatalf("read back %+v", got)
	}
	var sts list[store.Strategy]
	h.do("GET", fmt.Sprintf("/api/v1/strategies?calendar_id=%d", cal.ID), qa, nil, http.StatusOK, &sts)
	if sts.Total != 1 || sts.Items[0].ID != st.ID {
		t.Fatalf("list %+v", sts)
	}

	// A PATCH changes only what it names and bumps the version.
	h.do("PATCH", path, sup, map[string]any{"max_attempts": 5, "phone_order": []string{"alt_phone"}}, http.StatusOK, &got)
	if got.Version != 2 || got.MaxAttempts != 5 || !slices.Equal(got.PhoneOrder, []string{"alt_phone"}) ||
		got.RetryIntervals["busy"].MinS != 300 || got.Name != "催缴策略" || got.UpdatedAt.Before(st.UpdatedAt) {
		t.Fatalf("patched %+v", got)
	}
	rec := h.do("PATCH", path, sup, map[string]any{"min_attempts": 9}, http.StatusBadRequest, nil)
	if e := errorOf(t, rec); e.Details[0].Field != "max_attempts" {
		t.Fatalf("min above max: %+v", e)
	}
	h.do("GET", path, qa, nil, http.StatusOK, &got)
	if got.Version != 2 || got.MinAttempts != 1 {
		t.Fatalf("a rejected PATCH changed the strategy: %+v", got)
	}

	// The calendar is in use now.
	calPath := fmt.Sprintf("/api/v1/calendars/%d", cal.ID)
	rec = h.do("DELETE", calPath, sup, nil, http.StatusConflict, nil)
	if e := errorOf(t, rec); e.Code != "conflict" || !strings.Contains(e.Message, "strateg") {
		t.Fatalf("delete used calendar: %+v", e)
	}

	h.do("DELETE", path, sup, nil, http.StatusNoContent, nil)
	h.do("GET", path, qa, nil, http.StatusNotFound, nil)
	h.do("PATCH", path, sup, map[string]any{"name": "x"}, http.StatusNotFound, nil)
	h.do("DELETE", path, sup, nil, http.StatusNotFound, nil)
	h.do("DELETE", calPath, sup, nil, http.StatusNoContent, nil)
}

func TestStrategyValidation(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	cal := createCalendar(h, map[string]any{"name": "c"})
	base := func(edit map[string]any) map[string]any {
		b := map[string]any{"name": "s", "calendar_id": cal.ID}
		for k, v := range edit {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"no name", map[string]any{"calendar_id": cal.ID}, "name"},
		{"no calendar", map[string]any{"name": "s"}, "calendar_id"},
		{"missing calendar", base(map[string]any{"calendar_id": cal.ID + 100}), "calendar_id"},
		{"unknown phone", base(map[string]any{"phone_order": []string{"phone", "mobile"}}), "phone_order[1]"},
		{"repeated phone", base(map[string]any{"phone_order": []string{"alt_phone", "alt_phone"}}), "phone_order[1]"},
		{"max below min", base(map[string]any{"min_attempts": 3, "max_attempts": 1}), "max_attempts"},
		{"interval max below min", base(map[string]any{"min_retry_interval_s": 900, "max_retry_interval_s": 60}), "max_retry_interval_s"},
		{"unknown class", base(map[string]any{"retry_intervals": map[string]any{"voicemail": map[string]int{"min_s": 1, "max_s": 2}}}), "retry_intervals.voicemail"},
		{"class backwards", base(map[string]any{"retry_intervals": map[string]any{"busy": map[string]int{"min_s": 900, "max_s": 300}}}), "retry_intervals.busy.max_s"},
		{"zero batch", base(map[string]any{"batch_size": 0}), "batch_size"},
		{"period backwards", base(map[string]any{"period_start": "2026-12-31", "period_end": "2026-11-24"}), "period_end"},
		{"bad period date", base(map[string]any{"period_start": "next monday"}), "period_start"},
		{"wrong type", `{"name":"s","max_attempts":"three"}`, "max_attempts"},
	}
	for _, c := range cases {
		rec := h.do("POST", "/api/v1/strategies", sup, c.body, http.StatusBadRequest, nil)
		e := errorOf(t, rec)
		if e.Code != "invalid_argument" || len(e.Details) == 0 || e.Details[0].Field != c.field {
			t.Errorf("%s: %+v, want field %s", c.name, e, c.field)
		}
	}
	// Defaults fill what a minimal body leaves out.
	var st store.Strategy
	h.do("POST", "/api/v1/strategies", sup, base(nil), http.StatusCreated, &st)
	if st.MinAttempts != 1 || st.MaxAttempts != 3 || st.BatchSize != 50 || len(st.PhoneOrder) != 2 || st.RetryIntervals == nil {
		t.Fatalf("defaults %+v", st)
	}
	h.do("POST", "/api/v1/strategies", sup, base(nil), http.StatusConflict, nil)
}

func TestStrategyPermissions(t *testing.T) {
	h := newHarness(t)
	cal := createCalendar(h, map[string]any{"name": "c"})
	var st store.Strategy
	h.do("POST", "/api/v1/strategies", h.tokens[store.RoleAdmin], map[string]any{"name": "s", "calendar_id": cal.ID}, http.StatusCreated, &st)
	path := fmt.Sprintf("/api/v1/strategies/%d", st.ID)
	agent, qa := h.tokens[store.RoleAgent], h.tokens[store.RoleQA]
	h.do("GET", "/api/v1/strategies", agent, nil, http.StatusForbidden, nil)
	h.do("GET", path, agent, nil, http.StatusForbidden, nil)
	h.do("POST", "/api/v1/strategies", agent, map[string]any{"name": "x", "calendar_id": cal.ID}, http.StatusForbidden, nil)
	h.do("PATCH", path, qa, map[string]any{"batch_size": 10}, http.StatusForbidden, nil)
	h.do("DELETE", path, agent, nil, http.StatusForbidden, nil)
	h.do("GET", path, qa, nil, http.StatusOK, nil)
	h.do("DELETE", path, "", nil, http.StatusUnauthorized, nil)
}
