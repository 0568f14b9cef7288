package messaging_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/messaging/faxtest"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestFaxCampaignThroughTheDialer: a fax campaign started in the store is
// run by the dialer's manager, whose runner hands each contact to the
// Dispatcher; the fax sender dials the FreeSWITCH simulator, and the pages
// and T.30 results end up in the delivery log and the attempts.
func TestFaxCampaignThroughTheDialer(t *testing.T) {
	sc := esltest.DefaultScenario()
	sc.Overrides = []esltest.NumberOverride{
		{Number: "02150002001", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Fax: &esltest.Fax{Result: esltest.FaxOK}},
		{Number: "02150002002", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Fax: &esltest.Fax{Result: esltest.FaxPartial, Pages: 1}},
	}
	srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 0.005, HeartbeatInterval: -1})
	check(t, err)
	t.Cleanup(func() { srv.Close() })
	pool, err := controller.NewPool(context.Background(), controller.PoolConfig{Nodes: []controller.NodeConfig{{
		Name: "fs1", Address: srv.Addr(), CommandTimeout: 10 * time.Second}}})
	check(t, err)
	t.Cleanup(func() { pool.Close() })
	waitFor(t, "the pool", pool.Ready)
	fax, err := messaging.NewFax(pool, messaging.FaxConfig{Gateway: "gw1", Ident: "95588", Simulated: true})
	check(t, err)

	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tif := filepath.Join(t.TempDir(), "statement.tif")
		check(t, os.WriteFile(tif, faxtest.TIFF(2), 0o600))
		doc := &store.Document{Name: "对账单.pdf", Path: tif, Pages: 2, Bytes: 1}
		check(t, s.CreateDocument(ctx, doc))
		cal := &store.Calendar{Name: "cal-" + t.Name(), Timezone: "Asia/Shanghai", Windows: []store.CalendarWindow{
			{DayKind: "workday", Start: "00:00", End: "24:00"}, {DayKind: "weekend", Start: "00:00", End: "24:00"},
			{DayKind: "holiday", Start: "00:00", End: "24:00"}}}
		check(t, s.CreateCalendar(ctx, cal))
		st := store.NewStrategy()
		st.Name, st.CalendarID, st.MaxAttempts, st.MaxAttemptsPerContact = "st-"+t.Name(), cal.ID, 1, 1
		check(t, s.CreateStrategy(ctx, st))
		camp := &store.Campaign{Name: "传真对账单-" + t.Name(), Kind: store.KindNotification, Media: store.MediaFax,
			DialMode: store.DialBroadcast, Priority: 5, StrategyID: &st.ID, DocumentID: &doc.ID, Gateway: "gw1",
			Message: store.CampaignMessage{FaxHeader: "{{name}} 对账单"}}
		check(t, s.CreateCampaign(ctx, camp))
		job := &store.ImportJob{CampaignID: camp.ID, Source: "api", Format: "json"}
		check(t, s.CreateImportJob(ctx, job))
		contacts := []store.Contact{{Name: "张伟", Phone: "02150002001"}, {Name: "李娜", Phone: "02150002002"}}
		for i := range contacts {
			contacts[i].CampaignID, contacts[i].Status = camp.ID, store.ContactPending
		}
		_, err := s.ImportBatch(ctx, job.ID, camp.ID, contacts, 0, 0)
		check(t, err)
		_, err = s.StartCampaign(ctx, camp.ID)
		check(t, err)

		d := messaging.NewDispatcher(s, map[store.Media]messaging.Sender{store.MediaFax: fax}, nil)
		m, err := dialer.NewManager(dialer.Options{Switch: pool, Store: s, Messenger: d, Poll: 10 * time.Millisecond,
			Holder: "fax-" + t.Name(), Gateway: "gw1"})
		check(t, err)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { _ = m.Run(runCtx); close(done) }()
		defer func() { cancel(); <-done }()

		waitFor(t, "both faxes settled", func() bool {
			log, _, err := s.ListOutbound(ctx, store.OutboundFilter{CampaignID: camp.ID})
			check(t, err)
			settled := 0
			for _, o := range log {
				if o.Status == store.OutboundDelivered || o.Status == store.OutboundFailed {
					settled++
				}
			}
			return settled == 2
		})
		log, _, err := s.ListOutbound(ctx, store.OutboundFilter{CampaignID: camp.ID})
		check(t, err)
		for _, o := range log {
			want := map[string]string{"02150002001": "delivered 2 0", "02150002002": "failed 1 21"}[o.To]
			if got := string(o.Status) + " " + itoa(o.Parts) + " " + o.Code; got != want || !o.Simulated || o.Provider != "fax" {
				t.Errorf("%s: %s simulated %v provider %s, want %s", o.To, got, o.Simulated, o.Provider, want)
			}
			var a *store.Attempt
			waitFor(t, "the attempt finished", func() bool {
				a, err = s.GetAttemptByUUID(ctx, o.AttemptUUID)
				check(t, err)
				return a.Outcome != ""
			})
			if (o.To == "02150002001") != (a.Outcome == store.ResultAnswered) {
				t.Errorf("%s: attempt outcome %s cause %q", o.To, a.Outcome, a.HangupCause)
			}
		}
	})
}

func itoa(n int) string { return string(rune('0' + n)) }

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
