package controller

import (
	"net/textproto"
	"net/url"
	"strconv"
	"time"
)

// event is one FreeSWITCH event as the controller sees it, decoupled from
// eslgo's type so that only esl.go imports eslgo. The fields used for routing
// are decoded once, in the eslgo listener goroutine, so the single router
// goroutine per node does as little as possible.
type event struct {
	Name    string
	UUID    string // Unique-ID
	JobUUID string // Job-UUID (BACKGROUND_JOB)
	Seq     uint64 // Event-Sequence; 0 when absent
	Ord     uint64 // the relay's gapless wire-order number; 0 when absent
	Headers textproto.MIMEHeader
	Body    []byte
	gen     uint64    // connection generation it came from
	arrived time.Time // when the router queue got it (reorder window)
}

func newEvent(h textproto.MIMEHeader, body []byte) *event {
	e := &event{Headers: h, Body: body}
	e.Name = e.Get("Event-Name")
	e.UUID = e.Get("Unique-ID")
	e.JobUUID = e.Get("Job-UUID")
	e.Seq, _ = strconv.ParseUint(h.Get("Event-Sequence"), 10, 64)
	e.Ord, _ = strconv.ParseUint(h.Get(relaySeqHeader), 10, 64)
	return e
}

// Get returns a header URL-decoded (FreeSWITCH encodes plain event values).
func (e *event) Get(name string) string {
	v := e.Headers.Get(name)
	if v == "" {
		return ""
	}
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

// Var returns the channel variable name (variable_<name>).
func (e *event) Var(name string) string { return e.Get("variable_" + name) }

// Time returns Event-Date-Timestamp (microseconds since the epoch), or zero.
func (e *event) Time() time.Time {
	us, err := strconv.ParseInt(e.Headers.Get("Event-Date-Timestamp"), 10, 64)
	if err != nil || us <= 0 {
		return time.Time{}
	}
	return time.UnixMicro(us)
}

func (e *event) intHeader(name string) int {
	n, _ := strconv.Atoi(e.Get(name))
	return n
}
