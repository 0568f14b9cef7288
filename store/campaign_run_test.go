package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestStartCampaignChecks(t *testing.T) {
	yesterday := time.Now().In(mustLoc("Asia/Shanghai")).AddDate(0, 0, -1).Format(time.DateOnly)
	cases := []struct {
		name     string
		contacts int
		edit     func(*store.Strategy, *store.Campaign)
		field    string
	}{
		{"no strategy", 2, func(_ *store.Strategy, c *store.Campaign) { c.StrategyID = nil }, "strategy_id"},
		{"no group in progressive mode", 2, func(_ *store.Strategy, c *store.Campaign) { c.GroupID = nil }, "group_id"},
		{"no contacts", 0, nil, "contacts"},
		{"no caller ID", 2, func(_ *store.Strategy, c *store.Campaign) { c.CallerIDs = nil }, "caller_ids"},
		{"caller ID twice", 2, func(_ *store.Strategy, c *store.Campaign) { c.CallerIDs = []string{"02161230001", "02161230001"} }, "caller_ids[1]"},
		{"broadcast without a flow", 2, func(_ *store.Strategy, c *store.Campaign) {
			c.Media, c.DialMode, c.GroupID = store.MediaIVR, store.DialBroadcast, nil
		}, "ivr_flow"},
		{"strategy period over", 2, func(st *store.Strategy, _ *store.Campaign) { st.PeriodEnd = yesterday }, "strategy_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, s *store.Store) {
				d := newDialer(t, s, 0, c.edit)
				d.addContacts(c.contacts, 0)
				if c.name == "no strategy" {
					d.camp.StrategyID = nil
					must(t, s.UpdateCampaign(d.ctx, d.camp))
				}
				_, err := s.StartCampaign(d.ctx, d.camp.ID)
				var nr *store.NotReadyError
				if !errors.As(err, &nr) || len(nr.Fields) == 0 || nr.Fields[0].Field != c.field {
					t.Fatalf("start: %v, want a NotReadyError naming %s", err, c.field)
				}
				if got, _ := s.GetCampaign(d.ctx, d.camp.ID); got.Status != store.CampaignDraft {
					t.Fatalf("a refused start left the campaign %s", got.Status)
				}
			})
		})
	}
}

func TestCampaignRunControl(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 2, nil)
		v := d.camp.Version
		if d.camp.Status != store.CampaignRunning {
			t.Fatalf("status %s", d.camp.Status)
		}
		p, err := s.PauseCampaign(d.ctx, d.camp.ID)
		if err != nil || p.Status != store.CampaignPaused || p.Version != v+1 {
			t.Fatalf("pause: %+v %v", p, err)
		}
		var te *store.TransitionError
		if _, err := s.PauseCampaign(d.ctx, d.camp.ID); !errors.As(err, &te) || te.From != store.CampaignPaused || te.To != store.CampaignPaused {
			t.Fatalf("pause twice: %v", err)
		}
		r, err := s.StartCampaign(d.ctx, d.camp.ID)
		if err != nil || r.Status != store.CampaignRunning {
			t.Fatalf("resume: %+v %v", r, err)
		}
		if _, err := s.StopCampaign(d.ctx, d.camp.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartCampaign(d.ctx, d.camp.ID); !errors.As(err, &te) || te.From != store.CampaignStopped || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("start a stopped campaign: %v", err)
		}
	})
}

// TestRunningCampaignEdits: edits that would leave a running campaign unable
// to run are refused, naming the field, and change nothing.
func TestRunningCampaignEdits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 2, nil)
		yesterday := time.Now().In(mustLoc("Asia/Shanghai")).AddDate(0, 0, -1).Format(time.DateOnly)
		st, err := s.GetStrategy(d.ctx, d.st.ID)
		must(t, err)
		st.PeriodEnd = yesterday
		if err := s.UpdateStrategy(d.ctx, st); fieldOf(err) != "period_end" {
			t.Fatalf("period over for a running campaign: %v", err)
		}
		if got, _ := s.GetStrategy(d.ctx, d.st.ID); got.PeriodEnd != "" || got.Version != d.st.Version {
			t.Fatalf("a refused strategy edit changed it: %+v", got)
		}
		cal, err := s.GetCalendar(d.ctx, d.cal.ID)
		must(t, err)
		cal.Windows = []store.CalendarWindow{}
		if err := s.UpdateCalendar(d.ctx, cal); fieldOf(err) != "windows" {
			t.Fatalf("calendar never open: %v", err)
		}
		camp, err := s.GetCampaign(d.ctx, d.camp.ID)
		must(t, err)
		camp.CallerIDs = nil
		if err := s.UpdateCampaign(d.ctx, camp); fieldOf(err) != "caller_ids" {
			t.Fatalf("running campaign without caller IDs: %v", err)
		}
		if got, _ := s.GetCampaign(d.ctx, d.camp.ID); len(got.CallerIDs) != 2 || got.Version != d.camp.Version {
			t.Fatalf("a refused campaign edit changed it: %+v", got)
		}
		// A valid edit goes through; once stopped, the period may end.
		st.PeriodEnd, st.MinRingS = "", 20
		must(t, s.UpdateStrategy(d.ctx, st))
		st.MinRingS = 10
		if err := s.UpdateStrategy(d.ctx, st); fieldOf(err) != "min_ring_s" {
			t.Fatalf("ring shorter than 15 s: %v", err)
		}
		_, err = s.StopCampaign(d.ctx, d.camp.ID)
		must(t, err)
		st, _ = s.GetStrategy(d.ctx, d.st.ID)
		st.PeriodEnd = yesterday
		must(t, s.UpdateStrategy(d.ctx, st))
	})
}

func TestCampaignStampsAndRunnable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 1, nil)
		low := newDialer(t, s, 1, func(_ *store.Strategy, c *store.Campaign) { c.Priority = 2 })
		run, err := s.RunnableCampaigns(d.ctx)
		if err != nil || len(run) != 2 || run[0].ID != d.camp.ID || len(run[0].CallerIDs) != 2 {
			t.Fatalf("runnable: %+v %v", run, err)
		}
		stamp := func() store.CampaignStamp {
			m, err := s.CampaignStamps(d.ctx, d.camp.ID)
			must(t, err)
			return m[d.camp.ID]
		}
		s0 := stamp()
		if s0.Status != store.CampaignRunning || s0.StrategyVersion != d.st.Version {
			t.Fatalf("stamp %+v", s0)
		}
		camp, _ := s.GetCampaign(d.ctx, d.camp.ID)
		camp.Priority = 9
		must(t, s.UpdateCampaign(d.ctx, camp))
		s1 := stamp()
		if s1.Version == s0.Version {
			t.Fatal("a campaign edit did not change the stamp")
		}
		st, _ := s.GetStrategy(d.ctx, d.st.ID)
		st.BatchSize = 20
		must(t, s.UpdateStrategy(d.ctx, st))
		s2 := stamp()
		if s2.StrategyVersion == s1.StrategyVersion {
			t.Fatal("a strategy edit did not change the stamp")
		}
		cal, _ := s.GetCalendar(d.ctx, d.cal.ID)
		cal.Windows = alwaysOpen[:2]
		must(t, s.UpdateCalendar(d.ctx, cal))
		if s3 := stamp(); s3.StrategyVersion == s2.StrategyVersion {
			t.Fatal("a calendar edit did not change the stamp")
		}
		_, err = s.PauseCampaign(d.ctx, low.camp.ID)
		must(t, err)
		all, err := s.CampaignStamps(d.ctx)
		if err != nil || len(all) != 2 || all[low.camp.ID].Status != store.CampaignPaused {
			t.Fatalf("all stamps %+v %v", all, err)
		}
	})
}

func TestCompleteIfDone(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 2, nil)
		id := byPhone(t, d)
		if done, err := s.CompleteIfDone(d.ctx, d.rules, d.lease.Token, d.now); err != nil || done {
			t.Fatalf("with contacts pending: %v %v", done, err)
		}
		must(t, s.SetContactForTest(d.ctx, id[1], map[string]any{"status": store.ContactCompleted}))
		must(t, s.SetContactForTest(d.ctx, id[2], map[string]any{"status": store.ContactFailed}))
		agent := newAgent(t, s, "booker")
		cb := &store.Callback{ContactID: id[1], Phone: phoneN(1), DueAt: time.Now().Add(time.Hour), AgentID: agent}
		must(t, s.CreateCallback(d.ctx, cb)) // the contact is pending again for it
		must(t, s.SetContactForTest(d.ctx, id[1], map[string]any{"status": store.ContactCompleted}))
		if done, err := s.CompleteIfDone(d.ctx, d.rules, d.lease.Token, d.now); err != nil || done {
			t.Fatalf("with a callback open: %v %v", done, err)
		}
		_, err := s.CancelCallback(d.ctx, cb.ID)
		must(t, err)
		if done, err := s.CompleteIfDone(d.ctx, d.rules, d.lease.Token, d.now); err != nil || !done {
			t.Fatalf("nothing left: %v %v", done, err)
		}
		if c, _ := s.GetCampaign(d.ctx, d.camp.ID); c.Status != store.CampaignCompleted {
			t.Fatalf("status %s", c.Status)
		}
	})
}

// TestCompleteSettlesLeftovers: contacts a strategy edit put beyond the
// limits do not keep a campaign running; they end failed, or in
// maintenance without a dialable number.
func TestCompleteSettlesLeftovers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 3, nil)
		id := byPhone(t, d)
		must(t, s.SetContactForTest(d.ctx, id[1], map[string]any{"attempts": 2, "phone_attempts": 2}))
		must(t, s.SetContactForTest(d.ctx, id[2], map[string]any{"status": store.ContactCompleted}))
		must(t, s.SetContactForTest(d.ctx, id[3], map[string]any{"phone_status": store.NumberInvalid}))
		if done, err := s.CompleteIfDone(d.ctx, d.rules, d.lease.Token, d.now); err != nil || done {
			t.Fatalf("contact 1 may still be dialed: %v %v", done, err)
		}
		st, _ := s.GetStrategy(d.ctx, d.st.ID)
		st.MaxAttempts, st.MaxAttemptsPerContact = 2, 2
		must(t, s.UpdateStrategy(d.ctx, st))
		d.reload()
		if done, err := s.CompleteIfDone(d.ctx, d.rules, d.lease.Token, d.now); err != nil || !done {
			t.Fatalf("nothing dialable left: %v %v", done, err)
		}
		if c := d.contact(id[1]); c.Status != store.ContactFailed {
			t.Errorf("exhausted contact is %s", c.Status)
		}
		if c := d.contact(id[3]); c.Status != store.ContactMaintenance {
			t.Errorf("contact without a valid number is %s", c.Status)
		}
	})
}

// TestPauseStopsTheNextDial: a claimed contact is not dialed once the
// campaign is paused; its claim can still be given back.
func TestPauseStopsTheNextDial(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 2, nil)
		cls := d.claim(2, d.now)
		_, err := s.PauseCampaign(d.ctx, d.camp.ID)
		must(t, err)
		_, err = s.StartAttempt(d.ctx, d.rules, d.lease.Token, store.AttemptStart{Claim: &cls[0], CallUUID: "p1", Phone: cls[0].Contact.Phone, Now: d.now})
		if !errors.Is(err, store.ErrNotRunning) {
			t.Fatalf("dial in a paused campaign: %v", err)
		}
		// A blacklist entry blocks the claimed contact meanwhile: releasing it
		// keeps it blocked and frees the claim.
		_, err = s.AddDNC(d.ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: cls[1].Contact.Phone, Source: store.DNCManual}, store.DNCRefuse)
		must(t, err)
		must(t, s.ReleaseClaim(d.ctx, d.rules, d.lease.Token, &cls[1], store.ReasonOutsideHours, d.now))
		if c := d.contact(cls[1].Contact.ID); c.Status != store.ContactBlocked || c.ClaimToken != "" || c.NextAttemptAt != nil {
			t.Fatalf("released blocked contact: %+v", c)
		}
	})
}
