package dialer

import (
	"context"
	"errors"
	"time"

	"github.com/bankcc/callcenter/controller"
)

// Desk is what campaign runners need from the agent desk. Package acd
// implements it and cmd/callcenter wires it in; the runner never sees agent
// state except through these calls, so the ACD router stays the single
// owner of which agent takes which call (docs/architecture.md).
//
// The flow of one dial, by mode:
//   - predictive: originate; on a human answer Connect (no reservation,
//     Deadline = answer + connect window); ErrNoAgent → compliance message.
//   - progressive, callback: Reserve first (a callback prefers its booker),
//     originate pinned to Reservation.Node, Connect with the reservation on
//     answer, Release when there is nobody to connect.
//   - preview: Reserve, then Preview (the agent sees the contact and its
//     history and answers dial or skip), then as progressive.
type Desk interface {
	// Staffing is a snapshot of one agent group, for pacing and stats.
	Staffing(groupID int64) Staffing
	// Watch streams the changes of the group's agents that meet the
	// pool's skill and level, from the current state on (the first events
	// describe every such signed-in agent), until ctx ends. A slow reader
	// delays only itself.
	Watch(ctx context.Context, pool AgentPool) <-chan AgentChange
	// Reserve takes a ready agent of req.GroupID for a dial that needs one
	// before it starts. req.PreferAgentID, when set, is waited for up to
	// req.Grace before any other agent is taken (longest idle first). It
	// blocks until an agent is reserved or ctx ends.
	Reserve(ctx context.Context, req ReserveRequest) (Reservation, error)
	// Release gives a reserved agent back unused (busy, no answer, skipped,
	// dial failed); the agent returns to ready.
	Release(ctx context.Context, r Reservation, reason string)
	// Preview offers the contact to the reserved agent and waits for the
	// agent's choice (or ctx).
	Preview(ctx context.Context, r Reservation, offer PreviewOffer) (PreviewChoice, error)
	// Connect hands an answered customer leg to the desk: to the reserved
	// agent when req.Reservation is set, else to the longest-idle ready
	// agent of the group (queued in arrival order). It returns when the
	// agent's leg is bridged to the customer; with ErrNoAgent when nobody
	// could be connected by req.Deadline (the customer leg is untouched:
	// the runner plays the compliance message and hangs up); or with
	// ErrCustomerGone when the customer leg ended first. After a successful
	// Connect the desk's conversation owns the call until it ends, and it
	// calls req.Finish exactly once with the agent's disposition (or with
	// an automatic one when after-call work times out).
	Connect(ctx context.Context, req ConnectRequest) (Connection, error)
	// Remind tells an agent a callback is due soon (the agent's event
	// stream shows it).
	Remind(ctx context.Context, agentID int64, r Reminder) error
}

// Errors Desk methods return.
var (
	ErrNoAgent      = errors.New("dialer: no agent free in time")
	ErrCustomerGone = errors.New("dialer: the customer hung up before an agent was connected")
)

// Staffing counts a group's signed-in agents by state.
type Staffing struct {
	SignedIn, Ready, Reserved, OnCall, ACW, Break int
}

// AgentChange is one agent's state change in a group.
type AgentChange struct {
	At       time.Time
	AgentID  int64
	GroupID  int64
	From, To string // store agent state names: signed_out, ready, reserved, on_call, hold, acw, break
}

// ReserveRequest asks for an agent before a dial.
type ReserveRequest struct {
	GroupID, CampaignID, ContactID int64
	PreferAgentID                  int64         // a callback's booker; 0: any agent of the group
	Grace                          time.Duration // how long to wait for the preferred agent
	Purpose                        string        // preview, progressive, callback
	// Skill and MinLevel, when set, limit the agents who may be reserved
	// (the campaign's skill and minimum level).
	Skill    string
	MinLevel int
}

// AgentPool names the agents a campaign's calls may go to: the group's,
// with the skill (when set) and at least the level.
type AgentPool struct {
	GroupID  int64
	Skill    string
	MinLevel int
}

// Reservation is an agent held for one dial.
type Reservation struct {
	ID        string
	AgentID   int64
	Extension string // the agent's SIP user
	Node      string // where the agent's phone is registered: pin the customer's originate there
}

// PreviewOffer is what the agent sees before choosing.
type PreviewOffer struct {
	CampaignID, ContactID int64
	Phone                 string // the number the runner would dial (E.164)
	CallbackID            int64  // set when the offer is a callback
}

// PreviewChoice is the agent's answer to a preview offer.
type PreviewChoice struct {
	Dial  bool
	Phone string // the agent may pick another of the contact's phones; "" keeps the offered one
	Skip  string // reason when not dialing
}

// ConnectRequest hands an answered customer leg to the desk.
type ConnectRequest struct {
	Leg                   controller.Leg
	CampaignID, ContactID int64
	AttemptID             int64
	GroupID               int64
	Reservation           *Reservation // nil: the group's queue
	Deadline              time.Time    // abandoned when no agent is connected by then
	CallbackID            int64
	// Skill and MinLevel, when set, limit the agents who may take the call
	// (store.User.Skills and Level); the callback's booker still goes first.
	Skill    string
	MinLevel int
	// Finish closes the attempt with the agent's disposition; the desk calls
	// it exactly once per connected call.
	Finish func(ctx context.Context, d Disposition) error
}

// Connection is a connected call.
type Connection struct {
	AgentID     int64
	AgentLeg    string // the agent leg's uuid
	ConnectedAt time.Time
}

// Disposition is how an agent closed a call (api.md
// POST /me/calls/{uuid}/disposition), or what the desk decided when the
// agent did not (Auto).
type Disposition struct {
	AgentID    int64
	Result     string // the business result, e.g. success, refused, wrong_person, callback
	Note       string
	CallbackAt *time.Time // book a callback at this time, on Phone
	Phone      string     // the phone for the callback ("" : the number dialed)
	DNC        bool       // the customer asked not to be called: blacklist the number
	Answers    map[string]any
	Auto       bool // after-call work timed out without a disposition
	EndedAt    time.Time
}

// Reminder is a callback about to fall due.
type Reminder struct {
	CallbackID, CampaignID, ContactID int64
	DueAt                             time.Time
	Phone                             string
	Note                              string
}
