package dialer

import (
	"context"
	"sync"

	"github.com/bankcc/callcenter/ivr"
)

// IVRResults hands the IVR server's results (ivr.Reporter) to the runners
// of broadcast campaigns, by call uuid. A result that arrives before its
// runner asks is kept until asked for or forgotten.
type IVRResults struct {
	mu      sync.Mutex
	waiting map[string]chan ivrOutcome
	early   map[string]ivrOutcome
}

// NewIVRResults makes an empty hub.
func NewIVRResults() *IVRResults {
	return &IVRResults{waiting: map[string]chan ivrOutcome{}, early: map[string]ivrOutcome{}}
}

// maxEarly bounds the results kept for calls no runner follows (inbound
// IVR calls, agents' identity checks).
const maxEarly = 1000

// IVRResult implements ivr.Reporter.
func (h *IVRResults) IVRResult(_ context.Context, r ivr.Result) {
	o := ivrOutcome{outcome: string(r.Outcome), confirmed: r.Vars["confirmed"] == "true", answers: len(r.Answers), queue: r.Queue}
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch, ok := h.waiting[r.CallUUID]; ok {
		offer(ch, o)
		return
	}
	if len(h.early) >= maxEarly {
		clear(h.early)
	}
	h.early[r.CallUUID] = o
}

// expect returns the channel the call's result will arrive on.
func (h *IVRResults) expect(uuid string) <-chan ivrOutcome {
	ch := make(chan ivrOutcome, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if o, ok := h.early[uuid]; ok {
		delete(h.early, uuid)
		ch <- o
	}
	h.waiting[uuid] = ch
	return ch
}

func (h *IVRResults) forget(uuid string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.waiting, uuid)
	delete(h.early, uuid)
}

// ivrOutcome is what the attempt keeps of an IVR result (never digits).
type ivrOutcome struct {
	outcome   string
	confirmed bool
	answers   int
	queue     string // the queue a listener who asked for an agent was sent to
}

// disposition is the attempt's disposition for a broadcast: the flow's
// outcome, "confirmed" when the listener pressed the confirm key.
func (o ivrOutcome) disposition() string {
	if o.confirmed {
		return "confirmed"
	}
	return "ivr_" + o.outcome
}
