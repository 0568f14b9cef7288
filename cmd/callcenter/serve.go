package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bankcc/callcenter/api"
	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/go-co-op/gocron/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, store.Config{Driver: cfg.Database.Driver, DSN: cfg.Database.DSN, Logger: log.With("component", "store")})
	if err != nil {
		return nil, err
	}
	log.Info("database open", "driver", cfg.Database.Driver)
	return st, nil
}

func migrate(ctx context.Context, cfg *Config, log *slog.Logger) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	log.Info("schema up to date", "version", v)
	return nil
}

// serve runs the server until ctx is cancelled, then shuts down in a fixed,
// logged order under a timeout.
func serve(ctx context.Context, cfg *Config, log *slog.Logger, stdout io.Writer) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		log.Info("shutdown: closing database")
		st.Close()
	}()
	generated, err := st.EnsureAdmin(ctx, cfg.Admin.Password)
	if err != nil {
		return fmt.Errorf("bootstrap admin: %w", err)
	}
	if generated != "" {
		// Shown once on the terminal, never written to the log.
		fmt.Fprintf(stdout, "\n  First start: created user \"admin\" with password %s\n  Change it after signing in, or set admin.password / CC_ADMIN_PASSWORD.\n\n", generated)
	}

	sw, err := startSwitch(ctx, cfg, st, log)
	if err != nil {
		return err
	}
	defer func() {
		log.Info("shutdown: closing FreeSWITCH connections")
		sw.Close()
	}()

	imports := importer.NewQueue(ctx, st, cfg.Import.Workers, 16, log.With("component", "import"))
	sched, err := startScheduler(ctx, cfg, st, log)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	apiSrv := api.New(api.Config{
		Store: st, Switch: sw, Simulated: sw.Simulated(), Version: version, Logger: log.With("component", "api"),
		Registry: reg, Sessions: store.SessionPolicy{Idle: cfg.Session.Idle, Absolute: cfg.Session.Absolute},
		FSDirectory: sw.Directory(st), FSDialplan: sw.Dialplan(), FSCredentials: cfg.FreeSWITCH.XMLCurlCredentials,
		Imports: imports, DataDir: cfg.Data.Dir, MaxUploadBytes: cfg.Import.MaxBytes, IVRFlowKnown: sw.IVRFlowKnown,
	})
	ln, err := net.Listen("tcp", cfg.HTTP.Address)
	if err != nil {
		return fmt.Errorf("http.address %s: %w", cfg.HTTP.Address, err)
	}
	httpSrv := &http.Server{Handler: apiSrv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	log.Info("listening", "http", ln.Addr().String(), "simulated", sw.Simulated(), "version", version)
	if sw.Simulated() {
		log.Warn("SIMULATED: no freeswitch.nodes configured, calls go to the built-in FreeSWITCH simulator")
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
	}
	return shutdown(cfg, log, sched, imports, sw, apiSrv, httpSrv)
}

func shutdown(cfg *Config, log *slog.Logger, sched gocron.Scheduler, imports *importer.Queue, sw *switchboard, apiSrv *api.Server, httpSrv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown.Timeout)
	defer cancel()
	log.Info("shutdown: stop scheduling")
	if err := sched.Shutdown(); err != nil {
		log.Error("scheduler shutdown", "err", err)
	}
	log.Info("shutdown: stop originating and imports")
	sw.StopOriginating(ctx)
	imports.Shutdown(ctx)
	log.Info("shutdown: closing event streams")
	_ = apiSrv.Shutdown(ctx)
	log.Info("shutdown: stopping HTTP server")
	if err := httpSrv.Shutdown(ctx); err != nil {
		log.Error("http shutdown", "err", err)
	}
	return nil
}
