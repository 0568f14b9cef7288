package importer

import (
	"context"
	"fmt"
	"sync"

	"github.com/bankcc/callcenter/store"
)

// writeTask is one batch on its way to the store.
type writeTask struct {
	batch         []store.Contact
	rows          []int // the file row of each contact of batch
	rejected, dup int64
	dups          []duplicate // the repeats within the file dropped from this batch
	lastRow       int
	span          store.RowRange // file rows covered, recorded for a resume
}

// batchWriter stores batches on a few goroutines. Each batch is one
// transaction, so whatever happens the campaign holds whole batches only;
// the first failure stops the rest.
type batchWriter struct {
	run   *JobRun
	tasks chan writeTask
	wg    sync.WaitGroup
	mu    sync.Mutex // guards err, done and dups, written by the writer goroutines
	err   error
	done  int
	dups  []duplicate // duplicates of the committed batches
}

func (j *JobRun) newWriter(ctx context.Context) *batchWriter {
	n := j.Writers
	if n <= 0 {
		n = 2
	}
	w := &batchWriter{run: j, tasks: make(chan writeTask, n)}
	for i := 0; i < n; i++ {
		w.wg.Add(1)
		go w.loop(ctx)
	}
	return w
}

func (w *batchWriter) loop(ctx context.Context) {
	defer w.wg.Done()
	for t := range w.tasks {
		if w.failed() != nil {
			continue // drain: after a failure nothing more is stored
		}
		res, err := w.run.Store.ImportBatchRows(ctx, w.run.JobID, w.run.CampaignID, t.span, t.batch, t.rejected, t.dup)
		w.mu.Lock()
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("batch ending at row %d could not be stored: %w", t.lastRow, err)
		} else if err == nil {
			w.done++
			w.keepDuplicates(t.dups, batchDuplicates(t.rows, res.Duplicate))
		}
		w.mu.Unlock()
	}
}

// keepDuplicates holds a committed batch's duplicates for the report, up to
// its bound; the caller holds w.mu.
func (w *batchWriter) keepDuplicates(lists ...[]duplicate) {
	for _, l := range lists {
		room := maxReportErrors - len(w.dups)
		w.dups = append(w.dups, l[:min(len(l), max(room, 0))]...)
	}
}

// duplicates returns the committed batches' duplicates; call after close.
func (w *batchWriter) duplicates() []duplicate {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dups
}

func (w *batchWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// send queues a batch, or returns the first failure so reading stops.
func (w *batchWriter) send(ctx context.Context, t writeTask) error {
	if err := w.failed(); err != nil {
		return err
	}
	select {
	case w.tasks <- t:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close waits for queued batches and reports how many were committed.
func (w *batchWriter) close() (int, error) {
	close(w.tasks)
	w.wg.Wait()
	return w.done, w.err
}
