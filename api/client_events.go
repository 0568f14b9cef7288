package api

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// ClientAction is what the browser UI reports about what a user did with
// what it showed. Stored in the audit log as "client." + the action.
type ClientAction string

const (
	ClientCopy        ClientAction = "copy"         // a customer field copied
	ClientCopyBlocked ClientAction = "copy_blocked" // a bulk copy refused (no export permission)
	ClientPrint       ClientAction = "print"        // a page printed (export permission)
	ClientPrintBlock  ClientAction = "print_blocked"
)

// ClientActions lists every ClientAction.
var ClientActions = []ClientAction{ClientCopy, ClientCopyBlocked, ClientPrint, ClientPrintBlock}

// EnumValues lists the actions the UI reports.
func (ClientAction) EnumValues() []string { return stringsOf(ClientActions) }

// clientEventRequest never carries the copied text: target names where it
// came from (page and fields), count how much.
type clientEventRequest struct {
	Action ClientAction `json:"action"`
	Target string       `json:"target"` // e.g. "campaign/3/contacts:phone"
	Count  int          `json:"count"`  // characters copied
}

func (r *clientEventRequest) validate() error {
	switch {
	case !store.OneOf(r.Action):
		return enumError("action", r.Action)
	case len(r.Target) > 128 || strings.IndexFunc(r.Target, notPlain) >= 0:
		return fieldError("target", "at most 128 bytes of printable text")
	case r.Count < 0 || r.Count > 10_000_000:
		return fieldError("count", "must be between 0 and 10000000")
	}
	return nil
}

// notPlain catches control, format (bidi, zero-width) and invalid characters.
func notPlain(r rune) bool {
	return r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// Client events per user and minute; the UI sends one per copy, so more is
// a script, and the audit log must not be flooded.
const clientEventsPerMinute = 30

// clientEvent writes the UI's report into the audit log: the request's own
// entry, named "client." + the action (a refused report stays
// "client.event"). Over the rate limit it answers 429 and writes one
// "client.rate_limited" entry per minute instead of one per event.
func (s *Server) clientEvent(c *gin.Context) {
	var req clientEventRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := req.validate(); err != nil {
		fail(c, err)
		return
	}
	switch n := s.clientEvents.take(currentUser(c).ID, s.now()); {
	case n == clientEventsPerMinute+1:
		refineAudit(c, "client.rate_limited")
		fail(c, newError("too_many_requests", "more than %d client events a minute", clientEventsPerMinute))
		return
	case n > clientEventsPerMinute:
		skipFloodAudit(c) // recorded once this minute
		fail(c, newError("too_many_requests", "more than %d client events a minute", clientEventsPerMinute))
		return
	}
	refineAudit(c, "client."+string(req.Action))
	setTarget(c, "page", truncateStr(req.Target, 64))
	auditDetail(c, fmt.Sprintf("target=%s count=%d", req.Target, req.Count))
	c.Status(http.StatusNoContent)
}

// eventWindows counts events per user in fixed one-minute windows.
type eventWindows struct {
	mu   sync.Mutex
	wins map[int64]eventWindow
}

type eventWindow struct {
	start time.Time
	n     int
}

// take counts one event and returns the count in the user's current window.
func (w *eventWindows) take(userID int64, now time.Time) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wins == nil || len(w.wins) > 10000 {
		w.wins = map[int64]eventWindow{} // forget old windows rather than grow
	}
	win := w.wins[userID]
	if now.Sub(win.start) >= time.Minute {
		win = eventWindow{start: now}
	}
	win.n++
	w.wins[userID] = win
	return win.n
}
