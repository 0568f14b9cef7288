package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestAgentsReportCountsInboundCalls lays down known outbound traffic
// (genTraffic) and then inbound callers queued for a group, taken by the
// same agents (and one abandoned in the queue), and checks every measure of
// the agents report, per agent and in total, against the raw attempt and
// state rows; the rollups then equal a rebuild.
func TestAgentsReportCountsInboundCalls(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 20)
		g := &store.Group{Name: "inbound-" + fmt.Sprint(tr.d.camp.ID), Kind: store.GroupAgent}
		must(t, s.CreateGroup(ctx, g))
		now := tr.end
		inbound := 0
		for i, agent := range tr.agents {
			sess := &store.AgentSession{AgentID: agent, Extension: fmt.Sprintf("20%02d", i), Mode: store.SoftphoneRegistered, SignedInAt: now}
			must(t, s.OpenAgentSession(ctx, sess, store.FirstState{State: store.AgentReady}))
			for k := 0; k < 3+i; k++ { // 3 calls for the first agent, 4 for the second
				now = now.Add(4 * time.Minute)
				inboundCall(t, s, tr, sess, g.ID, fmt.Sprintf("in-%d-%d-%d", tr.d.camp.ID, i, k), now, time.Duration(40+17*k)*time.Second)
				inbound++
			}
		}
		// A caller who hangs up in the queue counts for no agent.
		lost := &store.Attempt{CallUUID: fmt.Sprintf("in-%d-lost", tr.d.camp.ID), Destination: "13800000099", State: "answered", CreatedAt: now, AnsweredAt: &now}
		_, err := s.EnterQueue(ctx, lost, g.ID, now)
		must(t, err)
		_, err = s.LeaveQueue(ctx, store.QueueLeave{CallUUID: lost.CallUUID, Outcome: store.QueueAbandoned, At: now.Add(30 * time.Second)})
		must(t, err)
		now = now.Add(10 * time.Minute)
		_, err = s.CloseOpenAgentSessions(ctx, now, store.EndSignOut)
		must(t, err)

		loc, _ := time.LoadLocation("Asia/Shanghai")
		from, to := tr.start.Truncate(time.Hour), now.Truncate(time.Hour).Add(time.Hour)
		atts, err := s.Attempts(ctx, store.AttemptFilter{From: from, To: to})
		must(t, err)
		states, err := s.AgentStateHistory(ctx, store.AgentStateFilter{AgentIDs: tr.agents, From: from.Add(-time.Hour), To: to.Add(time.Hour)})
		must(t, err)
		var seenInbound int
		for _, a := range atts {
			if a.Inbound && a.Connected {
				seenInbound++
			}
		}
		if seenInbound != inbound {
			t.Fatalf("%d inbound attempts taken by agents, want %d", seenInbound, inbound)
		}
		dayFrom := time.Date(from.In(loc).Year(), from.In(loc).Month(), from.In(loc).Day(), 0, 0, 0, 0, loc)
		dayTo := time.Date(to.In(loc).Year(), to.In(loc).Month(), to.In(loc).Day()+1, 0, 0, 0, 0, loc)
		for _, p := range []struct {
			what     string
			from, to time.Time
		}{{"hours", from, to}, {"whole days", dayFrom, dayTo}} {
			rep, err := s.RunReport(ctx, store.ReportAgents, store.ReportQuery{From: p.from, To: p.to, Loc: loc, GroupBy: []store.Dimension{store.DimAgent}})
			must(t, err)
			if len(rep.Rows) != len(tr.agents) {
				t.Fatalf("agents report over %s: %d rows, want %d", p.what, len(rep.Rows), len(tr.agents))
			}
			total := map[string]float64{}
			for _, r := range rep.Rows {
				id := r["agent_id"].(int64)
				want := expectAgent(atts, states, id)
				if want["inbound_calls"] < 3 || want["outbound_calls"] < 3 {
					t.Fatalf("agent %d: too little traffic %v", id, want)
				}
				checkMeasures(t, fmt.Sprintf("agent %d over %s", id, p.what), r, want)
				for k, v := range want {
					total[k] += v
				}
			}
			for _, k := range []string{"calls", "inbound_calls", "outbound_calls", "talk_s", "inbound_talk_s", "on_call_s", "acw_s", "break_s"} {
				checkMeasures(t, fmt.Sprintf("agents totals over %s", p.what), map[string]any{k: rep.Totals[k]}, map[string]float64{k: total[k]})
			}
		}
		r1, err := s.Rollups(ctx)
		must(t, err)
		_, err = s.RebuildRollups(ctx)
		must(t, err)
		r2, err := s.Rollups(ctx)
		must(t, err)
		if fmt.Sprint(r1) != fmt.Sprint(r2) {
			t.Errorf("rollups differ after rebuild:\nincremental %+v\nrebuilt     %+v", r1, r2)
		}
	})
}

// inboundCall walks one inbound caller through the queue to the agent, the
// talk, after-call work and the disposition, as the desk writes them.
func inboundCall(t *testing.T, s *store.Store, tr *traffic, sess *store.AgentSession, group int64, uuid string, at time.Time, talk time.Duration) {
	t.Helper()
	ctx := context.Background()
	a := &store.Attempt{CallUUID: uuid, Destination: "13800000001", State: "answered", CreatedAt: at, AnsweredAt: &at}
	_, err := s.EnterQueue(ctx, a, group, at)
	must(t, err)
	bridged := at.Add(12 * time.Second)
	tr.state(sess, store.AgentReserved, "", uuid, at.Add(9*time.Second))
	_, err = s.LeaveQueue(ctx, store.QueueLeave{CallUUID: uuid, Outcome: store.QueueAnswered, AgentID: sess.AgentID, At: bridged})
	must(t, err)
	tr.state(sess, store.AgentOnCall, "", uuid, bridged)
	end := bridged.Add(talk)
	tr.state(sess, store.AgentACW, "", uuid, end)
	ok, err := s.CloseInboundCall(ctx, uuid, sess.AgentID, "answered_question", end)
	must(t, err)
	if !ok {
		t.Fatalf("inbound call %s not closed", uuid)
	}
	tr.state(sess, store.AgentReady, "", "", end.Add(20*time.Second))
	tr.state(sess, store.AgentBreak, "meal", "", end.Add(time.Minute))
	tr.state(sess, store.AgentReady, "", "", end.Add(2*time.Minute))
}
