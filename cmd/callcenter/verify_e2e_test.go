package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// verifyIDNumber is the contacts' resident ID number (valid check digit);
// customers key its last six characters.
const verifyIDNumber = "110101199003071233"

// R11 end to end through the REST API against the simulator and the real
// IVR server: the agent sends each customer to verify_id; the right digits,
// wrong ones and none each come back to the same agent's leg with their
// result on the stream and in GET /me/state; a customer hanging up in the
// IVR leaves nobody parked; someone else's call is 403, a finished one 409.
func TestE2EVerify(t *testing.T) {
	// The scenario does not route ivr_verify_id: the program routes the IVR
	// flows of its built-in simulator to its own IVR server.
	e := startE2EWith(t, verifyScenarioFixed(), map[string]string{"CC_SIMULATOR_TIME_SCALE": "0.2"})
	_, tok := e.agent("agent1", "1001")
	_, other := e.agent("agent2", "1002")
	if code := e.call(t, "POST", "/api/v1/me/state", other, map[string]any{"state": "break", "reason": "lunch"}, nil); code != 200 {
		t.Fatalf("agent2 to break: %d", code)
	}
	want := map[string]acd.VerifyStatus{"+8613900000201": acd.VerifyVerified, "+8613900000202": acd.VerifyFailed,
		"+8613900000203": acd.VerifyNoInput, "+8613900000204": acd.VerifyHangup}
	var c struct{ ID int64 }
	e.post("/api/v1/campaigns", map[string]any{"name": "核身外呼", "kind": "collection", "media": "voice", "dial_mode": "progressive",
		"strategy_id": e.strategy, "group_id": e.group, "caller_ids": []string{"02161234567"}, "max_abandon_rate": 0.03}, 201, &c)
	var contacts []map[string]string
	for _, ph := range []string{"13900000201", "13900000202", "13900000203", "13900000204"} {
		contacts = append(contacts, map[string]string{"name": "客户" + ph[len(ph)-1:], "phone": ph, "id_number": verifyIDNumber})
	}
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/contacts", c.ID), map[string]any{"contacts": contacts}, 200, nil)
	results := e.verifyEvents(tok)
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/start", c.ID), nil, 200, nil)

	for range want {
		uuid := e.onCall(tok)
		cust := e.channel(uuid)
		agentLeg := cust.BridgedTo
		if agentLeg == "" {
			t.Fatalf("customer %s not bridged to the agent: %+v", uuid, cust)
		}
		expect := want[cust.Destination]
		if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/verify", other, map[string]any{}, nil); code != 403 {
			t.Fatalf("verify someone else's call: %d, want 403", code)
		}
		if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/verify", tok, map[string]any{"flow": "verify id"}, nil); code != 400 {
			t.Fatalf("verify with a bad flow: %d, want 400", code)
		}
		if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/verify", tok, map[string]any{"flow": "verify_id"}, nil); code != 200 {
			t.Fatalf("verify: %d", code)
		}
		if expect == acd.VerifyHangup {
			e.waitFor("the customer in the IVR, the agent reserved", func() bool {
				return e.channel(uuid).Application == "play_and_get_digits" && e.state(tok).State == store.AgentReserved
			})
			if err := e.sim.Hangup(uuid, "NORMAL_CLEARING"); err != nil {
				t.Fatal(err)
			}
			e.waitFor("after-call work with the hangup noted", func() bool {
				v := e.state(tok)
				return v.State == store.AgentACW && v.Verify != nil && v.Verify.Status == acd.VerifyHangup
			})
			e.waitFor("nobody left on the switch", func() bool { return !e.hasChannel(uuid) && !e.hasChannel(agentLeg) })
		} else {
			got := e.waitVerify(results, uuid)
			if got.Result != string(expect) || got.OK != (expect == acd.VerifyVerified) {
				t.Fatalf("%s: verify_result %+v, want %s", cust.Destination, got, expect)
			}
			e.waitFor("back with the same agent", func() bool {
				v := e.state(tok)
				return v.State == store.AgentOnCall && v.Verify != nil && v.Verify.Status == expect && e.channel(uuid).BridgedTo == agentLeg
			})
			t.Logf("%s: %s after %d attempts, back on agent leg %s", cust.Destination, got.Result, got.Attempts, agentLeg)
			e.control(tok, uuid, "hangup", 200)
			e.waitFor("after-call work", func() bool { return e.state(tok).State == store.AgentACW })
		}
		if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/verify", tok, map[string]any{}, nil); code != 409 {
			t.Fatalf("verify a finished call: %d, want 409", code)
		}
		if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/disposition", tok, map[string]any{"result": "verified_" + string(expect)}, nil); code != 200 {
			t.Fatalf("disposition: %d", code)
		}
		e.waitFor("out of after-call work", func() bool { return e.state(tok).State != store.AgentACW })
	}
	var audit struct{ Items []store.AuditEntry }
	if code := e.call(t, "GET", "/api/v1/audit?action=call.verify", e.admin, nil, &audit); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	ok := 0
	for _, a := range audit.Items {
		if a.Action == "call.verify" && a.Result == "ok" && a.Status == 200 {
			ok++
		}
	}
	if ok != 4 {
		t.Errorf("audited verifications: %d ok of %d rows, want 4", ok, len(audit.Items))
	}
}

// verifyScenarioFixed appends the customers to the e2e scenario's own
// overrides.
func verifyScenarioFixed() string {
	return strings.Replace(e2eScenario, "overrides:\n", `overrides:
  - {number: "+8613900000201", outcome: answer, ring: 300ms, dtmf: "071233#"}
  - {number: "+8613900000202", outcome: answer, ring: 300ms, dtmf: "999999# 888888# 777777#"}
  - {number: "+8613900000203", outcome: answer, ring: 300ms}
  - {number: "+8613900000204", outcome: answer, ring: 300ms}
`, 1)
}

func (e *e2e) channel(uuid string) esltest.ChannelInfo {
	for _, ch := range e.sim.Channels() {
		if ch.UUID == uuid {
			return ch
		}
	}
	return esltest.ChannelInfo{}
}

func (e *e2e) hasChannel(uuid string) bool { return e.channel(uuid).UUID != "" }

// verifyEvents follows the agent's stream and passes on verify_result events.
func (e *e2e) verifyEvents(tok string) <-chan feed.VerifyResult {
	return meEvents[feed.VerifyResult](e, tok, feed.EventVerifyResult)
}

func (e *e2e) waitVerify(results <-chan feed.VerifyResult, uuid string) feed.VerifyResult {
	e.t.Helper()
	return waitFor(e.t, results, 2*time.Minute, "verify_result for "+uuid, func(r feed.VerifyResult) bool {
		return r.CallUUID == uuid
	})
}
