// Package acd is the agent desk: agents' softphone sessions and states, the
// router that gives waiting calls to ready agents, and one conversation
// owner per connected call. It implements dialer.Desk.
//
// Concurrency model:
//   - The router is one goroutine (Desk.loop) that owns every signed-in
//     agent, every waiting call or reservation and the watchers. Everyone
//     else sends it a closure (Desk.do) and waits for the answer; closures
//     do memory work only (no store, no switch I/O), so routing never waits
//     on a database or on FreeSWITCH. Two calls can never take one agent:
//     only the router moves an agent out of ready.
//   - State changes are written to the store by one journal goroutine, in
//     the order the router made them, and published to the feed (the
//     agent's own stream and the supervisors' monitor) by the router.
//   - Each connected call has one conversation goroutine that owns its legs
//     (customer, agent, consult, transfer target): it reads their typed
//     events, runs every Switch command for the call and decides what
//     happens on each unbridge and hangup, so nobody is left parked in
//     silence. It tells the router when the agent's part is over (after-call
//     work), and the router calls ConnectRequest.Finish exactly once, with
//     the agent's disposition or an automatic one when ACW times out.
//
// Customer and agent legs meet on one node: a reservation carries the node
// where the agent's phone is registered (the dialer pins the customer's
// originate there), and a queued call is only given to an agent registered
// on the node that carries the customer's leg; the agent's leg is pinned to
// that node. Calls are never bridged across nodes.
package acd
