package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// verifyRequest names the IVR flow the customer is sent to (api.md verify).
type verifyRequest struct {
	// Flow is the IVR verification flow (default verify_id: the ID number,
	// whole or its last six characters, * for X).
	Flow string `json:"flow"`
}

// verify serves POST /me/calls/{uuid}/verify: the customer goes to the IVR
// and comes back to the same agent; the result arrives as a verify_result
// event and in GET /me/state (verify). The digits never pass through here.
func (s *Server) verify(c *gin.Context) {
	var req verifyRequest
	if c.Request.ContentLength != 0 {
		if err := bind(c, &req); err != nil {
			fail(c, err)
			return
		}
	}
	if err := acd.CheckVerifyFlow(req.Flow); err != nil {
		fail(c, fieldError("flow", "is verify_ followed by 1-32 lower-case letters, digits or _ (default verify_id)"))
		return
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	uuid := c.Param("uuid")
	setTarget(c, "call", uuid)
	flow := req.Flow
	if flow == "" {
		flow = acd.DefaultVerifyFlow
	}
	auditDetail(c, "flow "+flow)
	if err := d.Verify(c.Request.Context(), currentUser(c).ID, uuid, flow); err != nil {
		fail(c, deskError(err))
		return
	}
	c.JSON(http.StatusOK, controlReply{CallUUID: uuid, Action: acd.ActionVerify})
}

// answer serves POST /me/calls/{uuid}/answer: the agent's phone, ringing
// for the call and without auto-answer, is told to answer
// (uuid_phone_event talk).
func (s *Server) answer(c *gin.Context) {
	d := s.desk(c)
	if d == nil {
		return
	}
	uuid := c.Param("uuid")
	setTarget(c, "call", uuid)
	if err := d.Answer(c.Request.Context(), currentUser(c).ID, uuid); err != nil {
		fail(c, deskError(err))
		return
	}
	c.JSON(http.StatusOK, controlReply{CallUUID: uuid, Action: acd.ActionAnswer})
}

// dialRequest is a manual call (api.md dial; {uuid} is new).
type dialRequest struct {
	// Phone is the number as dialed, digits (and a leading +); with
	// contact_id it must be one of the contact's numbers, and empty dials
	// the contact's first dialable one.
	Phone string `json:"phone" doc:"the number as dialed; with contact_id one of the contact's numbers (400 naming phone otherwise), empty for its first dialable one"`
	// CallerID is one of the pool's: the campaign's caller IDs, else the
	// desk's (acd.caller_id); empty takes the first.
	CallerID   string `json:"caller_id"`
	CampaignID int64  `json:"campaign_id" doc:"optional: a campaign of your group; with contact_id it is the contact's (empty, or the same)"`
	// ContactID, optional, is the contact called: assigned to you or in a
	// campaign of your groups. The call joins the contact's history, and
	// its disposition may book a callback or set do-not-call.
	ContactID int64 `json:"contact_id" doc:"optional: the contact called, assigned to you or in a campaign of your groups (403 otherwise, 404 when there is none); the call joins its history and its disposition may book a callback or set do-not-call"`
}

// dial serves POST /me/calls/new/dial.
func (s *Server) dial(c *gin.Context) {
	if u, ok := c.Params.Get("uuid"); ok && u != "new" {
		fail(c, fieldError("uuid", "a manual call is dialed on /me/calls/new/dial"))
		return
	}
	var req dialRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.CampaignID < 0 {
		fail(c, fieldError("campaign_id", "is a positive id"))
		return
	}
	if req.ContactID < 0 {
		fail(c, fieldError("contact_id", "is a positive id"))
		return
	}
	if req.Phone != "" || req.ContactID == 0 {
		if _, _, err := dialplan.NormalizePhone(req.Phone); err != nil {
			fail(c, fieldError("phone", err.Error()+" (or give contact_id to dial a contact's number)"))
			return
		}
	}
	d := s.desk(c)
	if d == nil {
		return
	}
	detail := "to " + maskPhone(req.Phone) + " from " + req.CallerID
	if req.ContactID != 0 {
		detail = "contact " + strconv.FormatInt(req.ContactID, 10) + " " + detail
		if req.Phone == "" {
			detail = "contact " + strconv.FormatInt(req.ContactID, 10) + " (first dialable phone) from " + req.CallerID
		}
	}
	auditDetail(c, detail)
	res, err := d.Dial(c.Request.Context(), acd.DialRequest{AgentID: currentUser(c).ID, Phone: req.Phone, CallerID: req.CallerID,
		CampaignID: req.CampaignID, ContactID: req.ContactID})
	if err != nil {
		fail(c, dialError(err))
		return
	}
	setTarget(c, "call", res.CallUUID)
	c.JSON(http.StatusOK, res)
}

// dialError names the field a manual dial was refused for.
func dialError(err error) error {
	switch {
	case errors.Is(err, acd.ErrBadTarget):
		return fieldError("phone", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrCallerID):
		return fieldError("caller_id", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrBlocked):
		return newError("conflict", "phone: %s", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrNotContactPhone):
		return fieldError("phone", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, acd.ErrNoSuchContact):
		e := newError("not_found", "contact_id: %s", strings.TrimPrefix(err.Error(), "acd: "))
		e.Details = []store.FieldError{{Field: "contact_id", Message: "no such contact"}}
		return e
	case errors.Is(err, acd.ErrNotYourContact):
		e := newError("permission_denied", "contact_id: %s", strings.TrimPrefix(err.Error(), "acd: "))
		e.Details = []store.FieldError{{Field: "contact_id", Message: strings.TrimPrefix(err.Error(), "acd: ")}}
		return e
	case errors.Is(err, acd.ErrNotYourGroup):
		return newError("permission_denied", "campaign_id: %s", strings.TrimPrefix(err.Error(), "acd: "))
	case errors.Is(err, store.ErrNotFound):
		return fieldError("campaign_id", "no such campaign")
	}
	return deskError(err)
}
