package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/bankcc/callcenter/store"
)

// benchReportsOpts are the flags of `callcenter bench reports`.
type benchReportsOpts struct {
	attempts, contacts, messages, callbacks, scores, campaigns, agents, days, runs, batch int
	seed                                                                                  uint64
	reuse, addInbound, addAttendance                                                      bool
	only, cpuProfile                                                                      string
}

// benchReports generates contacts (through the import path), attempts
// (across campaigns and agents, in time order over the last days,
// 08:00-21:00 China time) and agent state rows with their rollups through
// the bulk loader, then times every standard report over a dashboard's
// periods and prints p50/p95 per report.
func benchReports(ctx context.Context, cfg *Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench reports", flag.ContinueOnError)
	var o benchReportsOpts
	fs.IntVar(&o.attempts, "attempts", 1_000_000, "attempts to generate")
	fs.IntVar(&o.contacts, "contacts", -1, "contacts to import across the campaigns, in a mix of statuses (default: attempts/3; with --reuse: none unless given)")
	fs.IntVar(&o.messages, "messages", -1, "sms, email and fax messages to log across the campaigns (default: attempts/10; with --reuse: none unless given)")
	fs.IntVar(&o.callbacks, "callbacks", -1, "callbacks to book across the campaigns and agents, in a mix of outcomes (default: attempts/20; with --reuse: none unless given)")
	fs.IntVar(&o.scores, "scores", -1, "QA scores to give across the agents, scorers and campaigns (default: attempts/100; with --reuse: none unless given)")
	fs.IntVar(&o.campaigns, "campaigns", 200, "campaigns")
	fs.IntVar(&o.agents, "agents", 500, "agents")
	fs.IntVar(&o.days, "days", 30, "days the attempts spread over (ending yesterday)")
	fs.IntVar(&o.runs, "runs", 30, "timed runs per report and period")
	fs.IntVar(&o.batch, "batch", 5000, "attempts per insert batch")
	var seed int64
	fs.Int64Var(&seed, "seed", 1, "random seed")
	fs.BoolVar(&o.reuse, "reuse", false, "time the reports on data an earlier run generated (no generation), over the days it generated")
	fs.BoolVar(&o.addInbound, "add-inbound", false, "with --reuse: first add the inbound and IVR calls to data generated before they existed")
	fs.BoolVar(&o.addAttendance, "add-attendance", false, "with --reuse: first add the roster and sign-ins to data generated before they existed")
	fs.StringVar(&o.only, "only", "", "time only the cases whose report and label match this regular expression")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the timed runs to this file")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	o.seed = uint64(seed)
	contactsSet, messagesSet, callbacksSet, scoresSet := false, false, false, false
	fs.Visit(func(f *flag.Flag) {
		contactsSet = contactsSet || f.Name == "contacts"
		messagesSet = messagesSet || f.Name == "messages"
		callbacksSet = callbacksSet || f.Name == "callbacks"
		scoresSet = scoresSet || f.Name == "scores"
	})
	if o.contacts < 0 {
		o.contacts = o.attempts / 3
	}
	if o.messages < 0 {
		o.messages = o.attempts / 10
	}
	if o.callbacks < 0 {
		o.callbacks = o.attempts / 20
	}
	if o.scores < 0 {
		o.scores = o.attempts / 100
	}
	if o.attempts < 1 || o.campaigns < 1 || o.agents < 1 || o.days < 1 || o.runs < 1 || o.batch < 1 {
		return usageError{"bench reports: attempts, campaigns, agents, days, runs and batch must be positive"}
	}
	st, err := store.Open(ctx, store.Config{Driver: cfg.Database.Driver, DSN: cfg.Database.DSN})
	if err != nil {
		return err
	}
	defer st.Close()
	loc := store.ReportZone
	l := time.Now().In(loc)
	if o.reuse { // the days generated, even when that was before midnight
		last, err := st.LastCampaignHour(ctx)
		if err != nil {
			return err
		}
		if !last.IsZero() {
			l = last.In(loc).AddDate(0, 0, 1)
		}
	}
	end := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	start := end.AddDate(0, 0, -o.days)
	if o.reuse { // say what is there, not what the flags would generate
		sum, err := st.RunReport(ctx, store.ReportOutbound, store.ReportQuery{From: start, To: end, Loc: loc})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "database: %s; data generated earlier: %d attempts over %d days (%s to %s)\n", cfg.Database.Driver,
			sum.Totals["dials"], o.days, start.Format(time.DateOnly), end.Add(-time.Second).Format(time.DateOnly))
	} else {
		fmt.Fprintf(out, "database: %s; %d attempts, %d campaigns, %d agents over %d days (%s to %s)\n", cfg.Database.Driver,
			o.attempts, o.campaigns, o.agents, o.days, start.Format(time.DateOnly), end.Add(-time.Second).Format(time.DateOnly))
	}
	if !o.reuse {
		if err := generateReportTraffic(ctx, st, o, start, out); err != nil {
			return err
		}
	} else {
		if o.addInbound {
			loader := st.NewBulkLoader()
			if err := generateInboundTraffic(ctx, st, loader, o, start, out); err != nil {
				return err
			}
			if err := loader.Flush(ctx); err != nil {
				return err
			}
		}
		if o.addAttendance {
			if err := generateAttendance(ctx, st, o, start, out); err != nil {
				return err
			}
		}
		if messagesSet { // messages added to data generated before they were
			first, err := firstBenchCampaign(ctx, st)
			if err != nil {
				return err
			}
			loader := st.NewBulkLoader()
			if err := generateMessages(ctx, loader, o, first, start, out); err != nil {
				return err
			}
			if err := loader.Flush(ctx); err != nil {
				return err
			}
		}
		if contactsSet { // contacts added to data generated before they were
			first, err := firstBenchCampaign(ctx, st)
			if err != nil {
				return err
			}
			if err := generateContacts(ctx, st, o, first, out); err != nil {
				return err
			}
		}
		if callbacksSet { // callbacks added to data generated before they were
			first, err := firstBenchCampaign(ctx, st)
			if err != nil {
				return err
			}
			if err := generateCallbacks(ctx, st.NewBulkLoader(), o, first, start, out); err != nil {
				return err
			}
		}
		if scoresSet { // scores added to data generated before they were
			first, err := firstBenchCampaign(ctx, st)
			if err != nil {
				return err
			}
			loader := st.NewBulkLoader()
			if err := generateScores(ctx, loader, o, first, start, out); err != nil {
				return err
			}
			if err := loader.Flush(ctx); err != nil {
				return err
			}
		}
	}
	if err := foldDeltas(ctx, st, out); err != nil {
		return err
	}
	return timeReports(ctx, st, o, start, end, out)
}

// benchCase is one timed report request.
type benchCase struct {
	report store.ReportName
	label  string
	q      store.ReportQuery
}

func reportCases(start, end time.Time) []benchCase {
	loc := store.ReportZone
	last := end.AddDate(0, 0, -1)
	week := end.AddDate(0, 0, -7)
	g := func(d ...store.Dimension) []store.Dimension { return d }
	return []benchCase{
		{store.ReportOutbound, "all days by campaign", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimCampaign)}},
		{store.ReportOutbound, "all days by day", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimDay)}},
		{store.ReportOutbound, "7 days by campaign, day", store.ReportQuery{From: week, To: end, Loc: loc, GroupBy: g(store.DimCampaign, store.DimDay)}},
		{store.ReportOutbound, "last day by hour", store.ReportQuery{From: last, To: end, Loc: loc, GroupBy: g(store.DimHour)}},
		{store.ReportOutbound, "last day by campaign, hour", store.ReportQuery{From: last, To: end, Loc: loc, GroupBy: g(store.DimCampaign, store.DimHour)}},
		{store.ReportOutbound, "13:00-15:00 by campaign", store.ReportQuery{From: last.Add(13 * time.Hour), To: last.Add(15 * time.Hour), Loc: loc, GroupBy: g(store.DimCampaign)}},
		{store.ReportAgents, "all days by agent", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimAgent)}},
		{store.ReportAgents, "7 days by agent", store.ReportQuery{From: week, To: end, Loc: loc, GroupBy: g(store.DimAgent)}},
		{store.ReportAgents, "last day by agent, hour", store.ReportQuery{From: last, To: end, Loc: loc, GroupBy: g(store.DimAgent, store.DimHour)}},
		{store.ReportOutbound, "30 days 09:00-09:00 by campaign", store.ReportQuery{From: start.Add(9 * time.Hour), To: last.Add(9 * time.Hour), Loc: loc, GroupBy: g(store.DimCampaign)}},
		{store.ReportAgents, "30 days 09:00-09:00 by agent", store.ReportQuery{From: start.Add(9 * time.Hour), To: last.Add(9 * time.Hour), Loc: loc, GroupBy: g(store.DimAgent)}},
		{store.ReportInbound, "all days by group", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimGroup)}},
		{store.ReportInbound, "7 days by group, day", store.ReportQuery{From: week, To: end, Loc: loc, GroupBy: g(store.DimGroup, store.DimDay)}},
		{store.ReportInbound, "last day by group, hour", store.ReportQuery{From: last, To: end, Loc: loc, GroupBy: g(store.DimGroup, store.DimHour)}},
		{store.ReportIVR, "all days by flow", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimFlow)}},
		{store.ReportIVR, "7 days by flow, day", store.ReportQuery{From: week, To: end, Loc: loc, GroupBy: g(store.DimFlow, store.DimDay)}},
		{store.ReportIVR, "last day by flow, hour", store.ReportQuery{From: last, To: end, Loc: loc, GroupBy: g(store.DimFlow, store.DimHour)}},
		{store.ReportCampaigns, "all days", store.ReportQuery{From: start, To: end, Loc: loc}},
		{store.ReportMessages, "all days by channel, day", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimChannel, store.DimDay)}},
		{store.ReportWorkflow, "all days by agent", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimAgent)}},
		{store.ReportQA, "all days by agent", store.ReportQuery{From: start, To: end, Loc: loc, GroupBy: g(store.DimAgent)}},
		{store.ReportQA, "7 days by scorer, day", store.ReportQuery{From: week, To: end, Loc: loc, GroupBy: g(store.DimScorer, store.DimDay)}},
		{store.ReportAttendance, "7 days", store.ReportQuery{From: week, To: end, Loc: loc}},
	}
}

func timeReports(ctx context.Context, st *store.Store, o benchReportsOpts, start, end time.Time, out io.Writer) error {
	only, err := regexp.Compile(o.only)
	if err != nil {
		return usageError{"bench reports: --only: " + err.Error()}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("bench reports: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench reports: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Fprintf(out, "%-10s %-30s %7s %9s %9s\n", "report", "period and grouping", "rows", "p50", "p95")
	for _, c := range reportCases(start, end) {
		if !only.MatchString(string(c.report) + " " + c.label) {
			continue
		}
		var times []time.Duration
		rows := 0
		for i := 0; i < o.runs; i++ {
			t0 := time.Now()
			rep, err := st.RunReport(ctx, c.report, c.q)
			if err != nil {
				return fmt.Errorf("%s %s: %w", c.report, c.label, err)
			}
			times = append(times, time.Since(t0))
			rows = len(rep.Rows)
		}
		slices.Sort(times)
		fmt.Fprintf(out, "%-10s %-30s %7d %9s %9s\n", c.report, c.label, rows, pct(times, 50), pct(times, 95))
	}
	return nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	i = min(max(i-1, 0), len(sorted)-1)
	return sorted[i].Round(10 * time.Microsecond)
}
