package ivr

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSwitch plays FreeSWITCH's side of one outbound-socket call: it dials
// the server like the `socket` app, answers "connect" with the captured
// CHANNEL_DATA reply, and answers commands with captured frames (from
// testdata/, re-addressed to this call's uuid). play_and_get_digits is
// simulated the way FreeSWITCH runs it: each try takes the next scripted
// entry, invalid entries are retried up to the given tries.
type fakeSwitch struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
	uuid string

	// Script, fixed before dial.
	keys      map[string][]string // per variable, one entry per try
	hangupOn  string              // the caller hangs up while this app runs
	holdApp   string              // this app never completes (blocks the flow)
	noReplyTo string              // commands starting with this get no reply
	dropOn    string              // the caller hangs up (no linger yet) on this command
	dropAfter string              // ... right after replying to this command

	wmu    sync.Mutex // frames are written by the reader and by tests
	cmds   chan fsCommand
	closed chan struct{} // the server closed the socket
	mu     sync.Mutex
	vars   map[string]string // channel variables set by the flow
	hungUp bool
}

// fsCommand is one command the server sent.
type fsCommand struct {
	Line    string            // first line, e.g. "sendmsg <uuid>"
	Headers map[string]string // lower-case names
	Body    string
}

func (c fsCommand) app() string { return c.Headers["execute-app-name"] }

func (c fsCommand) arg() string {
	if a, ok := c.Headers["execute-app-arg"]; ok {
		return a
	}
	return c.Body
}

func newFakeSwitch(t testing.TB, uuid string) *fakeSwitch {
	return &fakeSwitch{t: t, uuid: uuid, keys: map[string][]string{},
		cmds: make(chan fsCommand, 200), closed: make(chan struct{}), vars: map[string]string{}}
}

// dial connects to the server; chanVars are added to the CHANNEL_DATA as
// variable_* headers (e.g. ivr_flow).
func (f *fakeSwitch) dial(addr string, chanVars map[string]string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		f.t.Fatalf("dial ivr server: %v", err)
	}
	f.conn, f.r = c, bufio.NewReader(c)
	f.t.Cleanup(func() { _ = c.Close() })
	go f.serve(chanVars)
}

func (f *fakeSwitch) serve(chanVars map[string]string) {
	defer close(f.closed)
	for {
		cmd, err := f.readCommand()
		if err != nil {
			return
		}
		f.cmds <- cmd
		if f.noReplyTo != "" && strings.HasPrefix(cmd.Line, f.noReplyTo) {
			continue
		}
		if f.dropOn != "" && strings.HasPrefix(cmd.Line, f.dropOn) {
			// Without linger FreeSWITCH sends the final notice and closes.
			f.write(f.frame("disconnect-notice_disconnect__outbound__neventsocket-2015.txt"))
			_ = f.conn.Close()
			return
		}
		f.respond(cmd, chanVars)
		if f.dropAfter != "" && strings.HasPrefix(cmd.Line, f.dropAfter) {
			// The reply and the notice leave together: the server reads
			// the notice while it sends its next command.
			f.write(f.frame("disconnect-notice_disconnect__outbound__neventsocket-2015.txt"))
			_ = f.conn.Close()
			return
		}
	}
}

// readCommand reads one ESL command: lines up to an empty line (leading
// empty lines skipped, like FreeSWITCH), then a Content-Length body.
func (f *fakeSwitch) readCommand() (fsCommand, error) {
	cmd := fsCommand{Headers: map[string]string{}}
	for {
		line, err := f.r.ReadString('\n')
		if err != nil {
			return cmd, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if cmd.Line == "" {
				continue
			}
			break
		}
		if cmd.Line == "" {
			cmd.Line = line
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		cmd.Headers[strings.ToLower(name)] = strings.TrimSpace(value)
	}
	if n, _ := strconv.Atoi(cmd.Headers["content-length"]); n > 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(f.r, body); err != nil {
			return cmd, err
		}
		cmd.Body = string(body)
	}
	return cmd, nil
}

func (f *fakeSwitch) respond(cmd fsCommand, chanVars map[string]string) {
	switch word, rest, _ := strings.Cut(cmd.Line, " "); word {
	case "connect":
		f.write(connectReply(f.t, f.uuid, chanVars))
	case "myevents":
		f.reply("+OK Events Enabled")
	case "linger":
		f.reply("+OK will linger " + rest + " seconds")
	case "api":
		f.write("Content-Type: api/response\nContent-Length: 4\n\n+OK\n")
	case "sendmsg":
		f.sendmsg(cmd)
	case "exit":
		f.reply("+OK bye")
		f.write(f.frame("disconnect-notice_disconnect__outbound__neventsocket-2015.txt"))
		_ = f.conn.Close()
	default:
		f.reply("-ERR command not found")
	}
}

func (f *fakeSwitch) sendmsg(cmd fsCommand) {
	f.mu.Lock()
	gone := f.hungUp
	f.mu.Unlock()
	if gone {
		f.reply("-ERR invalid session id [" + f.uuid + "]")
		return
	}
	f.write(f.frame("command-reply_OK_sendmsg__neventsocket-2015.txt"))
	switch cmd.Headers["call-command"] {
	case "execute":
		f.execute(cmd.app(), cmd.arg(), cmd.Headers["event-uuid"])
	case "hangup":
		f.callerHangup(cmd.Headers["hangup-cause"], nil)
	}
}

func (f *fakeSwitch) execute(app, arg, appUUID string) {
	done := f.execEvent("CHANNEL_EXECUTE_COMPLETE", app, arg, appUUID)
	switch {
	case app == f.holdApp:
		return
	case app == f.hangupOn:
		f.callerHangup("NORMAL_CLEARING", done.with("variable_read_result", "failure"))
		return
	}
	switch app {
	case "answer":
		f.write(f.event("CHANNEL_ANSWER__a-leg__neventsocket-2015.txt").encode())
	case "playback":
		done = done.with("Application-Response", "FILE PLAYED")
	case "play_and_get_digits":
		done = f.playAndGetDigits(done, arg)
	case "set":
		k, v, _ := strings.Cut(arg, "=")
		f.setVar(k, v)
	case "unset":
		f.setVar(arg, "")
	}
	f.write(done.encode())
}

// playAndGetDigits applies FreeSWITCH's rules: min/max digits, regexp,
// tries; the digits go in the named variable, read_result says how it went.
func (f *fakeSwitch) playAndGetDigits(done event, arg string) event {
	a := strings.Fields(arg)
	if len(a) < 9 {
		f.t.Errorf("play_and_get_digits with %d arguments: %q", len(a), arg)
		return done
	}
	lo, _ := strconv.Atoi(a[0])
	hi, _ := strconv.Atoi(a[1])
	tries, _ := strconv.Atoi(a[2])
	name, re := a[7], regexp.MustCompile(a[8])
	for range tries {
		f.mu.Lock()
		q := f.keys[name]
		var entry string
		if len(q) > 0 {
			entry, f.keys[name] = q[0], q[1:]
		}
		f.mu.Unlock()
		if entry != "" && len(entry) >= lo && len(entry) <= hi && re.MatchString(entry) {
			f.setVar(name, entry)
			return done.with("variable_read_result", "success").with("variable_"+name, entry)
		}
	}
	return done.with("variable_read_result", "failure")
}

// callerHangup sends what FreeSWITCH sends when the channel hangs up with
// linger on: the linger notice, CHANNEL_HANGUP, the completion of the app
// that was running (if any), CHANNEL_HANGUP_COMPLETE.
func (f *fakeSwitch) callerHangup(cause string, running event) {
	f.mu.Lock()
	f.hungUp = true
	f.mu.Unlock()
	f.write(f.frame("disconnect-notice_linger__neventsocket-2015.txt"))
	f.write(f.event("CHANNEL_HANGUP__neventsocket-2015.txt").with("Hangup-Cause", cause).encode())
	if running != nil {
		f.write(running.with("Answer-State", "hangup").encode())
	}
	f.write(f.event("CHANNEL_HANGUP_COMPLETE__fsock-2012.txt").encode())
}

// bridge is what the controller's uuid_bridge causes on the caller's leg.
func (f *fakeSwitch) bridge() {
	f.write(f.event("CHANNEL_BRIDGE__neventsocket-2015.txt").encode())
}

func (f *fakeSwitch) setVar(k, v string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v == "" {
		delete(f.vars, k)
	} else {
		f.vars[k] = v
	}
}

func (f *fakeSwitch) reply(text string) {
	f.write("Content-Type: command/reply\nReply-Text: " + text + "\n\n")
}

func (f *fakeSwitch) write(s string) {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	_, _ = io.WriteString(f.conn, s)
}

// nextCommand waits for the next command the server sent.
func (f *fakeSwitch) nextCommand() fsCommand {
	f.t.Helper()
	select {
	case c := <-f.cmds:
		return c
	case <-time.After(patience):
		f.t.Fatal("no command from the ivr server")
		return fsCommand{}
	}
}

// waitApp skips commands until a sendmsg executing app arrives.
func (f *fakeSwitch) waitApp(app string) fsCommand {
	f.t.Helper()
	for {
		c := f.nextCommand()
		if c.app() == app {
			return c
		}
	}
}

// waitClosed waits until the server has closed the socket.
func (f *fakeSwitch) waitClosed() {
	f.t.Helper()
	select {
	case <-f.closed:
	case <-time.After(patience):
		f.t.Fatal("the ivr server did not close the socket")
	}
}

// --- captured frames ---

// loadFrame returns a testdata frame without its "# source" line. It runs
// on the fake's goroutine too, so it reports with Errorf, not Fatalf.
func loadFrame(t testing.TB, name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Errorf("load frame: %v", err)
		return ""
	}
	_, frame, _ := strings.Cut(string(b), "\n")
	return frame
}

var uuidRe = regexp.MustCompile(`(?m)^(?:Unique-ID|Controlled-Session-UUID): ([0-9a-f-]{36})$`)

// frame is a whole captured frame re-addressed to this call.
func (f *fakeSwitch) frame(name string) string {
	s := loadFrame(f.t, name)
	if m := uuidRe.FindStringSubmatch(s); m != nil {
		s = strings.ReplaceAll(s, m[1], f.uuid)
	}
	return s
}

// event is one header of a serialized event body, value as on the wire.
type header struct{ name, raw string }

type event []header

// event parses a captured text/event-plain frame's body, re-addressed.
func (f *fakeSwitch) event(name string) event {
	_, body, _ := strings.Cut(f.frame(name), "\n\n")
	var ev event
	for _, line := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		n, v, _ := strings.Cut(line, ": ")
		ev = append(ev, header{n, v})
	}
	return ev
}

// execEvent builds an execute event for this call from the captured read
// completion, with the app, its data and our Application-UUID.
func (f *fakeSwitch) execEvent(name, app, arg, appUUID string) event {
	return f.event("CHANNEL_EXECUTE_COMPLETE__read__neventsocket-2015.txt").
		without("variable_read_digits_result").without("variable_read_result").
		with("Event-Name", name).with("Application", app).with("Application-Data", arg).
		with("Application-Response", "_none_").with("Application-UUID", appUUID)
}

func (e event) with(name, value string) event {
	out := append(event(nil), e...)
	for i, h := range out {
		if h.name == name {
			out[i].raw = fsEncode(value)
			return out
		}
	}
	return append(out, header{name, fsEncode(value)})
}

func (e event) without(name string) event {
	var out event
	for _, h := range e {
		if h.name != name {
			out = append(out, h)
		}
	}
	return out
}

// encode writes the event as a text/event-plain frame.
func (e event) encode() string {
	var b strings.Builder
	for _, h := range e {
		b.WriteString(h.name + ": " + h.raw + "\n")
	}
	b.WriteString("\n")
	return fmt.Sprintf("Content-Length: %d\nContent-Type: text/event-plain\n\n%s", b.Len(), b.String())
}

// fsEncode URL-encodes a header value the way FreeSWITCH does (1.2).
func fsEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!$'()*,-./_~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// connectReply is the captured CHANNEL_DATA reply for uuid with extra
// channel variables inserted before the reply headers.
func connectReply(t testing.TB, uuid string, vars map[string]string) string {
	s := loadFrame(t, "connect-reply_CHANNEL_DATA__outbound-async-full__freeswitch-esl-rs-2023.txt")
	s = strings.ReplaceAll(s, "c8130d8b-2109-47eb-bdbc-a8f7159f2821", uuid)
	var extra strings.Builder
	for k, v := range vars {
		extra.WriteString("variable_" + k + ": " + fsEncode(v) + "\n")
	}
	return strings.Replace(s, "Content-Type: command/reply\n", extra.String()+"Content-Type: command/reply\n", 1)
}
