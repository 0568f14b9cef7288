// Package controller is the live core of the call center: it drives
// FreeSWITCH nodes over the event socket and owns every live call.
//
// The FreeSWITCH boundary is the Switch interface; *Pool implements it for
// several nodes. Wiring (cmd/callcenter):
//
//	pool, err := controller.NewPool(ctx, nodes, recorder, log) // returns at once
//	defer pool.Close()
//	call, err := pool.Originate(ctx, controller.OriginateRequest{Gateway: "trunk1", Number: "15551234", CampaignID: 7})
//	<-call.Answered()
//	rec, _ := call.Wait(ctx) // rec.Result is a ResultClass
//	pool.Status()            // per node: state, channels, CPS, gateways (for /readyz)
//
// Concurrency model. Each node has a supervisor goroutine that keeps its
// inbound connections (one for events, CommandConns for commands, so a slow
// or desynchronised command connection never costs events) and a router
// goroutine, the single consumer of that node's events: it restores the
// wire order (eslgo delivers each event in its own goroutine) and hands
// every event to the Call that owns its uuid. Each Call
// has one owner goroutine that applies its events in order to a monotonic
// state machine and calls the CallRecorder on answer, bridge and hangup.
// Other goroutines read snapshots (Call.Record, Pool.Status) or wait on a
// Call's channels. No lock is shared with other packages.
//
// Failure handling (see docs/freeswitch-esl.md 7.3): one command in flight
// per connection, each with a deadline; a connection whose command failed is
// recycled; the event connection is declared dead after three silent
// heartbeat intervals; after a reconnect the node subscribes once and
// reconciles its calls against `show channels`, closing those that ended
// meanwhile and re-attaching the others. An originate whose reply was lost
// is never re-sent. Originates are paced per node at MaxCPS, measured at
// the moment the bytes are written.
//
// eslgo talks to FreeSWITCH through a relay (relay.go): eslgo dials a
// private unix socket and the relay copies to the TCP connection. The relay
// checks the first frame (a rude rejection would hang eslgo's Dial),
// numbers event frames without gaps (Cc-Relay-Seq) so the router restores
// the exact wire order, and hides FreeSWITCH's EOF from eslgo, whose EOF
// handling races with its own Close; connections are torn down by
// cancelling eslgo's context and closing its socket underneath.
//
// Every originated leg carries park_after_bridge=true, so when one side of
// a bridge is transferred or hangs up the other waits in park for the
// controller instead of being hung up.
//
// Only esl.go imports eslgo.
package controller
