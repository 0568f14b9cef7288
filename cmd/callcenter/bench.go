package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

// benchImport measures the contact import path end to end: a generated CSV
// (with duplicates) into a campaign, against a big blacklist, through the
// same JobRun the API uses. It prints rows/s and peak memory.
func benchImport(ctx context.Context, cfg *Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench import", flag.ContinueOnError)
	rows := fs.Int("rows", 1_000_000, "contact rows in the file")
	dnc := fs.Int("dnc", 2_000_000, "blacklisted numbers")
	dupPct := fs.Float64("dup", 5, "percent of rows repeating an earlier phone")
	dir := fs.String("dir", os.TempDir(), "where the generated file goes")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file")
	format := fs.String("format", "csv", "file format: csv or xlsx")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	st, err := store.Open(ctx, store.Config{Driver: cfg.Database.Driver, DSN: cfg.Database.DSN})
	if err != nil {
		return err
	}
	defer st.Close()

	path := filepath.Join(*dir, fmt.Sprintf("bench-contacts-%d.%s", *rows, *format))
	write := writeBenchCSV
	if *format == "xlsx" {
		write = writeBenchXLSX
	}
	if err := write(path, *rows, *dupPct); err != nil {
		return err
	}
	defer os.Remove(path)
	fmt.Fprintf(out, "database: %s; file: %s, %d rows, %.0f%% duplicates\n", cfg.Database.Driver, *format, *rows, *dupPct)

	t0 := time.Now()
	if err := seedBenchDNC(ctx, st, *dnc); err != nil {
		return err
	}
	fmt.Fprintf(out, "blacklist: %d numbers seeded in %s\n", *dnc, time.Since(t0).Round(time.Millisecond))

	camp := &store.Campaign{Name: fmt.Sprintf("bench-%d", time.Now().UnixNano()), Kind: store.KindNotification,
		Media: store.MediaVoice, DialMode: store.DialProgressive, Priority: 5}
	if err := st.CreateCampaign(ctx, camp); err != nil {
		return err
	}
	job := &store.ImportJob{CampaignID: camp.ID, Source: "bench", Filename: filepath.Base(path)}
	if err := st.CreateImportJob(ctx, job); err != nil {
		return err
	}
	runtime.GC()
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		_ = pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	peak, stop := watchHeap()
	cpu0 := processCPU()
	start := time.Now()
	src, err := importer.OpenFile(path, importer.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	m, err := importer.NewMapping(src.Header(), nil)
	if err != nil {
		return err
	}
	run := &importer.JobRun{Store: st, JobID: job.ID, CampaignID: camp.ID, Mapping: m, Log: slog.New(slog.DiscardHandler)}
	if err := run.Run(ctx, src); err != nil {
		return err
	}
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	stop()
	res, err := st.GetImportJob(ctx, job.ID)
	if err != nil {
		return err
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(out, "import: %s total=%d imported=%d duplicates=%d blocked=%d rejected=%d\n",
		res.Status, res.Total, res.Imported, res.Duplicates, res.Blocked, res.Rejected)
	fmt.Fprintf(out, "import: %s, %.0f rows/s, peak Go heap %d MB, process max RSS %d MB\n",
		elapsed.Round(time.Millisecond), float64(*rows)/elapsed.Seconds(), peak.Load()>>20, ru.Maxrss>>10)
	fmt.Fprintf(out, "import: this process used %s of CPU (user+sys; compare runs by it on a busy machine)\n", cpu.Round(time.Millisecond))
	// The contact counts' triggers wrote a delta per contact stored; serve
	// folds them in the background within seconds, timed here apart.
	t1 := time.Now()
	n, err := st.FoldContactCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "contact counts: %d deltas folded in %s\n", n, time.Since(t1).Round(time.Millisecond))
	return nil
}

// processCPU is the CPU time (user+sys) the process has used so far. On a
// shared machine it varies far less than wall time, so A/B runs compare by it.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchRow is row i of the generated file: name, phone (dupPct percent
// repeat an earlier phone), customer type, balance.
func benchRow(i int, rnd *rand.Rand, dupPct float64) []string {
	n := i
	if i > 0 && rnd.Float64()*100 < dupPct {
		n = rnd.IntN(i)
	}
	return []string{fmt.Sprintf("客户%d", i), fmt.Sprintf("1%d%09d", 3+n%7, n), "普通客户", fmt.Sprintf("%d.%02d", n%10000, n%100)}
}

// writeBenchXLSX writes the same rows as an xlsx sheet, phones as numbers
// the way office programs store them.
func writeBenchXLSX(path string, rows int, dupPct float64) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"客户姓名", "手机号码", "客户类型", "账户余额"}); err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < rows; i++ {
		r := benchRow(i, rnd, dupPct)
		phone, _ := strconv.ParseInt(r[1], 10, 64)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{r[0], phone, r[2], r[3]}); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// writeBenchCSV writes name,phone,id rows; dupPct percent repeat an earlier phone.
func writeBenchCSV(path string, rows int, dupPct float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "客户姓名,手机号码,客户类型,账户余额")
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < rows; i++ {
		fmt.Fprintln(w, strings.Join(benchRow(i, rnd, dupPct), ","))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// seedBenchDNC blacklists n numbers; one in 200 of them is a number the file
// also holds (the file's numbers are 1[3-9]x with a 9-digit counter).
func seedBenchDNC(ctx context.Context, st *store.Store, n int) error {
	batch := make([]store.DNCEntry, 0, 10000)
	for i := 0; i < n; i++ {
		num := fmt.Sprintf("+8610%08d", i) // Beijing landlines: not in the file
		if i%200 == 0 {
			k := i / 200
			num = fmt.Sprintf("+861%d%09d", 3+k%7, k)
		}
		batch = append(batch, store.DNCEntry{Kind: store.DNCPhone, Value: num, Source: store.DNCImport})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := st.AddDNCBatch(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// watchHeap samples the Go heap until stop is called and keeps the peak.
func watchHeap() (*atomic.Uint64, func()) {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse + ms.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return &peak, func() { close(done) }
}

// benchPacing runs the pacing simulator of pacing.md: the dialer's own
// pacer on a virtual clock against simulated customers and agents. It
// prints one line per policy (and per seed with --seeds), each with
// "occupancy NN.N%" and "abandon N.N%".
func benchPacing(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench pacing", flag.ContinueOnError)
	scenarioFile := fs.String("scenario", "", "scenario file (JSON, pacing.md); default: the default scenario")
	agents := fs.Int("agents", 0, "agents (overrides the scenario)")
	hours := fs.Float64("hours", 0, "shift length in hours (overrides the scenario)")
	seed := fs.Int64("seed", 0, "random seed (overrides the scenario)")
	seeds := fs.Int("seeds", 1, "run this many seeds from --seed on and report the worst")
	policy := fs.String("policy", "predictive", "predictive, progressive or all")
	tracePath := fs.String("trace", "", "write the per-call trace (JSON lines) of the predictive run here")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	sc, err := pacingScenario(fs, *scenarioFile, *agents, *hours, *seed)
	if err != nil {
		return err
	}
	modes, ok := map[string][]dialer.Mode{"predictive": {dialer.ModePredictive}, "progressive": {dialer.ModeProgressive},
		"all": {dialer.ModePredictive, dialer.ModeProgressive}}[*policy]
	if !ok || *seeds < 1 {
		return usageError{fmt.Sprintf("bench pacing: --policy %q: want predictive, progressive or all; --seeds at least 1", *policy)}
	}
	for _, m := range modes {
		var trace *dialer.TraceWriter
		if *tracePath != "" && m == dialer.ModePredictive {
			f, err := os.Create(*tracePath)
			if err != nil {
				return err
			}
			defer f.Close()
			w := bufio.NewWriterSize(f, 1<<20)
			defer w.Flush()
			trace = dialer.NewTraceWriter(w)
		}
		if err := runPacing(ctx, sc, m, *seeds, trace, out); err != nil {
			return err
		}
	}
	return nil
}

// pacingScenario is the scenario file (or the default) with the flags
// given on the command line on top.
func pacingScenario(fs *flag.FlagSet, file string, agents int, hours float64, seed int64) (dialer.Scenario, error) {
	sc := dialer.DefaultScenario()
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return sc, err
		}
		defer f.Close()
		if sc, err = dialer.ParseScenario(f); err != nil {
			return sc, fmt.Errorf("%s: %w", file, err)
		}
	}
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "agents":
			sc.Agents = agents
		case "hours":
			sc.Hours = hours
		case "seed":
			sc.Seed = seed
		}
	})
	if err := sc.Validate(); err != nil {
		return sc, usageError{"bench pacing: " + err.Error()}
	}
	return sc, nil
}

// runPacing runs seeds shifts of one policy, printing a line for each and,
// for several, the worst abandonment and lowest occupancy.
func runPacing(ctx context.Context, sc dialer.Scenario, m dialer.Mode, seeds int, trace *dialer.TraceWriter, out io.Writer) error {
	worst, low, sumOcc, sumAb, total := 0.0, 1.0, 0.0, 0.0, time.Duration(0)
	for i := range seeds {
		s := sc
		s.Seed = sc.Seed + int64(i)
		opt := dialer.SimOptions{Mode: m}
		if trace != nil && i == 0 {
			opt.Trace = trace.Call
		}
		start := time.Now()
		res, err := dialer.Simulate(ctx, s, opt)
		if err != nil {
			return err
		}
		took := time.Since(start)
		total += took
		if opt.Trace != nil {
			if err := trace.Summary(res); err != nil {
				return err
			}
		}
		worst, low = max(worst, res.AbandonRate), min(low, res.Occupancy)
		sumOcc, sumAb = sumOcc+res.Occupancy, sumAb+res.AbandonRate
		fmt.Fprintf(out, "%s  in %s\n", res.Line(), took.Round(time.Millisecond))
	}
	if seeds > 1 {
		n := float64(seeds)
		fmt.Fprintf(out, "%s over %d seeds: occupancy mean %.1f%% lowest %.1f%%, abandon mean %.2f%% worst %.2f%% (cap %.1f%%), %s in all\n",
			m, seeds, 100*sumOcc/n, 100*low, 100*sumAb/n, 100*worst, 100*sc.MaxAbandonRate, total.Round(time.Millisecond))
	}
	return nil
}
