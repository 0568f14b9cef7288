package messaging

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
)

// TLSMode is how the SMTP connection is protected.
type TLSMode string

const (
	TLSNone     TLSMode = "none"     // plain SMTP (a relay on the bank's own network)
	TLSStartTLS TLSMode = "starttls" // STARTTLS required
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465)
)

// EmailConfig is the SMTP relay and the sender address (config keys
// email.smtp.*, email.from, email.rate_per_s).
type EmailConfig struct {
	Host      string
	Port      int
	Username  string
	Password  string
	TLS       TLSMode
	From      string
	PerSecond float64       // rate limit; 0: none
	Timeout   time.Duration // per SMTP command; default 30 s
	// TLSConfig overrides the default (tests trust their own certificate).
	TLSConfig *tls.Config
}

// Validate names the first missing or wrong setting.
func (c *EmailConfig) Validate() error {
	switch {
	case c.Host == "":
		return errors.New("email.smtp.host is required")
	case c.Port <= 0 || c.Port > 65535:
		return fmt.Errorf("email.smtp.port %d: must be 1-65535", c.Port)
	case c.From == "":
		return errors.New("email.from is required")
	}
	switch c.TLS {
	case TLSNone, TLSStartTLS, TLSImplicit:
	case "":
		c.TLS = TLSStartTLS
	default:
		return fmt.Errorf("email.smtp.tls %q: must be none, starttls or tls", c.TLS)
	}
	return nil
}

// Email sends e-mail through one SMTP relay, over one connection kept open
// between messages and dialed again when it breaks.
type Email struct {
	cfg   EmailConfig
	limit *limiter
	mu    sync.Mutex // one message at a time on the connection
	c     *mail.Client
	up    bool
}

// NewEmail checks the configuration; the first Send connects.
func NewEmail(cfg EmailConfig) (*Email, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("messaging: email: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	}
	if cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(cfg.TLSConfig))
	}
	if cfg.Username != "" {
		// Without TLS the relay sits on the bank's own network; PLAIN in the
		// clear is what such relays take (go-mail refuses it by default).
		mech := mail.SMTPAuthAutoDiscover
		if cfg.TLS == TLSNone {
			mech = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(mech), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	c, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("messaging: email client for %s: %w", cfg.Host, err)
	}
	return &Email{cfg: cfg, limit: newLimiter(cfg.PerSecond), c: c}, nil
}

// Name implements Sender.
func (e *Email) Name() string { return "smtp" }

// Send sends one message; the Message-ID it carries is the provider id.
func (e *Email) Send(ctx context.Context, m Outgoing) (Sent, error) {
	msg, err := e.build(m)
	if err != nil {
		return Sent{}, err
	}
	if err := e.limit.wait(ctx); err != nil {
		return Sent{}, fmt.Errorf("messaging: email to %s: %w", m.To, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.send(ctx, msg); err != nil {
		return Sent{}, classifySMTP(m.To, err)
	}
	return Sent{ProviderID: strings.Trim(msg.GetMessageID(), "<>"), Parts: 1}, nil
}

// send delivers msg on the open connection, dialing first when there is
// none; a connection that broke since the last message is dialed again once.
func (e *Email) send(ctx context.Context, msg *mail.Msg) error {
	for try := 0; ; try++ {
		if !e.up {
			if err := e.c.DialWithContext(ctx); err != nil {
				return err
			}
			e.up = true
		}
		err := e.c.Send(msg)
		if err == nil {
			return nil
		}
		var se *mail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 400 {
			e.reset()
			return err // the server answered: its verdict stands
		}
		_ = e.c.Close()
		e.up = false
		if try > 0 || ctx.Err() != nil {
			return err
		}
	}
}

// reset leaves the connection ready for the next message after a refusal.
func (e *Email) reset() {
	if err := e.c.Reset(); err != nil {
		_ = e.c.Close()
		e.up = false
	}
}

// Close ends the SMTP connection.
func (e *Email) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.up {
		return nil
	}
	e.up = false
	return e.c.Close()
}

func (e *Email) build(m Outgoing) (*mail.Msg, error) {
	if m.To == "" || (m.Text == "" && m.HTML == "") {
		return nil, fmt.Errorf("%w: an e-mail needs a recipient and a text or html body", ErrBadMessage)
	}
	msg := mail.NewMsg()
	if err := msg.From(e.cfg.From); err != nil {
		return nil, fmt.Errorf("%w: email.from %q: %v", ErrBadMessage, e.cfg.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, &Failure{Permanent: true, Code: "address", Text: fmt.Sprintf("recipient %q: %v", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(mail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(mail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(mail.TypeTextPlain, m.Text)
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), attachmentHeaders(a)); err != nil {
			return nil, fmt.Errorf("%w: attachment %q: %v", ErrBadMessage, a.Name, err)
		}
	}
	return msg, nil
}

// classifySMTP turns the server's answer into a Failure: 5xx is permanent
// (the address is refused), 4xx and broken connections are temporary.
func classifySMTP(to string, err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		if code >= 500 && code < 600 {
			return &Failure{Permanent: true, Code: strconv.Itoa(code), Text: fmt.Sprintf("to %s: %v", to, err)}
		}
		if code >= 400 {
			return &Failure{Code: strconv.Itoa(code), Text: fmt.Sprintf("to %s: %v", to, err)}
		}
	}
	return &Failure{Code: "connection", Text: fmt.Sprintf("to %s: %v", to, err)}
}

// attachmentHeaders names the file the way every mail client reads it.
// go-mail writes an RFC 2047 word inside the quoted filename, which
// Outlook and webmail read but RFC 2231 readers (Thunderbird, Apple Mail,
// Go's mime package) do not; so the part carries both: filename="=?UTF-8?B?…?="
// and filename* in RFC 2231 (which wins where it is understood), split
// into continuations and folded so header lines stay under 90 characters
// (SMTP allows 998; a long Chinese name would pass that in one line).
func attachmentHeaders(a Attachment) mail.FileOption {
	ctype := a.ContentType
	if ctype == "" {
		ctype = mime.TypeByExtension(filepath.Ext(a.Name))
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return func(f *mail.File) {
		f.Header.Set("Content-Type", mimeParam(ctype, "name", a.Name))
		f.Header.Set("Content-Disposition", mimeParam("attachment", "filename", a.Name))
	}
}

// mimeParam is a header value "value; param=name" with name encoded for
// both kinds of reader (see attachmentHeaders); an ASCII name is quoted.
func mimeParam(value, param, name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' {
			return '_'
		}
		return r
	}, name)
	parts := []string{value}
	if isASCII(name) {
		parts = append(parts, param+`="`+name+`"`)
		return strings.Join(parts, ";\r\n ")
	}
	words := strings.Split(mime.BEncoding.Encode("UTF-8", name), " ")
	parts = append(parts, param+`="`+strings.Join(words, "\r\n ")+`"`)
	chunks := rfc2231Chunks(name, 60)
	if len(chunks) == 1 {
		parts = append(parts, param+"*=UTF-8''"+chunks[0])
	} else {
		for i, c := range chunks {
			if i == 0 {
				c = "UTF-8''" + c
			}
			parts = append(parts, fmt.Sprintf("%s*%d*=%s", param, i, c))
		}
	}
	return strings.Join(parts, ";\r\n ")
}

// rfc2231Chunks percent-encodes s (RFC 2231 extended value) in pieces of at
// most n characters, never splitting an escape.
func rfc2231Chunks(s string, n int) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		b := s[i]
		piece := string(b)
		if b <= 0x20 || b >= 0x7f || strings.IndexByte(`*'%()<>@,;:\"/[]?={}`, b) >= 0 {
			piece = fmt.Sprintf("%%%02X", b)
		}
		if cur.Len()+len(piece) > n {
			out = append(out, cur.String())
			cur.Reset()
		}
		cur.WriteString(piece)
	}
	return append(out, cur.String())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
