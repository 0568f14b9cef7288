package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors a subscription ends with, and Publish or Subscribe on a closed hub.
var (
	ErrClosed  = errors.New("feed: hub closed")
	ErrDropped = errors.New("feed: subscriber too slow, dropped; reconnect and resume")
)

// Options size the hub; zero values take the defaults.
type Options struct {
	Buffer  int              // events kept for resume (default 10,000)
	MaxAge  time.Duration    // and none older than this (default 10 minutes)
	Queue   int              // events queued per subscriber before it is dropped (default 256)
	Now     func() time.Time // clock (tests inject one)
	FirstID uint64           // ids start after it (default: the start time in µs)
}

// Hub numbers, buffers and fans out events. See the package doc for its
// concurrency model.
type Hub struct {
	opts Options

	mu      sync.Mutex
	last    uint64 // id of the newest event (FirstID before the first)
	floor   uint64 // newest id evicted: resuming from below it is a gap
	buf     ring   // the replay buffer, oldest first, ids consecutive
	subs    map[Topic]map[*Subscription]struct{}
	nsubs   int
	dropped uint64
	closed  bool
}

// New makes a hub.
func New(o Options) *Hub {
	if o.Buffer <= 0 {
		o.Buffer = 10000
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 10 * time.Minute
	}
	if o.Queue <= 0 {
		o.Queue = 256
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.FirstID == 0 {
		o.FirstID = uint64(o.Now().UnixMicro())
	}
	return &Hub{opts: o, last: o.FirstID, floor: o.FirstID, buf: newRing(o.Buffer), subs: map[Topic]map[*Subscription]struct{}{}}
}

// Publish numbers e, keeps it for resume and queues it for every subscriber
// of its topics. It never blocks on a subscriber. ctx is not waited on; it
// is there so publishers pass theirs, as on any call that may do I/O.
func (h *Hub) Publish(ctx context.Context, e Event) error {
	if err := e.check(); err != nil {
		return err
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return fmt.Errorf("feed: event %q: payload: %w", e.Name, err)
	}
	rec := &Record{Name: e.Name, Data: data, topics: append([]Topic(nil), e.Topics...)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return ErrClosed
	}
	h.last++
	rec.ID, rec.At = h.last, h.opts.Now()
	if old, ok := h.buf.push(rec); ok {
		h.floor = old.ID
	}
	h.evictOld(rec.At)
	h.fanOut(rec)
	return nil
}

// evictOld drops buffered events older than MaxAge.
func (h *Hub) evictOld(now time.Time) {
	cutoff := now.Add(-h.opts.MaxAge)
	for h.buf.len() > 0 && h.buf.at(0).At.Before(cutoff) {
		h.floor = h.buf.pop().ID
	}
}

// fanOut queues rec for its subscribers, once each even when several of
// their topics match; a full queue drops its subscriber.
func (h *Hub) fanOut(rec *Record) {
	var seen map[*Subscription]bool
	if len(rec.topics) > 1 {
		seen = map[*Subscription]bool{}
	}
	for _, t := range rec.topics {
		for sub := range h.subs[t] {
			if seen != nil {
				if seen[sub] {
					continue
				}
				seen[sub] = true
			}
			select {
			case sub.ch <- rec:
			default:
				h.dropped++
				h.remove(sub, ErrDropped)
			}
		}
	}
}

// Subscribe starts a subscription to topics. lastEventID is the id the
// client saw last ("" for a fresh start): the events of its topics after it
// come back as the subscription's Backlog, or, when the buffer no longer
// reaches back to it (or it is no id of this hub), the subscription starts
// with StartReset. New events arrive on C.
func (h *Hub) Subscribe(topics []Topic, lastEventID string) (*Subscription, error) {
	if len(topics) == 0 {
		return nil, errors.New("feed: subscribe: no topic")
	}
	sub := &Subscription{hub: h, topics: map[Topic]bool{}, ch: make(chan *Record, h.opts.Queue)}
	for _, t := range topics {
		sub.topics[t] = true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	h.evictOld(h.opts.Now())
	sub.start, sub.startID = h.resume(sub, lastEventID)
	for t := range sub.topics {
		if h.subs[t] == nil {
			h.subs[t] = map[*Subscription]struct{}{}
		}
		h.subs[t][sub] = struct{}{}
	}
	h.nsubs++
	return sub, nil
}

// resume decides how a subscription starts and fills its backlog.
func (h *Hub) resume(sub *Subscription, lastEventID string) (Start, uint64) {
	if lastEventID == "" {
		return StartFresh, h.last
	}
	id, ok := ParseID(lastEventID)
	if !ok || id < h.floor || id > h.last {
		return StartReset, h.last
	}
	// Ids in the buffer are consecutive, so the first one after id is at a
	// known index.
	for i := int(id - h.floor); i < h.buf.len(); i++ {
		if rec := h.buf.at(i); rec.matches(sub.topics) {
			sub.Backlog = append(sub.Backlog, rec)
		}
	}
	return StartResumed, id
}

// remove ends sub with err; the caller holds h.mu.
func (h *Hub) remove(sub *Subscription, err error) {
	if sub.done {
		return
	}
	sub.done, sub.err = true, err
	for t := range sub.topics {
		delete(h.subs[t], sub)
		if len(h.subs[t]) == 0 {
			delete(h.subs, t)
		}
	}
	h.nsubs--
	close(sub.ch)
}

// Close ends every subscription with ErrClosed; later Publish and Subscribe
// calls fail with it.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for _, set := range h.subs {
		for sub := range set {
			h.remove(sub, ErrClosed)
		}
	}
}

// Stats is a snapshot of the hub for monitoring and tests.
type Stats struct {
	LastID      uint64 `json:"last_id"`
	Buffered    int    `json:"buffered"`
	Subscribers int    `json:"subscribers"`
	Dropped     uint64 `json:"dropped"` // subscribers dropped for being slow, since start
}

// Stats reads the hub's figures.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{LastID: h.last, Buffered: h.buf.len(), Subscribers: h.nsubs, Dropped: h.dropped}
}
