package controller

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cpsLog records when each node received each originate.
type cpsLog struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

func (l *cpsLog) hook(node string, f *fakeFS) {
	prev := f.onBgapi
	f.onBgapi = func(cmd string) {
		l.mu.Lock()
		l.times[node] = append(l.times[node], time.Now())
		l.mu.Unlock()
		if prev != nil {
			prev(cmd)
		}
	}
}

// maxInWindow is the most originates any node received within one second.
func (l *cpsLog) maxInWindow(node string) int {
	l.mu.Lock()
	ts := append([]time.Time(nil), l.times[node]...)
	l.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= time.Second {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func startPacedNodes(t testing.TB, cps []float64) (*Pool, *cpsLog) {
	log := &cpsLog{times: map[string][]time.Time{}}
	var cfgs []NodeConfig
	for i, c := range cps {
		f := startFakeFS(t)
		f.answerOriginates()
		name := fmt.Sprintf("n%d", i+1)
		log.hook(name, f)
		cfgs = append(cfgs, NodeConfig{Name: name, Address: f.addr(), MaxCPS: c, HeartbeatInterval: time.Hour})
	}
	return newTestPool(t, cfgs...), log
}

// originateFor runs workers originating until d has passed and returns
// how many calls were accepted (for the benchmark).
func originateFor(t testing.TB, p *Pool, workers int, d time.Duration) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return originateUntil(ctx, t, p, workers, func() bool { return true })
}

// originateN runs workers until exactly n calls were attempted: a test
// counts calls, not seconds, so a busy machine is asked the same.
func originateN(t testing.TB, p *Pool, workers, n int) int64 {
	var left atomic.Int64
	left.Store(int64(n))
	return originateUntil(context.Background(), t, p, workers, func() bool { return left.Add(-1) >= 0 })
}

func originateUntil(ctx context.Context, t testing.TB, p *Pool, workers int, more func() bool) int64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil && more(); i++ {
				_, err := p.Originate(ctx, OriginateRequest{Gateway: "gw", Number: fmt.Sprintf("1555%03d%05d", w, i)})
				if err == nil {
					n.Add(1)
				} else if ctx.Err() == nil {
					t.Errorf("originate: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	return n.Load()
}

func TestOriginateNeverExceedsCPS(t *testing.T) {
	cps := []float64{40, 25}
	p, log := startPacedNodes(t, cps)
	// 150 calls at 65/s: over two seconds of traffic, so every one-second
	// window is full; a pacer that starved would never finish.
	total := originateN(t, p, 8, 150)
	for i, c := range cps {
		name := fmt.Sprintf("n%d", i+1)
		// The times are taken where the peer reads the command: on a busy
		// machine one read can lag behind the pacer's send and bunch with the
		// next, so one call over MaxCPS is the peer's jitter; a pacer that
		// bursts or drifts sends many more.
		if got := log.maxInWindow(name); got > int(c)+1 || got == 0 {
			t.Errorf("%s received %d originates within one second, MaxCPS %v", name, got, c)
		}
	}
	if total != 150 {
		t.Errorf("%d of 150 originates accepted", total)
	}
}

func TestOriginatePicksMostHeadroom(t *testing.T) {
	f1, f2 := startFakeFS(t), startFakeFS(t)
	p := newTestPool(t,
		NodeConfig{Name: "small", Address: f1.addr(), MaxChannels: 2, HeartbeatInterval: time.Hour},
		NodeConfig{Name: "big", Address: f2.addr(), MaxChannels: 3, HeartbeatInterval: time.Hour})
	var nodes []string
	for i := range 5 {
		c, err := p.Originate(context.Background(), OriginateRequest{Gateway: "gw", Number: fmt.Sprint(i)})
		if err != nil {
			t.Fatalf("originate %d: %v", i, err)
		}
		nodes = append(nodes, c.Record().Node)
	}
	want := []string{"big", "small", "big", "small", "big"} // ties go to configuration order
	if fmt.Sprint(nodes) != fmt.Sprint(want) {
		t.Errorf("nodes chosen %v, want %v", nodes, want)
	}
	if _, err := p.Originate(context.Background(), OriginateRequest{Gateway: "gw", Number: "9"}); err == nil {
		t.Error("sixth originate accepted with 5 channels in total")
	}
}

// BenchmarkOriginate measures originates per second across three nodes
// whose CPS limits add up to 1,500, and checks that no node's limit was
// exceeded in any one-second window.
func BenchmarkOriginate(b *testing.B) {
	cps := []float64{600, 500, 400}
	p, log := startPacedNodes(b, cps)
	b.ResetTimer()
	start := time.Now()
	total := originateFor(b, p, 64, 3*time.Second)
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "originates/s")
	waits := int64(0)
	for i, c := range cps {
		name := fmt.Sprintf("n%d", i+1)
		got := log.maxInWindow(name)
		b.ReportMetric(float64(got), name+"-max/s")
		if got > int(c) {
			b.Errorf("%s: %d originates within one second, MaxCPS %v", name, got, c)
		}
		waits += p.nodes[i].guardWaits.Load()
	}
	b.ReportMetric(float64(waits), "guard-waits")
}

// BenchmarkControlUnderOriginateLoad measures call-control round trips
// (uuid_setvar on a live leg) while 64 workers originate as fast as the
// node takes them: the control lane's latency when originates saturate.
func BenchmarkControlUnderOriginateLoad(b *testing.B) {
	f := startFakeFS(b)
	f.answerOriginates()
	keep := f.onBgapi
	f.onBgapi = func(cmd string) {
		if u := between(cmd, "origination_uuid=", "]"); u == "kept" {
			_ = f.send(f.eventFrame("CHANNEL_CREATE", u) + f.eventFrame("CHANNEL_ANSWER", u) + f.jobFrame(jobHeader(cmd), "+OK "+u+"\n"))
			return
		}
		keep(cmd)
	}
	p := newTestPool(b, NodeConfig{Name: "n1", Address: f.addr(), HeartbeatInterval: time.Hour, MaxCPS: 500})
	kept, err := p.Originate(context.Background(), OriginateRequest{UUID: "kept", Gateway: "gw", Number: "1"})
	if err != nil {
		b.Fatal(err)
	}
	<-kept.Answered()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				_, _ = p.Originate(ctx, OriginateRequest{Gateway: "gw", Number: fmt.Sprintf("2%03d%05d", w, i)})
			}
		})
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := p.SetVar(context.Background(), "kept", "cc_x", "1"); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
