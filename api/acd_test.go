package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// deskRig is the api with a real agent desk on a real controller pool,
// talking to the FreeSWITCH simulator over ESL.
type deskRig struct {
	*harness
	sim   *esltest.Server
	pool  *controller.Pool
	desk  *acd.Desk
	group int64
}

func newDeskRig(t *testing.T) *deskRig {
	t.Helper()
	sc := esltest.DefaultScenario()
	sc.Overrides = []esltest.NumberOverride{{Number: "100", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Talk: time.Hour},
		{Number: "+8613800000021", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Talk: time.Hour},
		{Number: "+8613800000023", Outcome: esltest.OutcomeAnswer, Ring: time.Second, Talk: time.Hour}}
	// No heartbeat watchdog: with 100 ms heartbeats, 300 ms without a frame
	// on a loaded machine took the node down and made a call control
	// answer 500 (the watchdog has its own tests in controller).
	sim, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 0.01, HeartbeatInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	pool, err := controller.NewPool(context.Background(), controller.PoolConfig{Nodes: []controller.NodeConfig{
		{Name: "sim", Address: sim.Addr(), Password: "ClueCon", HeartbeatInterval: time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	waitUntil(t, "node up", func() bool { return pool.Status()[0].State == controller.NodeUp })
	rig := &deskRig{sim: sim, pool: pool}
	hub := feed.New(feed.Options{})
	t.Cleanup(hub.Close)
	// The server's warnings and errors are shown when the test fails (a
	// 500 says only "Internal error.").
	var logs syncBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	rig.harness = newHarnessWith(t, harnessOptions{cfg: func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		c.RecordingsDir = t.TempDir()
		rig.desk = acd.New(acd.Config{Store: c.Store, Switch: pool, Feed: hub, ACWMax: time.Minute, Gateway: "gw1", CallerID: "02161234567",
			RecordingsDir: c.RecordingsDir, Logger: c.Logger})
		c.Desk, c.Feed = rig.desk, hub
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = rig.desk.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; rig.desk.Wait() })
	g := &store.Group{Name: "desk", Kind: store.GroupAgent}
	if err := rig.srv.store.CreateGroup(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	rig.group = g.ID
	return rig
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// agent creates an agent on an extension in the rig's group and signs the
// desktop in.
func (r *deskRig) agent(name, ext string) (*store.User, string) {
	r.t.Helper()
	u := &store.User{Username: name, Role: store.RoleAgent, DisplayName: name, Extension: &ext}
	if err := u.SetPassword(testPassword, time.Now()); err != nil {
		r.t.Fatal(err)
	}
	if err := r.srv.store.CreateUser(context.Background(), u, []int64{r.group}); err != nil {
		r.t.Fatal(err)
	}
	var resp loginResponse
	r.do("POST", "/api/v1/auth/login", "", loginRequest{Username: name, Password: testPassword}, 200, &resp)
	return u, resp.Token
}

func (r *deskRig) stateOf(token string) acd.AgentView {
	r.t.Helper()
	var v acd.AgentView
	r.do("GET", "/api/v1/me/state", token, nil, 200, &v)
	return v
}

// customer dials the simulator's answering number and waits for the answer.
func (r *deskRig) customer() controller.Leg {
	r.t.Helper()
	leg, err := r.pool.Originate(context.Background(), controller.OriginateRequest{Gateway: "gw1", Number: "100", CampaignID: 1, Timeout: 30 * time.Second})
	if err != nil {
		r.t.Fatal(err)
	}
	select {
	case <-leg.Answered():
	case <-time.After(time.Minute):
		r.t.Fatal("the customer did not answer")
	}
	return leg
}

type finishLog struct {
	mu  sync.Mutex
	got []dialer.Disposition
}

func (f *finishLog) finish(_ context.Context, d dialer.Disposition) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, d)
	return nil
}

func (f *finishLog) list() []dialer.Disposition {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]dialer.Disposition(nil), f.got...)
}

func TestDeskThroughAPIAgainstSimulator(t *testing.T) {
	r := newDeskRig(t)
	a1, tok1 := r.agent("desk_a1", "1001")
	a2, tok2 := r.agent("desk_a2", "1002")

	// Before the softphone: ready is a 409; unknown phone registration refuses sign-in.
	r.do("POST", "/api/v1/me/state", tok1, stateRequest{State: deskReady}, 409, nil)
	var v acd.AgentView
	r.do("POST", "/api/v1/me/softphone/login", tok1, softphoneLoginRequest{}, 200, &v)
	if v.State != store.AgentBreak || v.Node != "sim" || v.Extension != "1001" {
		t.Fatalf("signed in as %+v", v)
	}
	r.do("POST", "/api/v1/me/softphone/login", tok1, softphoneLoginRequest{}, 409, nil)
	rec := r.raw("POST", "/api/v1/me/state", tok1, stateRequest{State: deskBreak, Reason: "nap"})
	if e := errorOf(t, rec); rec.Code != 400 || len(e.Details) != 1 || e.Details[0].Field != "reason" {
		t.Fatalf("unknown break reason: %d %+v", rec.Code, e)
	}
	rec = r.raw("POST", "/api/v1/me/state", tok1, stateRequest{State: deskACW})
	if e := errorOf(t, rec); rec.Code != 409 || !containsAll(e.Message, "acw", "break") {
		t.Fatalf("break → acw: %d %+v", rec.Code, e)
	}
	r.do("POST", "/api/v1/me/state", tok1, stateRequest{State: deskReady}, 200, &v)
	if v.State != store.AgentReady {
		t.Fatalf("state %+v", v)
	}

	// A predictive call: answered, connected through the desk within 2 s.
	cust := r.customer()
	answered := time.Now()
	var fin finishLog
	attempt := &store.Attempt{CallUUID: cust.UUID(), CampaignID: 1, Destination: "100", State: "answered"}
	if err := r.srv.store.SaveAttempt(context.Background(), attempt); err != nil {
		t.Fatal(err)
	}
	conn, err := r.desk.Connect(context.Background(), dialer.ConnectRequest{Leg: cust, GroupID: r.group, CampaignID: 1,
		AttemptID: attempt.ID, Deadline: answered.Add(2 * time.Second), Finish: fin.finish})
	if err != nil {
		t.Fatal(err)
	}
	if lat := conn.ConnectedAt.Sub(answered); conn.AgentID != a1.ID || lat > 2*time.Second {
		t.Fatalf("connected %+v after %v", conn, lat)
	}
	t.Logf("answer to agent (ringing path, simulated 1 s ring at scale 0.01): %v", conn.ConnectedAt.Sub(answered))
	waitUntil(t, "a1 on call", func() bool { return r.stateOf(tok1).State == store.AgentOnCall })
	call := "/api/v1/me/calls/" + cust.UUID()

	// Unknown actions are refused by name; a call without a contact has
	// nothing to verify the customer against.
	rec = r.raw("POST", call+"/frobnicate", tok1, nil)
	if e := errorOf(t, rec); rec.Code != 400 || len(e.Details) != 1 || e.Details[0].Field != "action" {
		t.Fatalf("unknown action: %d %+v", rec.Code, e)
	}
	r.do("POST", call+"/verify", tok1, nil, 422, nil)
	// Hold and unhold act on the real call.
	r.do("POST", call+"/hold", tok1, nil, 200, nil)
	waitUntil(t, "held", func() bool { return r.stateOf(tok1).State == store.AgentHold })
	r.do("POST", call+"/unhold", tok1, nil, 200, nil)
	waitUntil(t, "unheld", func() bool { return r.stateOf(tok1).State == store.AgentOnCall })

	// Someone else's call: 403; bad target: 400.
	r.do("POST", "/api/v1/me/softphone/login", tok2, softphoneLoginRequest{Ready: true}, 200, nil)
	r.do("POST", call+"/hold", tok2, nil, 403, nil)
	rec = r.raw("POST", call+"/transfer", tok1, transferRequest{To: "desk:1"})
	if e := errorOf(t, rec); rec.Code != 400 || len(e.Details) != 1 || e.Details[0].Field != "to" {
		t.Fatalf("bad target: %d %+v", rec.Code, e)
	}

	// Blind transfer to a2: a2 rings, answers (auto-answer) and takes the call; a1 goes to ACW.
	r.do("POST", call+"/transfer", tok1, transferRequest{To: "agent:" + strconv.FormatInt(a2.ID, 10)}, 200, nil)
	waitUntil(t, "a2 on call", func() bool { return r.stateOf(tok2).State == store.AgentOnCall })
	if s := r.stateOf(tok1); s.State != store.AgentACW || s.Disposition != cust.UUID() {
		t.Fatalf("a1 after transfer %+v", s)
	}
	r.do("POST", call+"/hold", tok1, nil, 409, nil) // a finished call for a1
	r.do("POST", call+"/disposition", tok1, dispositionRequest{Result: "transferred"}, 200, nil)
	if len(fin.list()) != 0 {
		t.Fatalf("a1's disposition closed the attempt that went on with a2: %+v", fin.list())
	}
	if s := r.stateOf(tok1); s.State != store.AgentReady {
		t.Fatalf("a1 after disposition %+v", s)
	}

	// a2 hangs up: the customer leg ends, a2 is in ACW, the disposition closes the attempt once.
	r.do("POST", call+"/disposition", tok2, dispositionRequest{Result: "success"}, 409, nil) // still connected
	r.do("POST", call+"/hangup", tok2, nil, 200, nil)
	select {
	case <-cust.Done():
	case <-time.After(time.Minute):
		t.Fatal("the customer leg did not end")
	}
	waitUntil(t, "a2 in acw", func() bool { return r.stateOf(tok2).State == store.AgentACW })
	r.do("POST", call+"/disposition", tok2, dispositionRequest{Result: "success", Note: "还款承诺"}, 200, nil)
	r.do("POST", call+"/disposition", tok2, dispositionRequest{Result: "success"}, 409, nil)
	if got := fin.list(); len(got) != 1 || got[0].AgentID != a2.ID || got[0].Result != "success" || got[0].Auto {
		t.Fatalf("finish %+v", got)
	}

	// The call was recorded from the first bridge to the hangup; playback with Range, audited.
	var recs []store.Recording
	waitUntil(t, "recording stored", func() bool {
		recs, err = r.srv.store.RecordingsOf(context.Background(), attempt.ID)
		return err == nil && len(recs) == 1
	})
	data, err := os.ReadFile(filepath.Join(r.srv.cfg.RecordingsDir, recs[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != recs[0].SHA256 || recs[0].AgentID != a1.ID || int64(len(data)) != recs[0].Bytes {
		t.Fatalf("recording row %+v (file %d bytes)", recs[0], len(data))
	}
	playPath := "/api/v1/calls/" + strconv.FormatInt(attempt.ID, 10) + "/recording"
	req := httptest.NewRequest("GET", playPath, nil)
	req.Header.Set("Authorization", "Bearer "+r.tokens[store.RoleAdmin])
	req.Header.Set("Range", "bytes=0-43")
	play := httptest.NewRecorder()
	r.h.ServeHTTP(play, req)
	if play.Code != 206 || play.Body.Len() != 44 || string(play.Body.Bytes()[:4]) != "RIFF" {
		t.Fatalf("range playback %d %d bytes %v", play.Code, play.Body.Len(), play.Header())
	}
	r.do("GET", playPath, tok1, nil, 403, nil) // agents do not listen

	// The monitor shows both agents by state; a supervisor signs a2 out.
	var mon monitorResponse
	r.do("GET", "/api/v1/monitor", r.tokens[store.RoleSupervisor], nil, 200, &mon)
	if len(mon.Agents) != 2 || mon.ByState[store.AgentReady] != 2 {
		t.Fatalf("monitor %+v", mon.Snapshot)
	}
	r.do("POST", "/api/v1/agents/"+strconv.FormatInt(a2.ID, 10)+"/sign-out", tok1, nil, 403, nil)
	r.do("POST", "/api/v1/agents/"+strconv.FormatInt(a2.ID, 10)+"/sign-out", r.tokens[store.RoleSupervisor], nil, 200, nil)
	if s := r.stateOf(tok2); s.State != store.AgentSignedOut {
		t.Fatalf("a2 after forced sign-out %+v", s)
	}
	r.do("POST", "/api/v1/me/softphone/logout", tok1, nil, 204, nil)

	// The state history was recorded with times.
	waitUntil(t, "history written", func() bool {
		h, err := r.srv.store.AgentStateHistory(context.Background(), store.AgentStateFilter{AgentIDs: []int64{a1.ID},
			From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
		return err == nil && len(h) > 0 && h[len(h)-1].State == store.AgentSignedOut
	})
	if _, err := r.desk.Agent(context.Background(), a1.ID); !errors.Is(err, acd.ErrNotSignedIn) {
		t.Fatalf("a1 after sign-out: %v", err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !contains(s, p) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
