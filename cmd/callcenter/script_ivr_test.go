package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// An IVR caller queued for an agent brings the IVR's record and the DTMF
// answer to the script's first question into a session the agent claims.
func TestScriptIVRJoinsTheRecord(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	sc, err := st.CreateScript(ctx, &store.ScriptDraft{Title: "回访", Flow: store.ScriptFlow{Start: "q1", Nodes: []store.ScriptNode{
		{ID: "q1", Type: store.NodeQuestion, Text: "满意请按1，不满意请按2", AnswerType: store.AnswerSingle,
			Options: []store.ScriptOption{{Value: "1", Label: "满意", Next: "q2"}, {Value: "2", Label: "不满意", Next: "q2"}}},
		{ID: "q2", Type: store.NodeText, Text: "感谢您的反馈", Next: "end"},
		{ID: "end", Type: store.NodeEnd, Outcome: "success"}}}}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	rep := scriptIVR{st: st, log: slog.New(slog.DiscardHandler)}
	rep.IVRResult(ctx, ivr.Result{CallUUID: "ivr-call-1", Flow: "survey", Outcome: ivr.OutcomeQueued, Verified: true,
		Answers:     []ivr.Answer{{Var: "script.q1", Digits: "2"}, {Var: "menu", Digits: "0"}},
		ChannelVars: map[string]string{"cc_script_id": "1"}})
	ss, err := st.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "ivr-call-1", AgentID: 5})
	if err != nil {
		t.Fatal(err)
	}
	if ss.ScriptID != sc.ID || ss.Current != "q2" || ss.IVR["flow"] != "survey" || ss.IVR["verified"] != "true" || ss.IVR["dtmf.menu"] != "0" {
		t.Fatalf("session: %+v", ss)
	}
	as, _ := st.ScriptSessionAnswers(ctx, ss.ID)
	if len(as) != 1 || as[0].Value != "2" || as[0].Source != store.SourceIVR {
		t.Fatalf("answers: %+v", as)
	}
	// A caller who hangs up in the IVR, and a call with no script, are left alone.
	rep.IVRResult(ctx, ivr.Result{CallUUID: "ivr-call-2", Flow: "survey", Outcome: ivr.OutcomeHangup, ChannelVars: map[string]string{"cc_script_id": "1"}})
	rep.IVRResult(ctx, ivr.Result{CallUUID: "ivr-call-3", Flow: "survey", Outcome: ivr.OutcomeQueued})
	for _, uuid := range []string{"ivr-call-2", "ivr-call-3"} {
		if _, err := st.ScriptSessionByCall(ctx, uuid); err == nil {
			t.Errorf("%s has a script session", uuid)
		}
	}
}
