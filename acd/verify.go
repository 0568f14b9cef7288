package acd

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
	"github.com/google/uuid"
)

// The IVR verification round trip (R11). The agent asks for it on a call
// (POST /me/calls/{uuid}/verify); the conversation owner then:
//   - marks the customer's leg with a one-time token (cc_verify_token) and
//     the contact (cc_contact_id), masks the recording and sends the leg to
//     the IVR's verify flow (uuid_transfer ivr_<flow> XML ivr). The bridge
//     breaks; the agent's leg waits parked (park_after_bridge) and the agent
//     stays reserved for the call: no other call can take them;
//   - waits for the IVR's result (Desk.IVRResult, an ivr.Reporter), which
//     the flow reports at its handback step while the customer hears music;
//     a result counts only if it carries the token of the verification in
//     progress on that very call, and only once (a replayed or late result,
//     or one for another call, is ignored);
//   - bridges the customer back to the same agent's leg, unmasks the
//     recording and pushes the result (verified, failed, no_input, error) to
//     the agent's stream (verify_result) and to GET /me/state.
//
// If the IVR does not answer within Config.VerifyTimeout the customer is
// brought back with the result error. If the customer hangs up meanwhile
// the call ends as any call does (the agent goes to after-call work, the
// agent's leg is hung up or, nailed up, parked): nobody is left parked.
// The digits never pass through here: the IVR compares them with the store
// (ivr.ContactVerifier) and reports only the verdict and the count.

// ActionVerify sends the customer to the IVR for identity verification.
const ActionVerify = "verify"

// phaseVerifying: the customer is in the IVR, the agent waits.
const phaseVerifying convPhase = 100

// DefaultVerifyFlow is the flow used when the agent names none.
const DefaultVerifyFlow = ivr.FlowVerifyID

// defaultVerifyTimeout covers three tries of 20 digits and the prompts.
const defaultVerifyTimeout = 3 * time.Minute

// VerifyStatus is how a verification ended.
type VerifyStatus string

// Verification results.
const (
	VerifyPending  VerifyStatus = "pending"       // the customer is in the IVR
	VerifyVerified VerifyStatus = "verified"      // the digits matched
	VerifyFailed   VerifyStatus = "failed"        // keyed, but wrong every try
	VerifyNoInput  VerifyStatus = "no_input"      // nothing valid keyed
	VerifyError    VerifyStatus = "error"         // the IVR failed or did not answer in time
	VerifyHangup   VerifyStatus = "caller_hangup" // the customer hung up in the IVR
)

// EnumValues lists the statuses (OpenAPI).
func (VerifyStatus) EnumValues() []string {
	return []string{string(VerifyPending), string(VerifyVerified), string(VerifyFailed), string(VerifyNoInput),
		string(VerifyError), string(VerifyHangup)}
}

// VerifyView is the agent's latest verification on the current call (or
// the call in after-call work), as GET /me/state shows it.
type VerifyView struct {
	CallUUID string       `json:"call_uuid"`
	Flow     string       `json:"flow"`
	Status   VerifyStatus `json:"status"`
	OK       bool         `json:"ok"`
	Attempts int          `json:"attempts"`
	Started  time.Time    `json:"started"`
	Ended    *time.Time   `json:"ended,omitempty"`
}

// verifyRun is the verification in progress on a conversation.
type verifyRun struct {
	token   string
	flow    string
	agentID int64
	started time.Time
	timer   clock.Timer
}

// Errors of the verification.
var (
	ErrNoContact = errors.New("acd: the call has no contact to verify against")
	ErrBadFlow   = errors.New("acd: unknown verification flow")
)

var verifyFlowRe = regexp.MustCompile(`^verify_[a-z0-9_]{1,32}$`)

// CheckVerifyFlow says whether flow may be asked for ("" is the default).
func CheckVerifyFlow(flow string) error {
	if flow != "" && !verifyFlowRe.MatchString(flow) {
		return ErrBadFlow
	}
	return nil
}

// Verify sends the customer of the agent's call to the IVR flow (default
// verify_id) and brings them back with the result (api.md verify).
func (d *Desk) Verify(ctx context.Context, agentID int64, callUUID, flow string) error {
	if flow == "" {
		flow = DefaultVerifyFlow
	}
	if err := CheckVerifyFlow(flow); err != nil {
		return err
	}
	return d.Control(ctx, agentID, callUUID, ActionVerify, flow)
}

// deliver runs f on the conversation's goroutine unless it has ended.
func (c *conversation) deliver(f func()) {
	go func() {
		select {
		case c.inner <- f:
		case <-c.done:
		}
	}()
}

// recordingPath is the customer's recording file (recording.go names it
// from the conversation's start).
func (c *conversation) recordingPath() string {
	if !c.recording || c.d.cfg.RecordingsDir == "" {
		return ""
	}
	return filepath.Join(c.d.cfg.RecordingsDir, recordingName(c.uuid, c.started))
}

// startVerify sends the customer to the IVR (on the loop).
func (c *conversation) startVerify(flow string) error {
	if c.phase != phaseTalking && c.phase != phaseHeld {
		return ErrBusy
	}
	if c.req.ContactID == 0 {
		return ErrNoContact
	}
	if flow == "" {
		flow = DefaultVerifyFlow
	}
	sw, ctx := c.d.cfg.Switch, context.Background()
	agentID := c.agent.agentID
	token := uuid.NewString()
	if err := sw.SetVars(ctx, c.uuid, map[string]string{"cc_verify_token": token,
		"cc_contact_id": strconv.FormatInt(c.req.ContactID, 10), "cc_agent_id": strconv.FormatInt(agentID, 10)}); err != nil {
		return err
	}
	if c.phase == phaseHeld {
		_ = sw.Unhold(ctx, c.agent.leg.UUID())
	}
	c.mask(true)
	prev := c.phase
	c.phase, c.bridged = phaseVerifying, false
	err := sw.Transfer(ctx, controller.TransferRequest{UUID: c.uuid, Dest: "ivr_" + flow, Context: dialplan.IVRContext})
	if err != nil {
		c.phase = prev
		c.mask(false)
		return err
	}
	now := c.d.clock.Now()
	v := &verifyRun{token: token, flow: flow, agentID: agentID, started: now}
	v.timer = c.d.clock.AfterFunc(c.d.verifyTimeout(), func() { c.deliver(func() { c.verifyDone(token, nil) }) })
	c.verify = v
	c.d.log.Info("acd: customer sent to the IVR for verification", "call", c.uuid, "agent", agentID, "flow", flow)
	c.agentState(store.AgentReserved)
	c.callEvent(agentID, feed.CallVerifying, "")
	view := VerifyView{CallUUID: c.uuid, Flow: flow, Status: VerifyPending, Started: now}
	c.d.post(func() {
		if a := c.d.r.agents[agentID]; a != nil {
			a.verify = &view
		}
	})
	return nil
}

// mask stops or resumes writing the customer's audio into the recording
// while they key digits (uuid_record mask).
func (c *conversation) mask(on bool) {
	path := c.recordingPath()
	if path == "" {
		return
	}
	if err := c.d.cfg.Switch.RecordMask(context.Background(), c.uuid, path, on); err != nil {
		c.d.log.Warn("acd: mask the recording", "call", c.uuid, "mask", on, "err", err)
	}
}

func (d *Desk) verifyTimeout() time.Duration {
	if d.cfg.VerifyTimeout > 0 {
		return d.cfg.VerifyTimeout
	}
	return defaultVerifyTimeout
}

// IVRResult implements ivr.Reporter: a verification's result goes to the
// conversation that asked for it. Results without a verification token
// (broadcasts, inbound IVR calls) are not the desk's.
func (d *Desk) IVRResult(ctx context.Context, r ivr.Result) {
	token := r.ChannelVars["cc_verify_token"]
	if token == "" || r.Outcome == ivr.OutcomeHangup {
		return // a hangup reaches the conversation as the leg's own event
	}
	var c *conversation
	if err := d.do(ctx, func() { c = d.r.convs[r.CallUUID] }); err != nil || c == nil {
		return
	}
	c.deliver(func() { c.verifyDone(token, &r) })
}

// verifyDone brings the customer back to the agent with the result; r nil
// means the IVR did not answer in time. Only the result of the verification
// in progress counts, once.
func (c *conversation) verifyDone(token string, r *ivr.Result) {
	v := c.verify
	if v == nil || v.token != token || (r != nil && (r.CallUUID != c.uuid || r.Flow != v.flow)) {
		return
	}
	c.verify = nil
	v.timer.Stop()
	status, attempts := verifyStatus(r)
	c.d.log.Info("acd: verification back", "call", c.uuid, "agent", v.agentID, "flow", v.flow, "status", status, "attempts", attempts)
	c.verifyResult(v, status, attempts)
	c.phase = phaseTalking
	if c.custGone {
		return
	}
	c.mask(false)
	if c.agent == nil || c.agent.agentID != v.agentID || c.agent.leg == nil || ended(c.agent.leg) {
		c.agentLeaves(true)
		c.end()
		return
	}
	if err := c.d.cfg.Switch.Bridge(context.Background(), c.uuid, c.agent.leg.UUID()); err != nil {
		c.d.log.Warn("acd: bring the customer back from the IVR", "call", c.uuid, "err", err)
		c.agentLeaves(true)
		c.end()
		return
	}
	c.agentState(store.AgentOnCall)
	c.callEvent(v.agentID, feed.CallConnected, "")
}

// verifyStatus reads the IVR's verdict; the verify flow reaches its verify
// step only with digits keyed, so no attempt means no input.
func verifyStatus(r *ivr.Result) (VerifyStatus, int) {
	switch {
	case r == nil:
		return VerifyError, 0
	case r.Verified:
		return VerifyVerified, r.Attempts
	case r.Outcome != ivr.OutcomeHandback:
		return VerifyError, r.Attempts
	case r.Attempts == 0:
		return VerifyNoInput, 0
	}
	return VerifyFailed, r.Attempts
}

// verifyResult tells the agent (stream and state) how it ended.
func (c *conversation) verifyResult(v *verifyRun, status VerifyStatus, attempts int) {
	ok := status == VerifyVerified
	c.d.publish(feed.VerifyResultEvent(v.agentID, feed.VerifyResult{CallUUID: c.uuid, OK: ok, Attempts: attempts,
		Result: string(status), Flow: v.flow}))
	now := c.d.clock.Now()
	view := VerifyView{CallUUID: c.uuid, Flow: v.flow, Status: status, OK: ok, Attempts: attempts, Started: v.started, Ended: &now}
	c.d.post(func() {
		if a := c.d.r.agents[v.agentID]; a != nil {
			a.verify = &view
		}
	})
}

// verifyAbandoned: the customer hung up in the IVR.
func (c *conversation) verifyAbandoned() {
	v := c.verify
	if v == nil {
		return
	}
	c.verify = nil
	v.timer.Stop()
	c.verifyResult(v, VerifyHangup, 0)
}

// verifyOf is the agent's verification shown with the call it belongs to.
func verifyOf(a *agent) *VerifyView {
	v := a.verify
	if v == nil {
		return nil
	}
	if v.CallUUID == a.callUUID || (a.acw != nil && a.acw.uuid == v.CallUUID) {
		return v
	}
	return nil
}
