package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/bankcc/callcenter/api"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/go-co-op/gocron/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, store.Config{Driver: cfg.Database.Driver, DSN: cfg.Database.DSN, Logger: log.With("component", "store"),
		Login: store.LoginPolicy{MaxFailures: cfg.Login.MaxFailures, Lockout: cfg.Login.Lockout, MaxLockout: cfg.Login.MaxLockout}})
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

	// The ports are taken before anything starts: a port in use stops the
	// start here, with nothing running that would need stopping.
	ln, err := net.Listen("tcp", cfg.HTTP.Address)
	if err != nil {
		return fmt.Errorf("http.address %s: %w", cfg.HTTP.Address, err)
	}
	defer ln.Close() // on an early return; after Serve, Shutdown has closed it
	metricsLn, err := listenMetrics(cfg)
	if err != nil {
		return err
	}
	if metricsLn != nil {
		defer metricsLn.Close()
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
	go importer.WatchJobs(ctx, st, cfg.Import.StaleAfter, log.With("component", "import"))
	sched, err := startScheduler(ctx, cfg, st, log)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}

	msg, err := buildMessaging(cfg, st, sw.attempts, sw.Simulated(), log)
	if err != nil {
		return err
	}
	defer msg.Close()
	if err := scheduleMessaging(ctx, sched, st, msg, log); err != nil {
		return err
	}

	// The live event hub: the api's streams read it; the acd and dialer publish to it.
	hub := feed.New(feed.Options{})
	defer hub.Close()

	// The agent desk starts before anything that uses it (the api; the
	// dialer's campaign runners take DialerDesk). It stops with ctx and
	// its journal is written before the database closes.
	deskCtx, stopDesk := context.WithCancel(ctx)
	desk, waitDesk, err := startDesk(deskCtx, cfg, st, sw, hub, log)
	if err != nil {
		stopDesk()
		return err
	}
	defer func() {
		log.Info("shutdown: agent desk (agents signed out)")
		stopDesk()
		waitDesk()
	}()
	// The campaign dialer, after the desk: its runners reserve and connect
	// agents through it. It is stopped first on shutdown.
	dial, err := startDialer(ctx, cfg, st, sw, desk, msg.Dispatcher, hub, log)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	apiSrv := api.New(api.Config{
		Messenger: msg, Store: st, Switch: sw, Simulated: sw.Simulated(), Version: version, Logger: log.With("component", "api"), Feed: hub, Desk: desk,
		Registry: reg, Sessions: store.SessionPolicy{Idle: cfg.Session.Idle, Absolute: cfg.Session.Absolute},
		FSDirectory: sw.Directory(st), FSDialplan: sw.Dialplan(), FSCredentials: cfg.FreeSWITCH.XMLCurlCredentials,
		Imports: imports, DataDir: cfg.Data.Dir, RecordingsDir: cfg.recordingsDir(), MaxUploadBytes: cfg.Import.MaxBytes, IVRFlowKnown: sw.IVRFlowKnown,
		ImportLimits: cfg.Import.limits(), Previews: cfg.Import.Previews,
		TrustedProxies: cfg.HTTP.TrustedProxies, BodyTimeout: cfg.HTTP.BodyTimeout, BodyMinRate: cfg.HTTP.BodyMinRate,
		RateLimits:   &api.RateLimits{Login: cfg.RateLimit.Login.api(), Import: cfg.RateLimit.Import.api(), Export: cfg.RateLimit.Export.api()},
		MetricsToken: cfg.Metrics.Token, MetricsSeparate: cfg.Metrics.Address != "",
		DLP: api.DLPConfig{IdleLock: cfg.Security.IdleLock, RequireLockedWorkstation: cfg.Security.RequireLockedWorkstation,
			WorkstationMaxAge: cfg.Security.WorkstationReportMaxAge},
		UIDir: cfg.UI.Dir, WebPhone: cfg.WebPhone,
	})
	httpSrv := newHTTPServer(cfg, apiSrv.Handler())
	errc := make(chan error, 2)
	go func() { errc <- httpSrv.Serve(ln) }()
	metricsSrv := serveMetrics(cfg, metricsLn, apiSrv, log, errc)
	log.Info("listening", "http", ln.Addr().String(), "simulated", sw.Simulated(), "version", version)
	if httpListening != nil {
		httpListening(ln.Addr().String())
	}
	if strings.HasPrefix(cfg.WebPhone.WSURL, "ws://") {
		log.Warn("webphone.ws_url is plain ws://: browsers on an https page refuse it, and SIP signalling crosses the network unencrypted; use wss:// (freeswitch-conf/README.md, certificate for browsers)")
	}
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
	if metricsSrv != nil {
		defer metricsSrv.Close()
	}
	return shutdown(cfg, log, sched, imports, sw, dial, apiSrv, httpSrv)
}

// newHTTPServer bounds how long a client may take to send its headers; the
// body's own deadline is set per request by the api (http.body_timeout).
func newHTTPServer(cfg *Config, h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout, IdleTimeout: 2 * time.Minute}
}

// listenMetrics takes metrics.address when one is configured.
func listenMetrics(cfg *Config) (net.Listener, error) {
	if cfg.Metrics.Address == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Metrics.Address)
	if err != nil {
		return nil, fmt.Errorf("metrics.address %s: %w", cfg.Metrics.Address, err)
	}
	return ln, nil
}

// serveMetrics serves the metrics on ln when metrics.address is configured.
func serveMetrics(cfg *Config, ln net.Listener, apiSrv *api.Server, log *slog.Logger, errc chan<- error) *http.Server {
	if ln == nil {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", apiSrv.MetricsHandler())
	srv := newHTTPServer(cfg, mux)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("metrics listening", "address", ln.Addr().String())
	return srv
}

// httpListening, when set (by program tests only), is given the address
// the HTTP server serves on: tests ask for port 0 and learn the port the
// system gave, rather than picking a free port that another process may
// take before the server binds it.
var httpListening func(addr string)

func shutdown(cfg *Config, log *slog.Logger, sched gocron.Scheduler, imports *importer.Queue, sw *switchboard, dial *dialerRun,
	apiSrv *api.Server, httpSrv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown.Timeout)
	defer cancel()
	log.Info("shutdown: stop scheduling")
	if err := sched.Shutdown(); err != nil {
		log.Error("scheduler shutdown", "err", err)
	}
	log.Info("shutdown: stop dialing campaigns")
	dial.stop(ctx)
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
