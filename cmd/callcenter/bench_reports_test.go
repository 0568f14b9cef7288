package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// TestBenchReports is the short form of `bench reports`: 20,000 attempts (and
// 1,989 inbound and IVR calls each, 6,666 contacts, 2,000 messages, 1,000 callbacks) on SQLite, every report timed; the rollups the bulk
// loader wrote equal a rebuild from the rows it inserted, the campaigns report counted the contacts and the workflow report the callbacks.
func TestBenchReports(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bench.db")
	t.Setenv("CC_DATABASE_DRIVER", "sqlite")
	t.Setenv("CC_DATABASE_DSN", db)
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "reports", "--attempts", "20000", "--campaigns", "20", "--agents", "50",
		"--days", "3", "--runs", "2"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	lines := regexp.MustCompile(`(?m)^(outbound|agents|inbound|ivr|campaigns|messages|workflow|qa|attendance) +.+ +\d+ +[\d.]+[µm]?s +[\d.]+[µm]?s$`).FindAllString(out.String(), -1)
	if len(lines) != 23 || !regexp.MustCompile(`attempts: 20000 inserted`).MatchString(out.String()) ||
		!regexp.MustCompile(`inbound: 1989 queued callers and 1989 IVR calls inserted`).MatchString(out.String()) ||
		!regexp.MustCompile(`contacts: 6666 imported`).MatchString(out.String()) ||
		!regexp.MustCompile(`messages: 2000 logged`).MatchString(out.String()) ||
		!regexp.MustCompile(`(?m)^messages +all days by channel, day +9 `).MatchString(out.String()) ||
		!regexp.MustCompile(`contact counts: 6666 deltas folded`).MatchString(out.String()) ||
		!regexp.MustCompile(`callbacks: 1000 booked`).MatchString(out.String()) ||
		!regexp.MustCompile(`qa scores: 200 given`).MatchString(out.String()) ||
		!regexp.MustCompile(`(?m)^qa +all days by agent +4\d `).MatchString(out.String()) ||
		!regexp.MustCompile(`callbacks rollup: 1000 deltas folded`).MatchString(out.String()) ||
		!regexp.MustCompile(`attendance: 150 roster days and 12\d sign-ins`).MatchString(out.String()) ||
		!regexp.MustCompile(`(?m)^attendance +7 days +150 `).MatchString(out.String()) {
		t.Fatalf("output:\n%s", out.String())
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Driver: "sqlite", DSN: db})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts, err := st.ContactCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The sign-ins found their states: breaks, lateness and days off show.
	now := time.Now().In(store.ReportZone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, store.ReportZone)
	att, err := st.RunReport(ctx, store.ReportAttendance, store.ReportQuery{From: today.AddDate(0, 0, -3), To: today, Loc: store.ReportZone})
	if err != nil {
		t.Fatal(err)
	}
	if att.Totals["late"].(int64) == 0 || att.Totals["day_off"].(int64) == 0 || att.Totals["break_s"].(float64) == 0 {
		t.Errorf("attendance totals %v: want late agents, days off and breaks", att.Totals)
	}
	byStatus := map[store.ContactStatus]int64{}
	for _, m := range counts {
		for status, n := range m {
			byStatus[status] += n
		}
	}
	if len(counts) != 20 || byStatus[store.ContactCompleted] == 0 || byStatus[store.ContactBlocked] == 0 {
		t.Errorf("contacts of %d campaigns by status %v: want 20 campaigns, 6666 contacts in a mix of statuses", len(counts), byStatus)
	}
	var total int64
	for _, n := range byStatus {
		total += n
	}
	if total != 6666 {
		t.Errorf("%d contacts counted, want 6666", total)
	}
	loaded, err := st.Rollups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RebuildRollups(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := st.Rollups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.CampaignHours) == 0 || len(loaded.QueueDays) == 0 || len(loaded.AnswerHours) == 0 || !reflect.DeepEqual(loaded, rebuilt) {
		t.Errorf("bulk-loaded rollups differ from a rebuild (%d vs %d campaign hours)", len(loaded.CampaignHours), len(rebuilt.CampaignHours))
	}

	wf := func() map[string]any {
		t.Helper()
		rep, err := st.RunReport(ctx, store.ReportWorkflow, store.ReportQuery{From: time.Now().AddDate(0, 0, -40), To: time.Now(), Loc: store.ReportZone})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Totals
	}
	if tot := wf(); tot["callbacks_booked"] != int64(1000) || tot["callbacks_kept"].(int64) < 500 || tot["callbacks_missed"].(int64) == 0 ||
		tot["callbacks_cancelled"].(int64) == 0 || tot["callbacks_open"].(int64) == 0 || tot["callbacks_handed_to_group"].(int64) == 0 {
		t.Errorf("workflow totals %v: want 1,000 callbacks, most kept, some of every other outcome", tot)
	}

	// --reuse --contacts adds contacts to data generated without them.
	out.Reset()
	err = run(ctx, []string{"bench", "reports", "--reuse", "--contacts", "100", "--campaigns", "20", "--runs", "1", "--only", "campaigns"}, &out, io.Discard)
	if err != nil || !regexp.MustCompile(`contacts: 100 imported`).MatchString(out.String()) ||
		!regexp.MustCompile(`contact counts: 100 deltas folded`).MatchString(out.String()) {
		t.Fatalf("reuse: %v\n%s", err, out.String())
	}
	// --reuse --callbacks likewise.
	out.Reset()
	err = run(ctx, []string{"bench", "reports", "--reuse", "--callbacks", "100", "--campaigns", "20", "--agents", "50", "--runs", "1", "--only", "workflow"}, &out, io.Discard)
	if err != nil || !regexp.MustCompile(`callbacks: 100 booked`).MatchString(out.String()) ||
		!regexp.MustCompile(`callbacks rollup: 100 deltas folded`).MatchString(out.String()) {
		t.Fatalf("reuse: %v\n%s", err, out.String())
	}
	if tot := wf(); tot["callbacks_booked"] != int64(1100) {
		t.Errorf("workflow after --reuse --callbacks 100: %v booked, want 1100", tot["callbacks_booked"])
	}
}
