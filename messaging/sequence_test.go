package messaging_test

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/messaging/mailtest"
	"github.com/bankcc/callcenter/messaging/smsctest"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestSequenceCallThenSMSThenEmail: "call; if not reached send an SMS; if
// that fails an e-mail" as three campaigns chained by follow_up, run by the
// dialer's manager: the call is busy at the FreeSWITCH simulator, the SMSC
// refuses the number, and the e-mail reaches the SMTP peer.
func TestSequenceCallThenSMSThenEmail(t *testing.T) {
	const mobile = "13900000000" // busy for calls; the SMSC refuses numbers ending in 0000
	sc := esltest.DefaultScenario()
	for _, n := range []string{mobile, "+86" + mobile} {
		sc.Overrides = append(sc.Overrides, esltest.NumberOverride{Number: n, Outcome: esltest.OutcomeBusy, Ring: time.Second})
	}
	srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 0.005, HeartbeatInterval: -1})
	check(t, err)
	t.Cleanup(func() { srv.Close() })
	pool, err := controller.NewPool(context.Background(), controller.PoolConfig{Nodes: []controller.NodeConfig{{
		Name: "fs1", Address: srv.Addr(), CommandTimeout: 10 * time.Second}}})
	check(t, err)
	t.Cleanup(func() { pool.Close() })
	waitFor(t, "the pool", pool.Ready)
	smsc := smsctest.Start(t)
	peer := mailtest.Start(t, mailtest.Options{})

	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		before := len(smsc.Submits()) // the SMSC serves both databases' runs
		var d *messaging.Dispatcher
		sms, err := messaging.NewSMPP(messaging.SMPPConfig{Address: smsc.Addr, SystemID: smsctest.SystemID,
			Password: smsctest.Password, SourceAddr: "95588", Rebind: 50 * time.Millisecond}, func(r messaging.Receipt) { d.Receipt(r) }, nil)
		check(t, err)
		defer sms.Close()
		email, err := messaging.NewEmail(messaging.EmailConfig{Host: peer.Host, Port: peer.Port, TLS: messaging.TLSNone,
			From: "notice@bank.example"})
		check(t, err)
		defer email.Close()
		d = messaging.NewDispatcher(s, map[store.Media]messaging.Sender{store.MediaSMS: sms, store.MediaEmail: email}, nil)

		cal := &store.Calendar{Name: "cal-" + t.Name(), Timezone: "Asia/Shanghai", Windows: []store.CalendarWindow{
			{DayKind: "workday", Start: "00:00", End: "24:00"}, {DayKind: "weekend", Start: "00:00", End: "24:00"},
			{DayKind: "holiday", Start: "00:00", End: "24:00"}}}
		check(t, s.CreateCalendar(ctx, cal))
		st := store.NewStrategy()
		st.Name, st.CalendarID, st.MaxAttempts, st.MaxAttemptsPerContact = "st-"+t.Name(), cal.ID, 1, 1
		check(t, s.CreateStrategy(ctx, st))
		mk := func(name string, media store.Media, msg store.CampaignMessage, next *store.Campaign) *store.Campaign {
			c := &store.Campaign{Name: name + "-" + t.Name(), Kind: store.KindNotification, Media: media, DialMode: store.DialBroadcast,
				Priority: 5, StrategyID: &st.ID, Gateway: "gw1", CallerIDs: []string{"02161234567"}, Message: msg}
			if media == store.MediaIVR {
				c.IVRFlow = "notify"
			}
			if next != nil {
				c.FollowUp = &store.FollowUp{CampaignID: next.ID}
			}
			check(t, s.CreateCampaign(ctx, c))
			return c
		}
		mail := mk("邮件", store.MediaEmail, store.CampaignMessage{Subject: "{{name}}，请联系我们", Text: "尊敬的{{name}}，电话未能联系到您。"}, nil)
		text := mk("短信", store.MediaSMS, store.CampaignMessage{Text: "尊敬的{{name}}，请回电95588。", SignName: "某银行"}, mail)
		call := mk("外呼", store.MediaIVR, store.CampaignMessage{}, text)
		job := &store.ImportJob{CampaignID: call.ID, Source: "api", Format: "json"}
		check(t, s.CreateImportJob(ctx, job))
		_, err = s.ImportBatch(ctx, job.ID, call.ID, []store.Contact{{CampaignID: call.ID, Status: store.ContactPending,
			Name: "张伟", Phone: mobile, Email: "zhangwei@example.com"}}, 0, 0)
		check(t, err)
		for _, c := range []*store.Campaign{mail, text, call} {
			_, err := s.StartCampaign(ctx, c.ID)
			check(t, err)
		}
		m, err := dialer.NewManager(dialer.Options{Switch: pool, Store: s, Messenger: d, Poll: 10 * time.Millisecond,
			Holder: "seq-" + t.Name(), Gateway: "gw1", IVRAddr: "127.0.0.1:8084"})
		check(t, err)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = m.Run(runCtx); close(done) }()
		defer func() { cancel(); <-done }()

		var got mailtest.Message
		waitFor(t, "the e-mail at the end of the sequence", func() bool {
			_, err := s.ForwardUnreached(ctx, time.Now().Add(time.Second), 100) // the scheduler's job
			check(t, err)
			select {
			case got = <-peer.Received:
				return true
			default:
				return false
			}
		})
		if len(got.To) != 1 || got.To[0] != "zhangwei@example.com" {
			t.Fatalf("mail to %v", got.To)
		}
		for _, c := range []*store.Campaign{call, text} {
			cs, _, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: c.ID})
			check(t, err)
			if len(cs) != 1 || cs[0].Status == store.ContactCompleted || cs[0].Attempts != 1 {
				t.Errorf("%s: contacts %+v", c.Name, cs)
			}
		}
		var refused int
		for _, sub := range smsc.Submits()[before:] {
			if sub.Dest == mobile || sub.Dest == "+86"+mobile || sub.Dest == "86"+mobile {
				refused++
			}
		}
		if refused != 1 {
			t.Errorf("%d submits to %s, want the one the SMSC refused", refused, mobile)
		}
	})
}
