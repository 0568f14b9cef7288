package acd

import (
	"context"
	"errors"
	"time"

	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// Reserve takes a ready agent of the group for a dial (dialer.Desk).
func (d *Desk) Reserve(ctx context.Context, req dialer.ReserveRequest) (dialer.Reservation, error) {
	w := &waiter{group: req.GroupID, prefer: req.PreferAgentID, purpose: req.Purpose, grant: make(chan dialer.Reservation, 1),
		need: needOf(req.Skill, req.MinLevel)}
	if req.PreferAgentID != 0 {
		w.preferUntil = d.clock.Now().Add(req.Grace)
	}
	return d.wait(ctx, w, nil)
}

// wait queues w and blocks until it is granted, ctx ends, or gone closes
// (the customer hung up).
func (d *Desk) wait(ctx context.Context, w *waiter, gone <-chan struct{}) (dialer.Reservation, error) {
	if err := d.do(ctx, func() { d.r.enqueue(w) }); err != nil {
		return dialer.Reservation{}, err
	}
	return d.awaitGrant(ctx, w, gone)
}

// awaitGrant blocks until the queued w is granted, ctx ends, or gone
// closes; w leaves the queue unless granted.
func (d *Desk) awaitGrant(ctx context.Context, w *waiter, gone <-chan struct{}) (dialer.Reservation, error) {
	var why error
	select {
	case res := <-w.grant:
		return res, nil
	case <-ctx.Done():
		why = ctx.Err()
	case <-gone:
		why = dialer.ErrCustomerGone
	case <-d.stop:
		return dialer.Reservation{}, ErrStopped
	}
	_ = d.do(context.Background(), func() { d.r.withdraw(w) })
	return dialer.Reservation{}, why
}

// Release gives a reserved agent back unused (dialer.Desk).
func (d *Desk) Release(ctx context.Context, r dialer.Reservation, reason string) {
	_ = d.do(ctx, func() { d.r.release(r.ID, reason) })
}

// Preview offers the contact to the reserved agent and waits for the
// agent's choice (dialer.Desk); AnswerPreview delivers it.
func (d *Desk) Preview(ctx context.Context, r dialer.Reservation, offer dialer.PreviewOffer) (dialer.PreviewChoice, error) {
	pw := &previewWait{resID: r.ID, choice: make(chan dialer.PreviewChoice, 1), offer: offer}
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[r.AgentID]
		if a == nil || a.resID != r.ID {
			err = ErrNoReservation
			return
		}
		a.preview = pw
		mode := feed.OfferPreview
		if offer.CallbackID != 0 {
			mode = feed.OfferCallback
		}
		d.publish(feed.Event{Name: "preview", Topics: []feed.Topic{feed.UserTopic(a.id)}, Data: previewEvent{
			ReservationID: r.ID, CampaignID: offer.CampaignID, ContactID: offer.ContactID, CallbackID: offer.CallbackID,
			Phone: maskPhone(offer.Phone), Mode: mode}})
	})
	if err = errors.Join(derr, err); err != nil {
		return dialer.PreviewChoice{}, err
	}
	select {
	case c, ok := <-pw.choice:
		if !ok {
			return dialer.PreviewChoice{}, ErrNotSignedIn
		}
		return c, nil
	case <-ctx.Done():
		_ = d.do(context.Background(), func() {
			if a := d.r.agents[r.AgentID]; a != nil && a.preview == pw {
				a.preview = nil
			}
		})
		return dialer.PreviewChoice{}, ctx.Err()
	}
}

// previewEvent is the data of a "preview" event: the agent answers it with
// POST /api/v1/me/preview (dial or skip). The phone is masked: the agent's
// desktop loads the contact itself, masked by the agent's permissions.
type previewEvent struct {
	ReservationID string         `json:"reservation_id"`
	CampaignID    int64          `json:"campaign_id"`
	ContactID     int64          `json:"contact_id"`
	CallbackID    int64          `json:"callback_id,omitempty"`
	Phone         string         `json:"phone"`
	Mode          feed.OfferMode `json:"mode"`
}

// PreviewView is the preview offer waiting for the agent, if any.
type PreviewView struct {
	ReservationID string `json:"reservation_id"`
	CampaignID    int64  `json:"campaign_id"`
	ContactID     int64  `json:"contact_id"`
	CallbackID    int64  `json:"callback_id,omitempty"`
}

// AnswerPreview is the agent's choice on the preview offer waiting for it.
func (d *Desk) AnswerPreview(ctx context.Context, agentID int64, c dialer.PreviewChoice) (PreviewView, error) {
	var v PreviewView
	var err error
	derr := d.do(ctx, func() {
		a := d.r.agents[agentID]
		if a == nil || a.preview == nil {
			err = ErrNoPreview
			return
		}
		pw := a.preview
		a.preview = nil
		v = PreviewView{ReservationID: pw.resID, CampaignID: pw.offer.CampaignID, ContactID: pw.offer.ContactID, CallbackID: pw.offer.CallbackID}
		pw.choice <- c
	})
	return v, errors.Join(derr, err)
}

// Remind tells an agent a callback is due soon (dialer.Desk).
func (d *Desk) Remind(ctx context.Context, agentID int64, r dialer.Reminder) error {
	due := r.DueAt
	d.publish(feed.ReminderEvent(agentID, feed.Reminder{Kind: feed.ReminderCallback, Text: r.Note,
		CallbackID: r.CallbackID, ContactID: r.ContactID, DueAt: &due}))
	return nil
}

// maskPhone keeps the last four digits.
func maskPhone(p string) string {
	if len(p) <= 4 {
		return p
	}
	out := make([]byte, len(p))
	for i := range p {
		out[i] = '*'
	}
	copy(out[len(p)-4:], p[len(p)-4:])
	return string(out)
}

// until is the time left before t (zero t: no deadline).
func until(ctx context.Context, t time.Time) (context.Context, context.CancelFunc) {
	if t.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, t)
}

var _ = store.AgentReady
