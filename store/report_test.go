package store_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestReportsAgreeWithRawRows lays down known traffic and checks every
// measure of the outbound and agents reports, per hour, per day and in
// total, against sums computed here from the raw attempt and state rows.
func TestReportsAgreeWithRawRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 30)
		loc, _ := time.LoadLocation("Asia/Shanghai")
		from, to := tr.start.Truncate(time.Hour), tr.end.Truncate(time.Hour).Add(time.Hour)
		atts, err := s.Attempts(ctx, store.AttemptFilter{CampaignID: tr.d.camp.ID})
		must(t, err)
		states, err := s.AgentStateHistory(ctx, store.AgentStateFilter{AgentIDs: tr.agents, From: from.Add(-time.Hour), To: to.Add(time.Hour)})
		must(t, err)
		if int64(len(atts)) != tr.dials {
			t.Fatalf("%d attempts, want %d", len(atts), tr.dials)
		}
		for _, g := range [][]store.Dimension{{store.DimCampaign, store.DimHour}, {store.DimDay}, nil} {
			rep, err := s.RunReport(ctx, store.ReportOutbound, store.ReportQuery{From: from, To: to, Loc: loc, GroupBy: g})
			must(t, err)
			want := expectOutbound(atts, states, loc, g)
			if len(rep.Rows) != len(want) {
				t.Errorf("outbound by %v: %d rows, want %d", g, len(rep.Rows), len(want))
			}
			for _, r := range rep.Rows {
				key := outboundKey(r, g)
				checkMeasures(t, fmt.Sprintf("outbound by %v row %s", g, key), r, want[key])
			}
			checkMeasures(t, fmt.Sprintf("outbound by %v totals", g), rep.Totals, expectOutbound(atts, states, loc, nil)[""])
		}
		// Whole days of China Standard Time read the day rollups: same figures.
		dayFrom := time.Date(tr.start.In(loc).Year(), tr.start.In(loc).Month(), tr.start.In(loc).Day(), 0, 0, 0, 0, loc)
		dayTo := time.Date(tr.end.In(loc).Year(), tr.end.In(loc).Month(), tr.end.In(loc).Day()+1, 0, 0, 0, 0, loc)
		for _, g := range [][]store.Dimension{{store.DimCampaign, store.DimDay}, nil} {
			rep, err := s.RunReport(ctx, store.ReportOutbound, store.ReportQuery{From: dayFrom, To: dayTo, Loc: loc, GroupBy: g})
			must(t, err)
			want := expectOutbound(atts, states, loc, g)
			for _, r := range rep.Rows {
				key := outboundKey(r, g)
				checkMeasures(t, fmt.Sprintf("outbound by whole days by %v row %s", g, key), r, want[key])
			}
			checkMeasures(t, fmt.Sprintf("outbound by whole days by %v totals", g), rep.Totals, expectOutbound(atts, states, loc, nil)[""])
		}
		dayRep, err := s.RunReport(ctx, store.ReportAgents, store.ReportQuery{From: dayFrom, To: dayTo, Loc: loc, GroupBy: []store.Dimension{store.DimAgent}})
		must(t, err)
		for _, r := range dayRep.Rows {
			id := r["agent_id"].(int64)
			checkMeasures(t, fmt.Sprintf("agent %d by whole days", id), r, expectAgent(atts, states, id))
		}
		rep, err := s.RunReport(ctx, store.ReportAgents, store.ReportQuery{From: from, To: to, Loc: loc, GroupBy: []store.Dimension{store.DimAgent}})
		must(t, err)
		if len(rep.Rows) != len(tr.agents) {
			t.Fatalf("agents report: %d rows, want %d", len(rep.Rows), len(tr.agents))
		}
		for _, r := range rep.Rows {
			id := r["agent_id"].(int64)
			checkMeasures(t, fmt.Sprintf("agent %d", id), r, expectAgent(atts, states, id))
		}
	})
}

func outboundKey(r map[string]any, g []store.Dimension) string {
	k := ""
	for _, d := range g {
		switch d {
		case store.DimCampaign:
			k += fmt.Sprint(r["campaign_id"], "|")
		default:
			k += fmt.Sprint(r[string(d)], "|")
		}
	}
	return k
}

// expectOutbound sums the raw attempts per group, independently of the
// rollup code: class counts, answered (any answer or a connect), persons,
// talk from connect to hangup, waits from answer to connect, and after-call
// work from the agents' acw rows of each call.
func expectOutbound(atts []store.Attempt, states []store.AgentStateEvent, loc *time.Location, g []store.Dimension) map[string]map[string]float64 {
	acw := map[string]float64{}
	for _, e := range states {
		if e.State == store.AgentACW && e.CallUUID != "" && e.EndedAt != nil {
			acw[e.CallUUID] += float64(e.EndedAt.Sub(e.At).Milliseconds())
		}
	}
	out := map[string]map[string]float64{}
	for _, a := range atts {
		local := a.CreatedAt.In(loc)
		k := ""
		for _, d := range g {
			switch d {
			case store.DimCampaign:
				k += fmt.Sprint(a.CampaignID, "|")
			case store.DimDay:
				k += local.Format("2006-01-02") + "|"
			case store.DimHour:
				k += local.Format("2006-01-02 15") + ":00|"
			}
		}
		m := out[k]
		if m == nil {
			m = map[string]float64{}
			out[k] = m
		}
		m["dials"]++
		if a.Outcome == "" {
			continue
		}
		m["finished"]++
		switch a.Outcome {
		case store.ResultAnswered, store.ResultHuman: // no class column of their own
		default:
			m[string(a.Outcome)]++
		}
		connected := a.BridgedAt != nil && a.Outcome != store.ResultAbandoned
		switch a.Outcome {
		case store.ResultAnswered, store.ResultHuman, store.ResultSuccess, store.ResultMachine, store.ResultAbandoned:
			m["answered"]++
		default:
			if connected {
				m["answered"]++
			}
		}
		switch {
		case a.Outcome == store.ResultHuman || a.Outcome == store.ResultSuccess || a.Outcome == store.ResultAbandoned,
			a.Outcome == store.ResultAnswered && a.AMD == store.AMDHuman:
			m["human"]++
		}
		switch a.Outcome {
		case store.ResultAnswered, store.ResultHuman, store.ResultSuccess:
			m["reached"]++
		}
		if connected {
			m["connected"]++
			m["talk_ms"] += float64(a.HungupAt.Sub(*a.BridgedAt).Milliseconds())
			m["wait_ms"] += float64(a.BridgedAt.Sub(*a.AnsweredAt).Milliseconds())
			m["wait_n"]++
		}
		m["acw_ms"] += acw[a.CallUUID]
	}
	for _, m := range out {
		m["answer_rate"] = div(m["answered"], m["dials"])
		m["abandon_rate"] = div(m["abandoned"], m["human"])
		m["talk_s"] = m["talk_ms"] / 1000
		m["acw_s"] = m["acw_ms"] / 1000
		m["avg_talk_s"] = div(m["talk_ms"], m["connected"]) / 1000
		m["asa_s"] = div(m["wait_ms"], m["wait_n"]) / 1000
		m["dials_per_completed"] = div(m["dials"], m["reached"])
		for _, c := range []string{"busy", "no_answer", "rejected", "network_failure", "invalid_number", "cancelled", "machine",
			"abandoned", "lost", "success", "human", "reached", "connected", "answered"} {
			m[c] += 0
		}
	}
	return out
}

// expectAgent sums one agent's connected calls (outbound and inbound) and
// state rows.
func expectAgent(atts []store.Attempt, states []store.AgentStateEvent, agent int64) map[string]float64 {
	m := map[string]float64{"inbound_calls": 0, "outbound_calls": 0, "inbound_talk_s": 0}
	for _, a := range atts {
		if a.AgentID != agent || a.BridgedAt == nil || a.Outcome == "" || a.Outcome == store.ResultAbandoned {
			continue
		}
		m["calls"]++
		if a.Inbound { // talk until the call's end, when the disposition closed it
			m["inbound_calls"]++
			m["inbound_talk_s"] += a.FinishedAt.Sub(*a.BridgedAt).Seconds()
			m["talk_s"] += a.FinishedAt.Sub(*a.BridgedAt).Seconds()
		} else {
			m["outbound_calls"]++
			m["talk_s"] += a.HungupAt.Sub(*a.BridgedAt).Seconds()
		}
	}
	for _, e := range states {
		if e.AgentID != agent || e.EndedAt == nil || e.State == store.AgentSignedOut {
			continue
		}
		d := e.EndedAt.Sub(e.At).Seconds()
		m[string(e.State)+"_s"] += d
		m["signed_in_s"] += d
		if e.State == store.AgentBreak {
			m["break_"+e.Reason+"_s"] += d
		}
	}
	work := m["reserved_s"] + m["on_call_s"] + m["hold_s"] + m["acw_s"]
	m["occupancy"] = div(work, work+m["ready_s"])
	m["calls_per_hour"] = div(m["calls"], m["signed_in_s"]-m["break_s"]) * 3600
	return m
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// checkMeasures compares every expected measure with the report's, and
// that the report carries no measure the raw rows do not explain.
func checkMeasures(t *testing.T, what string, got map[string]any, want map[string]float64) {
	t.Helper()
	if want == nil {
		t.Errorf("%s: unexpected row %v", what, got)
		return
	}
	for k, w := range want {
		if k == "talk_ms" || k == "acw_ms" || k == "wait_ms" || k == "wait_n" {
			continue
		}
		v, ok := got[k]
		if !ok {
			t.Errorf("%s: no %s (want %v)", what, k, w)
			continue
		}
		var f float64
		switch n := v.(type) {
		case int64:
			f = float64(n)
		case float64:
			f = n
		}
		if math.Abs(f-w) > 1e-6 {
			t.Errorf("%s: %s = %v, want %v", what, k, v, w)
		}
	}
}
