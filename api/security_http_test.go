package api

import (
	"bufio"
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// TestSecurityHole11Headers: every response carries the browser protections.
func TestSecurityHole11Headers(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/", "/app/", "/app/desk", "/ui/app.js", "/api/v1/me", "/api/v1/nope", "/healthz"} {
		rec := h.raw("GET", path, h.tokens[store.RoleAgent], nil)
		want := map[string]string{
			"Content-Security-Policy": contentSecurityPolicy, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "no-referrer", "Permissions-Policy": permissionsPolicy,
		}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("GET %s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
	if !strings.Contains(contentSecurityPolicy, "script-src 'self'") || strings.Contains(contentSecurityPolicy, "unsafe-inline") {
		t.Fatal("the CSP allows inline script")
	}
	for _, page := range []string{"/app/"} {
		body := h.raw("GET", page, "", nil).Body.String()
		if !strings.Contains(body, "<html") || strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "onclick=") {
			t.Fatalf("%s: no page, or inline script or style, which the CSP blocks: %.200s", page, body)
		}
	}
}

// TestSecurityHole11SecureCookie: Secure over TLS and behind a configured
// proxy saying https; not behind an unconfigured one.
func TestSecurityHole11SecureCookie(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.TrustedProxies = []string{"10.9.9.9"}; noLimits(c) }})
	https := map[string]string{"X-Forwarded-Proto": "https"}
	cases := []struct {
		name string
		o    reqOpts
		want bool
	}{
		{"plain http", reqOpts{}, false},
		{"tls", reqOpts{tls: true}, true},
		{"trusted proxy, https", reqOpts{remote: "10.9.9.9:1000", headers: https}, true},
		{"unknown proxy, https", reqOpts{remote: "10.9.9.8:1000", headers: https}, false},
	}
	for _, c := range cases {
		c.o.body = loginRequest{Username: "u_agent", Password: testPassword}
		rec := h.send("POST", "/api/v1/auth/login", c.o)
		for _, name := range []string{sessionCookie, csrfCookie} {
			ck := cookieNamed(rec, name)
			if ck == nil || ck.Secure != c.want || ck.SameSite != http.SameSiteStrictMode {
				t.Errorf("%s: cookie %s = %+v, want Secure %v and SameSite Strict", c.name, name, ck, c.want)
			}
		}
		if sess := cookieNamed(rec, sessionCookie); sess != nil && !sess.HttpOnly {
			t.Errorf("%s: the session cookie is readable by scripts", c.name)
		}
	}
}

// TestSecurityHole11CSRF: a cross-site text/plain POST with the session
// cookie is refused (and changes nothing); JSON, or the CSRF token (needed
// for uploads), passes; bearer clients are not affected.
func TestSecurityHole11CSRF(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	rec := h.login("u_admin", testPassword, officeAddr)
	cookies := []*http.Cookie{cookieNamed(rec, sessionCookie), cookieNamed(rec, csrfCookie)}
	group := `{"name":"csrf","kind":"agent"}`
	refused := []reqOpts{
		{contentType: "text/plain", body: group},
		{contentType: "application/x-www-form-urlencoded", body: group},
		{contentType: "-", body: group},
		{contentType: "text/plain", body: group, headers: map[string]string{"X-CSRF-Token": "forged"}},
	}
	for _, o := range refused {
		o.cookies = cookies
		if rec := h.send("POST", "/api/v1/groups", o); rec.Code != http.StatusForbidden {
			t.Errorf("cookie POST with %q: %d, want 403", o.contentType, rec.Code)
		}
	}
	var groups list[store.Group]
	h.do("GET", "/api/v1/groups", h.tokens[store.RoleAdmin], nil, 200, &groups)
	if groups.Total != 0 {
		t.Fatalf("refused requests created %d groups", groups.Total)
	}
	if rows := h.auditRows("action=group.create"); len(rows) != len(refused) || rows[0].Result != "denied" {
		t.Fatalf("refusals audited: %+v", rows)
	}
	if rec := h.send("POST", "/api/v1/groups", reqOpts{cookies: cookies, body: group}); rec.Code != http.StatusCreated {
		t.Fatalf("cookie POST with JSON: %d %s", rec.Code, rec.Body)
	}
	token := map[string]string{"X-CSRF-Token": cookies[1].Value}
	if rec := h.send("POST", "/api/v1/auth/logout", reqOpts{cookies: cookies, contentType: "-", headers: token}); rec.Code != http.StatusNoContent {
		t.Fatalf("cookie logout with the token: %d", rec.Code)
	}
	if rec := h.send("POST", "/api/v1/groups", reqOpts{token: h.tokens[store.RoleAdmin], contentType: "text/plain", body: `{"name":"bearer","kind":"agent"}`}); rec.Code != http.StatusCreated {
		t.Fatalf("bearer client with text/plain: %d", rec.Code)
	}

	// uploads: multipart needs the token
	rec = h.login("u_admin", testPassword, officeAddr)
	cookies = []*http.Cookie{cookieNamed(rec, sessionCookie), cookieNamed(rec, csrfCookie)}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "x.csv")
	fw.Write([]byte("姓名,手机\n张三,13912345678\n"))
	mw.Close()
	for _, withToken := range []bool{false, true} {
		o := reqOpts{cookies: cookies, contentType: mw.FormDataContentType(), body: buf.Bytes()}
		if withToken {
			o.headers = map[string]string{"X-CSRF-Token": cookies[1].Value}
		}
		rec := h.send("POST", "/api/v1/dnc/import", o)
		if (rec.Code == http.StatusForbidden) == withToken {
			t.Errorf("cookie upload, token %v: %d %s", withToken, rec.Code, rec.Body)
		}
	}
}

// TestSecurityHole12ImportAndExportLimits: imports and exports are rate
// limited per account, with Retry-After.
func TestSecurityHole12ImportAndExportLimits(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) {
		c.RateLimits = &RateLimits{Import: Limit{PerAccount: 2}, Export: Limit{PerAccount: 2}}
	}})
	admin := h.tokens[store.RoleAdmin]
	for _, p := range []string{"/api/v1/campaigns/1/imports/preview", "/api/v1/exports"} {
		var codes []int
		for i := 0; i < 3; i++ {
			codes = append(codes, h.raw("POST", p, admin, "{}").Code)
		}
		if codes[0] == 429 || codes[1] == 429 || codes[2] != 429 {
			t.Errorf("POST %s: %v, want the third refused with 429", p, codes)
		}
	}
	rec := h.raw("POST", "/api/v1/exports", admin, "{}")
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	if rec := h.raw("POST", "/api/v1/exports", h.tokens[store.RoleSupervisor], "{}"); rec.Code == 429 {
		t.Fatal("one account's limit refused another")
	}
}

// TestSecurityHole12SlowBodyIsCut: a body trickled a byte at a time is cut
// once the body deadline passes, and the connection is closed, long before
// the trickle would end.
func TestSecurityHole12SlowBodyIsCut(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.BodyTimeout = time.Second; noLimits(c) }})
	ts := httptest.NewServer(h.h)
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const size = 600 // at a byte every 100 ms: a minute, were it not cut
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
	sent := make(chan int, 1)
	go func() {
		n := 0
		for ; n < size; n++ {
			if _, err := conn.Write([]byte(" ")); err != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		sent <- n
	}()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Minute)) // a bound on waiting, not the property tested
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || !resp.Close {
		t.Fatalf("status %d, close %v; want 408 and the connection closed", resp.StatusCode, resp.Close)
	}
	if n := <-sent; n >= size {
		t.Fatalf("the whole trickled body (%d bytes) was waited for", n)
	}
}

// TestSecurityHole12Metrics: /metrics answers loopback clients, or holders
// of metrics.token; nobody on the main listener when it has its own.
func TestSecurityHole12Metrics(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.MetricsToken = "scrape-secret" }})
	cases := []struct {
		name string
		o    reqOpts
		want int
	}{
		{"remote, no token", reqOpts{remote: attackerAddr}, 403},
		{"remote, wrong token", reqOpts{remote: attackerAddr, headers: map[string]string{"Authorization": "Bearer nope"}}, 403},
		{"remote, token", reqOpts{remote: attackerAddr, headers: map[string]string{"Authorization": "Bearer scrape-secret"}}, 200},
		{"loopback", reqOpts{remote: "127.0.0.1:5000"}, 200},
		{"loopback v6", reqOpts{remote: "[::1]:5000"}, 200},
		{"spoofed loopback", reqOpts{remote: attackerAddr, headers: map[string]string{"X-Forwarded-For": "127.0.0.1"}}, 403},
	}
	for _, c := range cases {
		c.o.contentType = "-"
		if rec := h.send("GET", "/metrics", c.o); rec.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, rec.Code, c.want)
		}
	}
	h = newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.MetricsSeparate = true }})
	if rec := h.send("GET", "/metrics", reqOpts{remote: "127.0.0.1:5000"}); rec.Code != 404 {
		t.Fatalf("with metrics.address, the main listener answers %d", rec.Code)
	}
	rec := httptest.NewRecorder()
	h.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "# TYPE") {
		t.Fatalf("the metrics listener: %d", rec.Code)
	}
}
