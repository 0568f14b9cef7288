package controller

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// fakeSwitch is a Switch for unit tests of the switch's consumers (router,
// campaign runners): it records every command and lets the test drive the
// legs it originated with answer and hangup. Originated calls have real
// owners, so Answered, Bridged, Done and the CallRecorder behave as in
// production.
type fakeSwitch struct {
	mu    sync.Mutex
	cmds  []string
	calls map[string]*Call
	seq   uint64
	rec   CallRecorder
	fail  error // returned by the next command, then cleared
	stop  chan struct{}
}

var _ Switch = (*fakeSwitch)(nil)

func newFakeSwitch(t *testing.T, rec CallRecorder) *fakeSwitch {
	f := &fakeSwitch{calls: map[string]*Call{}, rec: rec, stop: make(chan struct{})}
	t.Cleanup(func() { close(f.stop) })
	return f
}

func (f *fakeSwitch) do(cmd string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, cmd)
	err := f.fail
	f.fail = nil
	return err
}

func (f *fakeSwitch) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

// emit delivers a channel event to a leg originated on the fake.
func (f *fakeSwitch) emit(uuid, name string, kv ...string) {
	f.mu.Lock()
	f.seq++
	c, seq := f.calls[uuid], f.seq
	f.mu.Unlock()
	if c != nil {
		c.deliver(ev(name, seq, kv...))
	}
}

func (f *fakeSwitch) answer(uuid string) { f.emit(uuid, "CHANNEL_ANSWER") }

func (f *fakeSwitch) hangup(uuid, cause string) {
	f.emit(uuid, "CHANNEL_HANGUP_COMPLETE", "Hangup-Cause", cause)
}

func (f *fakeSwitch) Originate(_ context.Context, req OriginateRequest) (*Call, error) {
	if req.UUID == "" {
		req.UUID = uuid.NewString()
	}
	if err := f.do("originate " + destination(req)); err != nil {
		return nil, err
	}
	rec := CallRecord{UUID: req.UUID, Node: "fake", State: StateDialing, Destination: destination(req),
		CampaignID: req.CampaignID, ContactID: req.ContactID, AgentID: req.AgentID}
	c := newCall(rec, callHooks{rec: f.rec, stop: f.stop})
	go c.run(rec)
	f.mu.Lock()
	f.calls[req.UUID] = c
	f.mu.Unlock()
	f.emit(req.UUID, "CHANNEL_CREATE")
	return c, nil
}

func (f *fakeSwitch) Bridge(_ context.Context, a, b string) error {
	if err := f.do("bridge " + a + " " + b); err != nil {
		return err
	}
	f.emit(a, "CHANNEL_BRIDGE", "Bridge-A-Unique-ID", a, "Bridge-B-Unique-ID", b)
	return nil
}

func (f *fakeSwitch) Transfer(_ context.Context, r TransferRequest) error {
	return f.do(fmt.Sprintf("transfer %s %s %s", r.UUID, r.Leg, r.Dest))
}
func (f *fakeSwitch) Hold(_ context.Context, u string) error   { return f.do("hold " + u) }
func (f *fakeSwitch) Unhold(_ context.Context, u string) error { return f.do("unhold " + u) }
func (f *fakeSwitch) RecordStart(_ context.Context, u, p string) error {
	return f.do("record start " + u + " " + p)
}
func (f *fakeSwitch) RecordStop(_ context.Context, u, p string) error {
	return f.do("record stop " + u + " " + p)
}
func (f *fakeSwitch) RecordMask(_ context.Context, u, p string, m bool) error {
	return f.do("record mask " + u + " " + p + " " + strconv.FormatBool(m))
}
func (f *fakeSwitch) Eavesdrop(ctx context.Context, r EavesdropRequest) (*Call, error) {
	return f.Originate(ctx, OriginateRequest{Endpoint: r.Endpoint, AgentID: r.AgentID, App: "eavesdrop", AppArgs: r.TargetUUID})
}
func (f *fakeSwitch) Broadcast(_ context.Context, u, p string, l BroadcastLeg) error {
	return f.do("broadcast " + u + " " + p + " " + string(l))
}
func (f *fakeSwitch) Hangup(_ context.Context, u, cause string) error {
	if err := f.do("hangup " + u + " " + cause); err != nil {
		return err
	}
	f.hangup(u, cause)
	return nil
}
func (f *fakeSwitch) SetVar(_ context.Context, u, n, v string) error {
	return f.do("setvar " + u + " " + n + "=" + v)
}
func (f *fakeSwitch) Channels(context.Context) ([]Channel, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Channel
	for u, c := range f.calls {
		if c.Record().State != StateEnded {
			out = append(out, Channel{Node: "fake", UUID: u})
		}
	}
	return out, f.fail
}

// TestFakeSwitchDrivesCalls checks the fake behaves like the pool where the
// consumers look: the call's channels, its record and the recorder.
func TestFakeSwitchDrivesCalls(t *testing.T) {
	rec := &memRecorder{}
	sw := newFakeSwitch(t, rec)
	ctx := context.Background()
	cust, err := sw.Originate(ctx, OriginateRequest{Gateway: "gw", Number: "155", ContactID: 9})
	if err != nil {
		t.Fatal(err)
	}
	agent, _ := sw.Originate(ctx, OriginateRequest{Endpoint: "user/1001", AgentID: 2})
	sw.answer(cust.UUID())
	sw.answer(agent.UUID())
	waitClosed(t, cust.Answered(), "answer")
	waitClosed(t, agent.Answered(), "agent answer")
	if err := sw.Bridge(ctx, cust.UUID(), agent.UUID()); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, cust.Bridged(), "bridge")
	if err := sw.Hangup(ctx, cust.UUID(), "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel := context.WithTimeout(ctx, patience)
	defer cancel()
	r, err := cust.Wait(ctx2)
	if err != nil || r.Result != ResultAnswered || r.ContactID != 9 || r.OtherUUIDs[0] != agent.UUID() {
		t.Fatalf("record %+v %v", r, err)
	}
	// cust answered, agent answered, cust bridged, cust ended: each owner
	// records on its own goroutine, so wait for the four.
	eventually(t, 5*time.Second, "four recorder calls", func() bool { return len(rec.all()) >= 4 })
	if got := len(rec.all()); got != 4 {
		t.Errorf("recorder calls = %d", got)
	}
	sw.fail = ErrNodeDown
	if _, err := sw.Originate(ctx, OriginateRequest{Endpoint: "user/1"}); err != ErrNodeDown {
		t.Errorf("injected failure: %v", err)
	}
	if cmds := sw.commands(); len(cmds) != 5 || cmds[2] != "bridge "+cust.UUID()+" "+agent.UUID() {
		t.Errorf("commands %q", cmds)
	}
}
