package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// scriptSessionView is what the agent desktop shows: the session, its
// script version with every node's text merged with the customer's fields
// (masked unless the agent holds pii_view), the answers so far and the
// current node.
type scriptSessionView struct {
	store.ScriptSession
	Title   string               `json:"title"`
	Nodes   []store.ScriptNode   `json:"nodes"`
	Node    *store.ScriptNode    `json:"node,omitempty"` // the current node
	Answers []store.ScriptAnswer `json:"answers"`
}

// scriptSessionRequest starts the script of a call.
type scriptSessionRequest struct {
	CallUUID string `json:"call_uuid" doc:"the customer's leg, as in /me/calls/{uuid}; the call of a campaign runs the campaign's script"`
	ScriptID int64  `json:"script_id" doc:"the script to run; 0: the campaign's"`
}

// answerRequest answers a node (a text node: empty value, read and go on).
type answerRequest struct {
	NodeID string `json:"node_id" doc:"the current node, or one answered before (going back drops the answers after it)"`
	Value  string `json:"value" doc:"single/yes_no: the option's value; multi: values joined by commas; number; date YYYY-MM-DD; rating 1-10; text"`
}

// pauseRequest pauses the script to serve another request (R27).
type pauseRequest struct {
	Reason store.PauseReason `json:"reason"`
	Note   string            `json:"note"`
}

// resultsRequest binds the disposition and business results to the
// answers (R28), closing the session.
type resultsRequest struct {
	Result   string            `json:"result" doc:"the disposition result"`
	Business map[string]string `json:"business" doc:"business results by name: ticket_no, sale, promise_date, promise_amount, ..."`
}

func (s *Server) startScriptSession(c *gin.Context) {
	var req scriptSessionRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx, me := c.Request.Context(), currentUser(c)
	req.CallUUID = strings.TrimSpace(req.CallUUID)
	if err := s.checkClaim(c, req.CallUUID); err != nil {
		fail(c, err)
		return
	}
	ss, err := s.store.StartScriptSession(ctx, store.ScriptSessionStart{CallUUID: req.CallUUID, ScriptID: req.ScriptID, AgentID: me.ID})
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "script_session", ss.ID)
	auditDetail(c, fmt.Sprintf("call=%s script=%d version=%d", ss.CallUUID, ss.ScriptID, ss.Version))
	s.answerSession(c, ss)
}

func (s *Server) getScriptSession(c *gin.Context) {
	ss, err := s.store.ScriptSessionByCall(c.Request.Context(), c.Param("uuid"))
	if err == nil && ss.AgentID != currentUser(c).ID {
		err = store.ErrNotFound // another agent's session is not shown
	}
	if err != nil {
		fail(c, err)
		return
	}
	s.answerSession(c, ss)
}

func (s *Server) answerScript(c *gin.Context) {
	var req answerRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	s.sessionChange(c, func(uuid string, me int64) (*store.ScriptSession, error) {
		return s.store.AnswerScript(c.Request.Context(), uuid, me, strings.TrimSpace(req.NodeID), req.Value)
	})
}

func (s *Server) pauseScript(c *gin.Context) {
	var req pauseRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	s.sessionChange(c, func(uuid string, me int64) (*store.ScriptSession, error) {
		return s.store.PauseScript(c.Request.Context(), uuid, me, req.Reason, req.Note)
	})
}

func (s *Server) resumeScript(c *gin.Context) {
	s.sessionChange(c, func(uuid string, me int64) (*store.ScriptSession, error) {
		return s.store.ResumeScript(c.Request.Context(), uuid, me)
	})
}

func (s *Server) bindScriptResults(c *gin.Context) {
	var req resultsRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	s.sessionChange(c, func(uuid string, me int64) (*store.ScriptSession, error) {
		return s.store.BindScriptResults(c.Request.Context(), uuid, me, req.Result, req.Business)
	})
}

// sessionChange runs one change of the caller's session of the call in
// the path and answers with the session.
func (s *Server) sessionChange(c *gin.Context, change func(uuid string, me int64) (*store.ScriptSession, error)) {
	uuid := c.Param("uuid")
	ss, err := change(uuid, currentUser(c).ID)
	if err != nil {
		if errors.Is(err, store.ErrSessionPaused) {
			err = newError("conflict", "the script is paused; resume it first")
		}
		fail(c, err)
		return
	}
	setTarget(c, "script_session", ss.ID)
	auditDetail(c, fmt.Sprintf("call=%s status=%s current=%s", ss.CallUUID, ss.Status, ss.Current))
	s.answerSession(c, ss)
}

// answerSession writes the session view.
func (s *Server) answerSession(c *gin.Context, ss *store.ScriptSession) {
	ctx := c.Request.Context()
	v, err := s.store.ScriptVersionOf(ctx, ss.ScriptID, ss.Version)
	if err != nil {
		fail(c, err)
		return
	}
	answers, err := s.store.ScriptSessionAnswers(ctx, ss.ID)
	if err != nil {
		fail(c, err)
		return
	}
	fields, err := s.mergeFields(c, ss.ContactID)
	if err != nil {
		fail(c, err)
		return
	}
	view := scriptSessionView{ScriptSession: *ss, Title: v.Title, Nodes: make([]store.ScriptNode, len(v.Nodes)), Answers: answers}
	for i, n := range v.Nodes {
		n.Text = store.RenderText(n.Text, fields)
		view.Nodes[i] = n
		if n.ID == ss.Current {
			view.Node = &view.Nodes[i]
		}
	}
	c.JSON(http.StatusOK, view)
}

// mergeFields are the customer's fields a script's {{field}} may name,
// masked as the agent must see them.
func (s *Server) mergeFields(c *gin.Context, contactID int64) (map[string]string, error) {
	if contactID == 0 {
		return map[string]string{}, nil
	}
	ct, err := s.store.GetContact(c.Request.Context(), contactID)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := s.masker(c).contact(ct); err != nil {
		return nil, err
	}
	f := map[string]string{"name": ct.Name, "phone": ct.Phone, "alt_phone": ct.AltPhone, "id_number": ct.IDNumber,
		"customer_type": ct.CustomerType, "email": ct.Email}
	for k, v := range ct.Attributes {
		f["attributes."+k] = v
		if _, taken := f[k]; !taken {
			f[k] = v
		}
	}
	return f, nil
}

// bindDispositionToScript binds a disposition's result and its answers
// (business results: ticket, sale, promised date and amount) to the call's
// script session (R28), when the call ran a script. The disposition has
// already been taken: a failure here is logged, not answered.
func (s *Server) bindDispositionToScript(c *gin.Context, uuid, result string, answers map[string]any) {
	business := map[string]string{}
	for k, v := range answers {
		switch x := v.(type) {
		case string:
			business[k] = x
		case float64, bool:
			business[k] = fmt.Sprint(x)
		}
	}
	_, err := s.store.BindScriptResults(c.Request.Context(), uuid, currentUser(c).ID, result, business)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		logger(c).Warn("disposition not bound to the script session", "call_uuid", uuid, "err", err)
	}
}

// checkClaim refuses to start or take over a call's script for an agent
// who is not on the call: with the agent desk running, the desk says who
// is; without it, the attempt's agent, when set.
func (s *Server) checkClaim(c *gin.Context, uuid string) error {
	ctx, me := c.Request.Context(), currentUser(c)
	existing, err := s.store.ScriptSessionByCall(ctx, uuid)
	if err == nil && existing.AgentID == me.ID {
		return nil // one's own session, after a reload
	}
	if s.cfg.Desk != nil {
		// Signed in at the desk: the desk says which call is the agent's
		// (after a transfer, the receiving agent's, not the attempt's first).
		if v, err := s.cfg.Desk.Agent(ctx, me.ID); err == nil && v.SessionID != 0 {
			if v.CallUUID == uuid || v.Disposition == uuid {
				return nil
			}
			if (existing != nil && existing.AgentID != 0) || s.attemptOf(c, uuid) != 0 || s.deskKnowsCall(c, uuid) {
				return newError("conflict", "call %s is not yours: the agent desk shows you on another call or none", uuid)
			}
			return nil // a call the desk does not know: a script run outside a call
		}
	}
	if a := s.attemptOf(c, uuid); a != 0 && a != me.ID {
		return newError("conflict", "call %s is handled by another agent", uuid)
	}
	return nil
}

// attemptOf is the agent the attempt of a call names (0: none).
func (s *Server) attemptOf(c *gin.Context, uuid string) int64 {
	a, err := s.store.GetAttemptByUUID(c.Request.Context(), uuid)
	if err != nil {
		return 0
	}
	return a.AgentID
}

// handOverScript follows a transfer (R29): to an agent, the script session
// moves to that agent with its answers; to a group or the consulted party,
// it waits for the agent who takes the call; to an outside number it stays.
func (s *Server) handOverScript(c *gin.Context, uuid, to string) {
	ctx, me := c.Request.Context(), currentUser(c).ID
	var err error
	switch {
	case strings.HasPrefix(to, "number:"):
		return
	case strings.HasPrefix(to, "agent:"):
		var agent int64
		if _, scanErr := fmt.Sscanf(strings.TrimPrefix(to, "agent:"), "%d", &agent); scanErr != nil {
			return
		}
		if ss, e := s.store.ScriptSessionByCall(ctx, uuid); e == nil && ss.AgentID == me {
			err = s.store.MoveScriptSession(ctx, uuid, agent)
		}
	default:
		err = s.store.ReleaseScriptSession(ctx, uuid, me)
	}
	if err != nil {
		logger(c).Warn("script session not handed over", "call_uuid", uuid, "err", err)
	}
}

// deskKnowsCall tells whether an agent of the desk has the call.
func (s *Server) deskKnowsCall(c *gin.Context, uuid string) bool {
	snap, err := s.cfg.Desk.Snapshot(c.Request.Context())
	if err != nil {
		return true // unsure: refuse rather than hand out someone's call
	}
	for _, a := range snap.Agents {
		if a.CallUUID == uuid || a.Disposition == uuid {
			return true
		}
	}
	return false
}
