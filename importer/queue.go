package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/bankcc/callcenter/store"
)

// ErrQueueFull is returned by Submit when every worker is busy and the
// waiting line is full; the API answers 429.
var ErrQueueFull = errors.New("importer: too many imports waiting; try again shortly")

// Task is one queued file import.
type Task struct {
	JobID      int64
	CampaignID int64
	Path       string // the uploaded or picked-up file
	Options    Options
	Mapping    Mapping
	ReportPath string
	// Remove deletes Path (an upload) once the job is done or cancelled; a
	// failed job keeps it so it can be resumed.
	Remove bool
	// Skip lists rows committed before (a resumed job), see JobRun.Skip.
	Skip []store.RowRange
}

// Queue runs imports on a fixed number of workers so a burst of uploads
// cannot starve the dialer of database time.
type Queue struct {
	store JobStore
	log   *slog.Logger
	tasks chan Task
	wg    sync.WaitGroup
	stop  context.CancelFunc
}

// NewQueue starts workers that run tasks until Shutdown.
func NewQueue(ctx context.Context, st JobStore, workers, waiting int, log *slog.Logger) *Queue {
	ctx, cancel := context.WithCancel(ctx)
	q := &Queue{store: st, log: log, tasks: make(chan Task, waiting), stop: cancel}
	for i := 0; i < workers; i++ {
		q.wg.Add(1)
		go q.work(ctx)
	}
	return q
}

// Submit queues a task without blocking.
func (q *Queue) Submit(t Task) error {
	select {
	case q.tasks <- t:
		return nil
	default:
		return ErrQueueFull
	}
}

func (q *Queue) work(ctx context.Context) {
	defer q.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case t := <-q.tasks:
			if err := q.run(ctx, t); err != nil {
				q.log.Error("import failed", "job_id", t.JobID, "campaign_id", t.CampaignID, "err", err)
			}
		}
	}
}

func (q *Queue) run(ctx context.Context, t Task) error {
	src, err := OpenFile(t.Path, t.Options)
	if err != nil { // failed, the file kept: cancelling the job deletes it
		msg := fmt.Sprintf("cannot read the file: %v", err)
		return q.store.FinishImportJob(context.WithoutCancel(ctx), t.JobID, store.ImportFailed, msg, nil)
	}
	run := &JobRun{Store: q.store, JobID: t.JobID, CampaignID: t.CampaignID, Mapping: t.Mapping, ReportPath: t.ReportPath, Log: q.log, Skip: t.Skip}
	err = run.Run(ctx, src)
	src.Close()
	if t.Remove && (run.Status == store.ImportDone || run.Status == store.ImportCancelled) {
		os.Remove(t.Path)
	}
	return err
}

// Shutdown stops taking tasks; running imports stop after their current
// batch (they see the cancelled context) and are marked cancelled.
func (q *Queue) Shutdown(ctx context.Context) {
	q.stop()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
