// Command callcenter is the outbound contact-center server: REST API and web
// UI, the campaign dialer and the FreeSWITCH controller in one binary.
//
//	callcenter serve     run the server (default)
//	callcenter migrate   bring the database schema up to date and exit
//	callcenter version   print the version
//	callcenter rollups rebuild   recompute the report rollups from the raw rows
//	callcenter bench ... measure import speed, ESL ingest, originate rate, pacing
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "callcenter:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run parses the command line and runs one subcommand until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("callcenter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "configuration file (default: $CC_CONFIG or ./callcenter.yaml when present)")
	httpAddr := fs.String("http-address", "", "listen address for HTTP (overrides http.address)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: callcenter [--config FILE] [serve|migrate|rollups rebuild|bench|version]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	cmd := "serve"
	if fs.NArg() > 0 {
		cmd = fs.Arg(0)
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "callcenter", version)
		return nil
	}
	cfg, err := loadConfig(*configFile)
	if err != nil {
		return err
	}
	if *httpAddr != "" {
		cfg.HTTP.Address = *httpAddr
	}
	log := newLogger(cfg.Log, stderr)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		return migrate(ctx, cfg, log)
	case "bench":
		return bench(ctx, cfg, fs.Args()[1:], stdout)
	case "rollups":
		return rollups(ctx, cfg, log, fs.Args()[1:], stdout)
	}
	return usageError{fmt.Sprintf("unknown command %q: want serve, migrate, rollups, bench or version", cmd)}
}

func bench(ctx context.Context, cfg *Config, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageError{"bench: want a benchmark name: import, pacing, campaigns or reports"}
	}
	switch args[0] {
	case "import":
		return benchImport(ctx, cfg, args[1:], out)
	case "pacing":
		return benchPacing(ctx, args[1:], out)
	case "campaigns":
		return benchCampaigns(ctx, args[1:], out)
	case "reports":
		return benchReports(ctx, cfg, args[1:], out)
	}
	return usageError{fmt.Sprintf("bench: unknown benchmark %q", args[0])}
}
