// Command fssim runs the FreeSWITCH simulator (package esltest) as a
// program: an Event Socket server on --listen that behaves like
// FreeSWITCH, steered by a YAML scenario, until SIGTERM or SIGINT.
//
//	fssim --listen 127.0.0.1:8021 --password ClueCon --scenario scenario.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bankcc/callcenter/controller/esltest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fssim:", err)
		os.Exit(1)
	}
}

// run parses flags, starts the simulator and blocks until ctx ends.
func run(ctx context.Context, args []string, logOut io.Writer) error {
	fs := flag.NewFlagSet("fssim", flag.ContinueOnError)
	fs.SetOutput(logOut)
	listen := fs.String("listen", "127.0.0.1:8021", "inbound event socket address")
	password := fs.String("password", "ClueCon", "event socket password")
	scenario := fs.String("scenario", "", "YAML scenario file (default: built-in scenario)")
	scale := fs.Float64("time-scale", 1, "multiplier for simulated delays (0.1 = ten times faster)")
	heartbeat := fs.Duration("heartbeat", 20*time.Second, "HEARTBEAT interval (negative disables)")
	verbose := fs.Bool("v", false, "debug logging")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	opts := esltest.Options{Addr: *listen, Password: *password, Logger: log, TimeScale: *scale,
		HeartbeatInterval: *heartbeat}
	if *scenario != "" {
		sc, err := esltest.LoadScenario(*scenario)
		if err != nil {
			return err
		}
		opts.Scenario = sc
	}
	srv, err := esltest.Start(ctx, opts)
	if err != nil {
		return err
	}
	log.Info("fssim: running", "addr", srv.Addr(), "core_uuid", srv.CoreUUID(), "scenario", *scenario)
	<-ctx.Done()
	log.Info("fssim: stopping")
	return srv.Close()
}
