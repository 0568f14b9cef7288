package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// openCalendar is a calendar open all day, every day.
var openCalendar = map[string]any{"name": "全天", "windows": []map[string]any{
	{"day_kind": "workday", "start": "00:00", "end": "24:00"}, {"day_kind": "weekend", "start": "00:00", "end": "24:00"},
	{"day_kind": "holiday", "start": "00:00", "end": "24:00"}}}

// dialSetup is a campaign ready to start: calendar, strategy, agent group,
// caller IDs and (when contacts > 0) contacts through the ingest API.
type dialSetup struct {
	cal   store.Calendar
	st    store.Strategy
	group store.Group
	camp  store.Campaign
	path  string
}

func newDialSetup(h *harness, name string, contacts int, edit map[string]any) dialSetup {
	h.t.Helper()
	sup, admin := h.tokens[store.RoleSupervisor], h.tokens[store.RoleAdmin]
	var d dialSetup
	cal := map[string]any{}
	for k, v := range openCalendar {
		cal[k] = v
	}
	cal["name"] = "cal-" + name
	d.cal = createCalendar(h, cal)
	h.do("POST", "/api/v1/strategies", sup, map[string]any{"name": "st-" + name, "calendar_id": d.cal.ID}, http.StatusCreated, &d.st)
	h.do("POST", "/api/v1/groups", admin, map[string]any{"name": "g-" + name, "kind": "agent"}, http.StatusCreated, &d.group)
	body := map[string]any{"name": name, "kind": "collection", "media": "voice", "dial_mode": "progressive",
		"strategy_id": d.st.ID, "group_id": d.group.ID, "caller_ids": []string{"02161234567"}}
	for k, v := range edit {
		body[k] = v
	}
	h.do("POST", "/api/v1/campaigns", sup, body, http.StatusCreated, &d.camp)
	d.path = fmt.Sprintf("/api/v1/campaigns/%d", d.camp.ID)
	if contacts > 0 {
		var in []map[string]any
		for i := 1; i <= contacts; i++ {
			in = append(in, map[string]any{"name": fmt.Sprintf("客户%d", i), "phone": fmt.Sprintf("1390000%04d", i)})
		}
		var job store.ImportJob
		h.do("POST", d.path+"/contacts", sup, map[string]any{"contacts": in}, http.StatusOK, &job)
		if job.Imported != int64(contacts) {
			h.t.Fatalf("ingest: %+v", job)
		}
	}
	return d
}

func TestCampaignStartPauseStop(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	d := newDialSetup(h, "催收一期", 0, nil)
	rec := h.do("POST", d.path+"/start", sup, nil, http.StatusUnprocessableEntity, nil)
	if e := errorOf(t, rec); len(e.Details) != 1 || e.Details[0].Field != "contacts" {
		t.Fatalf("start without contacts: %+v", e)
	}
	var got store.Campaign
	h.do("GET", d.path, sup, nil, http.StatusOK, &got)
	if got.Status != store.CampaignDraft {
		t.Fatalf("a refused start left status %s", got.Status)
	}
	d = newDialSetup(h, "催收二期", 3, nil)
	steps := []struct {
		action string
		code   int
		status store.CampaignStatus
		msg    []string // a refusal names both statuses
	}{
		{"start", 200, store.CampaignRunning, nil},
		{"start", 409, "", []string{"running", "cannot become running"}},
		{"pause", 200, store.CampaignPaused, nil},
		{"pause", 409, "", []string{"is paused", "cannot become paused"}},
		{"start", 200, store.CampaignRunning, nil},
		{"stop", 200, store.CampaignStopped, nil},
		{"start", 409, "", []string{"is stopped", "cannot become running"}},
		{"pause", 409, "", []string{"is stopped", "cannot become paused"}},
	}
	for i, s := range steps {
		rec := h.raw("POST", d.path+"/"+s.action, sup, nil)
		if rec.Code != s.code {
			t.Fatalf("step %d %s: %d %s", i, s.action, rec.Code, rec.Body.String())
		}
		if s.code == 200 {
			var r runReply
			decode(t, rec, &r)
			if r.ID != d.camp.ID || r.Status != s.status {
				t.Fatalf("step %d %s: %+v", i, s.action, r)
			}
			continue
		}
		e := errorOf(t, rec)
		for _, m := range s.msg {
			if e.Code != "conflict" || !strings.Contains(e.Message, m) {
				t.Fatalf("step %d %s: %+v, want a conflict saying %q", i, s.action, e, m)
			}
		}
	}
	h.do("POST", d.path+"/pause", h.tokens[store.RoleAgent], nil, http.StatusForbidden, nil)
	h.do("POST", d.path+"/stop", h.tokens[store.RoleQA], nil, http.StatusForbidden, nil)
	var audit list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?action=campaign.start&target_id="+itoa(d.camp.ID), h.tokens[store.RoleAdmin], nil, http.StatusOK, &audit)
	if audit.Total != 4 || !strings.Contains(audit.Items[len(audit.Items)-1].Detail, "draft -> running") || audit.Items[0].Result != "failed" {
		t.Fatalf("audit of starts: %+v", audit.Items)
	}
}

func TestCampaignStartNotReady(t *testing.T) {
	h := newHarness(t)
	h.srv.cfg.IVRFlowKnown = func(name string) bool { return name == "notify" }
	sup := h.tokens[store.RoleSupervisor]
	cases := []struct {
		name  string
		edit  map[string]any
		field string
	}{
		{"no strategy", map[string]any{"strategy_id": 0}, "strategy_id"},
		{"no group", map[string]any{"group_id": 0}, "group_id"},
		{"no caller ID", map[string]any{"caller_ids": []string{}}, "caller_ids"},
		{"caller ID twice", map[string]any{"caller_ids": []string{"02161234567", "02161234567"}}, "caller_ids[1]"},
		{"ivr without a flow", map[string]any{"media": "ivr", "dial_mode": "broadcast", "group_id": 0}, "ivr_flow"},
		{"ivr with an unknown flow", map[string]any{"media": "ivr", "dial_mode": "broadcast", "ivr_flow": "nosuch"}, "ivr_flow"},
	}
	for i, c := range cases {
		d := newDialSetup(h, fmt.Sprintf("c%d", i), 2, c.edit)
		rec := h.do("POST", d.path+"/start", sup, nil, http.StatusUnprocessableEntity, nil)
		e := errorOf(t, rec)
		if e.Code != "unprocessable" || len(e.Details) == 0 || e.Details[0].Field != c.field {
			t.Errorf("%s: %+v, want details naming %s", c.name, e, c.field)
		}
		var got store.Campaign
		h.do("GET", d.path, sup, nil, http.StatusOK, &got)
		if got.Status != store.CampaignDraft {
			t.Errorf("%s: status %s after a refused start", c.name, got.Status)
		}
	}
	d := newDialSetup(h, "ivr-ok", 2, map[string]any{"media": "ivr", "dial_mode": "broadcast", "ivr_flow": "notify", "group_id": 0})
	h.do("POST", d.path+"/start", sup, nil, http.StatusOK, nil)
}

// TestRunningCampaignStrategyPatch: a strategy PATCH that would leave a
// running campaign unable to dial is refused naming the field, and nothing
// changes; a valid one goes through and bumps the version runners poll.
func TestRunningCampaignStrategyPatch(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	d := newDialSetup(h, "running", 2, nil)
	h.do("POST", d.path+"/start", sup, nil, http.StatusOK, nil)
	stPath := fmt.Sprintf("/api/v1/strategies/%d", d.st.ID)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	yesterday := time.Now().In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"period_end": yesterday}, "period_end"},
		{map[string]any{"min_ring_s": 10}, "min_ring_s"},
		{map[string]any{"caller_id_rotation": "random"}, "caller_id_rotation"},
	}
	for _, b := range bad {
		rec := h.do("PATCH", stPath, sup, b.body, http.StatusBadRequest, nil)
		if e := errorOf(t, rec); e.Details[0].Field != b.field || (b.field == "period_end" && !strings.Contains(e.Details[0].Message, "running")) {
			t.Errorf("%v: %+v", b.body, e)
		}
	}
	var st store.Strategy
	h.do("GET", stPath, sup, nil, http.StatusOK, &st)
	if st.Version != d.st.Version || st.PeriodEnd != "" || st.MinRingS != 15 {
		t.Fatalf("refused PATCHes changed the strategy: %+v", st)
	}
	h.do("PATCH", stPath, sup, map[string]any{"min_ring_s": 25, "caller_id_daily_limit": 300, "caller_id_rotation": "in_order"}, http.StatusOK, &st)
	if st.Version != d.st.Version+1 || st.MinRingS != 25 || st.CallerIDDailyLimit != 300 || st.CallerIDRotation != store.RotateInOrder {
		t.Fatalf("patched %+v", st)
	}
	// The running campaign's own settings are guarded the same way.
	rec := h.do("PATCH", d.path, sup, map[string]any{"group_id": 0}, http.StatusBadRequest, nil)
	if e := errorOf(t, rec); e.Details[0].Field != "group_id" {
		t.Fatalf("running campaign without a group: %+v", e)
	}
}
