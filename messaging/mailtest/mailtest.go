// Package mailtest is a real SMTP server on loopback for tests (emersion
// go-smtp): STARTTLS or implicit TLS with a certificate made at start, AUTH
// PLAIN, and recipients that are refused (5xx) or deferred (4xx) by their
// local part. Received messages are kept in order and announced on a channel.
package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Recipients with these local parts get a refusal: "refuse" 550, "defer" 451.
const (
	RefuseLocal = "refuse"
	DeferLocal  = "defer"
)

// Options shape the server.
type Options struct {
	Username, Password string // AUTH PLAIN required when set
	TLS                string // "", "starttls" or "tls"
}

// Message is one received e-mail.
type Message struct {
	From string
	To   []string
	Data []byte
	Auth string // the user that authenticated
}

// Parsed reads the message's headers and body.
func (m Message) Parsed() (*mail.Message, error) {
	return mail.ReadMessage(strings.NewReader(string(m.Data)))
}

// Server is the running peer.
type Server struct {
	Addr      string
	Host      string
	Port      int
	ClientTLS *tls.Config // trusts the server's certificate
	Received  chan Message

	srv  *smtp.Server
	mu   sync.Mutex
	msgs []Message
}

// Start runs a server on 127.0.0.1:0 until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{Received: make(chan Message, 10000)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s, o: o}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = o.TLS == ""
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	var l net.Listener
	var err error
	if o.TLS != "" {
		cert, pool := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.ClientTLS = &tls.Config{RootCAs: pool, ServerName: "localhost"}
	}
	if o.TLS == "tls" {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.srv, s.Addr = srv, l.Addr().String()
	s.Host = "localhost"
	s.Port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages lists what arrived so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the next message, failing the test after d.
func (s *Server) Wait(t testing.TB, d time.Duration) Message {
	t.Helper()
	select {
	case m := <-s.Received:
		return m
	case <-time.After(d):
		t.Fatalf("mailtest: no message within %s", d)
		return Message{}
	}
}

type session struct {
	s    *Server
	o    Options
	auth string
	cur  Message
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.o.Username || pass != x.o.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		x.auth = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.o.Username != "" && x.auth == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	x.cur = Message{From: from, Auth: x.auth}
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	local, _, _ := strings.Cut(to, "@")
	switch local {
	case RefuseLocal:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	case DeferLocal:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.cur.To = append(x.cur.To, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(x.cur.To) == 0 {
		return errors.New("no recipient")
	}
	x.cur.Data = b
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, x.cur)
	x.s.mu.Unlock()
	select {
	case x.s.Received <- x.cur:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.cur = Message{} }
func (x *session) Logout() error { return nil }

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}
