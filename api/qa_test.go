package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// TestQAScoring: a scorer below the agent's level gets 403 on score (and
// on listening, by the same rule); three scorers calibrate one call and see
// their spread; the agent sees only their own scores and may appeal them,
// a reviewer decides; scoring is audited and in the qa report.
func TestQAScoring(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	agent, agentTok := h.users[store.RoleAgent], h.tokens[store.RoleAgent]
	other, otherTok := h.addUser("agent_other", store.RoleAgent)
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", agent.ID), admin, map[string]any{"level": 5}, 200, nil)
	var scorers []string
	for i, lvl := range []int{6, 7, 8} {
		u, tok := h.addUser(fmt.Sprintf("qa_%d", i), store.RoleQA)
		h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), admin, map[string]any{"level": lvl}, 200, nil)
		scorers = append(scorers, tok)
	}
	low, lowTok := h.addUser("qa_low", store.RoleQA)
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", low.ID), admin, map[string]any{"level": 1}, 200, nil)
	ctx := t.Context()
	call := &store.Attempt{CallUUID: "qa-call-1", AgentID: agent.ID, Destination: "+8613800138000", State: "hangup"}
	must(t, h.srv.store.SaveAttempt(ctx, call))
	got, err := h.srv.store.GetAttemptByUUID(ctx, "qa-call-1")
	must(t, err)
	now := time.Now()
	must(t, h.srv.store.SaveRecording(ctx, &store.Recording{AttemptID: got.ID, CallUUID: "qa-call-1", AgentID: agent.ID, Path: "qa-call-1.wav",
		Bytes: 44, SHA256: strings.Repeat("0", 64), StartedAt: now.Add(-time.Minute), EndedAt: now}))
	callOther := &store.Attempt{CallUUID: "qa-call-2", AgentID: other.ID, Destination: "+8613800138001", State: "hangup"}
	must(t, h.srv.store.SaveAttempt(ctx, callOther))
	got2, err := h.srv.store.GetAttemptByUUID(ctx, "qa-call-2")
	must(t, err)

	var sc store.Scorecard
	h.do("POST", "/api/v1/qa/scorecards", scorers[0], scorecardRequest{Name: "质检", Items: []store.ScorecardItem{
		{Key: "greeting", Weight: 1, MaxScore: 5}, {Key: "compliance", Weight: 3, MaxScore: 10, Critical: true}}}, 201, &sc)
	score := func(tok string, callID int64, g, c int, want int) store.QAScore {
		var out store.QAScore
		h.do("POST", "/api/v1/qa/scores", tok, scoreRequest{ScorecardID: sc.ID, CallID: callID,
			Items:    []store.ItemScore{{Key: "greeting", Score: g}, {Key: "compliance", Score: c}},
			Comments: []store.QAComment{{AtMS: 3200, Text: "开场白不完整"}}}, want, &out)
		return out
	}
	score(lowTok, got.ID, 5, 10, 403)
	h.do("GET", fmt.Sprintf("/api/v1/calls/%d/recording", got.ID), lowTok, nil, 403, nil)
	s1 := score(scorers[0], got.ID, 5, 10, 201)
	s2 := score(scorers[1], got.ID, 3, 8, 201)
	s3 := score(scorers[2], got.ID, 4, 0, 201) // critical item failed
	score(scorers[0], got.ID, 5, 10, 409)      // one score per scorer and call
	score(scorers[0], got2.ID, 2, 5, 201)
	if s1.Total != 100 || s2.Total != 75 || s3.Total != 0 || !s3.CriticalFailed {
		t.Errorf("totals %v %v %v (critical %v), want 100, 75, 0 (critical)", s1.Total, s2.Total, s3.Total, s3.CriticalFailed)
	}
	var cal store.Calibration
	h.do("GET", fmt.Sprintf("/api/v1/qa/calibration?call_id=%d", got.ID), scorers[1], nil, 200, &cal)
	if len(cal.Scores) != 3 || cal.Spread != 100 || cal.Mean != 58.33 || cal.Items["compliance"] != 10 || cal.Items["greeting"] != 2 {
		t.Errorf("calibration %+v", cal)
	}
	var mine list[store.QAScore]
	h.do("GET", "/api/v1/qa/scores", agentTok, nil, 200, &mine)
	if mine.Total != 3 {
		t.Errorf("agent sees %d scores, want their own 3", mine.Total)
	}
	h.do("GET", fmt.Sprintf("/api/v1/qa/scores?agent_id=%d", other.ID), agentTok, nil, 200, &mine)
	if mine.Total != 3 || mine.Items[0].AgentID != agent.ID {
		t.Errorf("agent asking for another's scores got %+v", mine.Items)
	}
	h.do("POST", fmt.Sprintf("/api/v1/qa/scores/%d/appeal", s3.ID), otherTok, appealRequest{Text: "不是我的"}, 403, nil)
	var ap store.QAScore
	h.do("POST", fmt.Sprintf("/api/v1/qa/scores/%d/appeal", s3.ID), agentTok, appealRequest{Text: "已核实身份，见 00:05"}, 200, &ap)
	if ap.Appeal != store.AppealOpen {
		t.Errorf("appeal %+v", ap)
	}
	h.do("POST", fmt.Sprintf("/api/v1/qa/scores/%d/resolve", s3.ID), agentTok, resolveRequest{Decision: store.AppealUpheld}, 403, nil)
	h.do("POST", fmt.Sprintf("/api/v1/qa/scores/%d/resolve", s3.ID), scorers[1], resolveRequest{Decision: store.AppealUpheld}, 200, &ap)
	if ap.Appeal != store.AppealUpheld {
		t.Errorf("resolved %+v", ap)
	}
	var rep store.Report
	day := now.UTC().Format(time.DateOnly)
	h.do("GET", "/api/v1/reports/qa?group_by=agent&tz=UTC&from="+day+"&to="+now.UTC().AddDate(0, 0, 2).Format(time.DateOnly), scorers[0], nil, 200, &rep)
	if len(rep.Rows) != 2 || rep.Totals["scores"].(float64) != 4 || rep.Totals["critical_failures"].(float64) != 1 || rep.Totals["appeals_upheld"].(float64) != 1 {
		t.Errorf("qa report %+v totals %+v", rep.Rows, rep.Totals)
	}
	for _, a := range []string{"qa.score", "qa.appeal", "qa.appeal_resolve"} {
		if len(h.auditOf(a)) == 0 {
			t.Errorf("no %s audit entry", a)
		}
	}
}
