package controller

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeFS is a bare ESL server for the ingest benchmark and the pacing
// tests: it authenticates, answers commands with fixed replies, and lets
// the test write event frames straight to the subscribed connection, so
// the measurement is eslgo plus the controller, not a simulated world.
type fakeFS struct {
	ln      net.Listener
	mu      sync.Mutex
	evtConn net.Conn
	subbed  chan struct{}
	bgapis  atomic.Int64
	onBgapi func(cmd string)
	seq     atomic.Uint64
	// arrivals lists the first line of every api and bgapi command in the
	// order they arrived, over all connections.
	arrivalMu sync.Mutex
	arrivals  []string
	closeAll  sync.WaitGroup
}

func startFakeFS(t testing.TB) *fakeFS {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeFS{ln: ln, subbed: make(chan struct{}, 16)}
	go f.accept()
	t.Cleanup(func() { ln.Close() })
	return f
}

func (f *fakeFS) addr() string { return f.ln.Addr().String() }

func (f *fakeFS) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		go f.serve(c)
	}
}

func (f *fakeFS) serve(c net.Conn) {
	defer c.Close()
	var wmu sync.Mutex
	write := func(s string) {
		wmu.Lock()
		defer wmu.Unlock()
		_, _ = c.Write([]byte(s))
	}
	write("Content-Type: auth/request\n\n")
	r := bufio.NewReader(c)
	for {
		cmd, err := readCommand(r)
		if err != nil {
			return
		}
		first := strings.SplitN(cmd, "\n", 2)[0]
		if strings.HasPrefix(first, "api ") || strings.HasPrefix(first, "bgapi ") {
			f.arrivalMu.Lock()
			f.arrivals = append(f.arrivals, first)
			f.arrivalMu.Unlock()
		}
		switch {
		case strings.HasPrefix(first, "auth "):
			write("Content-Type: command/reply\nReply-Text: +OK accepted\n\n")
		case strings.HasPrefix(first, "event "):
			f.mu.Lock()
			f.evtConn = c
			f.mu.Unlock()
			write("Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n")
			f.subbed <- struct{}{}
		case strings.HasPrefix(first, "bgapi "):
			f.bgapis.Add(1)
			if f.onBgapi != nil {
				f.onBgapi(cmd)
			}
			job := jobHeader(cmd)
			write("Content-Type: command/reply\nReply-Text: +OK Job-UUID: " + job + "\nJob-UUID: " + job + "\n\n")
		case strings.HasPrefix(first, "api module_exists "):
			write(apiResponse("true"))
		case strings.HasPrefix(first, "api show channels"):
			write(apiResponse("{\"row_count\": 0}\n"))
		case strings.HasPrefix(first, "api "):
			write(apiResponse("+OK\n"))
		default:
			write("Content-Type: command/reply\nReply-Text: -ERR command not found\n\n")
		}
	}
}

// arrived returns the commands received so far whose first line starts
// with prefix, and the position of each among all api/bgapi commands.
func (f *fakeFS) arrived(prefix string) []int {
	f.arrivalMu.Lock()
	defer f.arrivalMu.Unlock()
	var at []int
	for i, c := range f.arrivals {
		if strings.HasPrefix(c, prefix) {
			at = append(at, i)
		}
	}
	return at
}

func apiResponse(body string) string {
	return fmt.Sprintf("Content-Type: api/response\nContent-Length: %d\n\n%s", len(body), body)
}

func jobHeader(cmd string) string {
	for _, l := range strings.Split(cmd, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "Job-UUID: "); ok {
			return v
		}
	}
	return "none"
}

// readCommand reads one client command: lines up to an empty line.
func readCommand(r *bufio.Reader) (string, error) {
	var lines []string
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			if len(lines) == 0 {
				continue
			}
			return strings.Join(lines, "\n"), nil
		}
		lines = append(lines, l)
	}
}

// eventFrame renders one text/event-plain frame with the next sequence.
func (f *fakeFS) eventFrame(name, uuid string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Event-Name: %s\nCore-UUID: fake-core\nEvent-Date-Timestamp: 1700000000000000\nEvent-Sequence: %d\n", name, f.seq.Add(1))
	if uuid != "" {
		fmt.Fprintf(&b, "Unique-ID: %s\n", uuid)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		fmt.Fprintf(&b, "%s: %s\n", extra[i], extra[i+1])
	}
	b.WriteString("\n")
	body := b.String()
	return fmt.Sprintf("Content-Length: %d\nContent-Type: text/event-plain\n\n%s", len(body), body)
}

// send writes frames to the subscribed event connection.
func (f *fakeFS) send(frames string) error {
	f.mu.Lock()
	c := f.evtConn
	f.mu.Unlock()
	if c == nil {
		return fmt.Errorf("no event connection")
	}
	_, err := c.Write([]byte(frames))
	return err
}

// jobFrame renders a BACKGROUND_JOB event whose body is the job's output.
func (f *fakeFS) jobFrame(job, out string) string {
	hdr := fmt.Sprintf("Event-Name: BACKGROUND_JOB\nCore-UUID: fake-core\nEvent-Sequence: %d\nJob-UUID: %s\nJob-Command: originate\nContent-Length: %d\n\n",
		f.seq.Add(1), job, len(out))
	body := hdr + out
	return fmt.Sprintf("Content-Length: %d\nContent-Type: text/event-plain\n\n%s", len(body), body)
}

// answerOriginates makes every originate succeed at once and hang up,
// firing the events a real switch would, so calls finish and free their
// pending slots.
func (f *fakeFS) answerOriginates() {
	var mu sync.Mutex // keep each call's frames together and in sequence order
	f.onBgapi = func(cmd string) {
		uuid := between(cmd, "origination_uuid=", "]")
		job := jobHeader(cmd)
		mu.Lock()
		defer mu.Unlock()
		frames := f.eventFrame("CHANNEL_CREATE", uuid) + f.eventFrame("CHANNEL_ANSWER", uuid) +
			f.jobFrame(job, "+OK "+uuid+"\n") +
			f.eventFrame("CHANNEL_HANGUP_COMPLETE", uuid, "Hangup-Cause", "NORMAL_CLEARING") +
			f.eventFrame("CHANNEL_DESTROY", uuid)
		_ = f.send(frames)
	}
}

func between(s, from, to string) string {
	_, after, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, to)
	return v
}

// heartbeat sends one HEARTBEAT event to the subscribed connection.
func (f *fakeFS) heartbeat() error {
	return f.send(f.eventFrame("HEARTBEAT", "", "Event-Info", "System%20Ready"))
}
