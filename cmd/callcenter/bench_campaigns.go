package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
	_ "github.com/go-sql-driver/mysql" // database/sql driver to drop a run's database
)

// benchCampaigns runs many broadcast campaigns at once through the real
// dialer, controller and ESL against the simulator (every callee busy at
// once, so the switch is never the limit) on a fresh database, among
// --defined campaigns in all, and reports each campaign's dial rate against
// the run with one campaign and how late the campaigns' batches started
// (R16).
func benchCampaigns(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench campaigns", flag.ContinueOnError)
	counts := fs.String("campaigns", "1,10,100", "comma-separated numbers of running campaigns, one run each")
	defined := fs.Int("defined", 0, "campaigns defined in all (the others are left in draft); 0: as many as run")
	rate := fs.Int("rate", 2, "dials per batch per campaign (its strategy's batch size)")
	interval := fs.Int("interval", 1, "seconds per batch (the strategy's batch interval): a campaign dials rate/interval per second")
	secs := fs.Int("seconds", 10, "measured seconds per run")
	warm := fs.Int("warmup", 5, "seconds before measuring, once every campaign has dialed")
	driver := fs.String("driver", "sqlite", "database: sqlite (a fresh file) or mysql")
	dsn := fs.String("dsn", "root@tcp(127.0.0.1:3306)/", "mysql: server DSN without a database; each run creates its own")
	dbName := fs.String("dbname", "cc_bench_campaigns", "mysql: prefix of each run's database name")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the last run's measured seconds to this file")
	verbose := fs.Bool("log", false, "log the dialer's warnings and errors to stderr")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	var ns []int
	for _, f := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 5000 {
			return usageError{fmt.Sprintf("bench campaigns: --campaigns %q: want numbers from 1 to 5000", *counts)}
		}
		ns = append(ns, n)
	}
	if *rate < 1 || *interval < 1 || *secs < 1 || *warm < 0 || *defined < 0 || *defined > 5000 {
		return usageError{"bench campaigns: --rate, --interval and --seconds at least 1, --warmup at least 0, --defined 0 to 5000"}
	}
	target := float64(*rate) / float64(*interval)
	fmt.Fprintf(out, "bench campaigns: broadcast campaigns at %d dials every %d s each (%.3g/s), %d s measured after %d s, %s, simulator over ESL\n",
		*rate, *interval, target, *secs, *warm, *driver)
	solo := 0.0
	for _, n := range ns {
		db := benchDB{driver: *driver, dsn: *dsn, name: *dbName, log: slog.New(slog.DiscardHandler)}
		if *verbose {
			db.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
		if n == ns[len(ns)-1] {
			db.profile = *cpuProfile
		}
		cfg := campaignRun{running: n, defined: max(n, *defined), size: *rate, every: time.Duration(*interval) * time.Second,
			measure: time.Duration(*secs) * time.Second, warm: time.Duration(*warm) * time.Second}
		r, err := runCampaignBench(ctx, db, cfg)
		if err != nil {
			return err
		}
		if solo == 0 {
			solo = r.mean()
		}
		fmt.Fprintln(out, r.line(n, cfg.defined, target, solo))
	}
	return nil
}

// campaignRun is one run's shape.
type campaignRun struct {
	running, defined, size int
	every, measure, warm   time.Duration
}

// campaignBench is one run's figures.
type campaignBench struct {
	rates   []float64       // per campaign, dials/s
	late    []time.Duration // batch lateness
	dials   int             // in the measured window, all campaigns
	seconds float64         // the window
}

func (b campaignBench) mean() float64 {
	sum := 0.0
	for _, r := range b.rates {
		sum += r
	}
	return sum / float64(max(len(b.rates), 1))
}

func (b campaignBench) line(n, defined int, target, solo float64) string {
	slices.Sort(b.rates)
	slices.Sort(b.late)
	q := func(p float64) time.Duration {
		if len(b.late) == 0 {
			return 0
		}
		return b.late[min(int(p*float64(len(b.late))), len(b.late)-1)]
	}
	dev := func(r float64) float64 { return 100 * (r - solo) / solo }
	within, worst := 0, 0.0
	for _, r := range b.rates {
		if d := dev(r); d >= -2 && d <= 2 {
			within++
		}
		if d := dev(r); abs(d) > abs(worst) {
			worst = d
		}
	}
	return fmt.Sprintf("campaigns %d (of %d defined): %.1f dials/s in all; dial rate per campaign mean %.4g/s (target %.4g), min %.4g (%+.1f%% of solo), max %.4g (%+.1f%%); "+
		"within ±2%% of solo %d of %d (%.1f%%), worst %+.1f%%; batch lateness p50 %s p99 %s max %s (%d batches)",
		n, defined, float64(b.dials)/b.seconds, b.mean(), target, b.rates[0], dev(b.rates[0]), b.rates[len(b.rates)-1], dev(b.rates[len(b.rates)-1]),
		within, len(b.rates), 100*float64(within)/float64(len(b.rates)), worst,
		q(0.5).Round(100*time.Microsecond), q(0.99).Round(100*time.Microsecond), q(1).Round(100*time.Microsecond), len(b.late))
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// benchDB says where a run's fresh database goes; profile, when set, is
// where the measured seconds' CPU profile goes.
type benchDB struct {
	driver, dsn, name, profile string
	log                        *slog.Logger
}

func runCampaignBench(ctx context.Context, db benchDB, cfg campaignRun) (campaignBench, error) {
	dir, err := os.MkdirTemp("", "bench-campaigns-")
	if err != nil {
		return campaignBench{}, err
	}
	defer os.RemoveAll(dir)
	dsn := filepath.Join(dir, "bench.db")
	if db.driver == "mysql" {
		name := fmt.Sprintf("%s_%d", db.name, time.Now().UnixNano())
		dsn = db.dsn + name
		defer dropBenchDB(db.dsn, name)
	}
	st, err := store.Open(ctx, store.Config{Driver: db.driver, DSN: dsn})
	if err != nil {
		return campaignBench{}, err
	}
	defer st.Close()
	batches := int((cfg.measure+cfg.warm)/cfg.every) + 30 // and the start-up's
	ids, err := seedBenchCampaigns(ctx, st, cfg, cfg.size*batches+10)
	if err != nil {
		return campaignBench{}, err
	}
	sc := esltest.DefaultScenario()
	sc.Numbers = []esltest.NumberRule{{Weights: map[esltest.Outcome]int{esltest.OutcomeBusy: 1}}}
	sc.Gateways = []esltest.Gateway{{Name: "gw1"}}
	sim, err := esltest.Start(ctx, esltest.Options{Scenario: sc, HeartbeatInterval: -1})
	if err != nil {
		return campaignBench{}, err
	}
	defer sim.Close()
	pool, err := controller.NewPool(ctx, controller.PoolConfig{Nodes: []controller.NodeConfig{{Name: "sim", Address: sim.Addr(),
		Password: "ClueCon", MaxChannels: 100000, MaxCPS: 100000}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return campaignBench{}, err
	}
	defer pool.Close()
	sw := &timedSwitch{Switch: pool, at: map[int64][]time.Time{}}
	var mu sync.Mutex
	var late []time.Duration
	measuring := false
	m, err := dialer.NewManager(dialer.Options{Switch: sw, Store: st, Gateway: "gw1", Log: db.log,
		Holder: "bench", OnBatch: func(_ int64, d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			if measuring {
				late = append(late, d)
			}
		}})
	if err != nil {
		return campaignBench{}, err
	}
	mctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = m.Run(mctx); close(done) }()
	defer func() { stop(); <-done }()
	if err := sw.waitAll(ctx, ids, 10*time.Minute); err != nil {
		return campaignBench{}, err
	}
	if err := sleepCtx(ctx, cfg.warm); err != nil {
		return campaignBench{}, err
	}
	mu.Lock()
	measuring = true
	mu.Unlock()
	stopProfile, err := startProfile(db.profile)
	if err != nil {
		return campaignBench{}, err
	}
	from := time.Now()
	err = sleepCtx(ctx, cfg.measure)
	to := time.Now()
	stopProfile()
	if err != nil {
		return campaignBench{}, err
	}
	mu.Lock()
	measuring = false
	mu.Unlock()
	res := campaignBench{late: late, seconds: to.Sub(from).Seconds()}
	for _, id := range ids {
		r, n := sw.rate(id, from, to, cfg.every)
		res.rates = append(res.rates, r)
		res.dials += n
	}
	return res, nil
}

// sleepCtx waits d or until ctx ends (Ctrl-C stops a long run).
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// timedSwitch notes when the dialer originated each campaign's calls
// (the simulator behind it runs them).
type timedSwitch struct {
	controller.Switch
	mu sync.Mutex
	at map[int64][]time.Time
}

func (s *timedSwitch) Originate(ctx context.Context, req controller.OriginateRequest) (controller.Leg, error) {
	now := time.Now()
	s.mu.Lock()
	s.at[req.CampaignID] = append(s.at[req.CampaignID], now)
	s.mu.Unlock()
	return s.Switch.Originate(ctx, req)
}

// waitAll waits until every campaign has dialed (the start-up of hundreds
// of runners is not what is measured).
func (s *timedSwitch) waitAll(ctx context.Context, ids []int64, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		s.mu.Lock()
		n := 0
		for _, id := range ids {
			if len(s.at[id]) > 0 {
				n++
			}
		}
		s.mu.Unlock()
		if n == len(ids) {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("bench campaigns: %d of %d campaigns dialed within %s", n, len(ids), limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rate is a campaign's achieved dial rate in [from, to) and its dials
// there. Its dials come in batches (bursts more than half an interval
// apart, the first one that begins inside the window onwards); the rate is
// the batch size over the period, the least-squares slope of the batches'
// first dials against their number. A batch whose first dial waited on the
// store moves the fit by a little, not by its whole delay as the first and
// last batch alone would; a campaign that is slowed down shows in every
// period.
func (s *timedSwitch) rate(id int64, from, to time.Time, every time.Duration) (float64, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.at[id]
	n := 0
	var starts []time.Time // first dial of each batch that begins in the window
	var sizes []int
	for i, t := range all {
		if t.Before(from) || !t.Before(to) {
			continue
		}
		n++
		switch {
		case i == 0 || t.Sub(all[i-1]) > every/2:
			starts, sizes = append(starts, t), append(sizes, 1)
		case len(sizes) > 0:
			sizes[len(sizes)-1]++
		}
	}
	if len(starts) < 3 {
		return 0, n
	}
	// The last batch may be cut by the window's end: size from the others.
	dials := 0
	for _, k := range sizes[:len(sizes)-1] {
		dials += k
	}
	size := float64(dials) / float64(len(sizes)-1)
	mi, mt := float64(len(starts)-1)/2, 0.0
	for _, t := range starts {
		mt += t.Sub(starts[0]).Seconds()
	}
	mt /= float64(len(starts))
	var num, den float64
	for i, t := range starts {
		num += (float64(i) - mi) * (t.Sub(starts[0]).Seconds() - mt)
		den += (float64(i) - mi) * (float64(i) - mi)
	}
	if num <= 0 {
		return 0, n
	}
	return size / (num / den), n
}

// startProfile starts a CPU profile into path ("" does nothing); the
// function returned stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench campaigns: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench campaigns: cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// seedBenchCampaigns defines cfg.defined broadcast campaigns of the run's
// rate and starts cfg.running of them, each with its contacts; it returns
// the running ones.
func seedBenchCampaigns(ctx context.Context, st *store.Store, cfg campaignRun, contacts int) ([]int64, error) {
	cal := &store.Calendar{Name: "bench", Windows: []store.CalendarWindow{{DayKind: "workday", Start: "00:00", End: "24:00"},
		{DayKind: "weekend", Start: "00:00", End: "24:00"}, {DayKind: "holiday", Start: "00:00", End: "24:00"}}}
	if err := st.CreateCalendar(ctx, cal); err != nil {
		return nil, err
	}
	strat := store.NewStrategy()
	strat.Name, strat.CalendarID, strat.BatchSize, strat.BatchIntervalS = "bench", cal.ID, cfg.size, int(cfg.every/time.Second)
	if err := st.CreateStrategy(ctx, strat); err != nil {
		return nil, err
	}
	var ids []int64
	for i := range cfg.defined {
		camp := &store.Campaign{Name: fmt.Sprintf("bench-%d", i), Kind: store.KindNotification, Media: store.MediaIVR,
			DialMode: store.DialBroadcast, Priority: 5, StrategyID: &strat.ID, IVRFlow: "notify", CallerIDs: []string{"02161230001"}}
		if err := st.CreateCampaign(ctx, camp); err != nil {
			return nil, err
		}
		if i >= cfg.running {
			continue // defined, not running
		}
		job := &store.ImportJob{CampaignID: camp.ID, Source: "bench", Format: "json"}
		if err := st.CreateImportJob(ctx, job); err != nil {
			return nil, err
		}
		batch := make([]store.Contact, contacts)
		for k := range batch {
			batch[k] = store.Contact{CampaignID: camp.ID, Name: "客户", Phone: fmt.Sprintf("+86139%04d%04d", i, k), Status: store.ContactPending}
		}
		if _, err := st.ImportBatch(ctx, job.ID, camp.ID, batch, 0, 0); err != nil {
			return nil, err
		}
		if _, err := st.StartCampaign(ctx, camp.ID); err != nil {
			return nil, err
		}
		ids = append(ids, camp.ID)
	}
	return ids, nil
}

// dropBenchDB removes a run's MySQL database.
func dropBenchDB(server, name string) {
	conn, err := sql.Open("mysql", server)
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Exec("DROP DATABASE IF EXISTS " + name)
}
