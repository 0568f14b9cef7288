package controller

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/esltest"
)

// startPacedSims starts one simulator per CPS value whose trunk refuses
// calls beyond that rate (NORMAL_TEMPORARY_FAILURE, the carrier's 503) and
// a pool whose nodes carry the same MaxCPS.
func startPacedSims(t testing.TB, cps []int, outcome esltest.Outcome) *Pool {
	var cfgs []NodeConfig
	for i, c := range cps {
		sc := esltest.DefaultScenario()
		sc.Numbers = []esltest.NumberRule{{Weights: map[esltest.Outcome]int{outcome: 1},
			Ring: esltest.Range{Min: time.Second, Max: time.Second}, Talk: esltest.Range{Min: time.Second, Max: time.Second}}}
		sc.Gateways = []esltest.Gateway{{Name: "gw1", CallsPerSecond: c}}
		srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: simScale,
			HeartbeatInterval: simHB, Logger: testLogger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		if msg := simFrameCheck(srv.Addr()); msg != "" {
			t.Fatal("esltest: " + msg)
		}
		cfg := simNode(fmt.Sprintf("fs%d", i+1), srv)
		cfg.MaxCPS = float64(c)
		cfgs = append(cfgs, cfg)
	}
	return newTestPool(t, cfgs...)
}

// dialFor originates from workers until d has passed, then waits for every
// call to end and returns their records (for the benchmark).
func dialFor(t testing.TB, p *Pool, workers int, d time.Duration) []CallRecord {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return dialUntil(ctx, t, p, workers, func() bool { return true })
}

// dialN originates exactly n calls from workers, then waits for every call
// to end and returns their records. A test counts calls, not seconds, so
// it asks the same of a busy machine as of an idle one.
func dialN(t testing.TB, p *Pool, workers, n int) []CallRecord {
	var left atomic.Int64
	left.Store(int64(n))
	return dialUntil(context.Background(), t, p, workers, func() bool { return left.Add(-1) >= 0 })
}

// dialUntil originates while ctx lives and more() agrees.
func dialUntil(ctx context.Context, t testing.TB, p *Pool, workers int, more func() bool) []CallRecord {
	var mu sync.Mutex
	var calls []Leg
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil && more(); i++ {
				c, err := p.Originate(ctx, OriginateRequest{Gateway: "gw1", Number: fmt.Sprintf("1390%03d%04d", w, i)})
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("originate: %v", err)
					}
					return
				}
				mu.Lock()
				calls = append(calls, c)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	recs := make([]CallRecord, len(calls))
	for i, c := range calls {
		recs[i] = waitEnd(t, c)
	}
	return recs
}

func TestESLPacingKeepsTrunkCPS(t *testing.T) {
	p := startPacedSims(t, []int{20, 30}, esltest.OutcomeAnswer)
	recs := dialN(t, p, 8, 60) // more than one second's worth at 50 CPS
	perNode := map[string]int{}
	for _, r := range recs {
		perNode[r.Node]++
		if r.HangupCause == "NORMAL_TEMPORARY_FAILURE" || r.Reason != "" {
			t.Errorf("call refused by the trunk or lost: %+v", r)
		}
	}
	if len(recs) != 60 || perNode["fs1"] == 0 || perNode["fs2"] == 0 {
		t.Errorf("%d of 60 calls made, per node %v", len(recs), perNode)
	}
}

// BenchmarkOriginateSim measures originates per second through the real
// eslgo client into three simulated nodes whose trunks refuse anything
// beyond their CPS; refusals are reported (they must be zero).
func BenchmarkOriginateSim(b *testing.B) {
	p := startPacedSims(b, []int{500, 400, 300}, esltest.OutcomeInvalid)
	b.ResetTimer()
	start := time.Now()
	recs := dialFor(b, p, 64, 3*time.Second)
	elapsed := time.Since(start)
	refused := 0
	for _, r := range recs {
		if r.HangupCause == "NORMAL_TEMPORARY_FAILURE" {
			refused++
		}
	}
	b.ReportMetric(float64(len(recs))/elapsed.Seconds(), "originates/s")
	b.ReportMetric(float64(refused), "refused")
	if refused > 0 {
		b.Errorf("%d calls refused for exceeding a trunk's CPS", refused)
	}
}
