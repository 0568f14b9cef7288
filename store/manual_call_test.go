package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// A manual dial nobody answered is closed once with its class; a late
// second close (or a switch record) changes nothing.
func TestFinishUnansweredCallOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "m-1", Destination: "13800138000", CallerID: "02161234567", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishUnansweredCall(ctx, "m-1", "napping", now); err == nil {
			t.Fatal("an unknown class was accepted")
		}
		if err := s.FinishUnansweredCall(ctx, "m-1", store.ResultNoAnswer, now); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishUnansweredCall(ctx, "m-1", store.ResultBusy, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "m-1", State: "ended", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		a, err := s.GetAttemptByUUID(ctx, "m-1")
		if err != nil {
			t.Fatal(err)
		}
		if a.Outcome != store.ResultNoAnswer || a.FinishedAt == nil || !a.FinishedAt.Equal(now) || a.CallerID != "02161234567" {
			t.Fatalf("attempt %+v", a)
		}
	})
}

// A manual call to a contact is closed once with the agent's disposition
// as a campaign call's is: the attempt's class, a callback booked, the
// blacklist, the contact's status; a cancelled contact stays cancelled and
// an attempt without a contact is refused.
func TestFinishManualCall(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		camp := &store.Campaign{Name: "手工", Kind: store.KindCollection, Media: store.MediaVoice, DialMode: store.DialPreview, Priority: 5}
		if err := s.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		job := &store.ImportJob{CampaignID: camp.ID, Source: "api", Format: "json"}
		if err := s.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		phones := []string{"+8613800000031", "+8613800000032", "+8613800000033", "+8613800000034"}
		var batch []store.Contact
		for _, p := range phones {
			batch = append(batch, store.Contact{CampaignID: camp.ID, Name: p, Phone: p, Status: store.ContactPending})
		}
		if _, err := s.ImportBatch(ctx, job.ID, camp.ID, batch, 0, 0); err != nil {
			t.Fatal(err)
		}
		list, _, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: camp.ID, Page: store.Page{Number: 1, Size: 10}})
		if err != nil || len(list) != 4 {
			t.Fatalf("contacts %d %v", len(list), err)
		}
		u := &store.User{Username: "agent_m", Role: store.RoleAgent, DisplayName: "m"}
		if err := u.SetPassword("Passw0rd!Passw0rd", now); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, u, nil); err != nil {
			t.Fatal(err)
		}
		due := now.Add(24 * time.Hour)
		answered, bridged, hungup := now.Add(-time.Minute), now.Add(-50*time.Second), now.Add(-10*time.Second)
		for i, tc := range []struct {
			name    string
			cancel  bool
			f       store.ManualFinish
			status  store.ContactStatus
			outcome store.ResultClass
		}{
			{name: "callback", f: store.ManualFinish{Class: store.ResultHuman, Disposition: "callback",
				Callback: &store.Callback{DueAt: due, Note: "明天"}}, status: store.ContactPending, outcome: store.ResultHuman},
			{name: "dnc", f: store.ManualFinish{Class: store.ResultHuman, Disposition: "refused",
				DNC: &store.DNCRequest{Reason: "客户要求"}}, status: store.ContactBlocked, outcome: store.ResultHuman},
			{name: "success", f: store.ManualFinish{Class: store.ResultSuccess, Disposition: "success"}, status: store.ContactCompleted, outcome: store.ResultSuccess},
			{name: "cancelled stays", cancel: true, f: store.ManualFinish{Class: store.ResultHuman, Disposition: "promised"}, status: store.ContactCancelled, outcome: store.ResultHuman},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := list[i]
				if tc.cancel {
					if err := s.ExecForTest(ctx, "UPDATE contacts SET status = ? WHERE id = ?", store.ContactCancelled, c.ID); err != nil {
						t.Fatal(err)
					}
				}
				uuid := "mc-" + tc.name
				if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: uuid, CampaignID: camp.ID, ContactID: c.ID, AgentID: u.ID,
					Destination: c.Phone, CreatedAt: now}); err != nil {
					t.Fatal(err)
				}
				f := tc.f
				f.CallUUID, f.AgentID, f.Now = uuid, u.ID, now
				f.AnsweredAt, f.ConnectedAt, f.HungupAt = &answered, &bridged, &hungup
				if ok, err := s.FinishManualCall(ctx, f); err != nil || !ok {
					t.Fatalf("finish: %v %v", ok, err)
				}
				if ok, err := s.FinishManualCall(ctx, f); err != nil || ok {
					t.Fatalf("second finish: %v %v", ok, err)
				}
				a, err := s.GetAttemptByUUID(ctx, uuid)
				if err != nil {
					t.Fatal(err)
				}
				if a.Outcome != tc.outcome || a.Disposition != f.Disposition || a.FinishedAt == nil || !a.Connected || a.TalkMS != 40000 || a.AgentID != u.ID {
					t.Fatalf("attempt %+v", a)
				}
				got, err := s.GetContact(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != tc.status {
					t.Fatalf("contact %s, want %s", got.Status, tc.status)
				}
				cbs, _, err := s.ListCallbacks(ctx, store.CallbackFilter{ContactID: c.ID, Page: store.Page{Number: 1, Size: 10}})
				if err != nil || (tc.f.Callback != nil) != (len(cbs) == 1) {
					t.Fatalf("callbacks %+v %v", cbs, err)
				}
				if tc.f.Callback != nil && (cbs[0].Phone != c.Phone || cbs[0].AgentID != u.ID || cbs[0].Status != store.CallbackScheduled ||
					got.CallbackAt == nil || !got.CallbackAt.Equal(due)) {
					t.Fatalf("callback %+v, contact due %v", cbs[0], got.CallbackAt)
				}
				hit, err := s.BlockedValues(ctx, []string{c.Phone}, nil)
				if err != nil || hit[c.Phone] != (tc.f.DNC != nil) {
					t.Fatalf("blacklisted %v %v", hit, err)
				}
			})
		}
		if err := s.SaveAttempt(ctx, &store.Attempt{CallUUID: "mc-none", Destination: "+8613800000039", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		_, err = s.FinishManualCall(ctx, store.ManualFinish{CallUUID: "mc-none", Class: store.ResultHuman, Now: now})
		if !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("an attempt without a contact: %v", err)
		}
	})
}
