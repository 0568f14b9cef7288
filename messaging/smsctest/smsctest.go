// Package smsctest is a real SMSC on loopback for tests, built on
// github.com/devyx-tech/go-smpp's smpptest server: it binds transceivers,
// answers submit_sm with a message id, sends a delivery receipt by
// deliver_sm when one is asked for, answers enquire_link, can refuse a
// destination, hold its answers (to see the client's window) and drop every
// connection (to see it reconnect).
//
// Destinations decide the outcome: one starting with "000" or ending in
// "0000" is refused with ESME_RINVDSTADR (0x0B); one ending in "4444" is accepted and then reported
// UNDELIV with err:011 in its receipt.
package smsctest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devyx-tech/go-smpp/smpp/pdu"
	"github.com/devyx-tech/go-smpp/smpp/pdu/pdufield"
	"github.com/devyx-tech/go-smpp/smpp/smpptest"
)

// Credentials the server accepts.
const (
	SystemID = "bankcc"
	Password = "smpp-pw"
)

// Submit is one submit_sm as received.
type Submit struct {
	Source, Dest string
	DataCoding   byte
	ESMClass     byte
	Text         []byte // the short message, UDH taken off
	// Concatenation (UDH IE 0x00): reference, parts, this part (1-based);
	// all zero for a single message.
	Ref, Total, Part byte
	MessageID        string
	Registered       bool
}

// Server is the running SMSC.
type Server struct {
	Addr string

	srv  *smpptest.Server
	mu   sync.Mutex
	subs []Submit
	held []func()
	hold bool
	conn map[smpptest.Conn]*sync.Mutex
	next int
	enq  int
}

// Start runs an SMSC until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{conn: map[smpptest.Conn]*sync.Mutex{}}
	s.srv = smpptest.NewUnstartedServer()
	s.srv.User, s.srv.Passwd = SystemID, Password
	s.srv.Handler = s.handle
	s.srv.Start()
	s.Addr = s.srv.Addr()
	t.Cleanup(func() {
		s.srv.Close()
		s.Drop()
	})
	return s
}

// Submits lists the submit_sm received so far.
func (s *Server) Submits() []Submit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submit(nil), s.subs...)
}

// EnquireLinks counts the enquire_link received.
func (s *Server) EnquireLinks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enq
}

// Hold keeps the answers to submit_sm until Release.
func (s *Server) Hold() {
	s.mu.Lock()
	s.hold = true
	s.mu.Unlock()
}

// Held counts the submit_sm waiting for their answer.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.held)
}

// Release answers every held submit_sm and stops holding.
func (s *Server) Release() {
	s.mu.Lock()
	held := s.held
	s.held, s.hold = nil, false
	s.mu.Unlock()
	for _, f := range held {
		f()
	}
}

// Drop closes every client connection (the listener stays).
func (s *Server) Drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conn {
		_ = c.Close()
		delete(s.conn, c)
	}
}

// write sends p on c; writes from the handler and from Release share c.
func (s *Server) write(c smpptest.Conn, p pdu.Body) {
	s.mu.Lock()
	mu := s.conn[c]
	s.mu.Unlock()
	if mu == nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	_ = c.Write(p)
}

func (s *Server) handle(c smpptest.Conn, p pdu.Body) {
	s.mu.Lock()
	if s.conn[c] == nil {
		s.conn[c] = &sync.Mutex{}
	}
	s.mu.Unlock()
	switch p.Header().ID {
	case pdu.EnquireLinkID:
		s.mu.Lock()
		s.enq++
		s.mu.Unlock()
		s.write(c, pdu.NewEnquireLinkRespSeq(p.Header().Seq))
	case pdu.UnbindID:
		s.write(c, pdu.NewUnbindRespSeq(p.Header().Seq))
	case pdu.SubmitSMID:
		s.submit(c, p)
	}
}

func (s *Server) submit(c smpptest.Conn, p pdu.Body) {
	sub := parseSubmit(p.Fields())
	resp := pdu.NewSubmitSMRespSeq(p.Header().Seq)
	refused := strings.HasPrefix(sub.Dest, "000") || strings.HasSuffix(sub.Dest, "0000")
	s.mu.Lock()
	s.next++
	if refused {
		resp.Header().Status = pdu.InvalidDestinationAddress
	} else {
		sub.MessageID = fmt.Sprintf("m%06d", s.next)
		_ = resp.Fields().Set(pdufield.MessageID, sub.MessageID)
	}
	s.subs = append(s.subs, sub)
	answer := func() {
		s.write(c, resp)
		if !refused && sub.Registered {
			s.write(c, receipt(sub))
		}
	}
	if s.hold {
		s.held = append(s.held, answer)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	answer()
}

func parseSubmit(f pdufield.Map) Submit {
	b := func(n pdufield.Name) byte {
		if v := f[n]; v != nil && len(v.Bytes()) > 0 {
			return v.Bytes()[0]
		}
		return 0
	}
	str := func(n pdufield.Name) string {
		if v := f[n]; v != nil {
			return v.String()
		}
		return ""
	}
	sub := Submit{Source: str(pdufield.SourceAddr), Dest: str(pdufield.DestinationAddr), DataCoding: b(pdufield.DataCoding),
		ESMClass: b(pdufield.ESMClass), Registered: b(pdufield.RegisteredDelivery)&1 == 1}
	if v := f[pdufield.ShortMessage]; v != nil {
		sub.Text = append([]byte(nil), v.Bytes()...)
	}
	if l, ok := f[pdufield.GSMUserData].(*pdufield.UDHList); ok {
		for _, h := range l.Data {
			if d := h.IEData.Data; h.IEI.Data == 0x00 && len(d) == 3 { // Data: Bytes() adds a NUL
				sub.Ref, sub.Total, sub.Part = d[0], d[1], d[2]
			}
		}
	}
	return sub
}

// receipt is the SMSC delivery receipt for sub (SMPP 3.4 appendix B text).
func receipt(sub Submit) pdu.Body {
	stat, errc := "DELIVRD", "000"
	if n := len(sub.Dest); n >= 4 && sub.Dest[n-4:] == "4444" {
		stat, errc = "UNDELIV", "011"
	}
	now := time.Now().Format("0601021504")
	text := fmt.Sprintf("id:%s sub:001 dlvrd:001 submit date:%s done date:%s stat:%s err:%s text:", sub.MessageID, now, now, stat, errc)
	d := pdu.NewDeliverSM()
	f := d.Fields()
	_ = f.Set(pdufield.SourceAddr, sub.Dest)
	_ = f.Set(pdufield.DestinationAddr, sub.Source)
	_ = f.Set(pdufield.ESMClass, uint8(0x04))
	_ = f.Set(pdufield.ShortMessage, []byte(text))
	return d
}
