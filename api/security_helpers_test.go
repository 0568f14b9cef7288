package api

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
	"golang.org/x/crypto/bcrypt"
)

// The security suite: one test (or a few) per hole of issue 8, each
// reproducing the attack; run it with go test -run Security ./api/ ./store/.

// reqOpts shape a request beyond what harness.raw sends.
type reqOpts struct {
	token       string // bearer token
	remote      string // client address (host:port); httptest's 192.0.2.1:1234 when empty
	contentType string // "-" sends none
	headers     map[string]string
	cookies     []*http.Cookie
	body        any
	tls         bool
}

func (h *harness) send(method, path string, o reqOpts) *httptest.ResponseRecorder {
	h.t.Helper()
	var r io.Reader
	switch b := o.body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		r = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, r)
	switch o.contentType {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", o.contentType)
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	if o.remote != "" {
		req.RemoteAddr = o.remote
	}
	for k, v := range o.headers {
		req.Header.Set(k, v)
	}
	for _, c := range o.cookies {
		req.AddCookie(c)
	}
	if o.tls {
		req.TLS = &tls.ConnectionState{}
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

func (h *harness) login(name, password, remote string) *httptest.ResponseRecorder {
	return h.send("POST", "/api/v1/auth/login", reqOpts{remote: remote, body: loginRequest{Username: name, Password: password}})
}

// countingHasher counts password compares: all of them, and those against
// one real hash (the account under attack), i.e. guesses evaluated. Only
// those run bcrypt; the dummy-hash compares fail at once (fast under -race).
type countingHasher struct {
	mu     sync.Mutex
	target string
	real   atomic.Int64
	all    atomic.Int64
}

func (c *countingHasher) aim(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.target = hash
	c.real.Store(0)
}

func (c *countingHasher) Compare(hash, pw []byte) error {
	c.all.Add(1)
	c.mu.Lock()
	target := c.target
	c.mu.Unlock()
	if target != "" && string(hash) != target {
		return bcrypt.ErrMismatchedHashAndPassword
	}
	c.real.Add(1)
	return bcrypt.CompareHashAndPassword(hash, pw)
}

// noLimits turns the rate limiter off, for tests that attack something else.
func noLimits(c *Config) { c.RateLimits = &RateLimits{} }

// burst runs n calls of fn at once and waits for them all.
func burst(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// auditRows returns the audit entries matching q (a query string).
func (h *harness) auditRows(q string) []store.AuditEntry {
	h.t.Helper()
	var out list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?page_size=500&"+q, h.tokens[store.RoleAdmin], nil, 200, &out)
	return out.Items
}

func cookieNamed(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func mustUser(t *testing.T, h *harness, name string) *store.User {
	t.Helper()
	u, err := h.srv.store.UserByUsername(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func storeWith(h store.PasswordHasher) storetest.Options { return storetest.Options{Hasher: h} }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
