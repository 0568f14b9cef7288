package store_test

import (
	"context"
	"maps"
	"reflect"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// checkQA compares the QA report (from the rollup, and by scorer from the
// scores) with the report summed over the scores, for every query.
func checkQA(t *testing.T, s *store.Store, agent, campaign int64, what string) {
	t.Helper()
	ctx := context.Background()
	qs := workflowQueries(agent, campaign)
	byScorer := qs[2]
	byScorer.GroupBy = []store.Dimension{store.DimScorer, store.DimAgent}
	for _, q := range append(qs, byScorer) {
		want, err := s.RawQAForTest(ctx, q)
		must(t, err)
		got, err := s.RunReport(ctx, store.ReportQA, q)
		must(t, err)
		if !reflect.DeepEqual(got.Rows, want.Rows) || !maps.Equal(got.Totals, want.Totals) {
			t.Fatalf("%s: qa %v..%v by %v\n got %v %v\nwant %v %v", what, q.From, q.To, q.GroupBy, got.Rows, got.Totals, want.Rows, want.Totals)
		}
	}
}

// TestQARollupFollowsEveryWrite scores calls, appeals and decides appeals
// and checks the QA report against the scores after each; the rebuild and
// migration 11 (an upgrade with scores) give the same.
func TestQARollupFollowsEveryWrite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 14)
		atts, err := s.Attempts(ctx, store.AttemptFilter{CampaignID: tr.d.camp.ID})
		must(t, err)
		var calls []store.Attempt
		for _, a := range atts {
			if a.Connected {
				calls = append(calls, a)
			}
		}
		if len(calls) < 2 {
			t.Fatalf("%d connected calls, want 2 or more", len(calls))
		}
		sc := &store.Scorecard{Name: "qa-rollup", Items: []store.ScorecardItem{{Key: "a", Weight: 1, MaxScore: 5}, {Key: "b", Weight: 1, MaxScore: 5, Critical: true}}}
		must(t, s.CreateScorecard(ctx, sc))
		scorers := []int64{newAgent(t, s, "qa-scorer-1"), newAgent(t, s, "qa-scorer-2")}
		agent, camp := calls[0].AgentID, tr.d.camp.ID
		check := func(what string) { t.Helper(); checkQA(t, s, agent, camp, what) }
		check("no score")
		var ids []int64
		for i, call := range calls {
			for j, sid := range scorers {
				q := &store.QAScore{ScorecardID: sc.ID, AttemptID: call.ID, ScorerID: sid, Items: []store.ItemScore{{Key: "a", Score: (i + j) % 6}, {Key: "b", Score: (i * j) % 6}}}
				must(t, s.ScoreCall(ctx, q))
				ids = append(ids, q.ID)
			}
		}
		check("scored")
		for _, id := range ids[:3] {
			_, err := s.AppealScore(ctx, id, "不同意")
			must(t, err)
		}
		check("appealed")
		_, err = s.ResolveAppeal(ctx, ids[0], store.AppealUpheld, "ok", scorers[0])
		must(t, err)
		_, err = s.ResolveAppeal(ctx, ids[1], store.AppealRejected, "", scorers[0])
		must(t, err)
		check("appeals decided")
		rc, err := s.RebuildRollups(ctx)
		must(t, err)
		if rc.QAScores != int64(len(ids)) {
			t.Fatalf("rebuild read %d scores, want %d", rc.QAScores, len(ids))
		}
		check("after the rollup rebuild")
		// An upgrade: scores given before the QA rollup existed.
		must(t, s.ExecForTest(ctx, "DELETE FROM qa_hours"))
		must(t, s.ExecForTest(ctx, "DELETE FROM qa_days"))
		want, err := s.RawQAForTest(ctx, workflowQueries(agent, camp)[0])
		must(t, err)
		if got, err := s.RunReport(ctx, store.ReportQA, workflowQueries(agent, camp)[0]); err != nil || maps.Equal(got.Totals, want.Totals) {
			t.Fatalf("the report agrees without its rollup (%v): the check cannot fail", err)
		}
		must(t, s.RewindForTest(ctx, 10))
		must(t, s.Migrate(ctx))
		check("after migration 11")
	})
}
