package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/bankcc/callcenter/store"
)

// recordingsDir is where call recordings are kept.
func (c *Config) recordingsDir() string {
	if c.Recording.Dir != "" {
		return c.Recording.Dir
	}
	return filepath.Join(c.Data.Dir, "recordings")
}

// recordingSweeper deletes recordings older than the retention period:
// the file goes, the row stays marked with the time, and each deletion has
// its audit entry (user "system") written with the mark.
type recordingSweeper struct {
	store *store.Store
	dir   string
	keep  time.Duration
	log   *slog.Logger
}

// sweepBatch bounds one pass; the next hourly pass takes the rest.
const sweepBatch = 1000

func (w *recordingSweeper) sweep(ctx context.Context, now time.Time) int {
	recs, err := w.store.ExpiredRecordings(ctx, now.Add(-w.keep), sweepBatch)
	if err != nil {
		w.log.Error("recording retention", "err", err)
		return 0
	}
	n := 0
	for _, r := range recs {
		if err := w.delete(ctx, &r, now); err != nil {
			w.log.Error("recording retention", "recording_id", r.ID, "err", err)
			continue
		}
		n++
	}
	if n > 0 {
		w.log.Info("recordings past retention deleted", "count", n, "retention", w.keep)
	}
	return n
}

func (w *recordingSweeper) delete(ctx context.Context, r *store.Recording, now time.Time) error {
	if !filepath.IsLocal(r.Path) {
		return fmt.Errorf("path %q leaves the recordings folder", r.Path)
	}
	err := os.Remove(filepath.Join(w.dir, r.Path))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	e := &store.AuditEntry{At: now, Action: "recording.delete", TargetType: "recording", TargetID: fmt.Sprint(r.ID),
		Username: "system", Status: 200, Result: "ok",
		Detail: fmt.Sprintf("retention=%s call=%s ended=%s sha256=%s", w.keep, r.CallUUID, r.EndedAt.UTC().Format(time.RFC3339), r.SHA256)}
	return w.store.MarkRecordingDeleted(ctx, r.ID, now, e)
}
