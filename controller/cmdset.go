package controller

import (
	"context"
	"sync/atomic"
)

// cmdSet is one lane of a node's command connections: originates, or call
// control. eslgo allows one command in flight per connection (replies are
// matched by order only), so a few connections let round trips overlap.
type cmdSet struct {
	name  string
	slots []atomic.Pointer[eslConn]
	next  atomic.Uint32
}

// slotRef names one connection slot of a set.
type slotRef struct {
	set *cmdSet
	i   int
}

func newCmdSet(name string, n int) *cmdSet {
	return &cmdSet{name: name, slots: make([]atomic.Pointer[eslConn], max(n, 1))}
}

// pick returns a live connection, preferring one with no command in
// flight; nil when none is connected.
func (s *cmdSet) pick() *eslConn {
	n := len(s.slots)
	start := int(s.next.Add(1))
	var busy *eslConn
	for i := range n {
		c := s.slots[(start+i)%n].Load()
		if c == nil || c.isDead() {
			continue
		}
		if len(c.sem) == 0 {
			return c
		}
		if busy == nil {
			busy = c
		}
	}
	return busy
}

// live counts the connections that can take a command.
func (s *cmdSet) live() int {
	n := 0
	for i := range s.slots {
		if c := s.slots[i].Load(); c != nil && !c.isDead() {
			n++
		}
	}
	return n
}

// clear drops and closes every connection.
func (s *cmdSet) clear(why error) {
	for i := range s.slots {
		if c := s.slots[i].Swap(nil); c != nil {
			c.kill(why)
		}
	}
}

// watchSlot reports slot i's death on dead, until ctx ends.
func (s *cmdSet) watchSlot(ctx context.Context, i int, dead chan<- slotRef) {
	c := s.slots[i].Load()
	if c == nil {
		return
	}
	go func() {
		select {
		case <-c.Dead():
			select {
			case dead <- slotRef{s, i}:
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
	}()
}
