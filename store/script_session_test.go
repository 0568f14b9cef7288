package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// sessionFixture: a published script (version 1), a campaign using it and
// an attempt (call) of that campaign.
func sessionFixture(t *testing.T, s *store.Store, uuid string) (*store.ScriptView, *store.Campaign) {
	t.Helper()
	ctx := context.Background()
	sc, err := s.CreateScript(ctx, &store.ScriptDraft{Title: "信用卡逾期还款提醒", Flow: sampleFlow()}, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	camp := &store.Campaign{Name: "逾期提醒", Kind: store.KindCollection, Media: store.MediaVoice, DialMode: store.DialPreview, Priority: 5, ScriptID: &sc.ID}
	if err := s.CreateCampaign(ctx, camp); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: uuid, CampaignID: camp.ID, ContactID: 1, Destination: "+8613800138000", State: "answered"}); err != nil {
		t.Fatal(err)
	}
	return sc, camp
}

func TestScriptSessionFlow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sc, camp := sessionFixture(t, s, "call-1")
		const agent, agent2 = 7, 8
		ss, err := s.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "call-1", AgentID: agent})
		if err != nil {
			t.Fatal(err)
		}
		if ss.ScriptID != sc.ID || ss.Version != 1 || ss.Current != "q1" || ss.CampaignID != camp.ID {
			t.Fatalf("started: %+v", ss)
		}
		// A new version is published while the call runs: the call keeps version 1.
		d := &store.ScriptDraft{Title: "信用卡逾期还款提醒", Flow: sampleFlow()}
		d.Flow.Nodes[1].Text = "第二版"
		if _, err := s.SaveScript(ctx, sc.ID, d, 0, 1, true); err != nil {
			t.Fatal(err)
		}
		if again, err := s.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "call-1", AgentID: agent}); err != nil || again.ID != ss.ID || again.Version != 1 {
			t.Fatalf("reload: %+v %v", again, err)
		}
		if _, err := s.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "call-1", AgentID: agent2}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("another agent took the session: %v", err)
		}
		if _, err := s.AnswerScript(ctx, "call-1", agent, "q1", "yes"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerScript(ctx, "call-1", agent2, "q2", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another agent answered: %v", err)
		}
		// Pause for a complaint, refused answers while paused, resume where it was.
		p, err := s.PauseScript(ctx, "call-1", agent, store.PauseComplaint, "客户投诉服务态度")
		if err != nil || p.Status != store.SessionPaused {
			t.Fatalf("pause: %+v %v", p, err)
		}
		if _, err := s.AnswerScript(ctx, "call-1", agent, "q2", ""); !errors.Is(err, store.ErrSessionPaused) {
			t.Fatalf("answer while paused: %v", err)
		}
		if _, err := s.PauseScript(ctx, "call-1", agent, "lunch", ""); err == nil {
			t.Fatal("unknown pause reason accepted")
		}
		r, err := s.ResumeScript(ctx, "call-1", agent)
		if err != nil || r.Status != store.SessionActive || r.Current != "q2" {
			t.Fatalf("resume: %+v %v", r, err)
		}
		if _, err := s.AnswerScript(ctx, "call-1", agent, "q3", "500"); err == nil {
			t.Fatal("answered a node that is not current")
		}
		if _, err := s.AnswerScript(ctx, "call-1", agent, "q2", ""); err != nil {
			t.Fatal(err)
		}
		// Transfer: the session and its answers move to agent2.
		if err := s.MoveScriptSession(ctx, "call-1", agent2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AnswerScript(ctx, "call-1", agent, "q3", "500"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the first agent still answers after the transfer: %v", err)
		}
		// A transfer to a group: agent2 releases it, agent 9 who takes the call claims it, then hands it back.
		if err := s.ReleaseScriptSession(ctx, "call-1", agent2); err != nil {
			t.Fatal(err)
		}
		if got, err := s.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "call-1", AgentID: 9}); err != nil || got.AgentID != 9 || got.Current != "q3" {
			t.Fatalf("claim after release: %+v %v", got, err)
		}
		if err := s.MoveScriptSession(ctx, "call-1", agent2); err != nil {
			t.Fatal(err)
		}
		end, err := s.AnswerScript(ctx, "call-1", agent2, "q3", "1500")
		if err != nil || end.Status != store.SessionFinished || end.Outcome != "success" || !slices.Equal(end.Agents, []int64{agent, agent2, 9, agent2}) {
			t.Fatalf("end: %+v %v", end, err)
		}
		// Going back to q3 reopens the flow; a smaller amount ends elsewhere.
		end, err = s.AnswerScript(ctx, "call-1", agent2, "q3", "300")
		if err != nil || end.Outcome != "promise_partial" {
			t.Fatalf("re-answer: %+v %v", end, err)
		}
		bound, err := s.BindScriptResults(ctx, "call-1", agent2, "promise", map[string]string{"promise_date": "2026-12-31", "promise_amount": "300"})
		if err != nil || bound.Disposition != "promise" || bound.Business["promise_amount"] != "300" {
			t.Fatalf("bind: %+v %v", bound, err)
		}
		if _, err := s.AnswerScript(ctx, "call-1", agent2, "q3", "100"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("answer after the disposition: %v", err)
		}
		as, err := s.ScriptSessionAnswers(ctx, ss.ID)
		if err != nil || len(as) != 2 || as[0].NodeID != "q1" || as[1].Value != "300" || as[1].AgentID != agent2 {
			t.Fatalf("answers: %+v %v", as, err)
		}
		// A second call starts on the published version 2.
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "call-2", CampaignID: camp.ID, ContactID: 1, State: "answered"}); err != nil {
			t.Fatal(err)
		}
		ss2, err := s.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "call-2", AgentID: agent})
		if err != nil || ss2.Version != 2 {
			t.Fatalf("second call: %+v %v", ss2, err)
		}
		rep, err := s.ScriptAnswerReport(ctx, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sessions != 2 || len(rep.Questions) != 2 || rep.Questions[0].NodeID != "q1" || rep.Questions[0].Values[0].Label != "是" ||
			rep.Questions[1].Values[0].ByOutcome["promise_partial"] != 1 {
			t.Fatalf("report: %+v", rep)
		}
	})
}

func TestCampaignScriptMustExist(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		missing := int64(42)
		camp := &store.Campaign{Name: "无话术", Kind: store.KindSurvey, Media: store.MediaVoice, DialMode: store.DialPreview, Priority: 5, ScriptID: &missing}
		err := s.CreateCampaign(context.Background(), camp)
		if err == nil || !strings.Contains(err.Error(), "script_id: script 42 does not exist") {
			t.Fatalf("campaign with a missing script: %v", err)
		}
	})
}

func TestScriptSessionIVR(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sessionFixture(t, s, "ivr-1")
		// The IVR asks q1 by DTMF before an agent takes the call.
		ss, err := s.JoinIVRRecord(ctx, "ivr-1", store.IVRRecord{Record: map[string]string{"flow": "verify_id", "verified": "true"},
			DTMF: map[string]string{"q1": "yes"}})
		if err != nil || ss.AgentID != 0 || ss.Current != "q2" || ss.IVR["verified"] != "true" {
			t.Fatalf("ivr join: %+v %v", ss, err)
		}
		got, err := s.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: "ivr-1", AgentID: 9})
		if err != nil || got.ID != ss.ID || got.AgentID != 9 || got.Current != "q2" {
			t.Fatalf("agent takes the IVR's session: %+v %v", got, err)
		}
		as, _ := s.ScriptSessionAnswers(ctx, ss.ID)
		if len(as) != 1 || as[0].Source != store.SourceIVR {
			t.Fatalf("answers: %+v", as)
		}
		if _, err := s.JoinIVRRecord(ctx, "ivr-1", store.IVRRecord{DTMF: map[string]string{"q3": "abc"}}); err == nil {
			t.Fatal("an IVR answer off the flow's way accepted")
		}
	})
}
