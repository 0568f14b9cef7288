package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestReportPeriodInsideDays: a period that starts and ends inside days of
// China time is summed from the day rollups in between and the hour rollups
// of its two edges, each part on its own, then merged. Its figures must
// equal sums over the raw rows of exactly that period: nothing from before
// or after it, nothing counted twice where parts meet.
func TestReportPeriodInsideDays(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		day := time.Date(2026, 5, 10, 0, 0, 0, 0, store.ReportZone)
		var atts []store.Attempt
		var states []store.AgentStateEvent
		reasons := []string{"meal", "restroom"}
		// Four days of calls and breaks, every 70 minutes from 00:10, so
		// rows fall before, inside and after the period and at its edges.
		for i, at := 0, day.Add(10*time.Minute); at.Before(day.AddDate(0, 0, 4)); i, at = i+1, at.Add(70*time.Minute) {
			fin := at.Add(40 * time.Second)
			a := store.Attempt{CallUUID: fmt.Sprintf("parts-%d", i), CampaignID: int64(1 + i%3), CreatedAt: at.UTC(), UpdatedAt: fin.UTC(),
				State: "ended", Outcome: store.ResultBusy, Result: "busy", FinishedAt: ptrTime(fin.UTC()), OtherUUIDs: []string{}}
			atts = append(atts, a)
			end := at.Add(time.Duration(5+i%7) * time.Minute)
			states = append(states, store.AgentStateEvent{AgentID: int64(1 + i%2), State: store.AgentBreak, Reason: reasons[i%2],
				At: at.UTC(), EndedAt: ptrTime(end.UTC()), DurationMS: end.Sub(at).Milliseconds()})
		}
		l := s.NewBulkLoader()
		must(t, l.Attempts(ctx, atts))
		must(t, l.States(ctx, states))
		must(t, l.Flush(ctx))

		from, to := day.Add(9*time.Hour), day.AddDate(0, 0, 2).Add(9*time.Hour)
		dials := map[int64]int64{}
		breaks := map[string]float64{}
		for _, a := range atts {
			if !a.CreatedAt.Before(from) && a.CreatedAt.Before(to) {
				dials[a.CampaignID]++
			}
		}
		for _, e := range states { // each break lies inside one hour
			if !e.At.Before(from) && e.At.Before(to) {
				breaks[fmt.Sprintf("%d/%s", e.AgentID, e.Reason)] += float64(e.DurationMS) / 1000
			}
		}
		for _, g := range [][]store.Dimension{{store.DimCampaign}, {store.DimCampaign, store.DimDay}} {
			rep, err := s.RunReport(ctx, store.ReportOutbound, store.ReportQuery{From: from, To: to, Loc: store.ReportZone, GroupBy: g})
			must(t, err)
			got := map[int64]int64{}
			for _, r := range rep.Rows {
				got[r["campaign_id"].(int64)] += r["dials"].(int64)
			}
			if fmt.Sprint(got) != fmt.Sprint(dials) {
				t.Errorf("outbound by %v: dials %v, want %v", g, got, dials)
			}
			want := 3 // campaigns
			if len(g) == 2 {
				want = 3 * 3 // on 3 dates
			}
			if len(rep.Rows) != want {
				t.Errorf("outbound by %v: %d rows, want %d", g, len(rep.Rows), want)
			}
		}
		rep, err := s.RunReport(ctx, store.ReportAgents, store.ReportQuery{From: from, To: to, Loc: store.ReportZone,
			GroupBy: []store.Dimension{store.DimAgent}})
		must(t, err)
		got := map[string]float64{}
		for _, r := range rep.Rows {
			for _, reason := range reasons {
				if v := r["break_"+reason+"_s"].(float64); v != 0 { // each agent takes one kind of break
					got[fmt.Sprintf("%d/%s", r["agent_id"].(int64), reason)] = v
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(breaks) {
			t.Errorf("agents: breaks %v, want %v", got, breaks)
		}
	})
}
