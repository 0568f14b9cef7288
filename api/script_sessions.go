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
	if a, err := s.store.GetAttemptByUUID(ctx, req.CallUUID); err == nil && a.AgentID != 0 && a.AgentID != me.ID {
		fail(c, newError("conflict", "call %s is handled by another agent", req.CallUUID))
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
