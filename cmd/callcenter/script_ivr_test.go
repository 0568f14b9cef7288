package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

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

// Every IVR result is stored for the ivr report: its campaign from the
// leg's cc_campaign_id, the verification, the survey answers, and the
// flow's rollup row.
func TestIVRStoreKeepsResultsForTheReport(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	rep := ivrStore{st: st, log: slog.New(slog.DiscardHandler)}
	start := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	rep.IVRResult(ctx, ivr.Result{CallUUID: "b-1", Flow: "notify", Outcome: ivr.OutcomeCompleted, Started: start, Ended: start.Add(12 * time.Second),
		Answers: []ivr.Answer{{Var: "confirm", Digits: "1"}}, ChannelVars: map[string]string{"cc_campaign_id": "4"}})
	rep.IVRResult(ctx, ivr.Result{CallUUID: "v-1", Flow: "verify_id", Outcome: ivr.OutcomeHandback, Verified: true, Attempts: 2,
		Started: start.Add(time.Minute), Ended: start.Add(90 * time.Second)})
	calls, answers, err := st.IVRCalls(ctx, start, start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 || calls[0].CampaignID != 4 || calls[0].DurationMS != 12000 || calls[1].VerifyN != 2 || !calls[1].Verified {
		t.Fatalf("ivr calls %+v", calls)
	}
	if len(answers) != 1 || answers[0].Var != "confirm" || answers[0].Digits != "1" {
		t.Fatalf("answers %+v", answers)
	}
	r, err := st.RunReport(ctx, store.ReportIVR, store.ReportQuery{From: start, To: start.Add(time.Hour), GroupBy: []store.Dimension{store.DimFlow}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 || r.Totals["entries"] != int64(2) || r.Totals["to_agents"] != int64(1) || r.Totals["verified"] != int64(1) ||
		r.Totals[store.AnswerColumn("confirm", "1")] != int64(1) {
		t.Fatalf("ivr report %+v totals %+v", r.Rows, r.Totals)
	}
}
