package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestQAAndSavedReportsOnEachDriver runs the QA store calls, the qa report,
// a saved report and the customer history on SQLite and MariaDB.
func TestQAAndSavedReportsOnEachDriver(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 14)
		atts, err := s.Attempts(ctx, store.AttemptFilter{CampaignID: tr.d.camp.ID})
		must(t, err)
		var call store.Attempt
		for _, a := range atts {
			if a.Connected {
				call = a
			}
		}
		sc := &store.Scorecard{Name: "qa", Items: []store.ScorecardItem{{Key: "a", Weight: 1, MaxScore: 5}, {Key: "b", Weight: 1, MaxScore: 5, Critical: true}}}
		must(t, s.CreateScorecard(ctx, sc))
		scorers := []int64{newAgent(t, s, "scorer-1"), newAgent(t, s, "scorer-2")}
		for i, sid := range scorers {
			q := &store.QAScore{ScorecardID: sc.ID, AttemptID: call.ID, ScorerID: sid, Items: []store.ItemScore{{Key: "a", Score: 5 - i}, {Key: "b", Score: 5}}}
			must(t, s.ScoreCall(ctx, q))
		}
		dup := &store.QAScore{ScorecardID: sc.ID, AttemptID: call.ID, ScorerID: scorers[0], Items: []store.ItemScore{{Key: "a", Score: 1}, {Key: "b", Score: 1}}}
		if err := s.ScoreCall(ctx, dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second score by one scorer: %v, want a conflict", err)
		}
		cal, err := s.CalibrateCall(ctx, call.ID)
		must(t, err)
		if len(cal.Scores) != 2 || cal.Spread != 10 || cal.Mean != 95 {
			t.Errorf("calibration %+v", cal)
		}
		rep, err := s.RunReport(ctx, store.ReportQA, store.ReportQuery{From: tr.start.Add(-24 * time.Hour), To: tr.end.Add(24 * time.Hour), GroupBy: []store.Dimension{store.DimScorer}})
		must(t, err)
		if len(rep.Rows) != 2 || rep.Totals["scores"].(int64) != 2 || rep.Totals["avg_total"].(float64) != 95 {
			t.Errorf("qa report %+v %+v", rep.Rows, rep.Totals)
		}
		sr := &store.SavedReport{Name: "x", Report: store.ReportOutbound, GroupBy: []store.Dimension{store.DimCampaign}, Measures: []string{"dials"},
			Period: store.PeriodLast30Days, OwnerID: scorers[0]}
		must(t, s.CreateSavedReport(ctx, sr))
		if got, err := s.SavedReportsFor(ctx, scorers[0]); err != nil || len(got) != 1 {
			t.Errorf("saved reports %+v %v", got, err)
		}
		h, err := s.FindCustomerHistory(ctx, store.HistoryQuery{Search: store.Search{Exact: []string{call.Destination}}})
		must(t, err)
		if len(h.Contacts) != 1 || h.Contacts[0].ID != call.ContactID || len(h.Attempts) == 0 {
			t.Errorf("history by phone %+v", h)
		}
		// By the contact (the agent's desktop): the same contact and attempts.
		byContact, err := s.FindCustomerHistory(ctx, store.HistoryQuery{ContactID: call.ContactID})
		must(t, err)
		if len(byContact.Contacts) != 1 || byContact.Contacts[0].ID != call.ContactID || len(byContact.Attempts) != len(h.Attempts) {
			t.Errorf("history by contact %d: %d contacts, %d attempts, want 1 and %d", call.ContactID, len(byContact.Contacts), len(byContact.Attempts), len(h.Attempts))
		}
		if _, err := s.FindCustomerHistory(ctx, store.HistoryQuery{ContactID: 1 << 40}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("history of a contact that does not exist: %v, want not found", err)
		}
	})
}
