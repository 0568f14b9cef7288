package messaging

import (
	"context"
	"fmt"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/messaging/mailtest"
	"github.com/bankcc/callcenter/messaging/smsctest"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// campaignFixture is a campaign of one medium with contacts, ready to run.
type campaignFixture struct {
	s    *store.Store
	ctx  context.Context
	camp *store.Campaign
	cal  *store.Calendar
}

func newCampaign(t *testing.T, s *store.Store, media store.Media, msg store.CampaignMessage, windows []store.CalendarWindow,
	contacts []store.Contact) *campaignFixture {
	t.Helper()
	return newCampaignWith(t, s, media, msg, windows, contacts, nil)
}

// newCampaignWith is newCampaign with a last word on the campaign before it
// is created (a fax campaign's document).
func newCampaignWith(t *testing.T, s *store.Store, media store.Media, msg store.CampaignMessage, windows []store.CalendarWindow,
	contacts []store.Contact, edit func(*store.Campaign)) *campaignFixture {
	t.Helper()
	f := &campaignFixture{s: s, ctx: context.Background()}
	f.cal = &store.Calendar{Name: "cal-" + t.Name(), Timezone: "Asia/Shanghai", Windows: windows}
	must(t, s.CreateCalendar(f.ctx, f.cal))
	st := store.NewStrategy()
	st.Name, st.CalendarID, st.MaxAttempts, st.MaxAttemptsPerContact = "st-"+t.Name(), f.cal.ID, 1, 1
	must(t, s.CreateStrategy(f.ctx, st))
	f.camp = &store.Campaign{Name: "camp-" + t.Name(), Kind: store.KindNotification, Media: media, DialMode: store.DialBroadcast,
		Priority: 5, StrategyID: &st.ID, Message: msg}
	if edit != nil {
		edit(f.camp)
	}
	must(t, s.CreateCampaign(f.ctx, f.camp))
	job := &store.ImportJob{CampaignID: f.camp.ID, Source: "api", Format: "json"}
	must(t, s.CreateImportJob(f.ctx, job))
	for i := range contacts {
		contacts[i].CampaignID, contacts[i].Status = f.camp.ID, store.ContactPending
	}
	if _, err := s.ImportBatch(f.ctx, job.ID, f.camp.ID, contacts, 0, 0); err != nil {
		t.Fatal(err)
	}
	var err error
	f.camp, err = s.StartCampaign(f.ctx, f.camp.ID)
	must(t, err)
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var allDay = []store.CalendarWindow{{DayKind: "workday", Start: "00:00", End: "24:00"},
	{DayKind: "weekend", Start: "00:00", End: "24:00"}, {DayKind: "holiday", Start: "00:00", End: "24:00"}}

// run works the campaign the way the dialer's runner does for a message
// medium (lease, claim, CheckClaim, StartAttempt, send, FinishAttempt) until
// nothing is left to claim; it reports whether the campaign completed.
func (f *campaignFixture) run(t *testing.T, d *Dispatcher, now time.Time) bool {
	t.Helper()
	rules, err := f.s.DialRules(f.ctx, f.camp)
	must(t, err)
	lease, err := f.s.AcquireLease(f.ctx, f.camp.ID, "test-runner", time.Minute, now)
	must(t, err)
	defer func() { _ = f.s.ReleaseLease(f.ctx, lease, now) }()
	for {
		cls, err := f.s.ClaimBatch(f.ctx, f.camp.ID, lease.Token, 10, now)
		must(t, err)
		if len(cls) == 0 {
			done, err := f.s.CompleteIfDone(f.ctx, rules, lease.Token, now)
			must(t, err)
			return done
		}
		for i := range cls {
			cl := &cls[i]
			phone, why, err := f.s.CheckClaim(f.ctx, rules, cl, now)
			must(t, err)
			if why != "" {
				must(t, f.s.ReleaseClaim(f.ctx, rules, lease.Token, cl, why, now))
				continue
			}
			uuid := fmt.Sprintf("msg-%d-%d", f.camp.ID, cl.Contact.ID)
			_, err = f.s.StartAttempt(f.ctx, rules, lease.Token, store.AttemptStart{Claim: cl, CallUUID: uuid, Phone: phone, Now: now})
			must(t, err)
			dl := d.Deliver(f.ctx, uuid, f.camp, &cl.Contact, phone)
			fin := store.Finish{Claim: cl, CallUUID: uuid, Class: dl.Class, Cause: dl.Detail, HungupAt: &now, Now: now}
			if dl.Class == store.ResultAnswered {
				fin.AnsweredAt = &now
			}
			must(t, f.s.FinishAttempt(f.ctx, rules, lease.Token, fin))
		}
	}
}

func (f *campaignFixture) contacts(t *testing.T) map[string]store.Contact {
	t.Helper()
	rows, _, err := f.s.ListContacts(f.ctx, store.ContactFilter{CampaignID: f.camp.ID})
	must(t, err)
	out := map[string]store.Contact{}
	for _, c := range rows {
		out[c.Name] = c
	}
	return out
}

func (f *campaignFixture) attempt(t *testing.T, c store.Contact) *store.Attempt {
	t.Helper()
	a, err := f.s.GetAttemptByUUID(f.ctx, fmt.Sprintf("msg-%d-%d", f.camp.ID, c.ID))
	must(t, err)
	return a
}

func TestSMSCampaignAgainstSMSC(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		smsc := smsctest.Start(t)
		var d *Dispatcher
		sms, err := NewSMPP(SMPPConfig{Address: smsc.Addr, SystemID: smsctest.SystemID, Password: smsctest.Password,
			SourceAddr: "95588", Rebind: 50 * time.Millisecond}, func(r Receipt) { d.Receipt(r) }, nil)
		must(t, err)
		defer sms.Close()
		d = NewDispatcher(s, map[store.Media]Sender{store.MediaSMS: sms}, nil)
		if _, err := sendWhenBound(t, sms, Outgoing{To: "13800138999", Text: "bind check"}); err != nil {
			t.Fatal(err)
		}
		f := newCampaign(t, s, store.MediaSMS, store.CampaignMessage{Text: "尊敬的{{name}}，您尾号{{card}}的信用卡本期应还{{balance}}元，证件{{id_number}}。", SignName: "某银行"},
			allDay, []store.Contact{
				{Name: "张伟", Phone: "+8613800138001", IDNumber: "110101199003071234", Attributes: store.Attributes{"card": "6789", "balance": "1200.50"}},
				{Name: "李娜", Phone: "+8613800130000"}, // refused by the SMSC
				{Name: "王芳", Phone: "+8613800138003"}, // blacklisted before the run
			})
		if _, err := s.AddDNC(f.ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613800138003", Source: store.DNCManual}, store.DNCRefuse); err != nil {
			t.Fatal(err)
		}
		before := len(smsc.Submits())
		if !f.run(t, d, time.Now()) {
			t.Fatal("the campaign did not complete")
		}
		subs := smsc.Submits()[before:]
		var dests []string
		for _, sub := range subs {
			dests = append(dests, sub.Dest)
		}
		if strings.Contains(strings.Join(dests, ","), "13800138003") {
			t.Fatalf("the blacklisted number received a message: %v", dests)
		}
		cs := f.contacts(t)
		eventually(t, "the delivery receipt", func() bool { return f.attempt(t, cs["张伟"]).Delivery == "delivered" })
		text := ""
		for _, sub := range subs {
			if sub.Dest == "+8613800138001" || sub.Dest == "8613800138001" || strings.HasSuffix(sub.Dest, "13800138001") {
				text += ucs2(sub.Text)
			}
		}
		if want := "【某银行】尊敬的张伟，您尾号6789的信用卡本期应还1200.50元，证件110101********1234。"; text != want {
			t.Fatalf("sms text %q, want %q", text, want)
		}
		for name, want := range map[string]store.ContactStatus{"张伟": store.ContactCompleted, "李娜": store.ContactMaintenance,
			"王芳": store.ContactBlocked} {
			if got := cs[name].Status; got != want {
				t.Fatalf("%s: %s, want %s", name, got, want)
			}
		}
		if a := f.attempt(t, cs["李娜"]); a.Outcome != store.ResultInvalidNumber || !strings.Contains(a.HangupCause, "0x0000000B") {
			t.Fatalf("refused number: outcome %s cause %q", a.Outcome, a.HangupCause)
		}
		if cs["李娜"].PhoneStatus != store.NumberInvalid {
			t.Fatalf("refused number status %q", cs["李娜"].PhoneStatus)
		}
	})
}

func TestEmailCampaignAgainstSMTPPeer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		peer := mailtest.Start(t, mailtest.Options{Username: "relay", Password: "pw", TLS: "starttls"})
		e := emailTo(t, peer, TLSStartTLS, "relay", "pw")
		d := NewDispatcher(s, map[store.Media]Sender{store.MediaEmail: e}, nil)
		f := newCampaign(t, s, store.MediaEmail, store.CampaignMessage{Subject: "{{name}}，您的账单", Text: "尊敬的{{name}}，应还{{balance}}元。",
			HTML: "<p>尊敬的{{name}}</p>"}, allDay, []store.Contact{
			{Name: "张伟", Phone: "+8613800138001", Email: "zhang@example.com", Attributes: store.Attributes{"balance": "88.00"}},
			{Name: "<b>李</b>", Phone: "+8613800138002", Email: mailtest.RefuseLocal + "@example.com"},
			{Name: "王芳", Phone: "+8613800138003", Email: mailtest.DeferLocal + "@example.com"},
			{Name: "赵敏", Phone: "+8613800138004"}, // no address
		})
		if !f.run(t, d, time.Now()) {
			t.Fatal("the campaign did not complete")
		}
		msgs := peer.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "zhang@example.com" {
			t.Fatalf("delivered %+v", msgs)
		}
		parsed, err := msgs[0].Parsed()
		must(t, err)
		if subj, _ := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject")); subj != "张伟，您的账单" {
			t.Fatalf("subject %q", subj)
		}
		cs := f.contacts(t)
		for name, want := range map[string]store.ResultClass{"张伟": store.ResultAnswered, "<b>李</b>": store.ResultInvalidNumber,
			"王芳": store.ResultNetworkFailure, "赵敏": store.ResultInvalidNumber} {
			if a := f.attempt(t, cs[name]); a.Outcome != want {
				t.Fatalf("%s: outcome %s cause %q, want %s", name, a.Outcome, a.HangupCause, want)
			}
		}
		log, _, err := s.ListOutbound(f.ctx, store.OutboundFilter{CampaignID: f.camp.ID, Status: store.OutboundSent})
		must(t, err)
		m, _ := msgs[0].Parsed()
		if len(log) != 1 || log[0].ProviderID == nil || "<"+*log[0].ProviderID+">" != m.Header.Get("Message-Id") {
			t.Fatalf("stored message id %+v, mail %q", log, m.Header.Get("Message-Id"))
		}
	})
}

func TestQuietHoursHoldMessages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		capture := NewCapture(ChannelSMS)
		d := NewDispatcher(s, map[store.Media]Sender{store.MediaSMS: capture}, nil)
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		night := time.Date(2026, 12, 7, 23, 30, 0, 0, shanghai) // a Monday
		window := []store.CalendarWindow{{DayKind: "workday", Start: "09:00", End: "20:00"}}
		f := newCampaign(t, s, store.MediaSMS, store.CampaignMessage{Text: "您好{{name}}"}, window,
			[]store.Contact{{Name: "张伟", Phone: "+8613800138001"}})
		f.run(t, d, night)
		if n := len(capture.Captured()); n != 0 {
			t.Fatalf("%d messages sent at 23:30 with a 09:00-20:00 window", n)
		}
		morning := time.Date(2026, 12, 8, 9, 5, 0, 0, shanghai)
		if !f.run(t, d, morning) || len(capture.Captured()) != 1 || capture.Captured()[0].Text != "您好张伟" {
			t.Fatalf("morning: %+v", capture.Captured())
		}
		log, _, err := s.ListOutbound(f.ctx, store.OutboundFilter{CampaignID: f.camp.ID})
		if err != nil || len(log) != 1 || !log[0].Simulated || log[0].Status != store.OutboundDelivered || log[0].Body != "您好张伟" {
			t.Fatalf("capture log %+v %v", log, err)
		}
	})
}
