package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// streamHarness is a harness served over a real HTTP server (streams need
// one) with a feed hub and a short heartbeat.
type streamHarness struct {
	*harness
	hub *feed.Hub
	ts  *httptest.Server
}

func newStreamHarness(t *testing.T, opts feed.Options, tune func(*Config)) *streamHarness {
	t.Helper()
	hub := feed.New(opts)
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) {
		c.Feed = hub
		c.StreamHeartbeat = 50 * time.Millisecond
		if tune != nil {
			tune(c)
		}
	}})
	ts := httptest.NewServer(h.h)
	t.Cleanup(ts.Close)
	// Runs before ts.Close: streams still open would keep Close waiting.
	t.Cleanup(func() { _ = h.srv.Shutdown(context.Background()) })
	return &streamHarness{harness: h, hub: hub, ts: ts}
}

// sseEvent is one message of a stream; Name is "" for a heartbeat comment.
type sseEvent struct {
	ID, Name, Data string
	Comment        bool
}

// sseConn reads one stream in the background.
type sseConn struct {
	t      *testing.T
	resp   *http.Response
	cancel context.CancelFunc
	events chan sseEvent
	done   chan struct{} // closed at EOF
}

// connect opens path with the token as ?token= (as EventSource does) and
// the resume point as Last-Event-ID, checking the status.
func (sh *streamHarness) connect(path, token, lastID string, want int) *sseConn {
	sh.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := sh.ts.URL + path
	if token != "" {
		url += "?token=" + token
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		sh.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != want {
		cancel()
		resp.Body.Close()
		sh.t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, want)
	}
	c := &sseConn{t: sh.t, resp: resp, cancel: cancel, events: make(chan sseEvent, 1024), done: make(chan struct{})}
	if want == http.StatusOK {
		go c.read()
	} else {
		resp.Body.Close()
		cancel()
	}
	sh.t.Cleanup(c.close)
	return c
}

func (c *sseConn) read() {
	defer close(c.done)
	sc := bufio.NewScanner(c.resp.Body)
	var ev sseEvent
	started := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if started {
				c.events <- ev
			}
			ev, started = sseEvent{}, false
		case strings.HasPrefix(line, ":"):
			ev.Comment, started = true, true
		case strings.HasPrefix(line, "id: "):
			ev.ID, started = line[4:], true
		case strings.HasPrefix(line, "event: "):
			ev.Name, started = line[7:], true
		case strings.HasPrefix(line, "data: "):
			ev.Data, started = line[6:], true
		}
	}
}

func (c *sseConn) close() {
	c.cancel()
	c.resp.Body.Close()
}

// next returns the next event that is not a heartbeat.
func (c *sseConn) next() sseEvent {
	c.t.Helper()
	for {
		ev := c.nextAny()
		if !ev.Comment {
			return ev
		}
	}
}

// nextAny returns the next message, heartbeats included.
func (c *sseConn) nextAny() sseEvent {
	c.t.Helper()
	select {
	case ev := <-c.events:
		return ev
	case <-c.done:
		select {
		case ev := <-c.events:
			return ev
		default:
		}
		c.t.Fatal("stream ended")
	case <-time.After(time.Minute):
		c.t.Fatal("no event within 20 s")
	}
	return sseEvent{}
}

// ended waits for the end of the stream after its final event.
func (c *sseConn) ended(reason string) {
	c.t.Helper()
	ev := c.next()
	if ev.Name != feed.EventEnd || !strings.Contains(ev.Data, `"`+reason+`"`) {
		c.t.Fatalf("got %+v, want end %s", ev, reason)
	}
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		c.t.Fatal("stream still open after its end event")
	}
}

func (sh *streamHarness) publish(e feed.Event) {
	sh.t.Helper()
	if err := sh.hub.Publish(context.Background(), e); err != nil {
		sh.t.Fatal(err)
	}
}

// quiet waits until no stream is subscribed (disconnected handlers returned).
func (sh *streamHarness) quiet() {
	sh.t.Helper()
	eventually(sh.t, "streams to close", func() bool { return sh.hub.Stats().Subscribers == 0 })
}

func TestStreamResumesExactly(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	agent := sh.users[store.RoleAgent]
	tok := sh.tokens[store.RoleAgent]
	conn := sh.connect("/api/v1/me/events", tok, "", 200)
	if hello := conn.next(); hello.Name != feed.EventHello || hello.ID == "" {
		t.Fatalf("first event %+v, want hello with an id", hello)
	}
	mine := func(i int) feed.Event { return feed.ForUser(agent.ID, "reminder", map[string]int{"n": i}) }
	sh.publish(mine(1))
	sh.publish(feed.ForUser(agent.ID+100, "reminder", map[string]int{"n": -1})) // someone else's
	sh.publish(feed.Event{Name: "announcement", Topics: []feed.Topic{feed.Everyone}, Data: map[string]int{"n": 2}})
	sh.publish(mine(3))
	var last sseEvent
	for _, want := range []string{`{"n":1}`, `{"n":2}`, `{"n":3}`} {
		last = conn.next()
		if last.Data != want || last.ID == "" {
			t.Fatalf("got %+v, want data %s with an id", last, want)
		}
	}
	conn.close()
	sh.quiet()

	sh.publish(mine(4))
	sh.publish(feed.ForUser(agent.ID+100, "reminder", map[string]int{"n": -2}))
	sh.publish(mine(5))
	for _, how := range []string{"header", "query"} {
		var again *sseConn
		if how == "header" {
			again = sh.connect("/api/v1/me/events", tok, last.ID, 200)
		} else {
			again = sh.connect("/api/v1/me/events", tok+"&last_event_id="+last.ID, "", 200)
		}
		got := []string{again.next().Data, again.next().Data}
		if got[0] != `{"n":4}` || got[1] != `{"n":5}` {
			t.Fatalf("resume by %s: got %v, want n 4 and 5", how, got)
		}
		// Nothing else follows: the next message is a heartbeat.
		if hb := again.nextAny(); !hb.Comment {
			t.Fatalf("resume by %s: an extra event %+v", how, hb)
		}
		again.close()
		sh.quiet()
	}
}

func TestStreamResetWhenTooFarBehind(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{Buffer: 2}, nil)
	agent := sh.users[store.RoleAgent]
	conn := sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], "", 200)
	hello := conn.next()
	conn.close()
	sh.quiet()
	for i := 0; i < 5; i++ {
		sh.publish(feed.ForUser(agent.ID, "reminder", i))
	}
	again := sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], hello.ID, 200)
	if ev := again.next(); ev.Name != feed.EventReset || ev.ID != feed.FormatID(sh.hub.Stats().LastID) {
		t.Fatalf("got %+v, want reset at the newest id", ev)
	}
}

// TestHeartbeatMovesResumePoint: a quiet stream's heartbeats carry the hub's
// newest id, so a reconnect after others' events is not taken for a gap.
func TestHeartbeatMovesResumePoint(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{Buffer: 2}, nil)
	conn := sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], "", 200)
	conn.next()
	for i := 0; i < 5; i++ {
		sh.publish(feed.ForUser(999, "reminder", i))
	}
	want := feed.FormatID(sh.hub.Stats().LastID)
	for {
		if hb := conn.nextAny(); hb.Comment && hb.ID == want {
			break
		}
	}
	conn.close()
	sh.quiet()
	again := sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], want, 200)
	if hb := again.nextAny(); !hb.Comment {
		t.Fatalf("after a heartbeat's id: %+v, want nothing but heartbeats", hb)
	}
}

func TestStreamEndsWithItsSession(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	ctx := context.Background()

	// Logout ends the session's streams at once.
	tok := sh.tokens[store.RoleQA]
	conn := sh.connect("/api/v1/me/events", tok, "", 200)
	conn.next()
	sh.do("POST", "/api/v1/auth/logout", tok, nil, 204, nil)
	conn.ended(endLogout)

	// A session revoked elsewhere (password change, disabled account) ends
	// its streams at the next heartbeat.
	agent := sh.users[store.RoleAgent]
	conn = sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], "", 200)
	conn.next()
	if err := sh.srv.store.RevokeUserSessions(ctx, agent.ID); err != nil {
		t.Fatal(err)
	}
	conn.ended(endSessionEnded)
	sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], "", 401)
}

// TestStreamEndsWhenTheScreenLocks: the idle screen lock ends the session's
// streams; a new one is refused until the screen is unlocked.
func TestStreamEndsWhenTheScreenLocks(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	tok := sh.tokens[store.RoleSupervisor]
	me := sh.connect("/api/v1/me/events", tok, "", 200)
	monitor := sh.connect("/api/v1/monitor/events", tok, "", 200)
	other := sh.connect("/api/v1/me/events", sh.tokens[store.RoleQA], "", 200)
	me.next()
	monitor.next()
	other.next()
	sh.do("POST", "/api/v1/auth/screen-lock", tok, nil, 204, nil)
	me.ended(endScreenLocked)
	monitor.ended(endScreenLocked)
	sh.connect("/api/v1/me/events", tok, "", 423)
	sh.do("POST", "/api/v1/auth/unlock", tok, unlockRequest{Password: testPassword}, 204, nil)
	sh.connect("/api/v1/me/events", tok, "", 200)
	sh.publish(feed.Event{Name: "announcement", Topics: []feed.Topic{feed.Everyone}, Data: map[string]string{"title": "still here"}})
	if ev := other.next(); ev.Name != "announcement" {
		t.Fatalf("another session's stream after the lock: %+v", ev)
	}
}

func TestShutdownClosesStreams(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	a := sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], "", 200)
	b := sh.connect("/api/v1/monitor/events", sh.tokens[store.RoleSupervisor], "", 200)
	a.next()
	b.next()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := sh.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	a.ended(endShutdown)
	b.ended(endShutdown)
	// http.Server.Shutdown has nothing left to wait for.
	if err := sh.ts.Config.Shutdown(ctx); err != nil {
		t.Fatalf("http.Server.Shutdown after the streams closed: %v", err)
	}
}

func TestShutdownRefusesNewStreams(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	if err := sh.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], "", 503)
}

// TestQueryTokenOnlyOnStreams: ?token= signs in on the stream routes only,
// and neither the access log nor anything else logs it.
func TestQueryTokenOnlyOnStreams(t *testing.T) {
	var logs syncBuffer
	sh := newStreamHarness(t, feed.Options{}, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	tok := sh.tokens[store.RoleAgent]
	resp, err := http.Get(sh.ts.URL + "/api/v1/me?token=" + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /api/v1/me?token=: %d, want 401", resp.StatusCode)
	}
	sh.connect("/api/v1/me/events", "not-a-token", "", 401)
	conn := sh.connect("/api/v1/me/events", tok, "", 200)
	conn.next()
	conn.close()
	sh.quiet()
	eventually(t, "the stream's access log line", func() bool { return strings.Contains(logs.String(), "/api/v1/me/events") })
	if strings.Contains(logs.String(), tok) {
		t.Fatalf("the token reached the log:\n%s", logs.String())
	}
}

func TestMonitorStream(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	agent := sh.users[store.RoleAgent]
	sh.connect("/api/v1/monitor/events", sh.tokens[store.RoleAgent], "", 403)
	mon := sh.connect("/api/v1/monitor/events", sh.tokens[store.RoleSupervisor], "", 200)
	own := sh.connect("/api/v1/me/events", sh.tokens[store.RoleAgent], "", 200)
	mon.next()
	own.next()
	since := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	sh.publish(feed.StateEvent(feed.State{AgentID: agent.ID, State: store.AgentBreak, Reason: "lunch", Since: since}))
	sh.publish(feed.OfferEvent(agent.ID, feed.Offer{CallUUID: "c-1", CampaignID: 3, Mode: feed.OfferPreview}))
	want := `{"agent_id":` + itoa(agent.ID) + `,"state":"break","reason":"lunch","since":"2026-12-01T09:00:00Z"}`
	for _, c := range []*sseConn{mon, own} {
		if ev := c.next(); ev.Name != feed.EventState || ev.Data != want {
			t.Fatalf("state event %+v, want %s", ev, want)
		}
	}
	if ev := own.next(); ev.Name != feed.EventOffer || !strings.Contains(ev.Data, `"call_uuid":"c-1"`) || !strings.Contains(ev.Data, `"campaign_id":3`) || !strings.Contains(ev.Data, `"contact":null`) {
		t.Fatalf("offer %+v", ev)
	}
	if hb := mon.nextAny(); !hb.Comment {
		t.Fatalf("the monitor got the agent's offer: %+v", hb)
	}
}

// decodeEvent reads an event's JSON data.
func decodeEvent(t *testing.T, ev sseEvent, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(ev.Data), out); err != nil {
		t.Fatalf("event %s data %q: %v", ev.Name, ev.Data, err)
	}
}

// syncBuffer is a log sink the server's goroutines and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
