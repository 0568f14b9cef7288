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
	at      time.Time // Event-Date-Timestamp; zero when absent
	gen     uint64    // connection generation it came from
	arrived time.Time // when the router queue got it (reorder window)
}

// Header names as eslgo stores them (textproto-canonical: "Unique-Id"), so
// the lookups on the hot path find them without canonicalising.
const (
	hdrEventName   = "Event-Name"
	hdrUniqueID    = "Unique-Id"
	hdrJobUUID     = "Job-Uuid"
	hdrSequence    = "Event-Sequence"
	hdrTimestamp   = "Event-Date-Timestamp"
	hdrSubclass    = "Event-Subclass"
	hdrBridgeA     = "Bridge-A-Unique-Id"
	hdrBridgeB     = "Bridge-B-Unique-Id"
	hdrOtherLeg    = "Other-Leg-Unique-Id"
	hdrHangupCause = "Hangup-Cause"
	hdrApp         = "Application"
	hdrAppData     = "Application-Data"
	hdrAppUUID     = "Application-Uuid"
	hdrAppResponse = "Application-Response"
	hdrDTMFDigit   = "Dtmf-Digit"
	hdrDTMFLength  = "Dtmf-Duration"
	hdrDTMFSource  = "Dtmf-Source"
	varAMDResult   = "Variable_amd_result"
	varAVMDDetect  = "Variable_avmd_detect"
	varSIPStatus   = "Variable_sip_term_status"
	varBillSec     = "Variable_billsec"
	varAnswerEpoch = "Variable_answer_epoch"
)

func newEvent(h textproto.MIMEHeader, body []byte) *event {
	e := &event{Headers: h, Body: body}
	e.Name = e.get(hdrEventName)
	e.UUID = e.get(hdrUniqueID)
	e.JobUUID = e.get(hdrJobUUID)
	e.Seq, _ = strconv.ParseUint(e.get(hdrSequence), 10, 64)
	e.Ord, _ = strconv.ParseUint(e.get(relaySeqHeader), 10, 64)
	if us, err := strconv.ParseInt(e.get(hdrTimestamp), 10, 64); err == nil && us > 0 {
		e.at = time.UnixMicro(us)
	}
	return e
}

// Get returns a header URL-decoded (FreeSWITCH encodes plain event values).
func (e *event) Get(name string) string { return e.get(textproto.CanonicalMIMEHeaderKey(name)) }

// get is Get for a name already in canonical form (the hdr constants): one
// map lookup, no allocation unless the value is encoded.
func (e *event) get(canon string) string {
	vs := e.Headers[canon]
	if len(vs) == 0 || vs[0] == "" {
		return ""
	}
	v := vs[0]
	if d, err := url.PathUnescape(v); err == nil {
		return d
	}
	return v
}

// Var returns the channel variable name (variable_<name>).
func (e *event) Var(name string) string { return e.Get("variable_" + name) }

// Time returns Event-Date-Timestamp (microseconds since the epoch), or zero.
func (e *event) Time() time.Time { return e.at }

func (e *event) intHeader(canon string) int {
	n, _ := strconv.Atoi(e.get(canon))
	return n
}
