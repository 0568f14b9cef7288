package api

import (
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// historyQuery finds a customer (R15).
type historyQuery struct {
	Q          string `form:"q" doc:"full phone (any accepted form) or ID number, or part of the name; prefixes only with pii_view"`
	CampaignID int64  `form:"campaign_id" doc:"only this campaign's contacts"`
	Note       string `form:"note" doc:"words of a wrap-up note"`
	ContactID  int64  `form:"contact_id" doc:"a contact (the agent's call) and the same customer, by its phones and ID number, in every campaign"`
}

// customerHistory is GET /api/v1/history: the customer's contacts in every
// campaign with every attempt, callback, message and note, masked as the
// role requires.
func (s *Server) customerHistory(c *gin.Context) {
	var q historyQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	search, err := searchOf(c, q.Q)
	if err != nil {
		fail(c, err)
		return
	}
	if len(q.Note) > maxSearchLen {
		fail(c, fieldError("note", "at most 128 bytes"))
		return
	}
	h, err := s.store.FindCustomerHistory(c.Request.Context(), store.HistoryQuery{Search: search, CampaignID: q.CampaignID, Note: strings.TrimSpace(q.Note), ContactID: q.ContactID})
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.maskHistory(c, h); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

// maskHistory masks phones, ID numbers and sensitive attributes for roles
// without pii_view, and the recipients of messages.
func (s *Server) maskHistory(c *gin.Context, h *store.CustomerHistory) error {
	if canSeePII(c) {
		return nil
	}
	m := s.masker(c)
	for i := range h.Contacts {
		if err := m.contact(&h.Contacts[i]); err != nil {
			return err
		}
	}
	for i := range h.Attempts {
		h.Attempts[i].Destination = maskPhone(h.Attempts[i].Destination)
	}
	for i := range h.Callbacks {
		h.Callbacks[i].Phone = maskPhone(h.Callbacks[i].Phone)
	}
	for i := range h.Messages {
		h.Messages[i].To = maskRecipient(h.Messages[i].To)
		h.Messages[i].Body = maskDigits(h.Messages[i].Body)
	}
	for i := range h.Notes {
		h.Notes[i].Text = maskDigits(h.Notes[i].Text)
	}
	// Script answers and the IVR and business records are free text a
	// customer's number may stand in, masked like notes; survey keys (one
	// or two digits) are no identifier and stay.
	for i := range h.Scripts {
		r := &h.Scripts[i]
		for j := range r.Answers {
			r.Answers[j].Value = maskDigits(r.Answers[j].Value)
		}
		for _, m := range []map[string]string{r.IVR, r.Business} {
			for k, v := range m {
				m[k] = maskDigits(v)
			}
		}
	}
	return nil
}

// maskRecipient masks a phone, or an email's mailbox but its first letter.
func maskRecipient(to string) string {
	if at := strings.IndexByte(to, '@'); at > 0 {
		return to[:1] + strings.Repeat("*", at-1) + to[at:]
	}
	if to == "" {
		return ""
	}
	return maskPhone(to)
}

// noteRequest is a wrap-up note.
type noteRequest struct {
	Text     string `json:"text"`
	CallUUID string `json:"call_uuid,omitempty"`
}

func (s *Server) addContactNote(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "contact", id)
	var req noteRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	n := &store.ContactNote{ContactID: id, CallUUID: req.CallUUID, AuthorID: currentUser(c).ID, Text: req.Text}
	if err := s.store.AddContactNote(c.Request.Context(), n); err != nil {
		fail(c, err)
		return
	}
	if !canSeePII(c) {
		n.Text = maskDigits(n.Text)
	}
	c.JSON(http.StatusCreated, n)
}

// keepWrapUpNote stores a disposition's note on the call's contact, so the
// customer's history shows it and note searches find it. The disposition
// has been taken already: a failure here is logged, not answered.
func (s *Server) keepWrapUpNote(c *gin.Context, callUUID, note string) {
	if strings.TrimSpace(note) == "" {
		return
	}
	ctx := c.Request.Context()
	at, err := s.store.GetAttemptByUUID(ctx, callUUID)
	if err == nil && at.ContactID != 0 {
		err = s.store.AddContactNote(ctx, &store.ContactNote{ContactID: at.ContactID, CallUUID: callUUID, AuthorID: currentUser(c).ID, Text: note})
	}
	if err != nil {
		logger(c).Warn("wrap-up note not kept", "call_uuid", callUUID, "err", err)
	}
}
