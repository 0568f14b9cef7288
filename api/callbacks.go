package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// callbackRequest books or edits a callback. due_at is RFC 3339 text so a
// malformed time is reported against its field.
type callbackRequest struct {
	ContactID *int64  `json:"contact_id"`
	Phone     *string `json:"phone"`
	DueAt     *string `json:"due_at"`
	AgentID   *int64  `json:"agent_id"`
	GroupID   *int64  `json:"group_id"`
	Note      *string `json:"note"`
}

// callbackView is a callback as the API shows it: with the contact's name,
// the phone masked for users without pii_view.
type callbackView struct {
	store.Callback
	ContactName string `json:"contact_name"`
}

func (r *callbackRequest) dueAt() (*time.Time, error) {
	if r.DueAt == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(*r.DueAt))
	if err != nil {
		return nil, fieldError("due_at", "must be RFC 3339 with an offset, e.g. 2026-12-08T10:30:00+08:00")
	}
	return &t, nil
}

// manageOthers: booking, seeing or changing other agents' callbacks takes
// assign (supervisors); agents work their own.
func manageOthers(c *gin.Context) bool { return currentUser(c).Can(store.PermAssign) }

func (s *Server) createCallback(c *gin.Context) {
	var req callbackRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	cb, err := s.newCallback(c, &req)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.CreateCallback(c.Request.Context(), cb); err != nil {
		fail(c, callbackError(err))
		return
	}
	setTarget(c, "callback", cb.ID)
	auditDetail(c, fmt.Sprintf("contact=%d agent=%d due=%s", cb.ContactID, cb.AgentID, cb.DueAt.Format(time.RFC3339)))
	s.writeCallback(c, http.StatusCreated, cb)
}

// newCallback builds the callback a request books, after the checks only
// the API can make: who books for whom, and whether the caller may see the
// contact. The store checks the rest (due_at, phone, contact status).
func (s *Server) newCallback(c *gin.Context, req *callbackRequest) (*store.Callback, error) {
	me := currentUser(c)
	if req.ContactID == nil || *req.ContactID < 1 {
		return nil, fieldError("contact_id", "is required")
	}
	due, err := req.dueAt()
	if err != nil {
		return nil, err
	}
	if due == nil {
		return nil, fieldError("due_at", "is required (RFC 3339, e.g. 2026-12-08T10:30:00+08:00)")
	}
	cb := &store.Callback{ContactID: *req.ContactID, DueAt: *due, AgentID: me.ID, CreatedBy: me.ID, GroupID: req.GroupID}
	setIf(&cb.Note, req.Note)
	if req.AgentID != nil && *req.AgentID != me.ID {
		if !manageOthers(c) {
			return nil, newError("permission_denied", "booking a callback for another agent needs the assign permission")
		}
		cb.AgentID = *req.AgentID
	}
	ct, err := s.visibleContact(c, cb.ContactID)
	if err != nil {
		return nil, err
	}
	if cb.Phone, err = callbackPhone(req.Phone, ct); err != nil {
		return nil, err
	}
	if cb.GroupID == nil {
		if camp, err := s.store.GetCampaign(c.Request.Context(), ct.CampaignID); err == nil {
			cb.GroupID = camp.GroupID
		}
	}
	return cb, nil
}

// visibleContact loads a contact the caller may see: anyone with
// campaign_view, else an agent it is assigned to or who talked to it. A
// contact the caller may not see is reported like a missing one.
func (s *Server) visibleContact(c *gin.Context, id int64) (*store.Contact, error) {
	ctx := c.Request.Context()
	ct, err := s.store.GetContact(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fieldError("contact_id", "no contact with this id that you can see")
	}
	if err != nil {
		return nil, err
	}
	me := currentUser(c)
	if me.Can(store.PermCampaignView) {
		return ct, nil
	}
	known, err := s.store.AgentKnowsContact(ctx, me.ID, id)
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, fieldError("contact_id", "no contact with this id that you can see")
	}
	return ct, nil
}

// callbackPhone is the number to call back: one of the contact's (the first
// by default) or another valid number, normalised like imports.
func callbackPhone(raw *string, ct *store.Contact) (string, error) {
	if raw == nil || strings.TrimSpace(*raw) == "" {
		return ct.Phone, nil
	}
	e164, _, err := dialplan.NormalizePhone(*raw)
	if err != nil {
		return "", fieldError("phone", fmt.Sprintf("is not a valid phone number: %v", err))
	}
	return e164, nil
}

// callbackError maps the store's refusals of a callback change.
func callbackError(err error) error {
	var ve *store.ValidationError
	if errors.Is(err, store.ErrConflict) && !errors.As(err, &ve) {
		msg := err.Error()
		if i := strings.LastIndex(msg, "store: "); i >= 0 {
			msg = msg[i+len("store: "):]
		}
		return newError("conflict", "%s", strings.TrimSuffix(msg, ": conflict"))
	}
	return err
}

func (s *Server) writeCallback(c *gin.Context, status int, cb *store.Callback) {
	views, err := s.callbackViews(c, []store.Callback{*cb})
	if err == nil && canSeePII(c) {
		err = s.auditPII(c, PIICallbackView, "callback", cb.ID, 1, "campaign="+itoa(cb.CampaignID))
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, views[0])
}

func (s *Server) callbackViews(c *gin.Context, cbs []store.Callback) ([]callbackView, error) {
	pii := canSeePII(c)
	names := map[int64]string{}
	out := make([]callbackView, len(cbs))
	for i, cb := range cbs {
		name, ok := names[cb.ContactID]
		if !ok {
			if ct, err := s.store.GetContact(c.Request.Context(), cb.ContactID); err == nil {
				name = ct.Name
			}
			names[cb.ContactID] = name
		}
		if !pii {
			cb.Phone = maskPhone(cb.Phone)
		}
		out[i] = callbackView{Callback: cb, ContactName: name}
	}
	return out, nil
}

// callbackQuery filters GET /callbacks.
type callbackQuery struct {
	AgentID    int64                  `form:"agent_id" doc:"an agent without campaign_view always sees only their own"`
	CampaignID int64                  `form:"campaign_id"`
	ContactID  int64                  `form:"contact_id"`
	Status     []store.CallbackStatus `form:"status" collection_format:"csv" doc:"comma-separated"`
	DueFrom    string                 `form:"due_from" doc:"RFC 3339 or YYYY-MM-DD, inclusive"`
	DueTo      string                 `form:"due_to" doc:"RFC 3339 or YYYY-MM-DD, exclusive"`
}

func (q *callbackQuery) filter(c *gin.Context) (store.CallbackFilter, error) {
	f := store.CallbackFilter{AgentID: q.AgentID, CampaignID: q.CampaignID, ContactID: q.ContactID, Statuses: q.Status}
	for _, st := range q.Status {
		if err := checkEnum("status", st); err != nil {
			return f, err
		}
	}
	var err error
	if f.Page, err = pageParams(c); err != nil {
		return f, err
	}
	if f.DueFrom, err = parseTimeParam("due_from", q.DueFrom); err != nil {
		return f, err
	}
	f.DueTo, err = parseTimeParam("due_to", q.DueTo)
	return f, err
}

func (s *Server) listCallbacks(c *gin.Context) {
	var q callbackQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	f, err := q.filter(c)
	if err != nil {
		fail(c, err)
		return
	}
	if !currentUser(c).Can(store.PermCampaignView) {
		f.AgentID = currentUser(c).ID // an agent sees only their own
	}
	items, total, err := s.store.ListCallbacks(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	views, err := s.callbackViews(c, items)
	if err == nil && canSeePII(c) {
		err = s.auditPII(c, PIICallbackList, "user", currentUser(c).ID, int64(len(views)), fmt.Sprintf("total=%d", total))
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(views, total))
}

// ownCallback loads the :id callback if the caller may act on it: their own,
// or anyone's with assign (supervisors). Others' are reported as missing.
func (s *Server) ownCallback(c *gin.Context) (*store.Callback, bool) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return nil, false
	}
	cb, err := s.store.GetCallback(c.Request.Context(), id)
	if err == nil && cb.AgentID != currentUser(c).ID && !manageOthers(c) && !currentUser(c).Can(store.PermCampaignView) {
		err = store.ErrNotFound
	}
	if err != nil {
		fail(c, err)
		return nil, false
	}
	setTarget(c, "callback", cb.ID)
	return cb, true
}

func (s *Server) getCallback(c *gin.Context) {
	if cb, ok := s.ownCallback(c); ok {
		s.writeCallback(c, http.StatusOK, cb)
	}
}

func (s *Server) updateCallback(c *gin.Context) {
	cb, ok := s.ownCallback(c)
	if !ok {
		return
	}
	if cb.AgentID != currentUser(c).ID && !manageOthers(c) {
		fail(c, newError("permission_denied", "changing another agent's callback needs the assign permission"))
		return
	}
	var req callbackRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ch, err := s.callbackChange(c, &req, cb)
	if err != nil {
		fail(c, err)
		return
	}
	updated, err := s.store.UpdateCallback(c.Request.Context(), cb.ID, ch)
	if err != nil {
		fail(c, callbackError(err))
		return
	}
	s.writeCallback(c, http.StatusOK, updated)
}

func (s *Server) callbackChange(c *gin.Context, req *callbackRequest, cb *store.Callback) (store.CallbackChange, error) {
	var ch store.CallbackChange
	if req.ContactID != nil && *req.ContactID != cb.ContactID {
		return ch, fieldError("contact_id", "cannot change; cancel and book a new callback")
	}
	var err error
	if ch.DueAt, err = req.dueAt(); err != nil {
		return ch, err
	}
	ch.Note = req.Note
	if req.AgentID != nil && *req.AgentID != cb.AgentID {
		if !manageOthers(c) {
			return ch, newError("permission_denied", "giving a callback to another agent needs the assign permission")
		}
		ch.AgentID = req.AgentID
	}
	if req.Phone != nil {
		ct, err := s.store.GetContact(c.Request.Context(), cb.ContactID)
		if err != nil {
			return ch, err
		}
		phone, err := callbackPhone(req.Phone, ct)
		if err != nil {
			return ch, err
		}
		ch.Phone = &phone
	}
	return ch, nil
}

func (s *Server) cancelCallback(c *gin.Context) {
	cb, ok := s.ownCallback(c)
	if !ok {
		return
	}
	if cb.AgentID != currentUser(c).ID && !manageOthers(c) {
		fail(c, newError("permission_denied", "cancelling another agent's callback needs the assign permission"))
		return
	}
	cancelled, err := s.store.CancelCallback(c.Request.Context(), cb.ID)
	if err != nil {
		fail(c, callbackError(err))
		return
	}
	s.writeCallback(c, http.StatusOK, cancelled)
}
