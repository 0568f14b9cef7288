package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// R30 on a dialer-originated leg: an IVR broadcast listener presses 0, the
// flow's queue step sends the call to the campaign group's queue, and the
// runner hands it to the desk: the group's ready agent gets it, talks,
// hangs up and closes it with a disposition that finishes the attempt.
// A listener who presses 1 is not queued and the call ends in the IVR.
func TestE2EIVRPressZeroForAgent(t *testing.T) {
	scen := strings.Replace(e2eScenario, "overrides:\n", `overrides:
  - {number: "+8613900000301", outcome: answer, ring: 300ms, dtmf: "0"}
  - {number: "+8613900000302", outcome: answer, ring: 300ms, dtmf: "1"}
`, 1)
	// The queue context for the first group (id 1): answer, mark, park.
	scen = strings.Replace(scen, "dialplan:\n", "dialplan:\n  \"1\": \"answer,set:cc_queue=1,park\"\n", 1)
	e := startE2EWith(t, scen, nil)
	if e.group != 1 {
		t.Fatalf("the scenario's queue extension is for group 1, the group is %d", e.group)
	}
	agentID, tok := e.agent("agent1", "1001")
	var c struct{ ID int64 }
	e.post("/api/v1/campaigns", map[string]any{"name": "还款提醒语音", "kind": "notification", "media": "ivr", "dial_mode": "broadcast",
		"ivr_flow": "notify", "message": map[string]any{"text": "campaign/7.wav"}, "strategy_id": e.strategy, "group_id": e.group,
		"caller_ids": []string{"02161234567"}, "max_abandon_rate": 0.03}, 201, &c)
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/contacts", c.ID), map[string]any{"contacts": []map[string]string{
		{"name": "客户甲", "phone": "13900000301"}, {"name": "客户乙", "phone": "13900000302"}}}, 200, nil)
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/start", c.ID), nil, 200, nil)

	uuid := e.onCall(tok)
	if ch := e.channel(uuid); ch.BridgedTo == "" || ch.Vars["cc_queue"] != "1" {
		t.Fatalf("the agent's call %s: %+v, want the listener queued for group 1, bridged", uuid, ch)
	}
	for _, r := range e.calls(c.ID) {
		if r.CallUUID == uuid && r.Destination != "+8613900000301" {
			t.Fatalf("the agent got %s, want the listener who pressed 0", r.Destination)
		}
	}
	e.control(tok, uuid, "hangup", 200)
	e.waitFor("after-call work", func() bool { return e.state(tok).State == store.AgentACW })
	if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/disposition", tok, map[string]any{"result": "promised"}, nil); code != 200 {
		t.Fatalf("disposition: %d", code)
	}
	e.waitFor("both attempts finished", func() bool {
		rows := e.calls(c.ID)
		done := 0
		for _, r := range rows {
			if r.FinishedAt != nil {
				done++
			}
		}
		return len(rows) == 2 && done == 2
	})
	for _, r := range e.calls(c.ID) {
		switch r.Destination {
		case "+8613900000301":
			if r.AgentID != agentID || r.Disposition != "promised" || r.BridgedAt == nil {
				t.Errorf("the listener who asked for an agent: %+v", r.Attempt)
			}
		case "+8613900000302":
			if r.AgentID != 0 || r.Disposition != "confirmed" {
				t.Errorf("the listener who confirmed: %+v", r.Attempt)
			}
		}
	}
	if e.state(tok).State != store.AgentReady {
		t.Errorf("agent %s after the disposition", e.state(tok).State)
	}
}
