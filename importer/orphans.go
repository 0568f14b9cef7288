package importer

import (
	"context"
	"log/slog"
	"time"
)

// DefaultStaleAfter is how long a job's owner may stay silent before the
// job counts as orphaned.
const DefaultStaleAfter = time.Minute

// Liveness is what watching over import jobs needs from the store.
type Liveness interface {
	HeartbeatImportJobs(ctx context.Context) error
	FailOrphanedImports(ctx context.Context, staleAfter time.Duration) ([]int64, error)
}

// WatchJobs keeps import jobs honest across crashes: at once, and then
// every staleAfter/2, it marks failed the queued and running jobs whose
// process is gone (silent for staleAfter, or known dead on this host), so
// they can be resumed, cancelled or imported again; every staleAfter/4 it
// sends this process's heartbeat. It returns when ctx ends.
func WatchJobs(ctx context.Context, st Liveness, staleAfter time.Duration, log *slog.Logger) {
	if staleAfter <= 0 {
		staleAfter = DefaultStaleAfter
	}
	reap := func() {
		ids, err := st.FailOrphanedImports(ctx, staleAfter)
		if err != nil && ctx.Err() == nil {
			log.Error("orphaned imports", "err", err)
		}
		for _, id := range ids {
			log.Warn("import interrupted: its server stopped; marked failed (resumable)", "job_id", id)
		}
	}
	reap()
	beat, sweep := time.NewTicker(staleAfter/4), time.NewTicker(staleAfter/2)
	defer beat.Stop()
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			if err := st.HeartbeatImportJobs(ctx); err != nil && ctx.Err() == nil {
				log.Error("import heartbeat", "err", err)
			}
		case <-sweep.C:
			reap()
		}
	}
}
