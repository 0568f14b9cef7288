// Package controller is the FreeSWITCH boundary: it keeps the connections
// to every node, owns each live leg with one goroutine, turns FreeSWITCH's
// events into typed call events, paces originates per node in lanes per
// campaign, and runs call control (bridge, transfer, hold, broadcast,
// record, eavesdrop, hangup) on the node that carries the channel. It knows
// no campaigns and no agents: the dialer and the agent desk (packages
// dialer and acd) drive it through the Switch interface, and unit-test
// against controller/switchtest.
//
//	pool, err := controller.NewPool(ctx, controller.PoolConfig{Nodes: nodes, Logger: log})
//	defer pool.Close()
//	_ = pool.SetLane(controller.Lane{CampaignID: 7, Priority: 2, MaxChannels: 40})
//	leg, err := pool.Originate(ctx, controller.OriginateRequest{Gateway: "trunk1", Number: "15551234", CampaignID: 7})
//	for e := range leg.Events() { // create, ringing, answer, amd, bridge, ..., hangup; then closed
//		if e.Kind == controller.EventHangup { log.Info("ended", "result", e.Hangup.Result) }
//	}
//	inbound := pool.Subscribe(ctx) // legs nobody originated, and every CUSTOM event
//	node, ok := pool.Locate(ctx, "1001") // where an agent's phone is registered
//
// Events. Each Leg's stream carries its events in FreeSWITCH's order, ends
// with exactly one EventHangup (cause, SIP code, result class, times) and
// is then closed. Every Events call starts its own stream at the leg's
// first event, so subscribing late misses nothing; the history lives with
// the leg and a reader that is slow delays only itself. Subscribe is the
// pool's stream for legs no Leg owns (inbound calls, IVR and agent phones
// calling in, B-legs of dialplan bridges) and every CUSTOM event
// (sofia::register, avmd::beep, spandsp::*), each with its own unbounded
// queue. Bridge and unbridge reach both legs although FreeSWITCH fires them
// on the A-leg only. The answering-machine verdict comes from mod_amd's
// amd_result (on the answer or an application's completion) or mod_avmd's
// beep, as EventAMD whenever it changes.
//
// Concurrency model. Each node has a supervisor goroutine that keeps its
// inbound connections (one for events; OriginateConns for originates and
// ControlConns for everything else, so a queue of originates never delays
// call control and a slow or desynchronised command connection never
// costs events) and a router goroutine, the single consumer of that node's
// events: it restores the wire order (eslgo delivers each event in its own
// goroutine) and hands every event to the Call that owns its uuid, or to
// the pool stream. Each Call has one owner goroutine that applies its
// events in order to a monotonic state machine and publishes typed events.
// One scheduler goroutine for the pool decides which originate goes next
// and where: calls per second per node and gateway, channels, and lanes
// weighted by priority (stride scheduling; a lane that wants less leaves
// the rest to others); originates wait for their slot without holding a
// connection, and fail at once with ErrNoCapacity when no channel is free
// for them. Other goroutines read snapshots (Leg.Record, Pool.Status),
// wait on a Leg's channels or read streams. No lock is shared with other
// packages. Time is a clock.Clock (pacing, call timers); connection health
// runs on real time.
//
// Failure handling (see docs/freeswitch-esl.md 7.3): one command in flight
// per connection, each with a deadline; a connection whose command failed is
// recycled; the event connection is declared dead after three silent
// heartbeat intervals; after a reconnect the node subscribes once and
// reconciles its calls against `show channels`, closing those that ended
// meanwhile and re-attaching the others. An originate whose reply was lost
// is never re-sent. A write guard right before each originate's bytes go
// out keeps every one-second window at or under the node's MaxCPS.
//
// eslgo talks to FreeSWITCH through a relay (relay.go): eslgo dials a
// private unix socket and the relay copies to the TCP connection. The relay
// checks the first frame (a rude rejection would hang eslgo's Dial),
// numbers event frames without gaps (Cc-Relay-Seq) so the router restores
// the exact wire order, and hides FreeSWITCH's EOF from eslgo, whose EOF
// handling races with its own Close; connections are torn down by
// cancelling eslgo's context and closing its socket underneath, found by
// reflection (NewPool refuses to start if eslgo's internals changed).
//
// Every originated leg carries park_after_bridge=true, so when one side of
// a bridge is transferred or hangs up the other waits in park for the
// controller instead of being hung up.
//
// Only esl.go imports eslgo.
package controller
