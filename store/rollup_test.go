package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestRollupRebuildEqualsIncremental lays down known traffic (rollups kept
// in each call's transaction), then recomputes them from the raw rows: the
// two agree row for row.
func TestRollupRebuildEqualsIncremental(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 30)
		r1, err := s.Rollups(ctx)
		must(t, err)
		if len(r1.CampaignHours) < 3 || len(r1.AgentHours) == 0 || len(r1.StateHours) == 0 || len(r1.CampaignDays) == 0 {
			t.Fatalf("too few rollup rows: %+v", r1)
		}
		var dials, finished, lost, acw int64
		for _, h := range r1.CampaignHours {
			dials, finished, lost, acw = dials+h.Dials, finished+h.Finished, lost+h.Lost, acw+h.ACWMS
		}
		if dials != tr.dials || finished != tr.dials || lost != 1 || acw == 0 || tr.dials < 45 {
			t.Errorf("dials %d finished %d lost %d acw %d ms, want %d, %[5]d, 1 and some", dials, finished, lost, acw, tr.dials)
		}
		n, err := s.RebuildRollups(ctx)
		must(t, err)
		if n.Attempts != tr.dials {
			t.Errorf("rebuild read %d attempts, want %d", n.Attempts, tr.dials)
		}
		r2, err := s.Rollups(ctx)
		must(t, err)
		if !reflect.DeepEqual(r1, r2) {
			t.Errorf("rollups differ after rebuild:\nincremental %+v\nrebuilt     %+v", r1, r2)
		}
		var dayDials int64
		for _, d := range r1.CampaignDays {
			dayDials += d.Dials
		}
		if dayDials != dials {
			t.Errorf("day rollups count %d dials, hours %d", dayDials, dials)
		}
	})
}
