package dialer

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
)

// simSwitch starts the FreeSWITCH simulator with fixed callees and a
// controller pool over real ESL in front of it.
func simSwitch(t *testing.T, overrides ...esltest.NumberOverride) (*esltest.Server, *controller.Pool) {
	t.Helper()
	sc := esltest.DefaultScenario()
	sc.Overrides = overrides
	srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 0.1, HeartbeatInterval: -1})
	must(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	pool, err := controller.NewPool(context.Background(), controller.PoolConfig{Nodes: []controller.NodeConfig{
		{Name: "sim", Address: srv.Addr(), Password: "ClueCon", MaxChannels: 100, MaxCPS: 50}}})
	must(t, err)
	t.Cleanup(pool.Close)
	eventually(t, "the node up", func() bool {
		st := pool.Status()
		return len(st) == 1 && st[0].State == controller.NodeUp
	})
	return srv, pool
}

// originated lists the numbers the simulator was asked to dial, from its
// own command log.
func originated(srv *esltest.Server) []string {
	var out []string
	for _, line := range srv.CommandLog() {
		if !strings.HasPrefix(line, "originate ") {
			continue
		}
		if i := strings.Index(line, "sofia/gateway/"); i >= 0 {
			rest := line[i+len("sofia/gateway/"):]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				num, _, _ := strings.Cut(rest[j+1:], " ")
				out = append(out, num)
			}
		}
	}
	return out
}

// answeringDesk connects every answered customer to an agent who takes
// the call until the customer hangs up, then closes it.
func answeringDesk(agents ...Reservation) *fakeDesk {
	d := newFakeDesk(agents...)
	d.connect = func(req ConnectRequest) (Connection, error) {
		agent := int64(7)
		if req.Reservation != nil {
			agent = req.Reservation.AgentID
		}
		go func() {
			<-req.Leg.Done()
			_ = req.Finish(context.Background(), Disposition{AgentID: agent, Result: "promise_to_pay", EndedAt: time.Now()})
			if req.Reservation != nil {
				d.ready <- *req.Reservation
			} else {
				d.changes <- AgentChange{At: time.Now(), AgentID: agent, To: "ready"}
			}
		}()
		return Connection{AgentID: agent, ConnectedAt: time.Now()}, nil
	}
	return d
}

var simCallees = []esltest.NumberOverride{
	{Number: "+8613900000101", Outcome: esltest.OutcomeAnswer, Ring: 100 * time.Millisecond, Talk: time.Second},
	{Number: "+8613900000102", Outcome: esltest.OutcomeBusy, Ring: 100 * time.Millisecond},
	{Number: "+8613900000103", Outcome: esltest.OutcomeInvalid},
	{Number: "+8613900000104", Outcome: esltest.OutcomeAnswer, Ring: 100 * time.Millisecond, Talk: time.Second},
}

// checkRun compares the simulator's command log with the store: each
// dialed number has exactly one attempt, the blacklisted number never
// appears, and every attempt is settled.
func checkRun(t *testing.T, f *campaignFixture, srv *esltest.Server, blocked string, want map[string]store.ResultClass) {
	t.Helper()
	dialed := originated(srv)
	seen := map[string]int{}
	for _, n := range dialed {
		seen[n]++
	}
	if seen[blocked] > 0 {
		t.Errorf("blacklisted %s was dialed", blocked)
	}
	for n, class := range want {
		if seen[n] != 1 {
			t.Errorf("%s dialed %d times (log %v)", n, seen[n], dialed)
		}
		c := f.contacts()[n]
		if c.LastResult != string(class) {
			t.Errorf("%s: last result %q, want %q", n, c.LastResult, class)
		}
	}
}

func TestSimulatorProgressiveAndPredictive(t *testing.T) {
	for _, mode := range []store.DialMode{store.DialProgressive, store.DialPredictive} {
		t.Run(string(mode), func(t *testing.T) {
			s := newStore(t)
			srv, pool := simSwitch(t, simCallees...)
			phones := []string{"+8613900000101", "+8613900000102", "+8613900000103", "+8613900000104", "+8613900000105"}
			f := newCampaign(t, s, phones, func(_ *store.Strategy, c *store.Campaign) { c.DialMode = mode })
			_, err := s.AddDNC(f.ctx, &store.DNCEntry{Kind: store.DNCPhone, Value: "+8613900000105", Reason: "test", Source: "manual"}, store.DNCRefuse)
			must(t, err)
			desk := answeringDesk(Reservation{ID: "r1", AgentID: 7, Extension: "1001", Node: "sim"})
			for i := range 2 {
				desk.changes <- AgentChange{At: time.Now(), AgentID: int64(7 + i), To: "ready"}
			}
			startManager(t, Options{Switch: pool, Store: s, Desk: desk})
			want := map[string]store.ResultClass{"+8613900000101": store.ResultHuman, "+8613900000102": store.ResultBusy,
				"+8613900000103": store.ResultInvalidNumber, "+8613900000104": store.ResultHuman}
			eventually(t, "every contact settled once", func() bool {
				cs := f.contacts()
				for n := range want {
					if c := cs[n]; c.Attempts != 1 || c.Status == store.ContactInProgress {
						return false
					}
				}
				return true
			})
			checkRun(t, f, srv, "+8613900000105", want)
		})
	}
}

func TestSimulatorBroadcast(t *testing.T) {
	s := newStore(t)
	srv, pool := simSwitch(t, simCallees...)
	hub := NewIVRResults()
	ivrSrv := ivr.NewServer(ivr.Options{Addr: "127.0.0.1:0", Reporter: hub})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addr, err := ivrSrv.Listen(ctx)
	must(t, err)
	t.Cleanup(func() { _ = ivrSrv.Shutdown(context.Background()) })
	f := newCampaign(t, s, []string{"+8613900000101", "+8613900000102", "+8613900000104"}, func(_ *store.Strategy, c *store.Campaign) {
		c.DialMode, c.Media, c.IVRFlow, c.GroupID = store.DialBroadcast, store.MediaIVR, ivr.FlowNotify, nil
	})
	startManager(t, Options{Switch: pool, Store: s, IVRAddr: addr, IVR: hub})
	want := map[string]store.ResultClass{"+8613900000101": store.ResultAnswered, "+8613900000102": store.ResultBusy,
		"+8613900000104": store.ResultAnswered}
	eventually(t, "every contact settled once", func() bool {
		for n := range want {
			if c := f.contacts()[n]; c.Attempts != 1 || c.Status == store.ContactInProgress {
				return false
			}
		}
		return true
	})
	checkRun(t, f, srv, "", want)
	for _, line := range srv.CommandLog() {
		if strings.HasPrefix(line, "originate ") && !strings.Contains(line, "ivr_flow=notify") {
			t.Errorf("broadcast originate without its flow: %s", line)
		}
	}
	rows, _, err := s.ListContacts(f.ctx, store.ContactFilter{CampaignID: f.camp.ID})
	must(t, err)
	for _, c := range rows {
		if c.Phone == "+8613900000101" && c.Status != store.ContactCompleted {
			t.Errorf("answered broadcast contact is %s", c.Status)
		}
	}
}
