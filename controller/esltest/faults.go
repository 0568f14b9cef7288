package esltest

import (
	"sync/atomic"
	"time"
)

// Faults are misbehaviours a test can switch on to exercise the client's
// error paths. The zero value means a well-behaved FreeSWITCH.
type Faults struct {
	// ReplyDelay delays every command/reply and api/response frame (a late
	// reply, to trigger client timeouts).
	ReplyDelay time.Duration
	// DropAfterCommands closes each connection abruptly (no disconnect
	// notice, like a crash or a reset) when it sends its Nth command
	// counted from SetFaults; 0 disables it.
	DropAfterCommands int
	// LogData sends one log/data frame to every connection, at once for the
	// connected ones and right after auth for new ones (eslgo's read loop
	// stops on it, doc 7.3 point 3).
	LogData bool
	// RudeRejection answers new connections with text/rude-rejection and
	// closes them, as an inbound ACL does.
	RudeRejection bool
	// Stall makes every connection stop sending (replies and events) for
	// this long from SetFaults, as a hung FreeSWITCH would; traffic
	// resumes afterwards.
	Stall time.Duration
}

// faultState is the active Faults plus what SetFaults started.
type faultState struct {
	Faults
	gen        int64
	stallUntil time.Time
}

// connFaults is one connection's view of the fault generation.
type connFaults struct {
	gen      int64
	commands int
}

var faultGen atomic.Int64

// SetFaults replaces the active fault knobs.
func (s *Server) SetFaults(f Faults) {
	st := &faultState{Faults: f, gen: faultGen.Add(1)}
	if f.Stall > 0 {
		st.stallUntil = time.Now().Add(f.Stall)
	}
	s.faults.Store(st)
	if f.LogData {
		s.post(func(w *world) {
			for c := range w.conns {
				c.deliverRaw(logDataFrame("[DEBUG] switch_core_state_machine.c:584 simulated log line\n"), false)
			}
		})
	}
}

func (s *Server) currentFaults() *faultState { return s.faults.Load() }

// countCommand counts a command against DropAfterCommands; true means the
// connection must die now, without a reply.
func (c *conn) countCommand() bool {
	f := c.s.currentFaults()
	if c.faults.gen != f.gen {
		c.faults = connFaults{gen: f.gen}
	}
	c.faults.commands++
	if f.DropAfterCommands > 0 && c.faults.commands >= f.DropAfterCommands {
		c.abort()
		return true
	}
	return false
}

func (c *conn) faultDelay() {
	if d := c.s.currentFaults().ReplyDelay; d > 0 {
		select {
		case <-time.After(d):
		case <-c.quit:
		}
	}
}

// stall holds the writer while a Stall fault is active.
func (c *conn) stall() {
	if d := time.Until(c.s.currentFaults().stallUntil); d > 0 {
		select {
		case <-time.After(d):
		case <-c.quit:
		}
	}
}

// injectFaultFrames sends the log/data frame to a newly authed connection.
func (c *conn) injectFaultFrames() {
	if c.s.currentFaults().LogData {
		c.send(outFrame{data: logDataFrame("[DEBUG] mod_event_socket.c:2711 simulated log line\n")})
	}
}
