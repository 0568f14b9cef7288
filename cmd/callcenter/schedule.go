package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/go-co-op/gocron/v2"
)

// startScheduler runs the periodic jobs: watched folders, database pulls,
// the end of do-not-disturb periods, the reaper of claims a dead dialer left,
// the fold of the delta logs (contact counts, callbacks rollup). Each job runs alone (no overlap with
// its own previous run).
func startScheduler(ctx context.Context, cfg *Config, st *store.Store, log *slog.Logger) (gocron.Scheduler, error) {
	s, err := gocron.NewScheduler(gocron.WithLogger(gocronLogger{log}))
	if err != nil {
		return nil, err
	}
	p := &importer.Puller{Store: st, DataDir: cfg.Data.Dir, Log: log.With("component", "import")}
	add := func(name string, every time.Duration, fn func(ctx context.Context)) error {
		_, err := s.NewJob(gocron.DurationJob(every), gocron.NewTask(func() { fn(ctx) }),
			gocron.WithName(name), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		return err
	}
	for _, f := range cfg.Import.Folders {
		src := importer.FolderSource{Name: f.Name, Path: f.Path, CampaignID: f.CampaignID, Settle: 5 * time.Second,
			Options: importer.Options{Encoding: f.Encoding, Limits: cfg.Import.limits()}, Mapping: []byte(f.Mapping)}
		if err := add("folder:"+f.Name, f.Every, func(ctx context.Context) {
			jobs, err := p.ScanFolder(ctx, src)
			if err != nil {
				log.Error("watched folder", "source", src.Name, "err", err)
			}
			for _, j := range jobs {
				log.Info("folder import", "source", src.Name, "file", j.Filename, "status", j.Status, "imported", j.Imported, "rejected", j.Rejected)
			}
		}); err != nil {
			return nil, err
		}
	}
	for _, d := range cfg.Import.Databases {
		src := importer.DBSource{Name: d.Name, Driver: d.Driver, DSN: d.DSN, Query: d.Query, Cursor: d.Cursor,
			CampaignID: d.CampaignID, Mapping: []byte(d.Mapping)}
		if err := add("db:"+d.Name, d.Every, func(ctx context.Context) {
			job, err := p.PullDB(ctx, src)
			if err != nil {
				log.Error("database pull", "source", src.Name, "err", err) // the DSN is never logged
				return
			}
			log.Info("database pull", "source", src.Name, "status", job.Status, "imported", job.Imported, "rejected", job.Rejected)
		}); err != nil {
			return nil, err
		}
	}
	if err := add("dnc-expiry", time.Minute, func(ctx context.Context) {
		if n, err := st.ReleaseExpiredDNC(ctx); err != nil {
			log.Error("release expired do-not-disturb", "err", err)
		} else if n > 0 {
			log.Info("do-not-disturb ended", "contacts_released", n)
		}
	}); err != nil {
		return nil, err
	}
	if err := add("claim-reaper", 30*time.Second, func(ctx context.Context) {
		if n, err := st.ReleaseExpiredClaims(ctx, time.Now()); err != nil {
			log.Error("release expired contact claims", "err", err)
		} else if n > 0 {
			log.Info("expired contact claims released", "contacts", n)
		}
	}); err != nil {
		return nil, err
	}
	folder := &deltaFolder{st: st, every: 10 * time.Second, backlog: store.FoldThreshold, log: log}
	if err := add("delta-fold", time.Second, func(ctx context.Context) { folder.tick(ctx, time.Now()) }); err != nil {
		return nil, err
	}
	if cfg.Recording.Retention > 0 {
		sw := &recordingSweeper{store: st, dir: cfg.recordingsDir(), keep: cfg.Recording.Retention, log: log.With("component", "recordings")}
		if err := add("recording-retention", time.Hour, func(ctx context.Context) { sw.sweep(ctx, time.Now()) }); err != nil {
			return nil, err
		}
	}
	s.Start()
	return s, nil
}

// deltaFolder folds the delta logs kept by triggers, the contact counts'
// and the callbacks rollup's (store.FoldDeltas), every `every`, and sooner
// when an import, a blacklist entry, a campaign's deletion or a bulk change
// of callbacks has left `backlog` deltas in either: the campaigns report
// sums the contact deltas not yet folded and the workflow report folds the
// callback deltas before it reads, so the logs are kept short. It is
// checked every second (each backlog is two index lookups).
type deltaFolder struct {
	st      *store.Store
	every   time.Duration
	backlog int64
	log     *slog.Logger
	mu      sync.Mutex // gocron runs each tick on a goroutine of its own
	last    time.Time
}

// tick folds when it is time to, and says whether it did.
func (f *deltaFolder) tick(ctx context.Context, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.last) < f.every {
		n, err := f.st.DeltaBacklog(ctx)
		if err != nil {
			f.log.Error("delta log backlog", "err", err)
			return false
		}
		if n < f.backlog {
			return false
		}
	}
	f.last = now
	if _, err := f.st.FoldDeltas(ctx); err != nil {
		f.log.Error("fold delta logs", "err", err)
	}
	return true
}

// gocronLogger routes gocron's messages into slog.
type gocronLogger struct{ log *slog.Logger }

func (g gocronLogger) Debug(msg string, args ...any) { g.log.Debug(msg, args...) }
func (g gocronLogger) Info(msg string, args ...any)  { g.log.Info(msg, args...) }
func (g gocronLogger) Warn(msg string, args ...any)  { g.log.Warn(msg, args...) }
func (g gocronLogger) Error(msg string, args ...any) { g.log.Error(msg, args...) }
