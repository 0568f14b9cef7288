package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestCampaignAttemptRates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		n := 0
		save := func(campaign int64, result string, machine bool, answer, bridge, hangup float64) {
			t.Helper()
			n++
			created := base.Add(time.Duration(n) * time.Minute)
			at := func(s float64) *time.Time {
				if s < 0 {
					return nil
				}
				v := created.Add(time.Duration(s * float64(time.Second)))
				return &v
			}
			a := &store.Attempt{CallUUID: fmt.Sprintf("u-%d", n), CampaignID: campaign, CreatedAt: created, Result: result,
				Machine: machine, AnsweredAt: at(answer), BridgedAt: at(bridge), HungupAt: at(hangup), Bridged: bridge >= 0}
			if err := s.SaveAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		save(7, "answered", false, 8, 9, 249)   // human, talked 240 s
		save(7, "answered", false, 20, -1, 22)  // human, abandoned
		save(7, "machine", true, 12, -1, 15)    // machine
		save(7, "answered", true, 7, -1, 10)    // machine, older style
		save(7, "no_answer", false, -1, -1, 25) // no answer
		save(7, "busy", false, -1, -1, 3)       // failed
		save(7, "invalid_number", false, -1, -1, 1)
		save(7, "cancelled", false, -1, -1, 2) // ours: not counted
		save(7, "", false, 5, 6, -1)           // still in progress: not counted
		save(8, "answered", false, 9, 10, 100) // another campaign

		r, err := s.CampaignAttemptRates(ctx, 7, 100)
		if err != nil {
			t.Fatal(err)
		}
		if r.Attempts != 7 || r.Human != 2 || r.Machine != 2 || r.NoAnswer != 1 || r.Failed != 2 {
			t.Fatalf("counts %+v", r)
		}
		for _, c := range []struct {
			name      string
			got, want []float64
		}{
			{"human ring", r.HumanRingS, []float64{8, 20}},
			{"machine ring", r.MachineRingS, []float64{7, 12}},
			{"no answer", r.NoAnswerS, []float64{25}},
			{"failed", r.FailedS, []float64{1, 3}},
			{"talk", r.TalkS, []float64{240}},
		} {
			got := slices.Clone(c.got)
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}

		// The limit keeps the newest: the last three finished are the
		// cancelled (not counted), the invalid number and the busy one.
		r, err = s.CampaignAttemptRates(ctx, 7, 3)
		if err != nil {
			t.Fatal(err)
		}
		if r.Attempts != 2 || r.Failed != 2 {
			t.Fatalf("newest three: %+v", r)
		}
		if r, err = s.CampaignAttemptRates(ctx, 99, 100); err != nil || r.Attempts != 0 {
			t.Fatalf("no attempts: %+v, %v", r, err)
		}
	})
}
