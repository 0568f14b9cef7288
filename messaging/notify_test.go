package messaging

import (
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/messaging/mailtest"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestNotificationReachesTheAccountManager(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		peer := mailtest.Start(t, mailtest.Options{})
		e := emailTo(t, peer, TLSNone, "", "")
		start := time.Now().Add(-time.Minute)
		f := newCampaign(t, s, store.MediaSMS, store.CampaignMessage{Text: "您好"}, allDay, []store.Contact{
			{Name: "张伟", Phone: "+8613800138001", IDNumber: "110101199003071234", ManagerEmail: "mgr@bank.example",
				Attributes: store.Attributes{"balance": "1200.50"}},
			{Name: "李娜", Phone: "+8613800138002", ManagerEmail: mailtest.DeferLocal + "@bank.example"},
		})
		f.camp.Notify = []store.NotifyRule{{On: []string{"answered"}, Channel: store.NotifyEmail, To: "manager_email",
			Subject: "客户{{name}}：{{result}}", Text: "客户{{name}}（{{phone}}，证件{{id_number}}）欠款{{balance}}元，结果{{result}}，活动{{campaign}}。"}}
		must(t, s.UpdateCampaign(f.ctx, f.camp))
		d := NewDispatcher(s, map[store.Media]Sender{store.MediaSMS: NewCapture(ChannelSMS)}, nil)
		if !f.run(t, d, time.Now()) {
			t.Fatal("campaign not completed")
		}
		n := NewNotifier(s, e, nil, start, nil)
		now := time.Now()
		must(t, n.Tick(f.ctx, now))
		got := peer.Wait(t, time.Minute)
		if got.To[0] != "mgr@bank.example" {
			t.Fatalf("to %v", got.To)
		}
		msg, _ := got.Parsed()
		subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		body := string(got.Data)
		if subj != "客户张伟：answered" {
			t.Fatalf("subject %q", subj)
		}
		log, _, err := s.ListOutbound(f.ctx, store.OutboundFilter{Purpose: store.PurposeNotification, To: "mgr@bank.example"})
		must(t, err)
		if len(log) != 1 || log[0].Status != store.OutboundSent ||
			log[0].Body != "客户张伟（138****8001，证件110101********1234）欠款1200.50元，结果answered，活动"+f.camp.Name+"。" {
			t.Fatalf("log %+v", log)
		}
		if strings.Contains(body, "13800138001") || strings.Contains(body, "199003071234") {
			t.Fatalf("the manager got unmasked identifiers: %s", body)
		}
		// Again: nothing new is sent; the deferred one waits for its retry.
		must(t, n.Tick(f.ctx, now))
		if len(peer.Messages()) != 1 {
			t.Fatalf("%d messages after a second tick", len(peer.Messages()))
		}
		deferred, _, err := s.ListOutbound(f.ctx, store.OutboundFilter{Purpose: store.PurposeNotification, Status: store.OutboundQueued})
		must(t, err)
		if len(deferred) != 1 || deferred[0].Tries != 1 || deferred[0].Code != "451" || deferred[0].NextTryAt == nil {
			t.Fatalf("deferred %+v", deferred)
		}
		for i := 0; i < 6; i++ {
			now = now.Add(time.Hour)
			must(t, n.Tick(f.ctx, now))
		}
		failed, _, err := s.ListOutbound(f.ctx, store.OutboundFilter{Purpose: store.PurposeNotification, Status: store.OutboundFailed})
		must(t, err)
		if len(failed) != 1 || failed[0].Tries != 5 {
			t.Fatalf("after the retries %+v", failed)
		}
	})
}
