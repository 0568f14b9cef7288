package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/bankcc/callcenter/api"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
)

// switchboard wires the FreeSWITCH side: the controller's node pool, the IVR
// socket server, the xml_curl handlers and, when no node is configured, the
// built-in simulator (a test peer run in-process, labelled SIMULATED).
type switchboard struct {
	simulated bool
	sim       *esltest.Server
	pool      *controller.Pool
	attempts  *attemptSwitch // the Switch the dialer and the agent desk use
	ivr       *ivr.Server
	// ivrResults hands IVR results to the dialer's broadcast runners.
	ivrResults *dialer.IVRResults
	// deskIVR hands verification results to the agent desk (ivr_desk.go).
	deskIVR deskReporter
	st      *store.Store
	log     *slog.Logger
	ivrAddr string
}

// simulatorStarted, when set (by program tests only), is given the
// built-in simulator, e.g. to place inbound calls on it.
var simulatorStarted func(*esltest.Server)

func startSwitch(ctx context.Context, cfg *Config, st *store.Store, log *slog.Logger) (*switchboard, error) {
	sb := &switchboard{st: st, log: log, ivrResults: dialer.NewIVRResults()}
	// The IVR server listens first: the built-in simulator's dialplan
	// routes the IVR flows to its address.
	sb.ivr = ivr.NewServer(ivr.Options{Addr: cfg.IVR.Listen, Reporter: ivrReporters{ivrLog{log}, sb.ivrResults, &sb.deskIVR, scriptIVR{st: st, log: log.With("component", "script-ivr")}, ivrStore{st: st, log: log.With("component", "ivr-report")}}, Verifier: ivr.ContactVerifier{Contacts: st},
		Logger: log.With("component", "ivr")})
	addr, err := sb.ivr.Listen(ctx)
	if err != nil {
		return nil, fmt.Errorf("ivr.listen %s: %w", cfg.IVR.Listen, err)
	}
	sb.ivrAddr = reachable(addr)
	nodes := toNodes(cfg.FreeSWITCH)
	if len(nodes) == 0 {
		// The simulator outlives ctx: Close stops it after the pool, so a
		// clean shutdown never looks like a node going down. Its password
		// is new on every start: nothing else needs to know it.
		password := rand.Text()
		opts := esltest.Options{Password: password, Logger: log.With("component", "fssim"), TimeScale: cfg.Simulator.TimeScale}
		if cfg.Simulator.Scenario != "" {
			sc, err := esltest.LoadScenario(cfg.Simulator.Scenario)
			if err != nil {
				return nil, fmt.Errorf("simulator.scenario: %w", err)
			}
			opts.Scenario = sc
		}
		if opts.Scenario == nil {
			opts.Scenario = esltest.DefaultScenario()
		}
		routeIVRFlows(opts.Scenario, sb.ivrAddr)
		sim, err := esltest.Start(context.WithoutCancel(ctx), opts)
		if err != nil {
			return nil, fmt.Errorf("start the FreeSWITCH simulator: %w", err)
		}
		sb.simulated, sb.sim = true, sim
		if simulatorStarted != nil {
			simulatorStarted(sim)
		}
		nodes = []controller.NodeConfig{{Name: "simulator", Address: sim.Addr(), Password: password, MaxChannels: 2000, MaxCPS: 200}}
	} else {
		warnWeakSwitchConfig(cfg.FreeSWITCH, nodes, log)
	}
	pool, err := controller.NewPool(ctx, controller.PoolConfig{Nodes: nodes, Logger: log.With("component", "controller")})
	if err != nil {
		sb.Close()
		return nil, err
	}
	sb.pool = pool
	sb.attempts = &attemptSwitch{Switch: pool, st: st, log: log.With("component", "attempts")}
	return sb, nil
}

// toNodes turns the configured nodes into the controller's; a node without
// a password of its own takes freeswitch.password.
func toNodes(fs FreeSWITCHConfig) []controller.NodeConfig {
	out := make([]controller.NodeConfig, len(fs.Nodes))
	for i, n := range fs.Nodes {
		out[i] = controller.NodeConfig{Name: n.Name, Address: n.Address, Password: n.password(fs), MaxChannels: n.MaxChannels, MaxCPS: n.MaxCPS}
		for _, g := range n.Gateways {
			out[i].Gateways = append(out[i].Gateways, controller.GatewayLimit{Name: g.Name, MaxCPS: g.MaxCPS, MaxChannels: g.MaxChannels})
		}
	}
	return out
}

func (s *switchboard) Simulated() bool { return s.simulated }

// Nodes is the api's view of the node pool.
func (s *switchboard) Nodes() []api.NodeState {
	var out []api.NodeState
	for _, n := range s.pool.Status() {
		ns := api.NodeState{Name: n.Name, Address: n.Address, State: string(n.State), Simulated: s.simulated,
			Channels: n.Channels, MaxChans: n.MaxChannels, CPS: n.MaxCPS, LastError: n.LastError}
		for _, g := range n.Gateways {
			ns.Gateways = append(ns.Gateways, g.Name+" "+g.State)
		}
		ns.MissingModules = n.MissingModules
		out = append(out, ns)
	}
	return out
}

// StopOriginating ends the IVR sessions' intake; the dialer (when it lands)
// stops here first.
func (s *switchboard) StopOriginating(ctx context.Context) {
	if s.ivr != nil {
		if err := s.ivr.Shutdown(ctx); err != nil {
			s.log.Error("ivr shutdown", "err", err)
		}
	}
}

// Switch is the controller as the dialer and the agent desk use it: legs
// originated through it are persisted as attempts.
func (s *switchboard) Switch() controller.Switch { return s.attempts }

// Close drops the FreeSWITCH connections, waits for the last attempts to
// be written, then stops the simulator.
func (s *switchboard) Close() {
	if s.pool != nil {
		s.pool.Close()
	}
	if s.attempts != nil {
		s.attempts.wait()
	}
	if s.sim != nil {
		_ = s.sim.Close()
	}
}

// routeIVRFlows gives the simulator's dialplan what freeswitch-conf and
// xml_curl give a real FreeSWITCH: extension ivr_<flow> sets ivr_flow and
// hands the call to the IVR server at addr. A route the scenario names
// itself is kept.
func routeIVRFlows(sc *esltest.Scenario, addr string) {
	if sc.Dialplan == nil {
		sc.Dialplan = map[string]string{}
	}
	for name := range ivr.Builtin() {
		if _, ok := sc.Dialplan["ivr_"+name]; !ok {
			sc.Dialplan["ivr_"+name] = "set:ivr_flow=" + name + ",socket:" + addr + " async full"
		}
	}
}

// IVRFlowKnown tells whether the IVR server has a flow of that name (the
// built-in flows; the server runs no others yet).
func (s *switchboard) IVRFlowKnown(name string) bool {
	_, ok := ivr.Builtin()[name]
	return ok
}

// Directory serves the agents' SIP accounts to mod_xml_curl.
func (s *switchboard) Directory(st *store.Store) http.Handler {
	return dialplan.NewDirectoryHandler(sipUsers{st}, s.log.With("component", "xml_curl"))
}

// Dialplan serves the call-center contexts to mod_xml_curl.
func (s *switchboard) Dialplan() http.Handler {
	return dialplan.NewDialplanHandler(dialplan.DialplanOptions{SocketAddr: s.ivrAddr, Logger: s.log.With("component", "xml_curl")})
}

// sipUsers adapts the store to the directory handler.
type sipUsers struct{ st *store.Store }

func (u sipUsers) SIPUser(ctx context.Context, domain, user string) (dialplan.SIPUser, error) {
	a, err := u.st.UserByExtension(ctx, user)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.SIPPassword == "") {
		return dialplan.SIPUser{}, dialplan.ErrUnknownUser
	}
	if err != nil {
		return dialplan.SIPUser{}, err
	}
	su := dialplan.SIPUser{Extension: *a.Extension, Password: a.SIPPassword, DisplayName: a.DisplayName}
	if len(a.Groups) > 0 {
		su.Group = a.Groups[0].Name
	}
	return su, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ivrLog records IVR results in the log until the campaign runner consumes
// them (dialer issue); digits are never part of a Result.
type ivrLog struct{ log *slog.Logger }

func (l ivrLog) IVRResult(ctx context.Context, r ivr.Result) {
	l.log.InfoContext(ctx, "ivr result", "call_uuid", r.CallUUID, "flow", r.Flow, "outcome", r.Outcome,
		"verified", r.Verified, "attempts", strconv.Itoa(r.Attempts))
}

// warnWeakSwitchConfig says at start what leaves a real switch open or
// agents unable to register; neither stops serve (fssim listens with
// ClueCon, and a test bench may run without the directory).
func warnWeakSwitchConfig(fs FreeSWITCHConfig, nodes []controller.NodeConfig, log *slog.Logger) {
	for _, n := range nodes {
		if n.Password == "ClueCon" {
			log.Warn("FreeSWITCH node uses the event socket's well-known default password ClueCon: fine for fssim, never for a real switch (scripts/gen-secrets.sh)", "node", n.Name)
		}
	}
	if fs.XMLCurlCredentials == "" {
		log.Warn("freeswitch.xml_curl_credentials is not set: /fs/directory and /fs/dialplan refuse FreeSWITCH and no agent can register (scripts/gen-secrets.sh writes it)")
	}
}

// reachable turns a wildcard listen address into one FreeSWITCH on the same
// host can dial.
func reachable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}
