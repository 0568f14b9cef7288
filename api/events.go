package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// EventFeed is the api's view of the event hub: browsers' streams subscribe
// to it, and the api publishes what it causes itself (messages, broadcasts).
type EventFeed interface {
	Publish(ctx context.Context, e feed.Event) error
	Subscribe(topics []feed.Topic, lastEventID string) (*feed.Subscription, error)
}

// defaultHeartbeat keeps proxies from closing a quiet stream (most close
// idle connections after 30-60 s).
const defaultHeartbeat = 15 * time.Second

// retryMS is how long a browser's EventSource waits before reconnecting.
const retryMS = "3000"

// streamPaths are the server-sent-event routes: the only ones that accept
// the session token as ?token= (EventSource cannot send headers). Listed
// by name so that no other route ever takes a token from a URL.
var streamPaths = map[string]bool{"/api/v1/me/events": true, "/api/v1/monitor/events": true}

func isStream(rt route) bool { return rt.Method == "GET" && streamPaths[rt.Path] }

// queryToken moves ?token= into the Authorization header on stream routes,
// and out of the URL so that nothing later can log it.
func (s *Server) queryToken(rt route) gin.HandlerFunc {
	if !isStream(rt) {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		q := c.Request.URL.Query()
		if t := q.Get("token"); t != "" {
			if c.GetHeader("Authorization") == "" {
				c.Request.Header.Set("Authorization", "Bearer "+t)
			}
			q.Del("token")
			c.Request.URL.RawQuery = q.Encode()
		}
		c.Next()
	}
}

// myEvents is the signed-in user's own stream: what is addressed to them,
// to their groups (as they were when the stream opened) and to everyone.
func (s *Server) myEvents(c *gin.Context) {
	u := currentUser(c)
	topics := []feed.Topic{feed.UserTopic(u.ID), feed.Everyone}
	for _, g := range u.Groups {
		topics = append(topics, feed.GroupTopic(g.ID))
	}
	s.stream(c, topics)
}

// monitorEvents is the supervisors' stream: agents' states, calls, queues,
// announcements and wallboard notices.
func (s *Server) monitorEvents(c *gin.Context) {
	s.stream(c, []feed.Topic{feed.Monitor, feed.Wallboard, feed.Everyone})
}

// stream serves topics as server-sent events until the client goes away,
// the session ends (logout, expiry, revocation) or the server shuts down.
func (s *Server) stream(c *gin.Context, topics []feed.Topic) {
	if s.cfg.Feed == nil {
		fail(c, newError("unavailable", "event streams are not configured"))
		return
	}
	sess := c.MustGet("session").(*store.Session)
	st, ok := s.streams.add(sess.ID)
	if !ok {
		fail(c, newError("unavailable", "the server is shutting down; reconnect shortly"))
		return
	}
	defer s.streams.remove(st)
	last := c.GetHeader("Last-Event-ID")
	if last == "" {
		last = c.Query("last_event_id")
	}
	sub, err := s.cfg.Feed.Subscribe(topics, last)
	if err != nil {
		fail(c, newError("unavailable", "event stream: %v", err))
		return
	}
	defer sub.Close()
	w := newSSEWriter(c)
	w.begin(sub)
	s.touchDesk(c)
	if w.flush() != nil {
		return
	}
	s.pump(c, w, sub, st, sess.ID)
}

// pump copies events to the client and writes heartbeats; each heartbeat
// also checks that the session is still good.
func (s *Server) pump(c *gin.Context, w *sseWriter, sub *feed.Subscription, st *liveStream, session int64) {
	ctx := c.Request.Context()
	every := s.cfg.StreamHeartbeat
	if every <= 0 {
		every = defaultHeartbeat
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-st.done:
			w.end(st.reason)
			return
		case rec, ok := <-sub.C():
			if !ok {
				if errors.Is(sub.Err(), feed.ErrClosed) {
					w.end(endShutdown)
				}
				return // dropped as too slow: the client reconnects and resumes
			}
			w.record(rec)
			if len(sub.C()) == 0 && w.flush() != nil {
				return
			}
		case <-tick.C:
			if err := s.store.CheckSession(ctx, session, s.cfg.Sessions); errors.Is(err, store.ErrNotFound) {
				w.end(endSessionEnded)
				return
			} else if err != nil {
				logger(c).Warn("event stream: session check", "err", err)
			}
			s.touchDesk(c)
			w.heartbeat(sub)
			if w.flush() != nil {
				return
			}
		}
	}
}

// sseWriter frames server-sent events. Every event has an id (except the
// stream's own end), a name and one line of JSON data.
type sseWriter struct {
	w      http.ResponseWriter
	rc     *http.ResponseController
	buf    bytes.Buffer
	lastID uint64 // the resume point the client holds
}

func newSSEWriter(c *gin.Context) *sseWriter {
	rc := http.NewResponseController(c.Writer)
	// A stream lives for hours: no server write or read timeout may cut it.
	_ = rc.SetWriteDeadline(time.Time{})
	_ = rc.SetReadDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	c.Status(http.StatusOK)
	return &sseWriter{w: c.Writer, rc: rc}
}

// begin writes how the stream starts: hello (fresh), reset (events lost),
// or the missed events (resumed).
func (w *sseWriter) begin(sub *feed.Subscription) {
	w.buf.WriteString("retry: " + retryMS + "\n")
	start, at := sub.Start()
	switch start {
	case feed.StartFresh:
		w.event(at, feed.EventHello, map[string]any{"last_event_id": feed.FormatID(at)})
	case feed.StartReset:
		w.event(at, feed.EventReset, map[string]any{"reason": "events since your last one are no longer kept; reload"})
	default:
		w.buf.WriteString("\n")
		w.lastID = at
		for _, rec := range sub.Backlog {
			w.record(rec)
		}
	}
}

func (w *sseWriter) record(rec *feed.Record) {
	w.frame(rec.ID, rec.Name, rec.Data)
}

func (w *sseWriter) event(id uint64, name string, data any) {
	b, _ := json.Marshal(data) // maps of strings: cannot fail
	w.frame(id, name, b)
}

func (w *sseWriter) frame(id uint64, name string, data []byte) {
	if id != 0 {
		w.buf.WriteString("id: " + feed.FormatID(id) + "\n")
		w.lastID = id
	}
	w.buf.WriteString("event: " + name + "\ndata: ")
	w.buf.Write(data)
	w.buf.WriteString("\n\n")
}

// heartbeat is a comment; when everything for this stream has been sent it
// also carries the hub's newest id, so a quiet client's resume point keeps
// up and a reconnect after a long silence is not mistaken for a gap (an id
// with no data moves EventSource's lastEventId without firing an event).
func (w *sseWriter) heartbeat(sub *feed.Subscription) {
	w.buf.WriteString(": heartbeat\n")
	if pos, ok := sub.Position(); ok && pos > w.lastID {
		w.buf.WriteString("id: " + feed.FormatID(pos) + "\n")
		w.lastID = pos
	}
	w.buf.WriteString("\n")
}

// end writes the last event, telling the client why the stream closed.
func (w *sseWriter) end(reason string) {
	w.event(0, feed.EventEnd, map[string]string{"reason": reason})
	_ = w.flush()
}

func (w *sseWriter) flush() error {
	if _, err := w.w.Write(w.buf.Bytes()); err != nil {
		return err
	}
	w.buf.Reset()
	return w.rc.Flush()
}

// publish sends an event the api caused; a failure is logged, never the
// request's: what it announces is stored, and a client that missed it
// reloads on reconnect.
func (s *Server) publish(c *gin.Context, e feed.Event) {
	if s.cfg.Feed == nil {
		return
	}
	if err := s.cfg.Feed.Publish(c.Request.Context(), e); err != nil {
		logger(c).Warn("publish event", "event", e.Name, "err", err)
	}
}

// touchDesk tells the agent desk the user's desktop is alive: an open
// stream keeps a signed-in agent's softphone session from being lost.
func (s *Server) touchDesk(c *gin.Context) {
	if s.cfg.Desk != nil {
		s.cfg.Desk.Touch(currentUser(c).ID)
	}
}
