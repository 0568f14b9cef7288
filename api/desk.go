package api

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// AgentDesk is the api's view of the agent desk (package acd): sessions,
// states, call controls, dispositions, supervision and the live snapshot.
// Nil means no desk is wired: its routes answer 503.
type AgentDesk interface {
	SignIn(ctx context.Context, req acd.SignInRequest) (acd.AgentView, error)
	SignOut(ctx context.Context, agentID int64) error
	ForceSignOut(ctx context.Context, agentID, by int64) (deferred bool, err error)
	DesktopGone(ctx context.Context, agentID int64)
	Touch(agentID int64)
	Agent(ctx context.Context, agentID int64) (acd.AgentView, error)
	SetState(ctx context.Context, agentID int64, to store.AgentState, reason string) (acd.AgentView, error)
	Control(ctx context.Context, agentID int64, uuid, action, to string) error
	Verify(ctx context.Context, agentID int64, uuid, flow string) error
	Answer(ctx context.Context, agentID int64, uuid string) error
	Dial(ctx context.Context, req acd.DialRequest) (acd.DialResult, error)
	Dispose(ctx context.Context, agentID int64, uuid string, d dialer.Disposition) error
	AnswerPreview(ctx context.Context, agentID int64, c dialer.PreviewChoice) (acd.PreviewView, error)
	Eavesdrop(ctx context.Context, supervisorID int64, uuid string, mode controller.EavesdropMode) (string, error)
	Snapshot(ctx context.Context) (acd.Snapshot, error)
}

var _ AgentDesk = (*acd.Desk)(nil)

// deskState is a state an agent may ask for (api.md POST /me/state).
type deskState string

const (
	deskReady         deskState = "ready"
	deskBreak         deskState = "break"
	deskACW           deskState = "acw"
	deskReadyAfterACW deskState = "ready_after_acw"
)

// EnumValues lists the states an agent may ask for.
func (deskState) EnumValues() []string {
	return []string{string(deskReady), string(deskBreak), string(deskACW), string(deskReadyAfterACW)}
}

// eavesdropMode is how a supervisor joins a call.
type eavesdropMode string

// EnumValues lists the eavesdrop modes.
func (eavesdropMode) EnumValues() []string {
	return []string{string(controller.EavesdropListen), string(controller.EavesdropWhisper), string(controller.EavesdropBarge)}
}

type softphoneLoginRequest struct {
	Mode store.SoftphoneMode `json:"mode"` // registered (default) or nailed_up
	// Ready makes the agent ready at once; otherwise the agent starts on a
	// break with reason (default "other").
	Ready  bool   `json:"ready"`
	Reason string `json:"reason"`
}

type stateRequest struct {
	State  deskState `json:"state"`
	Reason string    `json:"reason"`
}

type transferRequest struct {
	To string `json:"to"` // agent:ID, group:ID or number:PHONE
}

type dispositionRequest struct {
	Result     string         `json:"result"`
	Note       string         `json:"note"`
	CallbackAt *string        `json:"callback_at" doc:"book a callback at this time (RFC 3339); a call with a contact only (422 for a manual call dialed without one)"`
	Phone      string         `json:"phone" doc:"the callback's number (default: the number dialed)"`
	DNC        bool           `json:"dnc" doc:"the customer asked not to be called: blacklist the number dialed; a call with a contact only (422 for a manual call dialed without one)"`
	Answers    map[string]any `json:"answers"`
}

type previewRequest struct {
	Dial  bool   `json:"dial"`
	Phone string `json:"phone"`
	Skip  string `json:"skip"`
}

type eavesdropRequest struct {
	Mode eavesdropMode `json:"mode"`
}

type controlReply struct {
	CallUUID string `json:"call_uuid"`
	Action   string `json:"action"`
}

type eavesdropReply struct {
	CallUUID       string        `json:"call_uuid"`
	Mode           eavesdropMode `json:"mode"`
	SupervisorLeg  string        `json:"supervisor_leg"`
	SupervisorUser int64         `json:"supervisor_id"`
}

type forceSignOutReply struct {
	AgentID  int64 `json:"agent_id"`
	Deferred bool  `json:"deferred"` // on a call: signed out when it ends
}

// desk returns the wired desk or answers 503.
func (s *Server) desk(c *gin.Context) AgentDesk {
	if s.cfg.Desk == nil {
		fail(c, newError("unavailable", "the agent desk is not running"))
		return nil
	}
	s.cfg.Desk.Touch(currentUser(c).ID)
	return s.cfg.Desk
}

// deskError maps the desk's refusals to statuses.
func deskError(err error) error {
	var se *acd.StateError
	switch {
	case errors.As(err, &se):
		return newError("conflict", "%s", strings.TrimPrefix(se.Error(), "acd: "))
	case errors.Is(err, acd.ErrNotYourCall):
		return newError("permission_denied", "that call is not yours")
	case errors.Is(err, acd.ErrNoSuchCall):
		return newError("not_found", "no such call")
	case errors.Is(err, acd.ErrBadTarget):
		return fieldError("to", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrUnknownReason):
		return fieldError("reason", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrNoExtension), errors.Is(err, acd.ErrNoGateway), errors.Is(err, acd.ErrNoContact):
		return newError("unprocessable", "%s", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrManualNoContact):
		e := newError("unprocessable", "%s", strings.TrimPrefix(err.Error(), "acd: "))
		var ve *store.ValidationError
		if errors.As(err, &ve) {
			e = newError("unprocessable", "%s", ve.Error())
			e.Details = ve.Fields
		}
		return e
	case errors.Is(err, acd.ErrStopped):
		return newError("unavailable", "the agent desk has stopped")
	case errors.Is(err, acd.ErrNotSignedIn), errors.Is(err, acd.ErrSignedIn), errors.Is(err, acd.ErrNotRegistered),
		errors.Is(err, acd.ErrCallEnded), errors.Is(err, acd.ErrTargetBusy), errors.Is(err, acd.ErrBusy),
		errors.Is(err, acd.ErrNotConsulting), errors.Is(err, acd.ErrNoDisposition), errors.Is(err, acd.ErrNoPreview),
		errors.Is(err, acd.ErrNoReservation), errors.Is(err, acd.ErrNotOnCall), errors.Is(err, acd.ErrCallInProgress),
		errors.Is(err, acd.ErrNotRinging):
		return newError("conflict", "%s", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, controller.ErrNodeDown), errors.Is(err, controller.ErrTimeout),
		errors.Is(err, controller.ErrNoCapacity), errors.Is(err, controller.ErrClosed):
		// The switch, not the request, is at fault, and a retry may work:
		// the agent sees that instead of "Internal error".
		return newError("unavailable", "the phone switch did not carry it out (%s); try again", strings.TrimPrefix(err.Error(), "controller: "))
	}
	return err
}

func (s *Server) softphoneLogin(c *gin.Context) {
	var req softphoneLoginRequest
	if c.Request.ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			fail(c, err)
			return
		}
	}
	if err := checkEnum("mode", req.Mode); err != nil {
		fail(c, err)
		return
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	if err := s.checkWorkstation(c); err != nil {
		fail(c, err)
		return
	}
	sess := c.MustGet("session").(*store.Session)
	at := sess.CreatedAt
	v, err := d.SignIn(c.Request.Context(), acd.SignInRequest{AgentID: currentUser(c).ID, AuthSessionID: sess.ID, DesktopAt: &at,
		Mode: req.Mode, Ready: req.Ready, BreakReason: req.Reason})
	if err != nil {
		fail(c, deskError(err))
		return
	}
	setTarget(c, "agent", v.AgentID)
	auditDetail(c, "extension "+v.Extension+" on "+v.Node+" ("+string(v.Mode)+")")
	c.JSON(http.StatusOK, v)
}

func (s *Server) softphoneLogout(c *gin.Context) {
	d := s.desk(c)
	if d == nil {
		return
	}
	if err := d.SignOut(c.Request.Context(), currentUser(c).ID); err != nil {
		fail(c, deskError(err))
		return
	}
	setTarget(c, "agent", currentUser(c).ID)
	c.Status(http.StatusNoContent)
}

func (s *Server) myState(c *gin.Context) {
	d := s.desk(c)
	if d == nil {
		return
	}
	v, err := d.Agent(c.Request.Context(), currentUser(c).ID)
	if errors.Is(err, acd.ErrNotSignedIn) {
		c.JSON(http.StatusOK, acd.AgentView{AgentID: currentUser(c).ID, State: store.AgentSignedOut, GroupIDs: []int64{}})
		return
	}
	if err != nil {
		fail(c, deskError(err))
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) setMyState(c *gin.Context) {
	var req stateRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.State == "" {
		fail(c, fieldError("state", "is required"))
		return
	}
	if err := checkEnum("state", req.State); err != nil {
		fail(c, err)
		return
	}
	if req.State == deskBreak && req.Reason == "" {
		fail(c, fieldError("reason", "a break needs a reason (GET /api/v1/break-reasons)"))
		return
	}
	if req.State != deskBreak && req.Reason != "" {
		fail(c, fieldError("reason", "only a break has a reason"))
		return
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	v, err := d.SetState(c.Request.Context(), currentUser(c).ID, store.AgentState(req.State), req.Reason)
	if err != nil {
		fail(c, deskError(err))
		return
	}
	setTarget(c, "agent", v.AgentID)
	auditDetail(c, string(req.State)+" "+req.Reason)
	c.JSON(http.StatusOK, v)
}

// callControl serves POST /me/calls/{uuid}/{action} for one action.
func (s *Server) callControl(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req transferRequest
		if action == acd.ActionTransfer || action == acd.ActionConsult {
			if c.Request.ContentLength != 0 || action == acd.ActionConsult {
				if err := bind(c, &req); err != nil {
					fail(c, err)
					return
				}
			}
			if req.To != "" {
				if _, err := acd.ParseTarget(req.To); err != nil {
					fail(c, deskError(err))
					return
				}
			} else if action == acd.ActionConsult {
				fail(c, fieldError("to", "is required: agent:ID, group:ID or number:PHONE"))
				return
			}
		}
		d := s.desk(c)
		if d == nil {
			return
		}
		uuid := c.Param("uuid")
		setTarget(c, "call", uuid)
		if req.To != "" {
			auditDetail(c, action+" to "+maskTarget(req.To))
		}
		if err := d.Control(c.Request.Context(), currentUser(c).ID, uuid, action, req.To); err != nil {
			fail(c, deskError(err))
			return
		}
		if action == acd.ActionTransfer {
			s.handOverScript(c, uuid, req.To)
		}
		c.JSON(http.StatusOK, controlReply{CallUUID: uuid, Action: action})
	}
}

// maskTarget keeps an outside number out of the audit log.
func maskTarget(to string) string {
	if n, ok := strings.CutPrefix(to, "number:"); ok {
		return "number:" + maskPhone(n)
	}
	return to
}

var resultRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

func (s *Server) disposition(c *gin.Context) {
	var req dispositionRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	disp, err := s.dispositionOf(&req)
	if err != nil {
		fail(c, err)
		return
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	uuid := c.Param("uuid")
	setTarget(c, "call", uuid)
	auditDetail(c, "result "+req.Result)
	if err := d.Dispose(c.Request.Context(), currentUser(c).ID, uuid, disp); err != nil {
		fail(c, deskError(err))
		return
	}
	s.bindDispositionToScript(c, uuid, req.Result, req.Answers)
	s.keepWrapUpNote(c, uuid, req.Note)
	c.JSON(http.StatusOK, controlReply{CallUUID: uuid, Action: "disposition"})
}

func (s *Server) dispositionOf(req *dispositionRequest) (dialer.Disposition, error) {
	if !resultRe.MatchString(req.Result) {
		return dialer.Disposition{}, fieldError("result", "is required: 1-32 lower-case letters, digits or _ (e.g. success, refused, wrong_person, callback)")
	}
	if len([]rune(req.Note)) > 1000 {
		return dialer.Disposition{}, fieldError("note", "is at most 1000 characters")
	}
	out := dialer.Disposition{Result: req.Result, Note: req.Note, Phone: req.Phone, DNC: req.DNC, Answers: req.Answers}
	if req.CallbackAt != nil && *req.CallbackAt != "" {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(*req.CallbackAt))
		if err != nil {
			return out, fieldError("callback_at", "must be RFC 3339 with an offset, e.g. 2026-12-08T10:30:00+08:00")
		}
		if !t.After(s.now()) {
			return out, fieldError("callback_at", "is in the past")
		}
		out.CallbackAt = &t
	}
	return out, nil
}

func (s *Server) answerPreview(c *gin.Context) {
	var req previewRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if !req.Dial && req.Skip == "" {
		fail(c, fieldError("skip", "say why the contact is skipped, or set dial"))
		return
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	v, err := d.AnswerPreview(c.Request.Context(), currentUser(c).ID, dialer.PreviewChoice{Dial: req.Dial, Phone: req.Phone, Skip: req.Skip})
	if err != nil {
		fail(c, deskError(err))
		return
	}
	setTarget(c, "contact", v.ContactID)
	c.JSON(http.StatusOK, v)
}

func (s *Server) forceSignOut(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		fail(c, fieldError("id", "must be a positive integer"))
		return
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	deferred, err := d.ForceSignOut(c.Request.Context(), id, currentUser(c).ID)
	if err != nil {
		fail(c, deskError(err))
		return
	}
	setTarget(c, "agent", id)
	c.JSON(http.StatusOK, forceSignOutReply{AgentID: id, Deferred: deferred})
}

func (s *Server) eavesdrop(c *gin.Context) {
	var req eavesdropRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Mode == "" {
		req.Mode = eavesdropMode(controller.EavesdropListen)
	}
	if err := checkEnum("mode", req.Mode); err != nil {
		fail(c, err)
		return
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	uuid := c.Param("uuid")
	setTarget(c, "call", uuid)
	auditDetail(c, string(req.Mode))
	leg, err := d.Eavesdrop(c.Request.Context(), currentUser(c).ID, uuid, controller.EavesdropMode(req.Mode))
	if err != nil {
		fail(c, deskError(err))
		return
	}
	c.JSON(http.StatusOK, eavesdropReply{CallUUID: uuid, Mode: req.Mode, SupervisorLeg: leg, SupervisorUser: currentUser(c).ID})
}

// callAction is a call control named in the path (api.md's
// POST /me/calls/{uuid}/{action}).
type callAction string

// EnumValues lists the actions served.
func (callAction) EnumValues() []string {
	return []string{acd.ActionHangup, acd.ActionHold, acd.ActionUnhold, acd.ActionTransfer, acd.ActionConsult, acd.ActionConference,
		acd.ActionVerify, acd.ActionAnswer, acd.ActionDial}
}

// anyCallControl serves the generic path by the action's own handler.
func (s *Server) anyCallControl(c *gin.Context) {
	action := callAction(c.Param("action"))
	if err := checkEnum("action", action); err != nil {
		fail(c, err)
		return
	}
	switch action {
	case acd.ActionVerify:
		s.verify(c)
		return
	case acd.ActionAnswer:
		s.answer(c)
		return
	case acd.ActionDial:
		s.dial(c)
		return
	}
	s.callControl(string(action))(c)
}
