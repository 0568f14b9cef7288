package store_test

import (
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func smsCampaign(_ *store.Strategy, c *store.Campaign) {
	c.Media, c.DialMode, c.GroupID, c.CallerIDs = store.MediaSMS, store.DialBroadcast, nil, nil
	c.Message = store.CampaignMessage{Text: "尊敬的{{name}}，请还款", SignName: "某银行"}
}

// sendOne claims, starts and finishes one attempt as the runner does for a
// message the provider accepted, and logs the message with its provider id.
func sendOne(t *testing.T, d *dialer, uuid, providerID string) *store.Claim {
	t.Helper()
	cls := d.claim(1, d.now)
	if len(cls) != 1 {
		t.Fatalf("claimed %d", len(cls))
	}
	cl := &cls[0]
	d.dial(cl, uuid, d.now)
	pid := providerID
	if _, err := d.s.LogOutbound(d.ctx, &store.OutboundMessage{Purpose: store.PurposeCampaign, Channel: "sms", Provider: "smpp",
		ProviderID: &pid, CampaignID: d.camp.ID, ContactID: cl.Contact.ID, AttemptUUID: uuid, To: cl.Contact.Phone,
		Status: store.OutboundSent}); err != nil {
		t.Fatal(err)
	}
	d.finish(store.Finish{Claim: cl, CallUUID: uuid, Class: store.ResultAnswered, AnsweredAt: &d.now, HungupAt: &d.now, Now: d.now})
	return cl
}

func TestRecordReceiptUpdatesAttemptAndRequeuesUndelivered(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 2, smsCampaign)
		for _, tc := range []struct {
			uuid, pid string
			delivered bool
			code      string
			status    store.ContactStatus
		}{
			{"att-ok", "m1", true, "000", store.ContactCompleted},
			{"att-undeliv", "m2", false, "UNDELIV:011", store.ContactPending},
		} {
			cl := sendOne(t, d, tc.uuid, tc.pid)
			at := d.now.Add(time.Minute)
			found, err := s.RecordReceipt(d.ctx, store.Receipt{Provider: "smpp", ProviderID: tc.pid, Delivered: tc.delivered,
				Code: tc.code, At: at})
			if err != nil || !found {
				t.Fatalf("%s: found %v err %v", tc.uuid, found, err)
			}
			a, err := s.GetAttemptByUUID(d.ctx, tc.uuid)
			must(t, err)
			want := map[bool]string{true: "delivered", false: "failed"}[tc.delivered]
			if a.Delivery != want || a.DeliveryCode != tc.code || a.DeliveredAt == nil {
				t.Fatalf("%s: attempt delivery %q code %q at %v", tc.uuid, a.Delivery, a.DeliveryCode, a.DeliveredAt)
			}
			c := d.contact(cl.Contact.ID)
			if c.Status != tc.status {
				t.Fatalf("%s: contact %s, want %s", tc.uuid, c.Status, tc.status)
			}
			if !tc.delivered && (c.NextAttemptAt == nil || c.NextAttemptAt.Before(at.Add(time.Duration(d.st.MinRetryIntervalS)*time.Second-time.Second))) {
				t.Fatalf("requeued at %v", c.NextAttemptAt)
			}
		}
		if found, err := s.RecordReceipt(d.ctx, store.Receipt{Provider: "smpp", ProviderID: "unknown", Delivered: true, At: d.now}); found || err != nil {
			t.Fatalf("unknown receipt: found %v err %v", found, err)
		}
		msgs, n, err := s.ListOutbound(d.ctx, store.OutboundFilter{CampaignID: d.camp.ID, Status: store.OutboundFailed})
		if err != nil || n != 1 || msgs[0].Code != "UNDELIV:011" {
			t.Fatalf("failed messages %v %d %v", msgs, n, err)
		}
	})
}

func TestNotificationDedupKey(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 0, nil)
		key := "rule:0:attempt:att-1"
		for i, want := range []bool{true, false} {
			k := key
			created, err := s.LogOutbound(d.ctx, &store.OutboundMessage{Purpose: store.PurposeNotification, Channel: "email",
				Provider: "smtp", DedupKey: &k, To: "mgr@bank.example", Status: store.OutboundQueued})
			if err != nil || created != want {
				t.Fatalf("try %d: created %v err %v", i, created, err)
			}
		}
		due, err := s.DueOutbound(d.ctx, d.now, 10)
		if err != nil || len(due) != 1 {
			t.Fatalf("due %v %v", due, err)
		}
		retry := d.now.Add(time.Minute)
		must(t, s.SettleOutbound(d.ctx, due[0].ID, store.OutboundResult{Status: store.OutboundQueued, Error: "451", RetryAt: &retry}, d.now))
		if due, _ := s.DueOutbound(d.ctx, d.now, 10); len(due) != 0 {
			t.Fatalf("due before its retry: %v", due)
		}
		if due, _ := s.DueOutbound(d.ctx, retry, 10); len(due) != 1 || due[0].Tries != 1 {
			t.Fatalf("due at its retry: %+v", due)
		}
	})
}

func TestForwardUnreachedToFollowUpCampaign(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		next := newDialer(t, s, 0, smsCampaign)
		d := newDialer(t, s, 0, func(st *store.Strategy, c *store.Campaign) {
			st.MaxAttempts, st.MinAttempts, st.MaxAttemptsPerContact = 1, 1, 1
			c.FollowUp = &store.FollowUp{CampaignID: next.camp.ID, AfterS: 3600}
		})
		d.addContacts(3, 0)
		var err error
		d.camp, err = s.StartCampaign(d.ctx, d.camp.ID)
		must(t, err)
		d.reload()
		cls := d.claim(3, d.now)
		for i := range cls {
			uuid := "fw-" + cls[i].Contact.Phone
			d.dial(&cls[i], uuid, d.now)
			class := store.ResultClass(store.ResultNoAnswer)
			if i == 0 {
				class = store.ResultHuman // reached: stays
			}
			d.finish(store.Finish{Claim: &cls[i], CallUUID: uuid, Class: class, HungupAt: &d.now, Now: d.now})
		}
		if _, err := s.AddDNC(d.ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: cls[2].Contact.Phone, Source: store.DNCManual}, store.DNCRefuse); err != nil {
			t.Fatal(err)
		}
		n, err := s.ForwardUnreached(d.ctx, d.now, 100)
		if err != nil || n != 1 {
			t.Fatalf("forwarded %d, err %v (want only the unreached, not blacklisted contact)", n, err)
		}
		if n, _ := s.ForwardUnreached(d.ctx, d.now, 100); n != 0 {
			t.Fatalf("forwarded %d again", n)
		}
		got, total, err := s.ListContacts(d.ctx, store.ContactFilter{CampaignID: next.camp.ID})
		if err != nil || total != 1 || got[0].Phone != cls[1].Contact.Phone || got[0].Status != store.ContactPending ||
			got[0].NextAttemptAt == nil || !got[0].NextAttemptAt.Equal(d.now.Add(time.Hour)) {
			t.Fatalf("follow-up contacts %+v (%d) %v", got, total, err)
		}
	})
}

// A follow-up step may start before it has contacts (the step before it
// feeds it); once it ran out of work and completed, contacts forwarded to
// it make it run again. A campaign nothing feeds still needs contacts.
func TestFollowUpStepStartsEmptyAndReopens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		next := newDialer(t, s, 0, smsCampaign)
		alone := newDialer(t, s, 0, smsCampaign)
		d := newDialer(t, s, 0, func(st *store.Strategy, c *store.Campaign) {
			st.MaxAttempts, st.MinAttempts, st.MaxAttemptsPerContact = 1, 1, 1
			c.FollowUp = &store.FollowUp{CampaignID: next.camp.ID}
		})
		if _, err := s.StartCampaign(d.ctx, alone.camp.ID); err == nil {
			t.Fatal("an empty campaign nothing feeds started")
		}
		if _, err := s.StartCampaign(d.ctx, next.camp.ID); err != nil {
			t.Fatalf("an empty follow-up step: %v", err)
		}
		// it ran out of work
		next.reload()
		rules, err := s.DialRules(d.ctx, next.camp)
		must(t, err)
		if done, err := s.CompleteIfDone(d.ctx, rules, next.lease.Token, d.now); !done || err != nil {
			t.Fatalf("complete: %v %v", done, err)
		}
		d.addContacts(1, 0)
		d.camp, err = s.StartCampaign(d.ctx, d.camp.ID)
		must(t, err)
		d.reload()
		cls := d.claim(1, d.now)
		d.dial(&cls[0], "seq-1", d.now)
		d.finish(store.Finish{Claim: &cls[0], CallUUID: "seq-1", Class: store.ResultNoAnswer, HungupAt: &d.now, Now: d.now})
		if n, err := s.ForwardUnreached(d.ctx, d.now, 10); n != 1 || err != nil {
			t.Fatalf("forwarded %d %v", n, err)
		}
		c, err := s.GetCampaign(d.ctx, next.camp.ID)
		must(t, err)
		if c.Status != store.CampaignRunning {
			t.Fatalf("the follow-up step is %s after contacts came", c.Status)
		}
	})
}
