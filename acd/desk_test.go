package acd

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

type fixture struct {
	t     *testing.T
	st    *store.Store
	sw    *switchtest.Switch
	d     *Desk
	group int64
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	return newFixtureOn(t, cfg, func(sw *switchtest.Switch) controller.Switch { return sw })
}

// newFixtureOn is newFixture with the desk driving what wrap makes of the
// fake switch (a test delaying one of its commands).
func newFixtureOn(t *testing.T, cfg Config, wrap func(*switchtest.Switch) controller.Switch) *fixture {
	t.Helper()
	st := storetest.New(t)
	sw := switchtest.New(t)
	g := &store.Group{Name: "collections", Kind: "agent"}
	if err := st.CreateGroup(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Switch = st, wrap(sw)
	if cfg.Gateway == "" {
		cfg.Gateway = "trunk"
	}
	d := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; d.Wait() })
	return &fixture{t: t, st: st, sw: sw, d: d, group: g.ID}
}

func (f *fixture) agent(name, ext string, register bool) int64 {
	f.t.Helper()
	u := &store.User{Username: name, Role: store.RoleAgent, DisplayName: name, Extension: &ext}
	if err := u.SetPassword("Passw0rd!Passw0rd", time.Now()); err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.CreateUser(context.Background(), u, []int64{f.group}); err != nil {
		f.t.Fatal(err)
	}
	if register {
		f.sw.Register(ext, switchtest.DefaultNode)
	}
	return u.ID
}

func (f *fixture) signIn(id int64, ready bool) {
	f.t.Helper()
	if _, err := f.d.SignIn(context.Background(), SignInRequest{AgentID: id, Ready: ready}); err != nil {
		f.t.Fatal(err)
	}
}

// waitFor polls cond until it holds (a failure guard, not a pace).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// agentLeg waits for the n-th originate to an endpoint and returns its uuid.
func (f *fixture) agentLeg(n int) string {
	f.t.Helper()
	var id string
	waitFor(f.t, "agent leg originate", func() bool {
		k := 0
		for _, c := range f.sw.CommandsOf(switchtest.OpOriginate) {
			if c.Originate.Endpoint != "" && c.Err == nil {
				k++
				if k == n {
					id = c.UUID
					return true
				}
			}
		}
		return false
	})
	return id
}

func (f *fixture) customer() controller.Leg {
	f.t.Helper()
	leg, err := f.sw.Originate(context.Background(), controller.OriginateRequest{Gateway: "trunk", Number: "13800138000", CampaignID: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	f.sw.Far(leg.UUID()).Answer(controller.AMDHuman)
	return leg
}

func (f *fixture) state(id int64) store.AgentState {
	v, err := f.d.Agent(context.Background(), id)
	if err != nil {
		return store.AgentSignedOut
	}
	return v.State
}

type finishes struct {
	mu  sync.Mutex
	got []dialer.Disposition
}

func (fs *finishes) finish(_ context.Context, d dialer.Disposition) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.got = append(fs.got, d)
	return nil
}

func (fs *finishes) list() []dialer.Disposition {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]dialer.Disposition(nil), fs.got...)
}

// connect runs Connect for a customer leg and answers the agent's phone.
func (f *fixture) connect(cust controller.Leg, fin *finishes, n int) dialer.Connection {
	f.t.Helper()
	return f.connectWith(cust, fin.finish, n)
}

// connectWith is connect with the attempt's closing given.
func (f *fixture) connectWith(cust controller.Leg, finish func(context.Context, dialer.Disposition) error, n int) dialer.Connection {
	f.t.Helper()
	type out struct {
		c   dialer.Connection
		err error
	}
	res := make(chan out, 1)
	go func() {
		c, err := f.d.Connect(context.Background(), dialer.ConnectRequest{Leg: cust, GroupID: f.group, CampaignID: 1,
			Deadline: time.Now().Add(time.Minute), Finish: finish})
		res <- out{c, err}
	}()
	f.sw.Far(f.agentLeg(n)).Answer(controller.AMDUnknown)
	r := <-res
	if r.err != nil {
		f.t.Fatal(r.err)
	}
	return r.c
}

func TestSignInNeedsRegistration(t *testing.T) {
	f := newFixture(t, Config{})
	id := f.agent("a1", "1001", false)
	if _, err := f.d.SignIn(context.Background(), SignInRequest{AgentID: id}); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("sign-in without a registered phone: %v", err)
	}
	f.sw.Register("1001", switchtest.DefaultNode)
	f.signIn(id, false)
	if st := f.state(id); st != store.AgentBreak {
		t.Fatalf("first state %s, want break", st)
	}
	if _, err := f.d.SignIn(context.Background(), SignInRequest{AgentID: id}); !errors.Is(err, ErrSignedIn) {
		t.Fatalf("second sign-in: %v", err)
	}
	var se *StateError
	if _, err := f.d.SetState(context.Background(), id, store.AgentACW, ""); !errors.As(err, &se) || se.From != store.AgentBreak {
		t.Fatalf("break → acw: %v", err)
	}
	if _, err := f.d.SetState(context.Background(), id, store.AgentBreak, "nap"); !errors.Is(err, ErrUnknownReason) {
		t.Fatalf("unknown reason: %v", err)
	}
	if _, err := f.d.SetState(context.Background(), id, store.AgentReady, ""); err != nil {
		t.Fatal(err)
	}
	if s := f.d.Staffing(f.group); s.SignedIn != 1 || s.Ready != 1 {
		t.Fatalf("staffing %+v", s)
	}
	if err := f.d.SignOut(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	f.d.jr.flush()
	hist, err := f.st.AgentStateHistory(context.Background(), store.AgentStateFilter{AgentIDs: []int64{id}, From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var states []store.AgentState
	for _, h := range hist {
		states = append(states, h.State)
	}
	want := []store.AgentState{store.AgentBreak, store.AgentReady, store.AgentSignedOut}
	if len(states) != len(want) || states[0] != want[0] || states[1] != want[1] || states[2] != want[2] {
		t.Fatalf("history %v, want %v", states, want)
	}
}

func TestConnectLongestIdleThenACWAndDisposition(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	f.signIn(a2, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	if conn.AgentID != a1 {
		t.Fatalf("connected to %d, want the longest idle %d", conn.AgentID, a1)
	}
	if br := f.sw.CommandsOf(switchtest.OpBridge); len(br) != 1 || br[0].UUID != cust.UUID() || br[0].Args[0] != conn.AgentLeg {
		t.Fatalf("bridges %v", br)
	}
	waitFor(t, "on_call", func() bool { return f.state(a1) == store.AgentOnCall })

	// Controls: someone else's call, hold, unhold.
	if err := f.d.Control(context.Background(), a2, cust.UUID(), ActionHold, ""); !errors.Is(err, ErrNotYourCall) {
		t.Fatalf("a2 holds a1's call: %v", err)
	}
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionHold, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "hold", func() bool { return f.state(a1) == store.AgentHold })
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionUnhold, ""); err != nil {
		t.Fatal(err)
	}
	// The customer hangs up: the agent's rung leg is hung up, ACW begins.
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	waitFor(t, "agent leg hung up", func() bool { return f.sw.Leg(conn.AgentLeg).Record().State == controller.StateEnded })
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionHold, ""); !errors.Is(err, ErrCallEnded) {
		t.Fatalf("hold after the end: %v", err)
	}
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "success"}); err != nil {
		t.Fatal(err)
	}
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "success"}); !errors.Is(err, ErrNoDisposition) {
		t.Fatalf("second disposition: %v", err)
	}
	if got := fin.list(); len(got) != 1 || got[0].Result != "success" || got[0].AgentID != a1 || got[0].Auto {
		t.Fatalf("finish %+v", got)
	}
	if st := f.state(a1); st != store.AgentReady {
		t.Fatalf("after disposition %s", st)
	}
}

// A break asked for during a call starts when the call's work is done
// (no further call offered meanwhile); ready takes it back; acw stays
// refused during a call.
func TestBreakAskedDuringCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		ask  []store.AgentState // in this order, during the call
		want store.AgentState   // after the disposition
	}{
		{"break", []store.AgentState{store.AgentBreak}, store.AgentBreak},
		{"break then ready", []store.AgentState{store.AgentBreak, store.AgentReady}, store.AgentReady},
		{"nothing", nil, store.AgentReady},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Config{})
			a1 := f.agent("a1", "1001", true)
			f.signIn(a1, true)
			cust := f.customer()
			var fin finishes
			f.connect(cust, &fin, 1)
			waitFor(t, "on_call", func() bool { return f.state(a1) == store.AgentOnCall })
			for _, st := range tc.ask {
				v, err := f.d.SetState(context.Background(), a1, st, "restroom")
				if err != nil || v.State != store.AgentOnCall || (st == store.AgentBreak) != (v.Next == store.AgentBreak) {
					t.Fatalf("%s during the call: %+v %v", st, v, err)
				}
			}
			var se *StateError
			if _, err := f.d.SetState(context.Background(), a1, store.AgentACW, ""); !errors.As(err, &se) {
				t.Fatalf("acw during the call: %v", err)
			}
			f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
			waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
			if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "success"}); err != nil {
				t.Fatal(err)
			}
			if st := f.state(a1); st != tc.want {
				t.Fatalf("after the disposition %s, want %s", st, tc.want)
			}
		})
	}
}

// A disposition the store refuses (a callback a year ahead) leaves the
// agent in after-call work to correct it; the corrected one closes the call.
func TestRefusedDispositionKeepsACW(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	var calls atomic.Int32
	refuseOnce := func(ctx context.Context, d dialer.Disposition) error {
		if calls.Add(1) == 1 {
			return store.Invalid("due_at", "is more than a year ahead")
		}
		return fin.finish(ctx, d)
	}
	f.connectWith(cust, refuseOnce, 1)
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "callback"})
	var ve *store.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("refused disposition: %v", err)
	}
	if st := f.state(a1); st != store.AgentACW {
		t.Fatalf("after a refused disposition the agent is %s, want acw", st)
	}
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "success"}); err != nil {
		t.Fatal(err)
	}
	if got := fin.list(); len(got) != 1 || got[0].Result != "success" {
		t.Fatalf("finish %+v", got)
	}
	if st := f.state(a1); st != store.AgentReady {
		t.Fatalf("after the corrected disposition %s", st)
	}
}

func TestAgentHangsUpFirstAndACWTimeout(t *testing.T) {
	f := newFixture(t, Config{ACWMax: 50 * time.Millisecond})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	conn := f.connect(cust, &fin, 1)
	f.sw.Far(conn.AgentLeg).Hangup("NORMAL_CLEARING")
	waitFor(t, "customer hung up, not left parked", func() bool { return f.sw.Leg(cust.UUID()).Record().State == controller.StateEnded })
	waitFor(t, "auto finish", func() bool { return len(fin.list()) == 1 })
	if got := fin.list(); !got[0].Auto {
		t.Fatalf("finish %+v", got)
	}
	waitFor(t, "ready", func() bool { return f.state(a1) == store.AgentReady })
}

func TestConnectNoAgentAndCustomerGone(t *testing.T) {
	f := newFixture(t, Config{})
	cust := f.customer()
	_, err := f.d.Connect(context.Background(), dialer.ConnectRequest{Leg: cust, GroupID: f.group, Deadline: time.Now().Add(30 * time.Millisecond)})
	if !errors.Is(err, dialer.ErrNoAgent) {
		t.Fatalf("nobody signed in: %v", err)
	}
	go func() { f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING") }()
	_, err = f.d.Connect(context.Background(), dialer.ConnectRequest{Leg: cust, GroupID: f.group, Deadline: time.Now().Add(time.Minute)})
	if !errors.Is(err, dialer.ErrCustomerGone) {
		t.Fatalf("customer hung up: %v", err)
	}
}

func TestBlindTransferToAgent(t *testing.T) {
	f := newFixture(t, Config{})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	f.connect(cust, &fin, 1)
	f.signIn(a2, true)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionTransfer, "agent:"+itoa(a2)); err != nil {
		t.Fatal(err)
	}
	f.sw.Far(f.agentLeg(2)).Answer(controller.AMDUnknown)
	waitFor(t, "a2 on call", func() bool { return f.state(a2) == store.AgentOnCall })
	waitFor(t, "a1 in acw", func() bool { return f.state(a1) == store.AgentACW })
	// a1's disposition does not close the attempt: the call went on with a2.
	if err := f.d.Dispose(context.Background(), a1, cust.UUID(), dialer.Disposition{Result: "transferred"}); err != nil {
		t.Fatal(err)
	}
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	waitFor(t, "a2 acw", func() bool { return f.state(a2) == store.AgentACW })
	if err := f.d.Dispose(context.Background(), a2, cust.UUID(), dialer.Disposition{Result: "success"}); err != nil {
		t.Fatal(err)
	}
	if got := fin.list(); len(got) != 1 || got[0].AgentID != a2 {
		t.Fatalf("finish %+v", got)
	}
}

func itoa(n int64) string { return strconvFormat(n) }
