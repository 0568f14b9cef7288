// Package switchtest is a fake controller.Switch for fast unit tests of the
// code that drives calls (the dialer, the agent desk). It records every
// command it is given, lets the test play the far end of each leg (ring,
// answer as a human or a machine, key digits, hang up with a cause, call
// in, register a phone) and publishes the same typed events, in the same
// order, as controller.Pool does against FreeSWITCH for those steps:
//
//	sw := switchtest.New(t)
//	leg, _ := sw.Originate(ctx, controller.OriginateRequest{Gateway: "gw1", Number: "13800138000", CampaignID: 7})
//	sw.Far(leg.UUID()).Answer(controller.AMDHuman) // answer, execute park, park, amd(human)
//	_ = sw.Bridge(ctx, leg.UUID(), agent.UUID())    // unpark, execute_complete, bridge on both legs
//	sw.Far(agent.UUID()).Hangup("NORMAL_CLEARING")  // unbridge on both; the customer parks
//	cmds := sw.Commands()                            // originate, bridge, ...
//
// Originated legs behave like the Pool's: every one carries
// park_after_bridge, so a leg whose partner leaves a bridge parks; a leg
// answered with no App parks. Nothing happens by itself: no timers, no ring
// timeout; the test decides every step, so tests are deterministic.
//
// Concurrency: one mutex guards the fake; events are appended to each leg's
// history under it, so a leg's events keep their order, and readers are fed
// by their own goroutines, so a slow reader stalls nobody.
package switchtest
