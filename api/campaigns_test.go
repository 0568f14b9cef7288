package api

import (
	"fmt"
	"testing"

	"github.com/bankcc/callcenter/store"
)

func TestCampaignCRUD(t *testing.T) {
	h := newHarness(t)
	admin, sup := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor]
	var cal store.Calendar
	h.do("POST", "/api/v1/calendars", admin, map[string]any{"name": "工作日历", "timezone": "Asia/Shanghai",
		"windows": []map[string]any{{"day_kind": "workday", "customer_type": "", "start": "09:00", "end": "20:00"}}}, 201, &cal)
	var st store.Strategy
	h.do("POST", "/api/v1/strategies", admin, map[string]any{"name": "催缴策略", "calendar_id": cal.ID, "max_attempts": 3}, 201, &st)

	var c store.Campaign
	h.do("POST", "/api/v1/campaigns", sup, map[string]any{"name": "信用卡逾期提醒", "kind": "collection", "media": "voice",
		"dial_mode": "predictive", "priority": 8, "strategy_id": st.ID, "caller_ids": []string{"02161234567"},
		"gateway": "trunk", "max_abandon_rate": 0.03}, 201, &c)
	if c.Status != store.CampaignDraft || c.StrategyID == nil || *c.StrategyID != st.ID || len(c.CallerIDs) != 1 {
		t.Fatalf("created %+v", c)
	}
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "kind": "lottery"}, "kind"},
		{map[string]any{"name": "x", "priority": 11}, "priority"},
		{map[string]any{"name": "x", "strategy_id": 999}, "strategy_id"},
		{map[string]any{"name": "x", "caller_ids": []string{"abc"}}, "caller_ids[0]"},
		{map[string]any{"name": "x", "max_abandon_rate": 0.5}, "max_abandon_rate"},
		{map[string]any{"name": "x", "media": "ivr", "dial_mode": "predictive"}, "dial_mode"},
		{map[string]any{"name": "x", "skill": "english,cantonese"}, "skill"},
		{map[string]any{"name": "x", "min_level": 11}, "min_level"},
	}
	for _, b := range bad {
		rec := h.raw("POST", "/api/v1/campaigns", sup, b.body)
		if rec.Code != 400 || errorOf(t, rec).Details[0].Field != b.field {
			t.Errorf("%v: %d %s, want field %s", b.body, rec.Code, rec.Body.String(), b.field)
		}
	}
	h.do("POST", "/api/v1/campaigns", sup, map[string]any{"name": "信用卡逾期提醒"}, 409, nil)

	var changed store.Campaign
	h.do("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, map[string]any{"priority": 9, "caller_ids": []string{"02161234567", "02161234568"},
		"skill": " Collections ", "min_level": 3}, 200, &changed)
	if changed.Priority != 9 || len(changed.CallerIDs) != 2 || changed.Kind != store.KindCollection || changed.Skill != "collections" || changed.MinLevel != 3 {
		t.Fatalf("patched %+v", changed)
	}
	h.do("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, map[string]any{"status": "running"}, 400, nil)
	var l list[store.Campaign]
	h.do("GET", "/api/v1/campaigns?kind=collection", h.tokens[store.RoleQA], nil, 200, &l)
	if l.Total != 1 {
		t.Fatalf("list: %d", l.Total)
	}
	h.do("GET", "/api/v1/campaigns", h.tokens[store.RoleAgent], nil, 403, nil)

	// The strategy and calendar are in use: deleting them is refused.
	h.do("DELETE", fmt.Sprintf("/api/v1/strategies/%d", st.ID), admin, nil, 409, nil)
	h.do("DELETE", fmt.Sprintf("/api/v1/calendars/%d", cal.ID), admin, nil, 409, nil)
	h.do("DELETE", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, nil, 204, nil)
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, nil, 404, nil)
	h.do("DELETE", fmt.Sprintf("/api/v1/strategies/%d", st.ID), admin, nil, 204, nil)
}

func TestCampaignStatusTransitions(t *testing.T) {
	S := func(s string) store.CampaignStatus { return store.CampaignStatus(s) }
	cases := []struct {
		from, to string
		ok       bool
	}{
		{"draft", "running", true}, {"draft", "paused", false}, {"running", "paused", true},
		{"paused", "running", true}, {"running", "stopped", true}, {"stopped", "running", false},
		{"completed", "running", true}, {"running", "draft", false},
	}
	for _, c := range cases {
		if got := S(c.from).CanMove(S(c.to)); got != c.ok {
			t.Errorf("%s -> %s = %v, want %v", c.from, c.to, got, c.ok)
		}
	}
}
