package messaging

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// SMPPConfig is one SMSC bind (config keys sms.smpp.*).
type SMPPConfig struct {
	Address    string // host:port
	SystemID   string
	Password   string
	SourceAddr string // the sender number or short code
	// Window is how many submit_sm may wait for their answer at once
	// (default 10); PerSecond caps submits a second (0: none).
	Window      int
	PerSecond   float64
	EnquireLink time.Duration // default 30 s
	Rebind      time.Duration // wait before binding again after a loss; default 5 s
	Timeout     time.Duration // longest wait for a submit_sm_resp; default 30 s
}

// Validate names the first missing setting.
func (c *SMPPConfig) Validate() error {
	switch {
	case c.Address == "":
		return errors.New("sms.smpp.address is required (host:port)")
	case c.SystemID == "":
		return errors.New("sms.smpp.system_id is required")
	case c.Window < 0 || c.Window > 255:
		return fmt.Errorf("sms.smpp.window %d: must be 1-255", c.Window)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Window == 0 {
		c.Window = 10
	}
	def(&c.EnquireLink, 30*time.Second)
	def(&c.Rebind, 5*time.Second)
	def(&c.Timeout, 30*time.Second)
	return nil
}

// SMPP sends SMS over one SMPP 3.4 transceiver bind: submit_sm in GSM 7-bit
// or UCS-2, long texts in concatenated parts (UDH), a window of requests in
// flight, enquire_link, delivery receipts from deliver_sm, and a new bind
// after a loss (gosmpp's rebinding; a bind that cannot be made at start is
// tried again in the background).
type SMPP struct {
	cfg      SMPPConfig
	log      *slog.Logger
	receipts Receipts
	limit    *limiter
	window   chan struct{}

	mu      sync.Mutex
	sess    *gosmpp.Session
	waiting map[int32]chan submitAnswer
	closed  bool
	stop    chan struct{}
	done    chan struct{}
}

type submitAnswer struct {
	id     string
	status data.CommandStatusType
	err    error
}

// NewSMPP starts binding to the SMSC; receipts hears delivery receipts.
func NewSMPP(cfg SMPPConfig, receipts Receipts, log *slog.Logger) (*SMPP, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("messaging: smpp: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if receipts == nil {
		receipts = func(Receipt) {}
	}
	s := &SMPP{cfg: cfg, log: log, receipts: receipts, limit: newLimiter(cfg.PerSecond),
		window: make(chan struct{}, cfg.Window), waiting: map[int32]chan submitAnswer{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go s.bind()
	return s, nil
}

// Name implements Sender.
func (s *SMPP) Name() string { return "smpp" }

// bind makes the first bind, trying again every Rebind until it holds or
// Close; later losses are gosmpp's to rebind.
func (s *SMPP) bind() {
	defer close(s.done)
	auth := gosmpp.Auth{SMSC: s.cfg.Address, SystemID: s.cfg.SystemID, Password: s.cfg.Password}
	settings := gosmpp.Settings{
		EnquireLink: s.cfg.EnquireLink,
		ReadTimeout: 3 * s.cfg.EnquireLink,
		OnPDU:       s.onPDU,
		OnClosed: func(st gosmpp.State) {
			s.log.Warn("smpp: bind lost", "smsc", s.cfg.Address, "state", st.String())
			s.failWaiting(fmt.Errorf("bind lost (%s)", st.String()))
		},
		OnRebindingError: func(err error) { s.log.Warn("smpp: rebind", "smsc", s.cfg.Address, "err", err) },
		OnReceivingError: func(err error) { s.log.Debug("smpp: receive", "smsc", s.cfg.Address, "err", err) },
		OnSubmitError: func(p pdu.PDU, err error) {
			s.answer(p.GetHeader().SequenceNumber, submitAnswer{err: err})
		},
	}
	for {
		sess, err := gosmpp.NewSession(gosmpp.TRXConnector(gosmpp.NonTLSDialer, auth), settings, s.cfg.Rebind)
		if err == nil {
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				_ = sess.Close()
				return
			}
			s.sess = sess
			s.mu.Unlock()
			s.log.Info("smpp: bound", "smsc", s.cfg.Address, "window", s.cfg.Window)
			return
		}
		s.log.Warn("smpp: bind", "smsc", s.cfg.Address, "err", err) // gosmpp's bind errors carry no password
		select {
		case <-s.stop:
			return
		case <-time.After(s.cfg.Rebind):
		}
	}
}

// Close unbinds.
func (s *SMPP) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	sess := s.sess
	s.mu.Unlock()
	<-s.done
	if sess != nil {
		return sess.Close()
	}
	return nil
}

// Send submits the text (the sign name first, as Chinese operators require)
// in as many parts as it needs; the first part's message id is the
// provider id, and its receipt the message's.
func (s *SMPP) Send(ctx context.Context, m Outgoing) (Sent, error) {
	parts, err := s.parts(m)
	if err != nil {
		return Sent{}, err
	}
	ids := make([]string, len(parts))
	for i, p := range parts {
		id, err := s.submit(ctx, p)
		if err != nil {
			return Sent{}, fmt.Errorf("messaging: sms to %s part %d/%d: %w", m.To, i+1, len(parts), err)
		}
		ids[i] = id
	}
	return Sent{ProviderID: ids[0], Parts: len(parts)}, nil
}

// submit sends one submit_sm inside the window and waits for its answer.
func (s *SMPP) submit(ctx context.Context, p *pdu.SubmitSM) (string, error) {
	select {
	case s.window <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-s.window }()
	if err := s.limit.wait(ctx); err != nil {
		return "", err
	}
	s.mu.Lock()
	sess := s.sess
	seq := p.GetHeader().SequenceNumber
	ch := make(chan submitAnswer, 1)
	s.waiting[seq] = ch
	s.mu.Unlock()
	defer s.forget(seq)
	if sess == nil {
		return "", &Failure{Code: "unbound", Text: "not bound to " + s.cfg.Address}
	}
	if err := sess.Transceiver().Submit(p); err != nil {
		return "", &Failure{Code: "submit", Text: err.Error()}
	}
	t := time.NewTimer(s.cfg.Timeout)
	defer t.Stop()
	select {
	case a := <-ch:
		return a.id, classifySMPP(a)
	case <-t.C:
		return "", &Failure{Code: "timeout", Text: "no submit_sm_resp within " + s.cfg.Timeout.String()}
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (s *SMPP) forget(seq int32) {
	s.mu.Lock()
	delete(s.waiting, seq)
	s.mu.Unlock()
}

func (s *SMPP) answer(seq int32, a submitAnswer) {
	s.mu.Lock()
	ch := s.waiting[seq]
	delete(s.waiting, seq)
	s.mu.Unlock()
	if ch != nil {
		ch <- a
	}
}

// failWaiting answers every submit in flight when the bind goes: their
// answers will never come on a new bind.
func (s *SMPP) failWaiting(err error) {
	s.mu.Lock()
	w := s.waiting
	s.waiting = map[int32]chan submitAnswer{}
	s.mu.Unlock()
	for _, ch := range w {
		ch <- submitAnswer{err: err}
	}
}

// onPDU is gosmpp's callback for what the SMSC sends (it has already
// answered deliver_sm and enquire_link).
func (s *SMPP) onPDU(p pdu.PDU, _ bool) {
	switch p := p.(type) {
	case *pdu.SubmitSMResp:
		s.answer(p.SequenceNumber, submitAnswer{id: p.MessageID, status: p.CommandStatus})
	case *pdu.DeliverSM:
		if p.EsmClass&data.SM_SMSC_DLV_RCPT_TYPE == 0 {
			return // a mobile-originated message: not ours to handle
		}
		text, err := p.Message.GetMessage()
		if err != nil {
			s.log.Warn("smpp: unreadable receipt", "err", err)
			return
		}
		if r, ok := ParseReceipt(text); ok {
			r.Provider, r.At = "smpp", time.Now()
			s.receipts(r)
		}
	}
}

// classifySMPP: a refused destination is permanent; everything else the
// SMSC refuses (queue full, throttled, system error) is worth a retry.
func classifySMPP(a submitAnswer) error {
	if a.err != nil {
		return &Failure{Code: "bind", Text: a.err.Error()}
	}
	switch a.status {
	case data.ESME_ROK:
		return nil
	case data.ESME_RINVDSTADR, data.ESME_RINVDSTTON, data.ESME_RINVDSTNPI:
		return &Failure{Permanent: true, Code: fmt.Sprintf("0x%08X", uint32(a.status)), Text: a.status.Desc()}
	}
	return &Failure{Code: fmt.Sprintf("0x%08X", uint32(a.status)), Text: a.status.Desc()}
}
