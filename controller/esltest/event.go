package esltest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
)

// header is one "Name: value" line of an event, kept in insertion order
// because FreeSWITCH's header order is part of what the simulator copies.
type header struct {
	name, value string
}

// event is one FreeSWITCH event. It is built by the world goroutine and is
// read-only once fired, so connections share it and its cached encodings.
type event struct {
	headers []header
	// vars are the channel's variable_* headers, shared with the channel's
	// copy-on-write variable list (no copy per event); they sit at
	// headers[varsAt] on the wire.
	vars   []varEntry
	varsAt int
	body   string

	plainOnce sync.Once
	plain     []byte
}

// add appends a header; empty values are dropped like switch_event_add_header
// does.
func (e *event) add(name, value string) {
	if value == "" {
		return
	}
	e.headers = append(e.headers, header{name, value})
}

// Get returns the first value of the named header (case-insensitive), ""
// if absent.
func (e *event) Get(name string) string {
	v, _ := e.lookup(name)
	return v
}

func (e *event) lookup(name string) (string, bool) {
	for _, h := range e.headers {
		if strings.EqualFold(h.name, name) {
			return h.value, true
		}
	}
	for _, v := range e.vars {
		if strings.EqualFold(v.key, name) {
			return v.value, true
		}
	}
	return "", false
}

// has reports whether the event carries the header at all.
func (e *event) has(name string) bool {
	_, ok := e.lookup(name)
	return ok
}

// all is every header in wire order (allocates; for the rare formats).
func (e *event) all() []header {
	if len(e.vars) == 0 {
		return e.headers
	}
	out := make([]header, 0, len(e.headers)+len(e.vars))
	out = append(out, e.headers[:e.varsAt]...)
	for _, v := range e.vars {
		out = append(out, header{v.key, v.value})
	}
	return append(out, e.headers[e.varsAt:]...)
}

// Name is the Event-Name header.
func (e *event) Name() string { return e.Get("Event-Name") }

// scratch holds serialization buffers: events are built at tens of
// thousands per second, so each is written once into a reused buffer and
// copied out at its exact size.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// serializePlain renders the event as switch_event_serialize does: URL-encoded
// values, then an inner Content-Length and the body when there is one.
func (e *event) serializePlain() []byte {
	bp := scratch.Get().(*[]byte)
	defer scratch.Put(bp)
	*bp = e.appendPlain((*bp)[:0])
	return bytes.Clone(*bp)
}

func (e *event) appendPlain(b []byte) []byte {
	b = appendHeaders(b, e.headers[:e.varsAt])
	for _, v := range e.vars {
		b = append(b, v.key...)
		b = append(b, ": "...)
		b = append(b, v.enc...)
		b = append(b, '\n')
	}
	b = appendHeaders(b, e.headers[e.varsAt:])
	if e.body != "" {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(e.body)), 10)
		b = append(b, "\n\n"...)
		return append(b, e.body...)
	}
	return append(b, '\n')
}

func appendHeaders(b []byte, hs []header) []byte {
	for _, h := range hs {
		b = append(b, h.name...)
		b = append(b, ": "...)
		if h.value == "" {
			b = append(b, "_undef_"...)
		} else {
			b = appendEncoded(b, h.value)
		}
		b = append(b, '\n')
	}
	return b
}

// plainFrame is the whole text/event-plain frame, built once per event and
// shared by every connection that receives it.
func (e *event) plainFrame() []byte {
	e.plainOnce.Do(func() {
		bp := scratch.Get().(*[]byte)
		defer scratch.Put(bp)
		inner := e.appendPlain((*bp)[:0])
		*bp = inner
		head := "Content-Length: " + strconv.Itoa(len(inner)) + "\nContent-Type: text/event-plain\n\n"
		out := make([]byte, 0, len(head)+len(inner))
		e.plain = append(append(out, head...), inner...)
	})
	return e.plain
}

// jsonFrame renders text/event-json: raw values, repeated headers as arrays,
// the body under "_body".
func (e *event) jsonFrame() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	seen := map[string]bool{}
	first := true
	for _, h := range e.all() {
		if seen[h.name] {
			continue
		}
		seen[h.name] = true
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSONString(&b, h.name)
		b.WriteByte(':')
		vals := e.values(h.name)
		if len(vals) == 1 {
			writeJSONString(&b, vals[0])
			continue
		}
		b.WriteByte('[')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, v)
		}
		b.WriteByte(']')
	}
	if e.body != "" {
		b.WriteString(`,"Content-Length":"` + strconv.Itoa(len(e.body)) + `","_body":`)
		writeJSONString(&b, e.body)
	}
	b.WriteByte('}')
	return wrapEventFrame("text/event-json", b.Bytes())
}

func (e *event) values(name string) []string {
	var vals []string
	for _, h := range e.all() {
		if h.name == name {
			vals = append(vals, h.value)
		}
	}
	return vals
}

// xmlFrame renders text/event-xml with URL-encoded header text.
func (e *event) xmlFrame() []byte {
	var b bytes.Buffer
	b.WriteString("<event>\n  <headers>\n")
	for _, h := range e.all() {
		b.WriteString("    <" + h.name + ">" + urlEncode(h.value) + "</" + h.name + ">\n")
	}
	b.WriteString("  </headers>\n")
	if e.body != "" {
		b.WriteString("  <Content-Length>" + strconv.Itoa(len(e.body)) + "</Content-Length>\n")
		b.WriteString("  <body>" + xmlEscape(e.body) + "</body>\n")
	}
	b.WriteString("</event>")
	return wrapEventFrame("text/event-xml", b.Bytes())
}

func wrapEventFrame(contentType string, body []byte) []byte {
	head := "Content-Length: " + strconv.Itoa(len(body)) + "\nContent-Type: " + contentType + "\n\n"
	return append([]byte(head), body...)
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

func xmlEscape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// urlEncode applies switch_url_encode's rules (doc 1.2): bytes outside
// 0x20..0x7E, space and the listed punctuation become %XX; a '%' already
// followed by two hex digits is copied as is.
func urlEncode(s string) string {
	if encodedLen(s) == len(s) {
		return s
	}
	return string(appendEncoded(make([]byte, 0, encodedLen(s)), s))
}

// encodedLen is the length of s once URL-encoded.
func encodedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if needsEncoding(s, i) {
			n += 2
		}
	}
	return n
}

// appendEncoded appends s URL-encoded; clean runs are copied in one go.
func appendEncoded(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	i := 0
	for i < len(s) && !needsEncoding(s, i) {
		i++
	}
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if needsEncoding(s, i) {
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

// encodeSet marks the printable bytes switch_url_encode escapes.
var encodeSet = func() (set [256]bool) {
	for i := 0; i < 256; i++ {
		set[i] = i < 0x20 || i > 0x7E
	}
	for _, c := range []byte(" #%&+:;<=>?@[\\]^`{|}\"") {
		set[c] = true
	}
	return set
}()

func needsEncoding(s string, i int) bool {
	c := s[i]
	if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
		return false
	}
	return encodeSet[c]
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
