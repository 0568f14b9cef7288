package importer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// dyingStore is a process that dies after committing two batches: later
// batches are never stored and the job's end is never recorded.
type dyingStore struct {
	*store.Store
	calls atomic.Int32
}

func (d *dyingStore) ImportBatchRows(ctx context.Context, jobID, campaignID int64, rows store.RowRange, batch []store.Contact, rejected, dup int64) (store.BatchResult, error) {
	if d.calls.Add(1) > 2 {
		return store.BatchResult{}, errors.New("process killed")
	}
	return d.Store.ImportBatchRows(ctx, jobID, campaignID, rows, batch, rejected, dup)
}

func (d *dyingStore) FinishImportJob(context.Context, int64, store.ImportStatus, string, []store.FieldError) error {
	return nil
}

// TestResumeAfterCrash (hole 10): a process dies mid-import leaving the job
// running; its restart marks it failed ("interrupted: server stopped") with
// the committed counts, and resuming it imports the rest, no row twice, on
// both databases.
func TestResumeAfterCrash(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, dead, restarted *store.Store) {
		ctx := context.Background()
		camp := newCampaign(t, dead, "续传")
		var b strings.Builder
		b.WriteString("姓名,手机\n")
		rejected, dups := 0, 0
		for i := 0; i < 7000; i++ {
			switch {
			case i%100 == 7:
				fmt.Fprintf(&b, "坏%d,12345\n", i)
				rejected++
			case i%1000 == 999:
				fmt.Fprintf(&b, "重%d,139%08d\n", i, i-1) // repeats the row before
				dups++
			default:
				fmt.Fprintf(&b, "客户%d,139%08d\n", i, i)
			}
		}
		path := filepath.Join(t.TempDir(), "big.csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		run := func(st importer.JobStore, jobID int64, skip []store.RowRange) *importer.JobRun {
			src, err := importer.OpenFile(path, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			m, _ := importer.NewMapping(src.Header(), nil)
			r := &importer.JobRun{Store: st, JobID: jobID, CampaignID: camp.ID, Mapping: m, Log: slog.New(slog.DiscardHandler), Skip: skip}
			if err := r.Run(ctx, src); err != nil {
				t.Fatal(err)
			}
			return r
		}
		job := &store.ImportJob{CampaignID: camp.ID, Source: "upload", FilePath: path, SHA256: "abc"}
		if err := dead.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		run(&dyingStore{Store: dead}, job.ID, nil)
		before, _ := restarted.GetImportJob(ctx, job.ID)
		if before.Status != store.ImportRunning || before.Batches != 2 {
			t.Fatalf("after the crash: %s with %d batches", before.Status, before.Batches)
		}

		// The restart recognises its dead predecessor at once (same host
		// and pid, another instance); a heartbeat an hour old is not needed.
		failed, err := restarted.FailOrphanedImports(ctx, time.Hour)
		if err != nil || len(failed) != 1 || failed[0] != job.ID {
			t.Fatalf("orphans %v %v", failed, err)
		}
		got, _ := restarted.GetImportJob(ctx, job.ID)
		if got.Status != store.ImportFailed || !strings.HasPrefix(got.Message, store.InterruptedMessage) || !got.Resumable ||
			got.Imported != before.Imported || got.Total != before.Total || got.Batches != 2 {
			t.Fatalf("marked %s %q resumable=%v imported %d/%d", got.Status, got.Message, got.Resumable, got.Imported, before.Imported)
		}
		// The same file is no longer "already imported".
		again := &store.ImportJob{CampaignID: camp.ID, Source: "upload", SHA256: "abc"}
		if err := restarted.CreateImportJob(ctx, again); err != nil || again.DuplicateOf != nil {
			t.Fatalf("re-import of the file: duplicate of %v (%v)", again.DuplicateOf, err)
		}
		if _, err := restarted.CancelStoppedImport(ctx, again.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("cancel a queued job without a file: %v", err)
		}

		if _, err := restarted.ResumeImportJob(ctx, job.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := restarted.ResumeImportJob(ctx, job.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second resume: %v", err)
		}
		skip, err := restarted.CommittedRows(ctx, job.ID)
		if err != nil || len(skip) != 2 {
			t.Fatalf("committed rows %v %v", skip, err)
		}
		if r := run(restarted, job.ID, skip); r.Status != store.ImportDone {
			t.Fatalf("resumed run: %s", r.Status)
		}
		got, _ = restarted.GetImportJob(ctx, job.ID)
		counts, _ := restarted.CountContactsByStatus(ctx, camp.ID)
		want := int64(7000 - rejected - dups)
		if got.Status != store.ImportDone || got.Total != 7000 || got.Imported != want || got.Rejected != int64(rejected) ||
			got.Duplicates != int64(dups) || counts[store.ContactPending] != want || len(got.Errors) != rejected+dups || got.Resumable {
			t.Fatalf("after resume: %s total %d imported %d (want %d) rejected %d dup %d, campaign %d, %d errors",
				got.Status, got.Total, got.Imported, want, got.Rejected, got.Duplicates, counts[store.ContactPending], len(got.Errors))
		}
	})
}

// TestHeartbeatKeepsLiveJobs: a job of another host's process is left
// alone while that process beats; once silent past the limit it is failed.
func TestHeartbeatKeepsLiveJobs(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	advance := func(d time.Duration) { now.Add(int64(d)) }
	storetest.RunPairWith(t, storetest.Options{Now: clock, Instance: "otherhost/42/aa"}, storetest.Options{Now: clock}, func(t *testing.T, other, me *store.Store) {
		ctx := context.Background()
		camp := newCampaign(t, other, "心跳")
		job := &store.ImportJob{CampaignID: camp.ID, Source: "upload"}
		if err := other.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			wait   time.Duration
			beat   bool
			failed int
		}{{0, false, 0}, {2 * time.Minute, true, 0}, {50 * time.Second, false, 0}, {20 * time.Second, false, 1}} {
			advance(step.wait)
			if step.beat {
				if err := other.HeartbeatImportJobs(ctx); err != nil {
					t.Fatal(err)
				}
			}
			ids, err := me.FailOrphanedImports(ctx, time.Minute)
			if err != nil || len(ids) != step.failed {
				t.Fatalf("after %v (beat %v): failed %v (%v), want %d", step.wait, step.beat, ids, err, step.failed)
			}
		}
		if ids, _ := me.FailOrphanedImports(ctx, time.Minute); len(ids) != 0 {
			t.Fatalf("failed twice: %v", ids)
		}
	})
}

// stoppingSource ends the context (a server shutting down) after n rows.
type stoppingSource struct {
	importer.Source
	n    int
	stop context.CancelFunc
}

func (s *stoppingSource) Next() (importer.Row, error) {
	if s.n--; s.n == 0 {
		s.stop()
	}
	return s.Source.Next()
}

// TestShutdownLeavesResumableJob: an import stopped by a shutdown is marked
// failed as interrupted (resumable), not cancelled as a user's cancel is.
func TestShutdownLeavesResumableJob(t *testing.T) {
	st := storetest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	camp := newCampaign(t, st, "停机")
	var b strings.Builder
	b.WriteString("姓名,手机\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "客户%d,139%08d\n", i, i)
	}
	src, err := importer.Open(strings.NewReader(b.String()), int64(b.Len()), "a.csv", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := importer.NewMapping(src.Header(), nil)
	job := &store.ImportJob{CampaignID: camp.ID, Source: "upload", FilePath: "/kept/upload.csv"}
	if err := st.CreateImportJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	run := &importer.JobRun{Store: st, JobID: job.ID, CampaignID: camp.ID, Mapping: m, Log: slog.New(slog.DiscardHandler)}
	if err := run.Run(ctx, &stoppingSource{Source: src, n: 2500, stop: cancel}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.GetImportJob(context.Background(), job.ID)
	if got.Status != store.ImportFailed || !strings.HasPrefix(got.Message, store.InterruptedMessage) || !got.Resumable {
		t.Fatalf("after shutdown: %s %q resumable=%v", got.Status, got.Message, got.Resumable)
	}
}
