package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// InterruptedMessage starts the message of a job whose process stopped.
const InterruptedMessage = "interrupted: server stopped"

// RowRange is the file rows (first to last, inclusive) of one batch.
type RowRange struct{ First, Last int }

// ImportBatchMark records the rows one committed batch covered.
type ImportBatchMark struct {
	ID       int64 `gorm:"primaryKey"`
	JobID    int64 `gorm:"index;not null"`
	FirstRow int   `gorm:"not null"`
	LastRow  int   `gorm:"not null"`
}

// newInstanceID names this process: host, pid and a random part, so a
// restarted process on the same host and pid is still told apart.
func newInstanceID() string {
	host, _ := os.Hostname()
	if len(host) > 48 {
		host = host[:48]
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Instance returns this process's owner name for jobs.
func (s *Store) Instance() string { return s.instance }

// ownerDead tells, without waiting for heartbeats to go stale, that a job's
// owner is gone: same host, and either this very pid (we are its restart)
// or a pid no process has any more.
func (s *Store) ownerDead(owner string) bool {
	parts := strings.Split(owner, "/")
	mine := strings.Split(s.instance, "/")
	if len(parts) != 3 || parts[0] != mine[0] {
		return false
	}
	if parts[1] == mine[1] {
		return parts[2] != mine[2]
	}
	pid, err := strconv.Atoi(parts[1])
	return err == nil && pid > 0 && syscall.Kill(pid, 0) == syscall.ESRCH
}

// HeartbeatImportJobs tells that this process still runs its queued and
// running jobs.
func (s *Store) HeartbeatImportJobs(ctx context.Context) error {
	err := s.conn(ctx).Model(&ImportJob{}).Where("owner = ? AND status IN ?", s.instance, []ImportStatus{ImportQueued, ImportRunning}).
		Update("heartbeat_at", s.now()).Error
	if err != nil {
		return fmt.Errorf("store: import heartbeat: %w", err)
	}
	return nil
}

// FailOrphanedImports marks failed the queued and running jobs of processes
// that are gone: silent for staleAfter, or known dead on this host. Their
// counters stay as committed (whole batches); a job with a kept file can be
// resumed. It returns the jobs marked.
func (s *Store) FailOrphanedImports(ctx context.Context, staleAfter time.Duration) ([]int64, error) {
	var jobs []ImportJob
	err := s.conn(ctx).Select("id", "owner", "heartbeat_at", "imported", "batches").
		Where("status IN ? AND owner <> ?", []ImportStatus{ImportQueued, ImportRunning}, s.instance).Find(&jobs).Error
	if err != nil {
		return nil, fmt.Errorf("store: find orphaned imports: %w", err)
	}
	now := s.now()
	var failed []int64
	for _, j := range jobs {
		stale := j.HeartbeatAt == nil || now.Sub(*j.HeartbeatAt) > staleAfter
		if !stale && !s.ownerDead(j.Owner) {
			continue
		}
		msg := fmt.Sprintf("%s; %d whole batches (%d contacts imported) were committed and stay; resume it or cancel it", InterruptedMessage, j.Batches, j.Imported)
		res := s.conn(ctx).Model(&ImportJob{}).Where("id = ? AND owner = ? AND status IN ?", j.ID, j.Owner, []ImportStatus{ImportQueued, ImportRunning}).
			Updates(map[string]any{"status": ImportFailed, "message": msg, "finished_at": now})
		if res.Error != nil {
			return failed, fmt.Errorf("store: fail orphaned import %d: %w", j.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			failed = append(failed, j.ID)
		}
	}
	return failed, nil
}

// CommittedRows lists the row ranges of a job's committed batches.
func (s *Store) CommittedRows(ctx context.Context, jobID int64) ([]RowRange, error) {
	var marks []ImportBatchMark
	if err := s.conn(ctx).Where("job_id = ?", jobID).Order("first_row").Find(&marks).Error; err != nil {
		return nil, fmt.Errorf("store: committed rows of import %d: %w", jobID, err)
	}
	out := make([]RowRange, len(marks))
	for i, m := range marks {
		out[i] = RowRange{First: m.FirstRow, Last: m.LastRow}
	}
	return out, nil
}

// ResumeImportJob takes a failed job with a kept file back to queued, owned
// by this process; ErrConflict when it is not resumable (any more).
func (s *Store) ResumeImportJob(ctx context.Context, id int64) (*ImportJob, error) {
	now := s.now()
	res := s.conn(ctx).Model(&ImportJob{}).Where("id = ? AND status = ? AND file_path <> ''", id, ImportFailed).
		Updates(map[string]any{"status": ImportQueued, "owner": s.instance, "heartbeat_at": now, "message": "", "finished_at": nil, "cancel_requested": false})
	if res.Error != nil {
		return nil, fmt.Errorf("store: resume import %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		if _, err := s.GetImportJob(ctx, id); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("store: import %d is not a failed import with its file kept: %w", id, ErrConflict)
	}
	return s.GetImportJob(ctx, id)
}

// CancelStoppedImport cancels a failed job that kept its file for a resume,
// returning the file's path for the caller to delete.
func (s *Store) CancelStoppedImport(ctx context.Context, id int64) (string, error) {
	j, err := s.GetImportJob(ctx, id)
	if err != nil {
		return "", err
	}
	res := s.conn(ctx).Model(&ImportJob{}).Where("id = ? AND status = ? AND file_path = ?", id, ImportFailed, j.FilePath).
		Updates(map[string]any{"status": ImportCancelled, "file_path": "", "message": clip("cancelled; "+j.Message, 1024)})
	if res.Error != nil {
		return "", fmt.Errorf("store: cancel import %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 || j.FilePath == "" {
		return "", fmt.Errorf("store: import %d is not running or resumable: %w", id, ErrConflict)
	}
	return j.FilePath, nil
}

// SetImportFile records the kept upload of a job (for a resume).
func (s *Store) SetImportFile(ctx context.Context, id int64, path string) error {
	return s.conn(ctx).Model(&ImportJob{}).Where("id = ?", id).Update("file_path", path).Error
}
