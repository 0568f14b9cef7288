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
		c1, a1, s1, err := s.Rollups(ctx)
		must(t, err)
		if len(c1) < 3 || len(a1) == 0 || len(s1) == 0 {
			t.Fatalf("too few rollup rows: %d campaign, %d agent, %d state hours", len(c1), len(a1), len(s1))
		}
		var dials, finished, lost, acw int64
		for _, h := range c1 {
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
		c2, a2, s2, err := s.Rollups(ctx)
		must(t, err)
		if !reflect.DeepEqual(c1, c2) {
			t.Errorf("campaign hours differ after rebuild:\nincremental %+v\nrebuilt     %+v", c1, c2)
		}
		if !reflect.DeepEqual(a1, a2) {
			t.Errorf("agent hours differ after rebuild:\nincremental %+v\nrebuilt     %+v", a1, a2)
		}
		if !reflect.DeepEqual(s1, s2) {
			t.Errorf("agent state hours differ after rebuild:\nincremental %+v\nrebuilt     %+v", s1, s2)
		}
	})
}
