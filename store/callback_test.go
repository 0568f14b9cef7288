package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// fieldOf returns the first field a validation error names.
func fieldOf(err error) string {
	var ve *store.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		return ve.Fields[0].Field
	}
	return ""
}

// makeDue moves a callback (and its contact) to due at.
func makeDue(t *testing.T, d *dialer, cb *store.Callback, at time.Time) {
	t.Helper()
	must(t, d.s.ExecForTest(d.ctx, "UPDATE callbacks SET due_at = ? WHERE id = ?", at, cb.ID))
	must(t, d.s.SetContactForTest(d.ctx, cb.ContactID, map[string]any{"callback_at": at}))
	cb.DueAt = at
}

func TestCallbackBooking(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 4, nil)
		id := byPhone(t, d)
		agent := newAgent(t, s, "booker")
		_, err := s.AddDNC(d.ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613700000000", Source: store.DNCManual}, store.DNCRefuse)
		must(t, err)
		must(t, s.SetContactForTest(d.ctx, id[3], map[string]any{"status": store.ContactBlocked}))
		soon := time.Now().Add(time.Hour)
		bad := []struct {
			cb    store.Callback
			field string
		}{
			{store.Callback{ContactID: id[1], Phone: phoneN(1), DueAt: time.Now().Add(-time.Minute), AgentID: agent}, "due_at"},
			{store.Callback{ContactID: id[1], Phone: phoneN(1), AgentID: agent}, "due_at"},
			{store.Callback{ContactID: id[1], Phone: "+8613700000000", DueAt: soon, AgentID: agent}, "phone"},
			{store.Callback{ContactID: id[3], Phone: phoneN(3), DueAt: soon, AgentID: agent}, "contact_id"},
			{store.Callback{ContactID: 99999, Phone: phoneN(3), DueAt: soon, AgentID: agent}, "contact_id"},
			{store.Callback{ContactID: id[1], Phone: phoneN(1), DueAt: soon, AgentID: 99999}, "agent_id"},
		}
		for _, b := range bad {
			cb := b.cb
			if err := s.CreateCallback(d.ctx, &cb); fieldOf(err) != b.field {
				t.Errorf("%+v: %v, want field %s", b.cb, err, b.field)
			}
		}
		if n, _, _ := s.ListCallbacks(d.ctx, store.CallbackFilter{}); len(n) != 0 {
			t.Fatalf("refused bookings stored %d callbacks", len(n))
		}
		// A completed contact goes back to the queue for its callback.
		must(t, s.SetContactForTest(d.ctx, id[2], map[string]any{"status": store.ContactCompleted}))
		first := &store.Callback{ContactID: id[2], Phone: phoneN(2), DueAt: soon, AgentID: agent, Note: "下午有空"}
		must(t, s.CreateCallback(d.ctx, first))
		c := d.contact(id[2])
		if c.Status != store.ContactPending || c.CallbackAt == nil || !c.CallbackAt.Equal(first.DueAt) || first.CampaignID != d.camp.ID {
			t.Fatalf("contact after booking: %+v", c)
		}
		// Booking again replaces the open one.
		second := &store.Callback{ContactID: id[2], Phone: phoneN(2), DueAt: soon.Add(time.Hour), AgentID: agent}
		must(t, s.CreateCallback(d.ctx, second))
		if got, _ := s.GetCallback(d.ctx, first.ID); got.Status != store.CallbackCancelled {
			t.Fatalf("first booking is %s, want cancelled", got.Status)
		}
		// Reschedule, then cancel.
		later := soon.Add(2 * time.Hour)
		note := "改到晚上"
		got, err := s.UpdateCallback(d.ctx, second.ID, store.CallbackChange{DueAt: &later, Note: &note})
		if err != nil || got.Note != note || !got.DueAt.Equal(later.UTC().Truncate(time.Millisecond)) {
			t.Fatalf("reschedule: %+v %v", got, err)
		}
		if c := d.contact(id[2]); !c.CallbackAt.Equal(got.DueAt) {
			t.Fatalf("contact callback_at %v, want %v", c.CallbackAt, got.DueAt)
		}
		past := time.Now().Add(-time.Hour)
		if _, err := s.UpdateCallback(d.ctx, second.ID, store.CallbackChange{DueAt: &past}); fieldOf(err) != "due_at" {
			t.Fatalf("reschedule into the past: %v", err)
		}
		if _, err := s.CancelCallback(d.ctx, second.ID); err != nil {
			t.Fatal(err)
		}
		if c := d.contact(id[2]); c.CallbackAt != nil {
			t.Fatalf("cancelled callback still on the contact: %v", c.CallbackAt)
		}
		if _, err := s.UpdateCallback(d.ctx, second.ID, store.CallbackChange{Note: &note}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("edit a cancelled callback: %v", err)
		}
		list, total, err := s.ListCallbacks(d.ctx, store.CallbackFilter{AgentID: agent, Statuses: []store.CallbackStatus{store.CallbackCancelled}})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("list: %d %v", total, err)
		}
	})
}

// TestCallbackDialed: a due callback is claimed first, offered while dialed,
// done when the customer is reached, missed when not; a callback booked in
// a finish queues the contact for it.
func TestCallbackDialed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 3, nil)
		id := byPhone(t, d)
		agent := newAgent(t, s, "booker")
		now := d.now
		hit := &store.Callback{ContactID: id[2], Phone: phoneN(2), DueAt: now.Add(time.Hour), AgentID: agent}
		miss := &store.Callback{ContactID: id[3], Phone: phoneN(3), DueAt: now.Add(time.Hour), AgentID: agent}
		must(t, s.CreateCallback(d.ctx, hit))
		must(t, s.CreateCallback(d.ctx, miss))
		makeDue(t, d, hit, now.Add(-2*time.Minute))
		makeDue(t, d, miss, now.Add(-time.Minute))
		due, err := s.DueCallbacks(d.ctx, now)
		if err != nil || len(due) != 2 || due[0].ID != hit.ID {
			t.Fatalf("due: %+v %v", due, err)
		}
		cls := d.claim(3, now)
		if len(cls) != 3 || cls[0].Callback == nil || cls[0].Callback.ID != hit.ID || cls[1].Callback == nil || cls[2].Callback != nil {
			t.Fatalf("claims %v", ids(cls))
		}
		d.dial(&cls[0], "cb-hit", now)
		if cb, _ := s.GetCallback(d.ctx, hit.ID); cb.Status != store.CallbackOffered {
			t.Fatalf("callback being dialed is %s", cb.Status)
		}
		d.finish(store.Finish{Claim: &cls[0], CallUUID: "cb-hit", Class: store.ResultHuman, AgentID: agent, Now: now})
		cb, _ := s.GetCallback(d.ctx, hit.ID)
		if cb.Status != store.CallbackDone || cb.AttemptID == nil || cb.ClosedAt == nil {
			t.Fatalf("reached callback: %+v", cb)
		}
		if c := d.contact(id[2]); c.Status != store.ContactCompleted || c.CallbackAt != nil {
			t.Fatalf("contact after its callback: %+v", c)
		}
		d.dial(&cls[1], "cb-miss", now)
		d.finish(store.Finish{Claim: &cls[1], CallUUID: "cb-miss", Class: store.ResultNoAnswer, Now: now})
		if cb, _ := s.GetCallback(d.ctx, miss.ID); cb.Status != store.CallbackMissed {
			t.Fatalf("unanswered callback is %s", cb.Status)
		}
		if c := d.contact(id[3]); c.Status != store.ContactPending || c.CallbackAt != nil || c.NextAttemptAt == nil {
			t.Fatalf("contact after a missed callback: %+v", c)
		}
		// The agent books a callback in the disposition of an ordinary call.
		d.dial(&cls[2], "plain", now)
		at := time.Now().Add(3 * time.Hour)
		d.finish(store.Finish{Claim: &cls[2], CallUUID: "plain", Class: store.ResultHuman, AgentID: agent, Now: now,
			Callback: &store.Callback{Phone: phoneN(1), DueAt: at, AgentID: agent, Note: "明天再打"}})
		c := d.contact(id[1])
		if c.Status != store.ContactPending || c.CallbackAt == nil || !c.CallbackAt.Equal(at.UTC().Truncate(time.Millisecond)) {
			t.Fatalf("contact with a booked callback: %+v", c)
		}
		if why := d.rules.Reason(c, now); why != store.ReasonCallback {
			t.Fatalf("before its callback the contact is %q", why)
		}
		// Called back and reached, the customer asks for another call: the
		// callback was kept (done), and the new one is the contact's.
		booked, _, err := s.ListCallbacks(d.ctx, store.CallbackFilter{ContactID: id[1]})
		if err != nil || len(booked) != 1 {
			t.Fatalf("callbacks of the contact: %+v %v", booked, err)
		}
		makeDue(t, d, &booked[0], now.Add(-time.Minute))
		again := d.claim(1, now)
		if len(again) != 1 || again[0].Callback == nil || again[0].Callback.ID != booked[0].ID {
			t.Fatalf("claims %v", ids(again))
		}
		d.dial(&again[0], "cb-again", now)
		later := time.Now().Add(24 * time.Hour)
		d.finish(store.Finish{Claim: &again[0], CallUUID: "cb-again", Class: store.ResultHuman, AgentID: agent, Now: now,
			Callback: &store.Callback{DueAt: later, AgentID: agent, Note: "后天再打"}})
		if cb, _ := s.GetCallback(d.ctx, booked[0].ID); cb.Status != store.CallbackDone || cb.AttemptID == nil {
			t.Fatalf("callback reached while booking the next: %+v", cb)
		}
		open, _, err := s.ListCallbacks(d.ctx, store.CallbackFilter{ContactID: id[1], Statuses: []store.CallbackStatus{store.CallbackScheduled}})
		if err != nil || len(open) != 1 || !open[0].DueAt.Equal(later.UTC().Truncate(time.Millisecond)) {
			t.Fatalf("the next callback: %+v %v", open, err)
		}
		if c := d.contact(id[1]); c.Status != store.ContactPending || c.CallbackAt == nil || !c.CallbackAt.Equal(later.UTC().Truncate(time.Millisecond)) {
			t.Fatalf("contact with its next callback: %+v", c)
		}
	})
}

func TestCallbackRemindersAndGroup(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 3, nil)
		id := byPhone(t, d)
		agent := newAgent(t, s, "booker")
		now := time.Now().UTC().Truncate(time.Millisecond)
		near := &store.Callback{ContactID: id[1], Phone: phoneN(1), DueAt: now.Add(5 * time.Minute), AgentID: agent, GroupID: d.camp.GroupID}
		far := &store.Callback{ContactID: id[2], Phone: phoneN(2), DueAt: now.Add(5 * time.Hour), AgentID: agent, GroupID: d.camp.GroupID}
		must(t, s.CreateCallback(d.ctx, near))
		must(t, s.CreateCallback(d.ctx, far))
		rem, err := s.CallbacksToRemind(d.ctx, now, 10*time.Minute)
		if err != nil || len(rem) != 1 || rem[0].ID != near.ID {
			t.Fatalf("to remind: %+v %v", rem, err)
		}
		if ok, err := s.MarkCallbackReminded(d.ctx, near.ID, now); !ok || err != nil {
			t.Fatalf("first reminder: %v %v", ok, err)
		}
		if ok, _ := s.MarkCallbackReminded(d.ctx, near.ID, now); ok {
			t.Fatal("a reminder went out twice")
		}
		if rem, _ := s.CallbacksToRemind(d.ctx, now, 10*time.Minute); len(rem) != 0 {
			t.Fatalf("reminded again: %+v", rem)
		}
		// The booking agent was offered it and did not take it within the grace.
		if ok, err := s.MarkCallbackOffered(d.ctx, near.ID, now.Add(5*time.Minute)); !ok || err != nil {
			t.Fatalf("offer: %v %v", ok, err)
		}
		if n, err := s.HandCallbacksToGroup(d.ctx, now.Add(6*time.Minute), 2*time.Minute); err != nil || n != 0 {
			t.Fatalf("handed %d before the grace ended (%v)", n, err)
		}
		n, err := s.HandCallbacksToGroup(d.ctx, now.Add(8*time.Minute), 2*time.Minute)
		if err != nil || n != 1 {
			t.Fatalf("handed %d (%v), want 1", n, err)
		}
		cb, _ := s.GetCallback(d.ctx, near.ID)
		if cb.Status != store.CallbackScheduled || cb.HandedToGroupAt == nil {
			t.Fatalf("handed callback %+v", cb)
		}
		must(t, s.MarkCallbackDone(d.ctx, near.ID, nil))
		if c := d.contact(id[1]); c.CallbackAt != nil {
			t.Fatal("done callback still on its contact")
		}
		must(t, s.MarkCallbackMissed(d.ctx, far.ID))
		if err := s.MarkCallbackMissed(d.ctx, far.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("missing a closed callback: %v", err)
		}
		if _, err := s.CancelCallback(d.ctx, near.ID); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("cancel a done callback: %v", err)
		}
	})
}
