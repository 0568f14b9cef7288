package acd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// A call is recorded once from its first bridge, through a transfer to
// another agent, and registered with its checksum when the customer leaves.
func TestBridgedCallRecordedOnceAndRegistered(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, Config{RecordingsDir: dir})
	a1 := f.agent("a1", "1001", true)
	a2 := f.agent("a2", "1002", true)
	f.signIn(a1, true)
	cust := f.customer()
	if err := f.st.SaveAttempt(context.Background(), &store.Attempt{CallUUID: cust.UUID(), CampaignID: 1, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var fin finishes
	f.connect(cust, &fin, 1)
	var path string
	waitFor(t, "record_start", func() bool {
		rs := f.sw.CommandsOf(switchtest.OpRecordStart)
		if len(rs) == 1 {
			path = rs[0].Args[0]
		}
		return len(rs) == 1
	})
	if rs := f.sw.CommandsOf(switchtest.OpRecordStart)[0]; rs.UUID != cust.UUID() || !strings.HasPrefix(path, dir) || !strings.HasSuffix(path, cust.UUID()+".wav") {
		t.Fatalf("record_start %+v, want the customer's leg into %s", rs, dir)
	}
	f.signIn(a2, true)
	if err := f.d.Control(context.Background(), a1, cust.UUID(), ActionTransfer, "agent:"+itoa(a2)); err != nil {
		t.Fatal(err)
	}
	f.sw.Far(f.agentLeg(2)).Answer(controller.AMDUnknown)
	waitFor(t, "a2 on call", func() bool { return f.state(a2) == store.AgentOnCall })
	// The switch writes the file; the customer hangs up.
	if err := os.WriteFile(path, []byte("RIFF....WAVEfmt "), 0o644); err != nil {
		t.Fatal(err)
	}
	f.sw.Far(cust.UUID()).Hangup("NORMAL_CLEARING")
	at, err := f.st.GetAttemptByUUID(context.Background(), cust.UUID())
	if err != nil {
		t.Fatal(err)
	}
	var recs []store.Recording
	waitFor(t, "the recording registered", func() bool {
		recs, _ = f.st.RecordingsOf(context.Background(), at.ID)
		return len(recs) == 1
	})
	r := recs[0]
	if n := len(f.sw.CommandsOf(switchtest.OpRecordStart)); n != 1 {
		t.Errorf("%d record_start, want one for the whole call", n)
	}
	if r.AgentID != a1 || r.CampaignID != 1 || r.Bytes != 16 || len(r.SHA256) != 64 || filepath.Join(dir, r.Path) != path {
		t.Errorf("recording %+v (path %s)", r, path)
	}
	_ = dialer.Disposition{}
}

// slowRecordStart is a switch whose uuid_record waits until released.
type slowRecordStart struct {
	*switchtest.Switch
	release chan struct{}
}

func (s slowRecordStart) RecordStart(ctx context.Context, id, path string) error {
	<-s.release
	return s.Switch.RecordStart(ctx, id, path)
}

// The agent is shown on the call only once its recording runs: a switch
// slow to start it (a loaded machine) does not leave the first words of
// the conversation unrecorded, nor a call hung up at once without its file.
func TestAgentOnCallOnlyOnceRecording(t *testing.T) {
	release := make(chan struct{})
	f := newFixtureOn(t, Config{RecordingsDir: t.TempDir()}, func(sw *switchtest.Switch) controller.Switch {
		return slowRecordStart{Switch: sw, release: release}
	})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	cust := f.customer()
	var fin finishes
	connected := make(chan dialer.Connection, 1)
	go func() { connected <- f.connect(cust, &fin, 1) }()
	waitFor(t, "the bridge", func() bool { return len(f.sw.CommandsOf(switchtest.OpBridge)) == 1 })
	select {
	case <-connected:
		t.Fatal("connected before the recording started")
	default:
	}
	if st := f.state(a1); st == store.AgentOnCall {
		t.Fatalf("agent %s while the recording has not started", st)
	}
	close(release)
	<-connected
	if n := len(f.sw.CommandsOf(switchtest.OpRecordStart)); n != 1 {
		t.Fatalf("%d record_start when the agent is connected, want 1", n)
	}
	waitFor(t, "a1 on call", func() bool { return f.state(a1) == store.AgentOnCall })
}

// A carrier's call parked with cc_inbound is answered, queued for the
// inbound group and connected to its ready agent; the disposition closes
// its attempt.
func TestInboundCallReachesTheGroupsAgent(t *testing.T) {
	f := newFixture(t, Config{InboundGroup: "collections"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true) // the desk runs (and follows the pool stream)
	id := f.sw.Inbound("13912345678", "95555")
	f.sw.Far(f.agentLeg(1)).Answer(controller.AMDUnknown)
	waitFor(t, "on call", func() bool { return f.state(a1) == store.AgentOnCall })
	if an := f.sw.CommandsOf(switchtest.OpAnswer); len(an) != 1 || an[0].UUID != id {
		t.Fatalf("answers %+v, want the inbound call answered", an)
	}
	if br := f.sw.CommandsOf(switchtest.OpBridge); len(br) != 1 || br[0].UUID != id {
		t.Fatalf("bridges %+v", br)
	}
	f.sw.Far(id).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
	if err := f.d.Dispose(context.Background(), a1, id, dialer.Disposition{Result: "answered"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the attempt closed", func() bool {
		at, err := f.st.GetAttemptByUUID(context.Background(), id)
		return err == nil && at.FinishedAt != nil && at.HungupAt != nil && at.AgentID == a1 && at.Disposition == "answered"
	})
}

// With no inbound group configured a carrier's call is refused, not left
// parked.
func TestInboundCallWithoutGroupIsRefused(t *testing.T) {
	f := newFixture(t, Config{})
	_, _ = f.d.Agent(context.Background(), 0) // the desk runs (and follows the pool stream)
	id := f.sw.Inbound("13912345678", "95555")
	waitFor(t, "hung up", func() bool {
		for _, h := range f.sw.CommandsOf(switchtest.OpHangup) {
			if h.UUID == id {
				return true
			}
		}
		return false
	})
}
