package acd

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/store"
)

// queueWaits reads the wait rows of the last and next hour.
func (f *fixture) queueWaits() []store.QueueWait {
	f.t.Helper()
	w, err := f.st.QueueWaits(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}

// An inbound call taken by an agent leaves its queue answered, with the
// agent on the attempt and the queue rollups counting it (the inbound
// report's rows).
func TestInboundCallLeavesItsQueueAnswered(t *testing.T) {
	f := newFixture(t, Config{InboundGroup: "collections"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	id := f.sw.Inbound("13912345678", "95555")
	f.sw.Far(f.agentLeg(1)).Answer(controller.AMDUnknown)
	waitFor(t, "the wait closed", func() bool {
		w := f.queueWaits()
		return len(w) == 1 && w[0].Outcome != ""
	})
	w := f.queueWaits()[0]
	if w.CallUUID != id || w.GroupID != f.group || w.Outcome != store.QueueAnswered || w.AgentID != a1 || w.AttemptID == 0 {
		t.Errorf("wait %+v, want call %s answered by %d in group %d", w, id, a1, f.group)
	}
	at, err := f.st.GetAttemptByUUID(context.Background(), id)
	if err != nil || at.ID != w.AttemptID || at.AgentID != a1 || at.BridgedAt == nil {
		t.Errorf("attempt %+v (%v), want agent %d and bridge time", at, err, a1)
	}
	r, err := f.st.Rollups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.QueueHours) != 1 || r.QueueHours[0].Offered != 1 || r.QueueHours[0].Answered != 1 || len(r.CampaignHours) != 0 {
		t.Errorf("queue rollups %+v, campaign rollups %+v", r.QueueHours, r.CampaignHours)
	}
	f.sw.Far(id).Hangup("NORMAL_CLEARING")
	waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
}

// A caller who hangs up while no agent is ready is abandoned in the queue.
func TestInboundCallAbandonedInQueue(t *testing.T) {
	f := newFixture(t, Config{InboundGroup: "collections"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, false) // signed in, not ready: the caller waits
	id := f.sw.Inbound("13912345678", "95555")
	waitFor(t, "the caller queued", func() bool { return len(f.queueWaits()) == 1 })
	f.sw.Far(id).Hangup("NORMAL_CLEARING")
	waitFor(t, "the wait closed", func() bool {
		w := f.queueWaits()
		return len(w) == 1 && w[0].Outcome != ""
	})
	if w := f.queueWaits()[0]; w.Outcome != store.QueueAbandoned || w.AgentID != 0 || w.LeftAt == nil {
		t.Errorf("wait %+v, want abandoned", w)
	}
}
