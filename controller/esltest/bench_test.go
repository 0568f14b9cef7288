package esltest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// benchClient is a minimal ESL reader that counts event frames, so the
// benchmark measures the simulator, not a client library.
type benchClient struct {
	nc      net.Conn
	r       *bufio.Reader
	discard bool // skip event bodies instead of copying them
	length  int
}

func benchDial(b *testing.B, s *Server, subscribe string) *benchClient {
	nc, err := net.Dial("tcp", s.Addr())
	if err != nil {
		b.Fatal(err)
	}
	c := &benchClient{nc: nc, r: bufio.NewReaderSize(nc, 1<<20)}
	c.frame()
	fmt.Fprintf(nc, "auth ClueCon\n\n%s\n\n", subscribe)
	c.frame()
	c.frame()
	return c
}

// frame reads one frame and returns its Content-Type and body.
func (c *benchClient) frame() (string, []byte, error) {
	ctype, length := "", 0
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return "", nil, err
		}
		if len(line) == 1 {
			break
		}
		if v, ok := bytes.CutPrefix(line[:len(line)-1], []byte("Content-Length: ")); ok {
			length, _ = strconv.Atoi(string(v))
		} else if v, ok := bytes.CutPrefix(line[:len(line)-1], []byte("Content-Type: ")); ok {
			ctype = string(v)
		}
	}
	if ctype == "text/event-plain" && c.discard {
		_, err := c.r.Discard(length)
		c.length = length
		return ctype, nil, err
	}
	c.length = length
	body := make([]byte, length)
	_, err := io.ReadFull(c.r, body)
	return ctype, body, err
}

// BenchmarkEventsToOneConnection measures how many plain events per second
// the simulator pushes to one subscribed connection (CHANNEL_EXECUTE /
// EXECUTE_COMPLETE with ~150 headers, ~4.5 KB each).
func BenchmarkEventsToOneConnection(b *testing.B) {
	s, err := Start(context.Background(), Options{HeartbeatInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := benchDial(b, s, "event plain ALL")
	c.discard = true
	defer c.nc.Close()
	b.ResetTimer()
	start := time.Now()
	done := make(chan int64)
	var received atomic.Int64
	go func() {
		var total int64
		for i := 0; i < b.N; i++ {
			if _, _, err := c.frame(); err != nil {
				b.Error(err)
				break
			}
			total += int64(c.length)
			received.Add(1)
		}
		done <- total
	}()
	for sent := 0; sent < b.N; sent += 5000 {
		// stay well inside the 100000-event queue: FreeSWITCH (and the
		// simulator) drop a listener that falls too far behind.
		for int64(sent)-received.Load() > 50000 {
			time.Sleep(time.Millisecond)
		}
		s.Burst(min(5000, b.N-sent))
	}
	total := <-done
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(total)/float64(b.N), "bytes/event")
}

// BenchmarkOriginates measures bgapi originates per second to answered,
// parked legs (ring time zero), with BACKGROUND_JOB results read back.
func BenchmarkOriginates(b *testing.B) {
	sc := DefaultScenario()
	sc.Numbers = []NumberRule{{Weights: map[Outcome]int{OutcomeAnswer: 1}}}
	sc.Gateways = []Gateway{{Name: "gw1"}}
	s, err := Start(context.Background(), Options{Scenario: sc, HeartbeatInterval: -1, TimeScale: 0.05})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := benchDial(b, s, "event plain BACKGROUND_JOB")
	defer c.nc.Close()
	b.ResetTimer()
	start := time.Now()
	go func() {
		w := bufio.NewWriter(c.nc)
		for i := 0; i < b.N; i++ {
			fmt.Fprintf(w, "bgapi originate {origination_uuid=bench-%d}sofia/gateway/gw1/1380000%04d &park()\n\n", i, i%10000)
		}
		_ = w.Flush()
	}()
	ok := 0
	for jobs := 0; jobs < b.N; {
		ctype, body, err := c.frame()
		if err != nil {
			b.Fatal(err)
		}
		if ctype == "text/event-plain" {
			jobs++
			if strings.Contains(string(body), "\n\n+OK ") {
				ok++
			} else if b.N-jobs < 3 || jobs < 3 {
				b.Logf("failed job: %s", body[bytes.LastIndex(body, []byte("\n\n")):])
			}
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "originates/s")
	if ok != b.N {
		b.Errorf("%d of %d originates succeeded", ok, b.N)
	}
}

// BenchmarkEventBuildAndSerialize is the CPU cost of one channel event
// (build in the world + plain serialization), without sockets.
func BenchmarkEventBuildAndSerialize(b *testing.B) {
	s := &Server{opts: withDefaults(Options{})}
	w := newWorld(s, DefaultScenario())
	ch := w.newChannel("bench", "sofia/external/13800138000", "outbound",
		profile{direction: "outbound", dialplan: "XML", cidName: "Bank", cidNum: "95500",
			calleeName: "Outbound Call", calleeNum: "13800138000", dest: "13800138000",
			source: "mod_sofia", context: "default", networkAddr: "127.0.0.1"})
	ch.media = true
	for i := 0; i < 40; i++ {
		ch.vars.set("sim_var_"+itoa(i), "value "+itoa(i))
	}
	call := appCall{name: "playback", arg: "ivr/ivr-welcome.wav", appUUID: "app"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e := w.channelEvent("CHANNEL_EXECUTE", ch, nil, []header{{"Application", call.name}})
		e.plainFrame()
	}
}
