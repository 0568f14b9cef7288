package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// seedAttempts stores n finished attempts of campaign id: 30 % humans
// (answer after 5 s, 60 s of talk), 10 % machines, 40 % no answer after 30 s,
// 20 % busy after 2 s.
func seedAttempts(t *testing.T, st *store.Store, id int64, n int) {
	t.Helper()
	base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i := range n {
		created := base.Add(time.Duration(i) * time.Second)
		at := func(s float64) *time.Time { v := created.Add(time.Duration(s * float64(time.Second))); return &v }
		a := &store.Attempt{CallUUID: fmt.Sprintf("c%d-%d", id, i), CampaignID: id, CreatedAt: created}
		switch i % 10 {
		case 0, 1, 2:
			a.Result, a.AnsweredAt, a.BridgedAt, a.HungupAt, a.Bridged = "answered", at(5), at(5), at(65), true
		case 3:
			a.Result, a.Machine, a.AnsweredAt, a.HungupAt = "machine", true, at(9), at(12)
		case 4, 5, 6, 7:
			a.Result, a.HungupAt = "no_answer", at(30)
		default:
			a.Result, a.HungupAt = "busy", at(2)
		}
		if err := st.SaveAttempt(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPacingSimulateMeasured(t *testing.T) {
	h := newHarness(t)
	camp := h.campaign("what-if")
	seedAttempts(t, h.srv.store, camp.ID, 400)
	path := fmt.Sprintf("/api/v1/campaigns/%d/pacing/simulate", camp.ID)
	var resp pacingSimResponse
	h.do("POST", path, h.tokens[store.RoleQA], map[string]any{"agents": 4, "hours": 0.5, "max_abandon_rate": 0.01}, 200, &resp)

	sc := resp.Scenario
	if sc.Agents != 4 || sc.Hours != 0.5 || sc.MaxAbandonRate != 0.01 || sc.Outcomes.Human != 0.3 || sc.Outcomes.Failed != 0.2 {
		t.Fatalf("scenario %+v", sc)
	}
	if m := sc.RingS.Human.Mean(); math.Abs(m-5) > 0.01 {
		t.Errorf("measured human ring mean %v, want 5", m)
	}
	if m := sc.TalkS.Mean(); math.Abs(m-60) > 0.01 {
		t.Errorf("measured talk mean %v, want 60", m)
	}
	want := map[string]string{"agents": "request", "hours": "request", "max_abandon_rate": "request", "seed": "default",
		"outcomes": "measured", "ring_s.human": "measured", "ring_s.machine": "default", "no_answer_s": "measured",
		"failed_s": "measured", "talk_s": "measured", "wrap_s": "default", "amd_s": "default", "connect_within_s": "default"}
	for k, v := range want {
		if resp.Sources[k] != v {
			t.Errorf("source of %s: %q, want %q", k, resp.Sources[k], v)
		}
	}
	if resp.Measured.Attempts != 400 || resp.Measured.EnoughAttempts == 0 {
		t.Errorf("measured %+v", resp.Measured)
	}
	p, q := resp.Predictive, resp.Progressive
	if p.Mode != "predictive" || q.Mode != "progressive" || p.Dials == 0 || q.Dials == 0 ||
		!strings.Contains(p.Line, "predictive") || !strings.Contains(q.Line, "occupancy") {
		t.Fatalf("results %+v / %+v", p, q)
	}
	if p.AbandonRate > 0.01 || q.Abandoned != 0 {
		t.Errorf("over the 1 %% cap: %s / %s", p.Line, q.Line)
	}
}

// Too few attempts: everything defaults; the group's size is the team.
func TestPacingSimulateDefaults(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	camp := h.campaign("new campaign")
	seedAttempts(t, h.srv.store, camp.ID, 20)
	var g store.Group
	h.do("POST", "/api/v1/groups", admin, map[string]any{"name": "小组", "kind": "agent"}, 201, &g)
	for i := range 3 {
		h.do("POST", "/api/v1/users", admin, map[string]any{"username": fmt.Sprintf("agent%d", i), "password": "Agent-Pass-2026",
			"role": "agent", "group_ids": []int64{g.ID}}, 201, nil)
	}
	h.do("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), admin, map[string]any{"group_id": g.ID, "max_abandon_rate": 0.02}, 200, nil)

	var resp pacingSimResponse
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/pacing/simulate", camp.ID), h.tokens[store.RoleSupervisor],
		`{"hours": 0.25, "ring_s": {"machine": 12}}`, 200, &resp)
	if resp.Scenario.Agents != 3 || resp.Sources["agents"] != "group" || resp.Scenario.MaxAbandonRate != 0.02 ||
		resp.Sources["max_abandon_rate"] != "campaign" || resp.Sources["ring_s.machine"] != "request" {
		t.Fatalf("scenario %+v, sources %v", resp.Scenario, resp.Sources)
	}
	for _, k := range []string{"outcomes", "ring_s.human", "talk_s", "no_answer_s"} {
		if resp.Sources[k] != "default" {
			t.Errorf("%s from %q with 20 attempts, want default", k, resp.Sources[k])
		}
	}
	if resp.Measured.Attempts != 20 || resp.Scenario.Outcomes.Human != 0.15 {
		t.Errorf("measured %+v, outcomes %+v", resp.Measured, resp.Scenario.Outcomes)
	}
}

func TestPacingSimulateBadInput(t *testing.T) {
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	camp := h.campaign("bad what-if")
	path := fmt.Sprintf("/api/v1/campaigns/%d/pacing/simulate", camp.ID)
	cases := []struct {
		body  string
		field string
	}{
		{`{"agents": 1001}`, "agents"},
		{`{"hours": 25}`, "hours"},
		{`{"agents": 1000, "hours": 8}`, "hours"},
		{`{"agents": 0}`, "agents"},
		{`{"talk_s": {"gamma": 1}}`, "talk_s"},
		{`{"outcomes": {"human": 2}}`, "outcomes.human"},
		{`{"ring_s": {"human": {"uniform": [9, 3]}}}`, "ring_s.human"},
		{`{"speed": 3}`, "speed"},
	}
	for _, c := range cases {
		rec := h.do("POST", path, sup, c.body, http.StatusBadRequest, nil)
		if e := errorOf(t, rec); len(e.Details) != 1 || e.Details[0].Field != c.field {
			t.Errorf("%s: error %+v, want field %s", c.body, e, c.field)
		}
	}
	h.do("POST", path, sup, `not json`, http.StatusBadRequest, nil)
	h.do("POST", "/api/v1/campaigns/999999/pacing/simulate", sup, `{}`, http.StatusNotFound, nil)
	h.do("POST", path, h.tokens[store.RoleAgent], `{}`, http.StatusForbidden, nil)
}

// At most two simulations run at once; a third is told to come back.
func TestPacingSimulateBusy(t *testing.T) {
	h := newHarness(t)
	camp := h.campaign("busy what-if")
	for range whatIfSlots {
		h.srv.whatIf <- struct{}{}
	}
	path := fmt.Sprintf("/api/v1/campaigns/%d/pacing/simulate", camp.ID)
	rec := h.do("POST", path, h.tokens[store.RoleSupervisor], `{"agents": 2, "hours": 0.1}`, http.StatusTooManyRequests, nil)
	if e := errorOf(t, rec); e.Code != "too_many_requests" {
		t.Fatalf("error %+v", e)
	}
	<-h.srv.whatIf
	h.do("POST", path, h.tokens[store.RoleSupervisor], `{"agents": 2, "hours": 0.1}`, http.StatusOK, nil)
}

// A user granted only monitor may ask; the route's permission is either.
func TestPacingSimulateMonitorOnly(t *testing.T) {
	h := newHarness(t)
	camp := h.campaign("monitor what-if")
	u := &store.User{Username: "wallboard", Role: store.RoleAgent, DisplayName: "wallboard"}
	u.SetExtraPermissions([]store.Permission{store.PermMonitor})
	if err := u.SetPassword(testPassword, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.store.CreateUser(context.Background(), u, nil); err != nil {
		t.Fatal(err)
	}
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{u.Username, testPassword}, 200, &login)
	h.do("POST", fmt.Sprintf("/api/v1/campaigns/%d/pacing/simulate", camp.ID), login.Token, `{"agents": 2, "hours": 0.1}`, http.StatusOK, nil)
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", camp.ID), login.Token, nil, http.StatusForbidden, nil)
}
