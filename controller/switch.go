package controller

import (
	"context"
	"time"
)

// Switch is the FreeSWITCH boundary the dialer and the agent desk drive.
// The production implementation is *Pool (several nodes over the event
// socket); controller/switchtest has a fake for unit tests. Commands take
// the uuid of a channel and go to the node that carries it.
type Switch interface {
	// Originate dials one leg (see Pool.Originate).
	Originate(ctx context.Context, req OriginateRequest) (Leg, error)
	// Eavesdrop rings a supervisor who then listens, whispers or barges.
	Eavesdrop(ctx context.Context, req EavesdropRequest) (Leg, error)
	// Subscribe streams the events of legs no Leg owns and every CUSTOM
	// event, until ctx ends (see Pool.Subscribe).
	Subscribe(ctx context.Context) <-chan Event
	// SetLane and RemoveLane set a campaign's originate priority and limits.
	SetLane(l Lane) error
	RemoveLane(campaignID int64)
	// Locate says on which node a SIP user (an agent's extension) is
	// registered; pin the customer's originate there (OriginateRequest.Node).
	Locate(ctx context.Context, user string) (node string, ok bool)

	Answer(ctx context.Context, uuid string) error
	// PhoneEvent asks a SIP phone to act (uuid_phone_event: mod_sofia sends
	// a NOTIFY with Event: talk or hold), e.g. answer a ringing agent leg on a
	// phone without auto-answer.
	PhoneEvent(ctx context.Context, uuid, event string) error
	Bridge(ctx context.Context, uuid, otherUUID string) error
	Transfer(ctx context.Context, req TransferRequest) error
	// Conference moves a channel into a conference room (three-way calls).
	Conference(ctx context.Context, uuid, room string) error
	// Park stops what a channel does and parks it, waiting for the controller.
	Park(ctx context.Context, uuid string) error
	Hold(ctx context.Context, uuid string) error
	Unhold(ctx context.Context, uuid string) error
	// Break stops the application (playback) a channel runs; all also drops
	// the queued ones.
	Break(ctx context.Context, uuid string, all bool) error
	Broadcast(ctx context.Context, uuid, path string, leg BroadcastLeg) error
	// StartBeepDetection starts mod_avmd on a call that is up, at once,
	// whatever application the channel runs (see Pool.StartBeepDetection).
	StartBeepDetection(ctx context.Context, uuid string) error
	// DisplaceStart mixes a file into a channel's audio (its party hears it
	// over the call) for at most limit (0: the whole file); DisplaceStop ends it.
	DisplaceStart(ctx context.Context, uuid, path string, limit time.Duration) error
	DisplaceStop(ctx context.Context, uuid, path string) error
	RecordStart(ctx context.Context, uuid, path string) error
	RecordStop(ctx context.Context, uuid, path string) error
	RecordMask(ctx context.Context, uuid, path string, masked bool) error
	Hangup(ctx context.Context, uuid, cause string) error
	SetVar(ctx context.Context, uuid, name, value string) error
	SetVars(ctx context.Context, uuid string, vars map[string]string) error
	Channels(ctx context.Context) ([]Channel, error)
}

// OriginateRequest asks for one outbound leg. Exactly one of Gateway+Number
// (a customer through a trunk) or Endpoint (an agent's "user/1001") is set.
// CampaignID chooses the originate lane (0: manual and agent legs); the ids
// are otherwise opaque to the controller and copied into the CallRecord.
type OriginateRequest struct {
	UUID           string // optional; generated when empty
	Gateway        string
	Number         string
	Endpoint       string
	CallerIDName   string
	CallerIDNumber string
	Timeout        time.Duration     // ring timeout (originate_timeout)
	Vars           map[string]string // extra channel variables, sorted by name on the wire
	// App runs on answer; empty means park, so the leg is driven by the
	// controller (bridge, transfer, broadcast) over the inbound socket.
	App     string
	AppArgs string
	// Node pins the call to one node (used for eavesdrop and agent legs that
	// must meet a customer leg); empty lets the pool choose.
	Node       string
	CampaignID int64
	ContactID  int64
	AgentID    int64
}

// TransferLeg chooses which side of a bridge uuid_transfer moves.
type TransferLeg string

// Transfer legs.
const (
	TransferThis  TransferLeg = ""
	TransferOther TransferLeg = "-bleg"
	TransferBoth  TransferLeg = "-both"
)

// TransferRequest sends a channel to a dialplan extension, for example the
// IVR context for identity verification.
type TransferRequest struct {
	UUID     string
	Leg      TransferLeg
	Dest     string
	Dialplan string // default XML
	Context  string // default "default"
}

// EavesdropMode is how a supervisor joins an agent's call.
type EavesdropMode string

// Eavesdrop modes: listen only, whisper to the agent (coach), barge (three-way).
const (
	EavesdropListen  EavesdropMode = "listen"
	EavesdropWhisper EavesdropMode = "whisper"
	EavesdropBarge   EavesdropMode = "barge"
)

// EavesdropRequest rings the supervisor's phone and, on answer, joins the
// target channel (normally the agent's leg) in the given mode.
type EavesdropRequest struct {
	TargetUUID   string
	Endpoint     string // the supervisor's phone, e.g. user/1009
	Mode         EavesdropMode
	CallerIDName string
	AgentID      int64 // the supervisor, for the record
}

// BroadcastLeg chooses who hears a uuid_broadcast.
type BroadcastLeg string

// Broadcast legs.
const (
	BroadcastALeg BroadcastLeg = "aleg"
	BroadcastBLeg BroadcastLeg = "bleg"
	BroadcastBoth BroadcastLeg = "both"
)

// Channel is one row of `show channels` on a node.
type Channel struct {
	Node      string
	UUID      string
	Direction string
	Name      string
	State     string
	CallState string
	CIDNumber string
	Dest      string
	CallUUID  string
	Created   time.Time
}
