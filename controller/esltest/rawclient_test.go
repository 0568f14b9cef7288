package esltest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// patience bounds every wait for something the simulator must do. It is a
// safety net, not a speed expectation: on a busy 2-core machine under -race
// a frame that takes a millisecond when idle can take seconds, so each wait
// ends as soon as its condition holds and fails only when it never does.
const patience = time.Minute

// frame is one server frame as read off the wire by rawClient.
type frame struct {
	headers []header // outer headers in order
	body    string
	raw     string
}

func (f frame) get(name string) string {
	for _, h := range f.headers {
		if h.name == name {
			return h.value
		}
	}
	return ""
}

// rawClient speaks ESL byte for byte, so tests see exactly what the
// simulator writes (eslgo would canonicalise and reorder headers).
type rawClient struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &rawClient{t: t, nc: nc, r: bufio.NewReader(nc)}
}

// authed dials, checks auth/request and authenticates.
func authedRaw(t *testing.T, addr string) *rawClient {
	c := dialRaw(t, addr)
	if f := c.read(); f.get("Content-Type") != "auth/request" {
		t.Fatalf("first frame %q", f.raw)
	}
	c.cmd("auth ClueCon", "+OK accepted")
	return c
}

func (c *rawClient) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatal(err)
	}
}

// read reads the next frame, waiting for it as long as patience allows.
func (c *rawClient) read() frame {
	c.t.Helper()
	f, err := c.tryRead(patience)
	if err != nil {
		c.t.Fatalf("read frame: %v", err)
	}
	return f
}

func (c *rawClient) tryRead(d time.Duration) (frame, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(d))
	var f frame
	var raw strings.Builder
	for {
		line, err := c.r.ReadString('\n')
		raw.WriteString(line)
		if err != nil {
			return f, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ": ")
		f.headers = append(f.headers, header{name, value})
	}
	if n, err := strconv.Atoi(f.get("Content-Length")); err == nil {
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return f, err
		}
		f.body = string(buf)
		raw.Write(buf)
	}
	f.raw = raw.String()
	return f, nil
}

// cmd sends a command and checks the command/reply text.
func (c *rawClient) cmd(line, want string) frame {
	c.t.Helper()
	c.send(line + "\n\n")
	f := c.nextReply()
	if got := f.get("Reply-Text"); got != want {
		c.t.Fatalf("%q: Reply-Text %q, want %q", line, got, want)
	}
	return f
}

// nextReply skips events until a command/reply or api/response arrives.
func (c *rawClient) nextReply() frame {
	c.t.Helper()
	for {
		f := c.read()
		switch f.get("Content-Type") {
		case "command/reply", "api/response", "text/disconnect-notice":
			return f
		}
	}
}

// api runs an api command and returns the body.
func (c *rawClient) api(line string) string {
	c.t.Helper()
	c.send("api " + line + "\n\n")
	f := c.nextReply()
	if f.get("Content-Type") != "api/response" {
		c.t.Fatalf("api %s: got %q", line, f.raw)
	}
	return f.body
}

// eventHeaders parses a text/event-plain body into ordered headers.
func eventHeaders(body string) []header {
	var hs []header
	for _, line := range strings.Split(body, "\n") {
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ": ")
		hs = append(hs, header{name, value})
	}
	return hs
}

// waitEvent reads frames until an event satisfying match arrives; read
// fails the test if the stream goes silent for longer than patience.
func (c *rawClient) waitEvent(what string, match func(hs []header) bool) frame {
	c.t.Helper()
	for {
		f, err := c.tryRead(patience)
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		if f.get("Content-Type") == "text/event-plain" && match(eventHeaders(f.body)) {
			return f
		}
	}
}

// expectClosed checks that the simulator closes the connection with no
// further frame. A connection left open fails after patience, not after a
// guess at how long closing takes.
func (c *rawClient) expectClosed(what string) {
	c.t.Helper()
	f, err := c.tryRead(patience)
	switch {
	case err == nil:
		c.t.Errorf("%s: frame %q instead of a close", what, f.raw)
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.t.Errorf("%s: connection still open", what)
	}
}

func hget(hs []header, name string) string {
	for _, h := range hs {
		if h.name == name {
			return h.value
		}
	}
	return ""
}

func newReader(nc net.Conn) *bufio.Reader { return bufio.NewReader(nc) }
