package messaging

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Capture is the sender used when a medium has nothing configured: it
// keeps the message (the delivery log lists it, labelled simulated) and
// reports it delivered. Nothing leaves the machine, and nothing is dropped
// silently.
type Capture struct {
	channel Channel
	n       atomic.Int64
	mu      sync.Mutex
	last    []Outgoing // the newest captureKeep messages, for tests and the log
}

const captureKeep = 1000

// NewCapture returns the stand-in for one channel.
func NewCapture(ch Channel) *Capture { return &Capture{channel: ch} }

// Name implements Sender.
func (c *Capture) Name() string { return "capture" }

// Send keeps m and answers it delivered.
func (c *Capture) Send(ctx context.Context, m Outgoing) (Sent, error) {
	if err := ctx.Err(); err != nil {
		return Sent{}, err
	}
	if m.To == "" {
		return Sent{}, fmt.Errorf("%w: no recipient", ErrBadMessage)
	}
	id := fmt.Sprintf("sim-%s-%d", c.channel, c.n.Add(1))
	c.mu.Lock()
	c.last = append(c.last, m)
	if len(c.last) > captureKeep {
		c.last = c.last[len(c.last)-captureKeep:]
	}
	c.mu.Unlock()
	return Sent{ProviderID: id, Parts: 1, Simulated: true,
		Final: &Receipt{Provider: "capture", ProviderID: id, Status: ReceiptDelivered}}, nil
}

// Captured lists the kept messages, oldest first.
func (c *Capture) Captured() []Outgoing {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Outgoing(nil), c.last...)
}
