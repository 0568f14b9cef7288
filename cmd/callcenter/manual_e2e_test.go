package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/store"
)

// Manual dial and the answer button through the REST API against the
// simulator: an agent on a break, whose phone has no auto-answer, dials a
// number with a caller ID from the campaign's pool; the customer answers,
// the agent's phone rings and is answered from the desktop
// (uuid_phone_event talk); the call is recorded, closed by the
// disposition, stored as an attempt with its caller ID, and the agent is
// back on the break. A caller ID outside the pool is 400 naming caller_id, a dial while on a
// call 409.
func TestE2EManualDialAndAnswer(t *testing.T) {
	scen := strings.Replace(e2eScenario, "users:\n", "users:\n  - {extension: \"1004\", registered: true}\n", 1)
	e := startE2EWith(t, scen, map[string]string{"CC_ACD_GATEWAY": "gw1"})
	agentID, tok := e.agent("agent4", "1004")
	if code := e.call(t, "POST", "/api/v1/me/state", tok, map[string]any{"state": "break", "reason": "meeting"}, nil); code != 200 {
		t.Fatalf("break: %d", code)
	}
	camp := e.campaign("手工外呼", "preview", "13900000499")
	dial := func(body map[string]any, want int) acd.DialResult {
		t.Helper()
		var res acd.DialResult
		if code := e.call(t, "POST", "/api/v1/me/calls/new/dial", tok, body, &res); code != want {
			t.Fatalf("dial %v: %d, want %d", body, code, want)
		}
		return res
	}
	dial(map[string]any{"phone": "13900000401", "caller_id": "4000000000", "campaign_id": camp}, 400)
	dial(map[string]any{"phone": "12", "campaign_id": camp}, 400)
	res := dial(map[string]any{"phone": "13900000401", "caller_id": "02161234567", "campaign_id": camp}, 200)
	if res.CallerID != "02161234567" || res.CallUUID == "" {
		t.Fatalf("dial result %+v", res)
	}
	dial(map[string]any{"phone": "13900000402", "campaign_id": camp}, 409)
	e.waitFor("the agent's phone ringing", func() bool {
		for _, ch := range e.sim.Channels() {
			if ch.Destination == "1004" && ch.CallState == "RINGING" {
				return true
			}
		}
		return false
	})
	if st := e.state(tok); st.State != store.AgentReserved || st.CallUUID != res.CallUUID {
		t.Fatalf("while ringing: %+v", st)
	}
	e.control(tok, res.CallUUID, "answer", 200)
	if got := e.onCall(tok); got != res.CallUUID {
		t.Fatalf("on call %s, want %s", got, res.CallUUID)
	}
	e.control(tok, res.CallUUID, "answer", 409)
	e.control(tok, res.CallUUID, "hangup", 200)
	e.waitFor("after-call work", func() bool { return e.state(tok).State == store.AgentACW })
	if code := e.call(t, "POST", "/api/v1/me/calls/"+res.CallUUID+"/disposition", tok, map[string]any{"result": "promised"}, nil); code != 200 {
		t.Fatalf("disposition: %d", code)
	}
	e.waitFor("back on the break", func() bool { v := e.state(tok); return v.State == store.AgentBreak && v.Reason == "meeting" })
	var row callRow
	e.waitFor("the manual call in the history with its recording", func() bool {
		for _, r := range e.calls(camp) {
			if r.CallUUID == res.CallUUID && r.FinishedAt != nil && len(r.Recordings) == 1 {
				row = r
				return true
			}
		}
		return false
	})
	if row.AgentID != agentID || row.CallerID != "02161234567" || row.Disposition != "promised" || row.Destination != "+8613900000401" {
		t.Errorf("manual attempt %+v", row.Attempt)
	}
	e.playRecording(row)
	var audit struct{ Items []store.AuditEntry }
	e.call(t, "GET", "/api/v1/audit?action=call.dial", e.admin, nil, &audit)
	if len(audit.Items) == 0 || strings.Contains(fmt.Sprint(audit.Items), "13900000401") {
		t.Errorf("dial audit rows %d, phone masked: %v", len(audit.Items), audit.Items)
	}
}
