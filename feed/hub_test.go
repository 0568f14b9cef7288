package feed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

// publishN publishes n events named ev0.. to topics and returns their ids.
func publishN(t testing.TB, h *Hub, n int, topics ...Topic) []uint64 {
	t.Helper()
	var ids []uint64
	for i := 0; i < n; i++ {
		if err := h.Publish(ctx, Event{Name: fmt.Sprintf("ev%d", i), Topics: topics, Data: map[string]int{"i": i}}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.Stats().LastID)
	}
	return ids
}

// drain reads what is queued on sub right now.
func drain(sub *Subscription) []*Record {
	var out []*Record
	for {
		select {
		case r, ok := <-sub.C():
			if !ok {
				return out
			}
			out = append(out, r)
		default:
			return out
		}
	}
}

func ids(recs []*Record) []uint64 {
	out := []uint64{}
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func equalIDs(a, b []uint64) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestDeliveryOrderAndTopics(t *testing.T) {
	h := New(Options{FirstID: 100})
	sub, err := h.Subscribe([]Topic{UserTopic(1), GroupTopic(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if start, at := sub.Start(); start != StartFresh || at != 100 {
		t.Fatalf("start %s at %d, want fresh at 100", start, at)
	}
	steps := []struct {
		topics []Topic
		want   bool
	}{
		{[]Topic{UserTopic(1)}, true},
		{[]Topic{UserTopic(2)}, false},
		{[]Topic{GroupTopic(2)}, true},
		{[]Topic{UserTopic(1), GroupTopic(2)}, true}, // once, though two topics match
		{[]Topic{Monitor}, false},
		{[]Topic{Everyone}, false},
	}
	var want []uint64
	for i, s := range steps {
		if err := h.Publish(ctx, Event{Name: "e", Topics: s.topics, Data: i}); err != nil {
			t.Fatal(err)
		}
		if s.want {
			want = append(want, 101+uint64(i))
		}
	}
	got := drain(sub)
	if !equalIDs(ids(got), want) {
		t.Fatalf("got ids %v, want %v", ids(got), want)
	}
	if string(got[0].Data) != "0" || got[0].Name != "e" || got[0].IDString() != "101" {
		t.Fatalf("record %+v", got[0])
	}
}

func TestResume(t *testing.T) {
	mine, other := UserTopic(1), UserTopic(2)
	cases := []struct {
		name  string
		last  func(ids []uint64) string
		start Start
		want  func(ids []uint64) []uint64 // backlog
	}{
		{"from the middle", func(ids []uint64) string { return FormatID(ids[3]) }, StartResumed,
			func(ids []uint64) []uint64 { return []uint64{ids[4], ids[6], ids[8]} }},
		{"up to date", func(ids []uint64) string { return FormatID(ids[9]) }, StartResumed,
			func([]uint64) []uint64 { return []uint64{} }},
		{"from the oldest kept", func(ids []uint64) string { return FormatID(ids[1]) }, StartResumed,
			func(ids []uint64) []uint64 { return []uint64{ids[2], ids[4], ids[6], ids[8]} }},
		{"older than the buffer", func(ids []uint64) string { return FormatID(ids[0]) }, StartReset, nil},
		{"from before a restart", func(ids []uint64) string { return "5" }, StartReset, nil},
		{"from the future", func(ids []uint64) string { return FormatID(ids[9] + 1) }, StartReset, nil},
		{"not an id", func([]uint64) string { return "abc" }, StartReset, nil},
		{"fresh", func([]uint64) string { return "" }, StartFresh, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New(Options{Buffer: 8})
			var all []uint64
			for i := 0; i < 10; i++ { // even events are mine; ids[0], ids[1] leave the buffer
				topic := other
				if i%2 == 0 {
					topic = mine
				}
				all = append(all, publishN(t, h, 1, topic)...)
			}
			sub, err := h.Subscribe([]Topic{mine}, c.last(all))
			if err != nil {
				t.Fatal(err)
			}
			start, at := sub.Start()
			if start != c.start {
				t.Fatalf("start %s, want %s", start, c.start)
			}
			if c.start != StartResumed {
				if at != all[9] || len(sub.Backlog) != 0 {
					t.Fatalf("start at %d with %d backlog, want at %d and none", at, len(sub.Backlog), all[9])
				}
				return
			}
			if got := ids(sub.Backlog); !equalIDs(got, c.want(all)) {
				t.Fatalf("backlog %v, want %v", got, c.want(all))
			}
			// New events follow the backlog on C.
			next := publishN(t, h, 1, mine)
			if got := ids(drain(sub)); !equalIDs(got, next) {
				t.Fatalf("after resume got %v, want %v", got, next)
			}
		})
	}
}

// TestResumeAfterMaxAge: events older than MaxAge leave the buffer; a client
// that saw the last of them is still up to date, one that did not is reset.
func TestResumeAfterMaxAge(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := New(Options{MaxAge: time.Minute, Now: clock})
	got := publishN(t, h, 3, UserTopic(1))
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	cases := []struct {
		last  uint64
		start Start
	}{{got[2], StartResumed}, {got[1], StartReset}}
	for _, c := range cases {
		sub, err := h.Subscribe([]Topic{UserTopic(1)}, FormatID(c.last))
		if err != nil {
			t.Fatal(err)
		}
		if start, _ := sub.Start(); start != c.start {
			t.Errorf("resume from %d after MaxAge: %s, want %s", c.last, start, c.start)
		}
		sub.Close()
	}
	if st := h.Stats(); st.Buffered != 0 {
		t.Fatalf("%d events older than MaxAge still buffered", st.Buffered)
	}
}

// TestSlowSubscriberDropped: a subscriber that does not read is dropped when
// its queue fills, publishers never wait for it, others get everything, and
// the dropped one resumes from where it stopped without a gap.
func TestSlowSubscriberDropped(t *testing.T) {
	h := New(Options{Queue: 4, Buffer: 1000})
	slow, _ := h.Subscribe([]Topic{Monitor}, "")
	fast, _ := h.Subscribe([]Topic{Monitor}, "")
	// The reading subscriber takes each event before the next is published,
	// so only the one that does not read can fall behind.
	acks := make(chan uint64)
	go func() {
		for r := range fast.C() {
			acks <- r.ID
		}
	}()
	type result struct{ published, read []uint64 }
	done := make(chan result)
	go func() {
		var res result
		for i := 0; i < 200; i++ {
			res.published = append(res.published, publishN(t, h, 1, Monitor)...)
			res.read = append(res.read, <-acks)
		}
		done <- res
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(time.Minute):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	all := res.published
	if !equalIDs(res.read, all) {
		t.Fatalf("the reading subscriber missed events: got %d of %d", len(res.read), len(all))
	}
	got := ids(drain(slow)) // what was queued before the drop, then C is closed
	if _, open := <-slow.C(); open {
		t.Fatal("slow subscriber's channel still open")
	}
	if !errors.Is(slow.Err(), ErrDropped) {
		t.Fatalf("slow subscriber err %v, want ErrDropped", slow.Err())
	}
	if !equalIDs(got, all[:4]) {
		t.Fatalf("slow subscriber got %v before the drop, want the first 4", got)
	}
	again, _ := h.Subscribe([]Topic{Monitor}, FormatID(got[len(got)-1]))
	if !equalIDs(ids(again.Backlog), all[4:]) {
		t.Fatalf("resume after drop: backlog %d events, want %d", len(again.Backlog), len(all)-4)
	}
	if st := h.Stats(); st.Dropped != 1 || st.Subscribers != 2 {
		t.Fatalf("stats %+v, want 1 dropped and 2 subscribers", st)
	}
}

func TestPosition(t *testing.T) {
	h := New(Options{})
	sub, _ := h.Subscribe([]Topic{UserTopic(1)}, "")
	publishN(t, h, 3, UserTopic(2)) // others' events move the hub on
	if pos, ok := sub.Position(); !ok || pos != h.Stats().LastID {
		t.Fatalf("idle position %d %v, want %d", pos, ok, h.Stats().LastID)
	}
	publishN(t, h, 1, UserTopic(1))
	if _, ok := sub.Position(); ok {
		t.Fatal("position given while an event is still queued")
	}
	drain(sub)
	if pos, ok := sub.Position(); !ok || pos != h.Stats().LastID {
		t.Fatalf("position after reading %d %v", pos, ok)
	}
}

func TestCloseEndsEverything(t *testing.T) {
	h := New(Options{})
	sub, _ := h.Subscribe([]Topic{Everyone}, "")
	mine, _ := h.Subscribe([]Topic{Everyone}, "")
	mine.Close()
	mine.Close() // twice is fine
	if _, open := <-mine.C(); open || mine.Err() != nil {
		t.Fatalf("Close: channel open %v, err %v", open, mine.Err())
	}
	h.Close()
	if _, open := <-sub.C(); open || !errors.Is(sub.Err(), ErrClosed) {
		t.Fatalf("hub Close: channel open %v, err %v", open, sub.Err())
	}
	if err := h.Publish(ctx, Event{Name: "x", Topics: []Topic{Everyone}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close: %v", err)
	}
	if _, err := h.Subscribe([]Topic{Everyone}, ""); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close: %v", err)
	}
}

func TestPublishRefusesBadEvents(t *testing.T) {
	h := New(Options{})
	cases := []struct {
		name string
		e    Event
	}{
		{"no name", Event{Topics: []Topic{Monitor}}},
		{"newline in name", Event{Name: "a\ndata: x", Topics: []Topic{Monitor}}},
		{"upper case", Event{Name: "State", Topics: []Topic{Monitor}}},
		{"no topic", Event{Name: "state"}},
		{"payload not JSON", Event{Name: "state", Topics: []Topic{Monitor}, Data: func() {}}},
	}
	for _, c := range cases {
		if err := h.Publish(ctx, c.e); err == nil {
			t.Errorf("%s: published", c.name)
		}
	}
	if h.Stats().LastID != h.opts.FirstID {
		t.Fatal("a refused event took an id")
	}
}

// TestConcurrentPublishers runs under -race: many publishers and readers at
// once; every reader sees its events complete and in increasing id order.
func TestConcurrentPublishers(t *testing.T) {
	const publishers, each, readers = 4, 250, 6
	h := New(Options{Queue: publishers * each, Buffer: publishers * each})
	var subs []*Subscription
	for i := 0; i < readers; i++ {
		sub, _ := h.Subscribe([]Topic{GroupTopic(int64(i % 2)), Everyone}, "")
		subs = append(subs, sub)
	}
	results := make(chan error, readers)
	for _, sub := range subs {
		go func(sub *Subscription) {
			var prev uint64
			n := 0
			for r := range sub.C() {
				if r.ID <= prev {
					results <- fmt.Errorf("id %d after %d", r.ID, prev)
					return
				}
				prev = r.ID
				if n++; n == publishers*each {
					results <- nil
					return
				}
			}
			results <- fmt.Errorf("closed after %d events: %v", n, sub.Err())
		}(sub)
	}
	var wg sync.WaitGroup
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				topics := []Topic{GroupTopic(int64(i % 2)), Everyone}
				if err := h.Publish(ctx, Event{Name: "e", Topics: topics, Data: p}); err != nil {
					t.Error(err)
				}
			}
		}(p)
	}
	wg.Wait()
	for i := 0; i < readers; i++ {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkPublish: one event to one agent among 500 agent streams and 20
// supervisor streams that see every event.
func BenchmarkPublish(b *testing.B) {
	h := New(Options{Queue: 1 << 16})
	var subs []*Subscription
	for i := 0; i < 500; i++ {
		s, _ := h.Subscribe([]Topic{UserTopic(int64(i)), Everyone}, "")
		subs = append(subs, s)
	}
	for i := 0; i < 20; i++ {
		s, _ := h.Subscribe([]Topic{Monitor}, "")
		subs = append(subs, s)
	}
	stop := make(chan struct{})
	for _, s := range subs {
		go func(s *Subscription) {
			for {
				select {
				case <-s.C():
				case <-stop:
					return
				}
			}
		}(s)
	}
	payload := map[string]any{"agent_id": 7, "state": "ready", "since": time.Now()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := Event{Name: "state", Topics: []Topic{UserTopic(int64(i % 500)), Monitor}, Data: payload}
		if err := h.Publish(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	if st := h.Stats(); st.Dropped > 0 {
		b.Fatalf("%d subscribers dropped", st.Dropped)
	}
}
