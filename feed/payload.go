package feed

import (
	"time"

	"github.com/bankcc/callcenter/store"
)

// Event names on the streams. hello, reset and end are written by the
// stream itself; the others come from publishers.
const (
	EventHello = "hello" // first message of a fresh stream: load the snapshot now
	EventReset = "reset" // events were lost (resume point too old): reload the snapshot
	EventEnd   = "end"   // the stream is over: {"reason":"logout"|"session_ended"|"shutdown"}

	EventState        = "state"         // an agent's new state (State)
	EventOffer        = "offer"         // a call offered to the agent (Offer)
	EventCall         = "call"          // a call connected with the agent changed (Call)
	EventReminder     = "reminder"      // a due callback, ACW ending, break over (Reminder)
	EventVerifyResult = "verify_result" // the IVR verification came back (VerifyResult)

	EventCampaign        = "campaign"         // a campaign started, paused, stopped or completed (Campaign)
	EventCampaignFigures = "campaign_figures" // every running campaign's dial rate and abandonment (CampaignFigures)

	EventMessage              = "message"                // a private message (store.MessageView)
	EventMessageRead          = "message_read"           // the recipient read a message (store.Message)
	EventAnnouncement         = "announcement"           // a broadcast (store.BroadcastView)
	EventAnnouncementWithdraw = "announcement_withdrawn" // a broadcast ended early ({"id"})
)

// State is the data of a "state" event. The same event goes to the agent and
// to the supervisors' monitor (StateEvent).
type State struct {
	AgentID   int64            `json:"agent_id"`
	AgentName string           `json:"agent_name,omitempty"`
	State     store.AgentState `json:"state"`
	Reason    string           `json:"reason,omitempty"`    // break reason code
	CallUUID  string           `json:"call_uuid,omitempty"` // the customer's leg, when the state concerns a call
	Since     time.Time        `json:"since"`
	GroupIDs  []int64          `json:"group_ids,omitempty"`
}

// OfferMode says how a call came to be offered.
type OfferMode string

const (
	OfferPreview     OfferMode = "preview"
	OfferProgressive OfferMode = "progressive"
	OfferPredictive  OfferMode = "predictive"
	OfferCallback    OfferMode = "callback"
	OfferInbound     OfferMode = "inbound"
	OfferTransfer    OfferMode = "transfer"
)

// Offer is the data of an "offer" event (api.md): the customer's leg, who
// the customer is and which campaign the call is for. Contact must be masked
// for a recipient without pii_view before it is published.
type Offer struct {
	CallUUID   string          `json:"call_uuid"`
	CampaignID int64           `json:"campaign_id"`
	Contact    *store.Contact  `json:"contact"`
	Mode       OfferMode       `json:"mode"`
	AttemptID  int64           `json:"attempt_id,omitempty"`
	ScriptID   int64           `json:"script_id,omitempty"`
	History    []store.Attempt `json:"history,omitempty"`    // the contact's earlier attempts
	ExpiresAt  *time.Time      `json:"expires_at,omitempty"` // a preview offer not taken by then goes back
}

// CallStatus is where a call connected with an agent stands.
type CallStatus string

const (
	CallRinging    CallStatus = "ringing"
	CallConnected  CallStatus = "connected"
	CallHeld       CallStatus = "held"
	CallConsulting CallStatus = "consulting"
	CallConference CallStatus = "conference"
	CallVerifying  CallStatus = "verifying" // the customer is in the IVR (R11)
	CallEnded      CallStatus = "ended"
)

// Call is the data of a "call" event (api.md: call_uuid, contact,
// campaign_id); Contact masked as for Offer.
type Call struct {
	CallUUID   string         `json:"call_uuid"`
	CampaignID int64          `json:"campaign_id"`
	Contact    *store.Contact `json:"contact,omitempty"`
	AgentID    int64          `json:"agent_id"`
	Status     CallStatus     `json:"status"`
	Since      time.Time      `json:"since"`
	Cause      string         `json:"cause,omitempty"` // the hangup cause class, when ended
}

// ReminderKind says what a reminder is about.
type ReminderKind string

const (
	ReminderCallback ReminderKind = "callback"    // a callback is due
	ReminderACW      ReminderKind = "acw_ending"  // after-call work is about to time out
	ReminderBreak    ReminderKind = "break_over"  // the break allowance is used up
	ReminderShift    ReminderKind = "shift_start" // the agent's shift begins
)

// Reminder is the data of a "reminder" event.
type Reminder struct {
	Kind       ReminderKind `json:"kind"`
	Text       string       `json:"text,omitempty"`
	CallbackID int64        `json:"callback_id,omitempty"`
	ContactID  int64        `json:"contact_id,omitempty"`
	DueAt      *time.Time   `json:"due_at,omitempty"`
}

// VerifyResult is the data of a "verify_result" event (api.md).
type VerifyResult struct {
	CallUUID string `json:"call_uuid"`
	OK       bool   `json:"ok"`
	Attempts int    `json:"attempts"`
	// Result is verified, failed, no_input, error or caller_hangup.
	Result string `json:"result,omitempty"`
	Flow   string `json:"flow,omitempty"`
}

// StateEvent is an agent's state change, for the agent's own stream and the
// supervisors' monitor.
func StateEvent(p State) Event {
	return Event{Name: EventState, Topics: []Topic{UserTopic(p.AgentID), Monitor}, Data: p}
}

// OfferEvent offers a call to one agent.
func OfferEvent(agentID int64, p Offer) Event { return ForUser(agentID, EventOffer, p) }

// CallEvent tells the agent and the monitor where a call stands.
func CallEvent(p Call) Event {
	return Event{Name: EventCall, Topics: []Topic{UserTopic(p.AgentID), Monitor}, Data: p}
}

// ReminderEvent reminds one agent.
func ReminderEvent(agentID int64, p Reminder) Event { return ForUser(agentID, EventReminder, p) }

// VerifyResultEvent gives the agent who sent the customer to the IVR the result.
func VerifyResultEvent(agentID int64, p VerifyResult) Event {
	return ForUser(agentID, EventVerifyResult, p)
}

// CampaignChange says what happened to a campaign.
type CampaignChange string

const (
	CampaignStarted   CampaignChange = "started" // started, or resumed after a pause
	CampaignPaused    CampaignChange = "paused"
	CampaignStopped   CampaignChange = "stopped"
	CampaignCompleted CampaignChange = "completed" // nothing left to dial
)

// Campaign is the data of a "campaign" event: a campaign's status changed.
type Campaign struct {
	CampaignID int64                `json:"campaign_id"`
	Name       string               `json:"name,omitempty"`
	Change     CampaignChange       `json:"change"`
	Status     store.CampaignStatus `json:"status"`
	At         time.Time            `json:"at"`
}

// CampaignFigure is one running campaign's live figures.
type CampaignFigure struct {
	CampaignID int64 `json:"campaign_id"`
	// Dials started over the window, and that per minute.
	Dials       int64   `json:"dials"`
	DialsPerMin float64 `json:"dials_per_min"`
	// Answered humans and abandoned calls over 24 h, their ratio, and the
	// campaign's cap on it.
	Human24h       int64   `json:"human_24h"`
	Abandoned24h   int64   `json:"abandoned_24h"`
	AbandonRate24h float64 `json:"abandon_rate_24h"`
	MaxAbandonRate float64 `json:"max_abandon_rate,omitempty"`
}

// CampaignFigures is the data of a "campaign_figures" event: every running
// campaign's figures at once, every few seconds.
type CampaignFigures struct {
	At        time.Time        `json:"at"`
	WindowS   int              `json:"window_s"`
	Campaigns []CampaignFigure `json:"campaigns"`
}

// CampaignEvent tells the supervisors' monitor and the wallboard of a
// campaign's change.
func CampaignEvent(p Campaign) Event {
	return Event{Name: EventCampaign, Topics: []Topic{Monitor, Wallboard}, Data: p}
}

// CampaignFiguresEvent gives the monitor and the wallboard the running
// campaigns' figures.
func CampaignFiguresEvent(p CampaignFigures) Event {
	return Event{Name: EventCampaignFigures, Topics: []Topic{Monitor, Wallboard}, Data: p}
}
