package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// Messenger sends a test message; messaging's wiring implements it.
type Messenger interface {
	SendTest(ctx context.Context, t messaging.Test) (*store.OutboundMessage, error)
}

type outboundQuery struct {
	Purpose    store.OutboundPurpose `form:"purpose"`
	Channel    string                `form:"channel"`
	Status     store.OutboundStatus  `form:"status"`
	CampaignID int64                 `form:"campaign_id"`
	To         string                `form:"to"`
	From       string                `form:"from"`
	Till       string                `form:"till"`
}

func (s *Server) listOutbound(c *gin.Context) {
	var q outboundQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	f := store.OutboundFilter{Purpose: q.Purpose, Channel: q.Channel, Status: q.Status, CampaignID: q.CampaignID, To: q.To}
	from, err := parseTimeParam("from", q.From)
	if err != nil {
		fail(c, err)
		return
	}
	till, err := parseTimeParam("till", q.Till)
	if err != nil {
		fail(c, err)
		return
	}
	if !from.IsZero() {
		f.From = &from
	}
	if !till.IsZero() {
		f.Till = &till
	}
	if f.Page, err = pageParams(c); err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListOutbound(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	if !canSeePII(c) {
		for i := range items {
			maskOutbound(&items[i])
		}
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// maskOutbound hides a customer's number or address, and the text sent to
// them, from a user without pii_view; notifications and test messages go
// to staff and are shown as they are.
func maskOutbound(m *store.OutboundMessage) {
	if m.Purpose != store.PurposeCampaign {
		return
	}
	m.Body = ""
	if local, domain, ok := strings.Cut(m.To, "@"); ok {
		r := []rune(local)
		m.To = string(r[:min(1, len(r))]) + "***@" + domain
		return
	}
	m.To = maskAttr(m.To)
}

type testMessageRequest struct {
	Channel store.NotifyChannel `json:"channel" binding:"required"`
	To      string              `json:"to" binding:"required"`
	Subject string              `json:"subject"`
	Text    string              `json:"text"`
	// Attachments are document ids (email), checked like a campaign's.
	Attachments []int64 `json:"attachments,omitempty" doc:"email: ids of uploaded documents to attach, as a campaign's message.attachments"`
}

func (s *Server) sendTestMessage(c *gin.Context) {
	var req testMessageRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if !store.OneOf(req.Channel) {
		fail(c, fieldError("channel", store.EnumMessage(req.Channel)))
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		req.Text = "callcenter test message / 测试消息"
	}
	if req.Subject == "" {
		req.Subject = req.Text
	}
	if err := s.checkAttachments(c, &store.Campaign{Media: store.Media(req.Channel), Message: store.CampaignMessage{Attachments: req.Attachments}}); err != nil {
		fail(c, err)
		return
	}
	m, err := s.cfg.Messenger.SendTest(c.Request.Context(), messaging.Test{Channel: string(req.Channel), To: strings.TrimSpace(req.To),
		Subject: req.Subject, Text: req.Text, Attachments: req.Attachments, By: currentUser(c).ID})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

// captureMessenger is the test-message sender of a server started without
// messaging (tests): the simulated capture, logged like any other.
type captureMessenger struct {
	st  *store.Store
	snd map[string]*messaging.Capture
}

func newCaptureMessenger(st *store.Store) Messenger {
	return captureMessenger{st: st, snd: map[string]*messaging.Capture{
		"email": messaging.NewCapture(messaging.ChannelEmail), "sms": messaging.NewCapture(messaging.ChannelSMS)}}
}

func (m captureMessenger) SendTest(ctx context.Context, t messaging.Test) (*store.OutboundMessage, error) {
	return messaging.SendTest(ctx, m.st, m.snd[t.Channel], t)
}
