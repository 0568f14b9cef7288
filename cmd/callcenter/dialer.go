package main

import (
	"context"
	"log/slog"

	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
)

// dialerRun is the campaign manager running in its own goroutine; stop
// ends it (each runner drains its calls and releases its lease) within ctx.
type dialerRun struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startDialer runs the campaign manager. desk is the agent desk (nil until
// package acd is wired: agent-mode campaigns are then held, not dialed, and
// the log says why); messages go through the dispatcher; campaign changes
// and figures go to the supervisors' and wallboard's streams on hub.
func startDialer(ctx context.Context, cfg *Config, st *store.Store, sw *switchboard, desk dialer.Desk,
	msg *messaging.Dispatcher, hub *feed.Hub, log *slog.Logger) (*dialerRun, error) {
	o := dialer.Options{Switch: sw.Switch(), Store: st, Desk: desk, Feed: hub, Log: log.With("component", "dialer"),
		IVRAddr: sw.ivrAddr, IVR: sw.ivrResults, Drain: cfg.Shutdown.Timeout / 2, Gateway: defaultGateway(cfg, sw),
		AMD: dialer.AMDDetector(cfg.Dialer.AMD), AMDWait: cfg.Dialer.AMDWait, BeepWait: cfg.Dialer.BeepWait}
	if msg != nil {
		o.Messenger = msg
	}
	m, err := dialer.NewManager(o)
	if err != nil {
		return nil, err
	}
	if desk == nil {
		log.Warn("dialer: no agent desk wired: preview, progressive and predictive campaigns are held without dialing; IVR broadcasts and messages run")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d := &dialerRun{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(d.done)
		_ = m.Run(runCtx)
	}()
	return d, nil
}

// stop ends the manager and waits for it (bounded by ctx).
func (d *dialerRun) stop(ctx context.Context) {
	if d == nil {
		return
	}
	d.cancel()
	select {
	case <-d.done:
	case <-ctx.Done():
	}
}

// defaultGateway is the trunk of campaigns that name none: the first
// gateway configured on a node, the simulator's gw1, else "default".
func defaultGateway(cfg *Config, sw *switchboard) string {
	for _, n := range cfg.FreeSWITCH.Nodes {
		for _, g := range n.Gateways {
			if g.Name != "" {
				return g.Name
			}
		}
	}
	if sw.Simulated() {
		return esltest.DefaultScenario().Gateways[0].Name
	}
	return "default"
}

// ivrReporters hands each IVR result to the log and to the dialer's runners.
type ivrReporters []ivr.Reporter

func (rs ivrReporters) IVRResult(ctx context.Context, r ivr.Result) {
	for _, x := range rs {
		x.IVRResult(ctx, r)
	}
}
