package api

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// A call's script follows the call through the real desk (simulated
// switch): a1 answers the first question, a blind transfer takes the script
// with its answers to a2, a1's "transferred" disposition leaves it alone,
// and a2's disposition binds its result to the answers (R28, R29).
func TestScriptFollowsTransferThroughDesk(t *testing.T) {
	r := newDeskRig(t)
	a1, tok1 := r.agent("script_a1", "1001")
	a2, tok2 := r.agent("script_a2", "1002")
	r.do("POST", "/api/v1/me/softphone/login", tok1, softphoneLoginRequest{Ready: true}, 200, nil)
	r.do("POST", "/api/v1/me/softphone/login", tok2, softphoneLoginRequest{Ready: true}, 200, nil)
	nodes := exampleScriptNodes()
	nodes[1].ArticleIDs = nil
	var sc store.ScriptView
	r.do("POST", "/api/v1/scripts", r.tokens[store.RoleAdmin], map[string]any{"title": "转接话术", "start": "q1", "nodes": nodes, "publish": true}, 201, &sc)

	// a2 is on break so that the call goes to a1.
	r.do("POST", "/api/v1/me/state", tok2, stateRequest{State: deskBreak, Reason: "meeting"}, 200, nil)
	cust := r.customer()
	var fin finishLog
	conn, err := r.desk.Connect(context.Background(), dialer.ConnectRequest{Leg: cust, GroupID: r.group, CampaignID: 1,
		Deadline: time.Now().Add(time.Minute), Finish: fin.finish})
	if err != nil || conn.AgentID != a1.ID {
		t.Fatalf("connect: %+v %v", conn, err)
	}
	waitUntil(t, "a1 on call", func() bool { return r.stateOf(tok1).State == store.AgentOnCall })
	r.do("POST", "/api/v1/me/state", tok2, stateRequest{State: deskReady}, 200, nil)

	script := "/api/v1/me/script-sessions/" + cust.UUID()
	start := map[string]any{"call_uuid": cust.UUID(), "script_id": sc.ID}
	r.do("POST", "/api/v1/me/script-sessions", tok2, start, 409, nil) // not a2's call
	r.do("POST", "/api/v1/me/script-sessions", tok1, start, 200, nil)
	r.do("POST", script+"/answers", tok1, map[string]any{"node_id": "q1", "value": "yes"}, 200, nil)

	r.do("POST", "/api/v1/me/calls/"+cust.UUID()+"/transfer", tok1, transferRequest{To: "agent:" + strconv.FormatInt(a2.ID, 10)}, 200, nil)
	waitUntil(t, "a2 on call", func() bool { return r.stateOf(tok2).State == store.AgentOnCall })
	r.do("POST", "/api/v1/me/calls/"+cust.UUID()+"/disposition", tok1, dispositionRequest{Result: "transferred"}, 200, nil)
	r.do("GET", script, tok1, nil, 404, nil)
	var sv scriptSessionView
	r.do("GET", script, tok2, nil, 200, &sv)
	if sv.AgentID != a2.ID || len(sv.Answers) != 1 || sv.Current != "q2" || sv.Disposition != "" {
		t.Fatalf("a2's session after the transfer: %+v", sv.ScriptSession)
	}
	r.do("POST", script+"/answers", tok2, map[string]any{"node_id": "q2"}, 200, nil)
	r.do("POST", "/api/v1/me/calls/"+cust.UUID()+"/hangup", tok2, nil, 200, nil)
	waitUntil(t, "a2 in acw", func() bool { return r.stateOf(tok2).State == store.AgentACW })
	r.do("POST", "/api/v1/me/calls/"+cust.UUID()+"/disposition", tok2, dispositionRequest{Result: "success",
		Answers: map[string]any{"promise_amount": 3000, "promise_date": "2026-12-31"}}, 200, nil)
	r.do("GET", script, tok2, nil, 200, &sv)
	if sv.Disposition != "success" || sv.Business["promise_amount"] != "3000" || sv.Outcome != "success" || len(sv.Answers) != 1 {
		t.Fatalf("after the disposition: %+v", sv.ScriptSession)
	}
}
