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
// once, so the switch is never the limit) on a fresh SQLite database, and
// reports each campaign's dial rate against the run with one campaign and
// how late the campaigns' batches started (R16).
func benchCampaigns(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench campaigns", flag.ContinueOnError)
	counts := fs.String("campaigns", "1,10,100", "comma-separated numbers of running campaigns, one run each")
	rate := fs.Int("rate", 2, "dials per second per campaign (its strategy's batch size per 1 s batch)")
	secs := fs.Int("seconds", 10, "measured seconds per run")
	warm := fs.Int("warmup", 5, "seconds before measuring")
	driver := fs.String("driver", "sqlite", "database: sqlite (a fresh file) or mysql")
	dsn := fs.String("dsn", "root@tcp(127.0.0.1:3306)/", "mysql: server DSN without a database; each run creates its own")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the last run's measured seconds to this file")
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
	if *rate < 1 || *secs < 1 || *warm < 0 {
		return usageError{"bench campaigns: --rate and --seconds at least 1, --warmup at least 0"}
	}
	fmt.Fprintf(out, "bench campaigns: broadcast campaigns at %d dials/s each, %d s measured after %d s, %s, simulator over ESL\n",
		*rate, *secs, *warm, *driver)
	solo := 0.0
	for _, n := range ns {
		db := benchDB{driver: *driver, dsn: *dsn}
		if n == ns[len(ns)-1] {
			db.profile = *cpuProfile
		}
		r, err := runCampaignBench(ctx, db, n, *rate, time.Duration(*secs)*time.Second, time.Duration(*warm)*time.Second)
		if err != nil {
			return err
		}
		if solo == 0 {
			solo = r.mean()
		}
		fmt.Fprintln(out, r.line(n, float64(*rate), solo))
	}
	return nil
}

// campaignBench is one run's figures.
type campaignBench struct {
	rates []float64       // per campaign, dials/s
	late  []time.Duration // batch lateness
}

func (b campaignBench) mean() float64 {
	sum := 0.0
	for _, r := range b.rates {
		sum += r
	}
	return sum / float64(max(len(b.rates), 1))
}

func (b campaignBench) line(n int, target, solo float64) string {
	slices.Sort(b.rates)
	slices.Sort(b.late)
	q := func(p float64) time.Duration {
		if len(b.late) == 0 {
			return 0
		}
		return b.late[min(int(p*float64(len(b.late))), len(b.late)-1)]
	}
	dev := func(r float64) float64 { return 100 * (r - solo) / solo }
	return fmt.Sprintf("campaigns %d: dial rate per campaign mean %.2f/s (target %.0f), min %.2f (%+.1f%% of solo), max %.2f (%+.1f%%); "+
		"batch lateness p50 %s p99 %s max %s (%d batches)", n, b.mean(), target, b.rates[0], dev(b.rates[0]),
		b.rates[len(b.rates)-1], dev(b.rates[len(b.rates)-1]), q(0.5).Round(100*time.Microsecond),
		q(0.99).Round(100*time.Microsecond), q(1).Round(100*time.Microsecond), len(b.late))
}

// benchDB says where a run's fresh database goes.
// profile, when set, is where the measured seconds' CPU profile goes.
type benchDB struct{ driver, dsn, profile string }

func runCampaignBench(ctx context.Context, db benchDB, n, rate int, measure, warm time.Duration) (campaignBench, error) {
	dir, err := os.MkdirTemp("", "bench-campaigns-")
	if err != nil {
		return campaignBench{}, err
	}
	defer os.RemoveAll(dir)
	dsn := filepath.Join(dir, "bench.db")
	if db.driver == "mysql" {
		name := fmt.Sprintf("cc_bench_%d", time.Now().UnixNano())
		dsn = db.dsn + name
		defer dropBenchDB(db.dsn, name)
	}
	st, err := store.Open(ctx, store.Config{Driver: db.driver, DSN: dsn})
	if err != nil {
		return campaignBench{}, err
	}
	defer st.Close()
	contacts := rate*int((measure+warm).Seconds()+5) + 10
	ids, err := seedBenchCampaigns(ctx, st, n, rate, contacts)
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
	var mu sync.Mutex
	var late []time.Duration
	measuring := false
	m, err := dialer.NewManager(dialer.Options{Switch: pool, Store: st, Gateway: "gw1",
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
	time.Sleep(warm)
	before := dialsPerCampaign(sim)
	mu.Lock()
	measuring = true
	mu.Unlock()
	stopProfile, err := startProfile(db.profile)
	if err != nil {
		return campaignBench{}, err
	}
	time.Sleep(measure)
	stopProfile()
	mu.Lock()
	measuring = false
	mu.Unlock()
	after := dialsPerCampaign(sim)
	res := campaignBench{late: late}
	for _, id := range ids {
		res.rates = append(res.rates, float64(after[id]-before[id])/measure.Seconds())
	}
	return res, nil
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

// dialsPerCampaign counts the originates the simulator ran, by the
// campaign id the controller put on each.
func dialsPerCampaign(sim *esltest.Server) map[int64]int {
	out := map[int64]int{}
	for _, line := range sim.CommandLog() {
		_, rest, ok := strings.Cut(line, "cc_campaign_id=")
		if !strings.HasPrefix(line, "originate ") || !ok {
			continue
		}
		end := strings.IndexAny(rest, ",}]")
		if end < 0 {
			continue
		}
		if id, err := strconv.ParseInt(rest[:end], 10, 64); err == nil {
			out[id]++
		}
	}
	return out
}

// seedBenchCampaigns makes n running broadcast campaigns of the given
// rate, each with its contacts.
func seedBenchCampaigns(ctx context.Context, st *store.Store, n, rate, contacts int) ([]int64, error) {
	cal := &store.Calendar{Name: "bench", Windows: []store.CalendarWindow{{DayKind: "workday", Start: "00:00", End: "24:00"},
		{DayKind: "weekend", Start: "00:00", End: "24:00"}, {DayKind: "holiday", Start: "00:00", End: "24:00"}}}
	if err := st.CreateCalendar(ctx, cal); err != nil {
		return nil, err
	}
	strat := store.NewStrategy()
	strat.Name, strat.CalendarID, strat.BatchSize, strat.BatchIntervalS = "bench", cal.ID, rate, 1
	if err := st.CreateStrategy(ctx, strat); err != nil {
		return nil, err
	}
	var ids []int64
	for i := range n {
		camp := &store.Campaign{Name: fmt.Sprintf("bench-%d", i), Kind: store.KindNotification, Media: store.MediaIVR,
			DialMode: store.DialBroadcast, Priority: 5, StrategyID: &strat.ID, IVRFlow: "notify", CallerIDs: []string{"02161230001"}}
		if err := st.CreateCampaign(ctx, camp); err != nil {
			return nil, err
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
