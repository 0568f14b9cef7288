package acd

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// BenchmarkAnswerToAgent measures, against the simulator over real ESL,
// the time from the customer's answer to the agent bridged: on the ringing
// path (the agent's phone auto-answers at once, so this is the desk's and
// the switch's own cost) and on the nailed-up path (one uuid_bridge).
//
//	go test -run '^$' -bench AnswerToAgent -benchtime 200x ./acd/
func BenchmarkAnswerToAgent(b *testing.B) {
	for _, mode := range []store.SoftphoneMode{store.SoftphoneRegistered, store.SoftphoneNailedUp} {
		b.Run(string(mode), func(b *testing.B) { benchConnect(b, mode) })
	}
}

func benchConnect(b *testing.B, mode store.SoftphoneMode) {
	sc := esltest.DefaultScenario()
	sc.Overrides = []esltest.NumberOverride{{Number: "100", Outcome: esltest.OutcomeAnswer, Ring: 5 * time.Millisecond, Talk: time.Hour}}
	for i := range sc.Users {
		sc.Users[i].AnswerDelay = 0
	}
	sc.Gateways = []esltest.Gateway{{Name: "gw1"}} // no carrier limits: the desk is measured
	sim, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 1, HeartbeatInterval: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	pool, err := controller.NewPool(context.Background(), controller.PoolConfig{Nodes: []controller.NodeConfig{
		{Name: "sim", Address: sim.Addr(), Password: "ClueCon", HeartbeatInterval: time.Second}}})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	for pool.Status()[0].State != controller.NodeUp {
		time.Sleep(5 * time.Millisecond)
	}
	st := storetest.New(b)
	g := &store.Group{Name: "bench", Kind: "agent"}
	if err := st.CreateGroup(context.Background(), g); err != nil {
		b.Fatal(err)
	}
	ext := "1001"
	u := &store.User{Username: "bench", Role: store.RoleAgent, Extension: &ext}
	if err := u.SetPassword("Passw0rd!Passw0rd", time.Now()); err != nil {
		b.Fatal(err)
	}
	if err := st.CreateUser(context.Background(), u, []int64{g.ID}); err != nil {
		b.Fatal(err)
	}
	d := New(Config{Store: st, Switch: pool, ACWMax: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; d.Wait() }()
	if _, err := d.SignIn(context.Background(), SignInRequest{AgentID: u.ID, Ready: true, Mode: mode}); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		leg, err := pool.Originate(context.Background(), controller.OriginateRequest{Gateway: "gw1", Number: "100", CampaignID: 1, Timeout: 30 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		select {
		case <-leg.Answered():
		case <-leg.Done():
			b.Fatalf("the customer leg ended unanswered: %s", leg.Record().HangupCause)
		}
		answered := time.Now()
		conn, err := d.Connect(context.Background(), dialer.ConnectRequest{Leg: leg, GroupID: g.ID, Deadline: answered.Add(10 * time.Second),
			Finish: func(context.Context, dialer.Disposition) error { return nil }})
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, conn.ConnectedAt.Sub(answered))
		_ = pool.Hangup(context.Background(), leg.UUID(), "NORMAL_CLEARING")
		<-leg.Done()
		for {
			if err := d.Dispose(context.Background(), u.ID, leg.UUID(), dialer.Disposition{Result: "success"}); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
