package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

func TestWebPhoneConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  WebPhoneConfig
		want string // "" valid, else a part of the error
	}{
		{"off", WebPhoneConfig{}, ""},
		{"wss", WebPhoneConfig{WSURL: "wss://fs.bank.example:7443"}, ""},
		{"ws with domain and ice", WebPhoneConfig{WSURL: "ws://127.0.0.1:5066", Domain: "10.0.0.5",
			ICEServers: []ICEServer{{URLs: []string{"stun:stun.bank.example:3478", "turns:turn.bank.example:5349"}, Username: "u", Credential: "c"}}}, ""},
		{"https", WebPhoneConfig{WSURL: "https://fs.bank.example:7443"}, "webphone.ws_url"},
		{"no host", WebPhoneConfig{WSURL: "wss://:7443"}, "webphone.ws_url"},
		{"user info", WebPhoneConfig{WSURL: "wss://a:b@fs:7443"}, "webphone.ws_url"},
		{"domain without url", WebPhoneConfig{Domain: "fs.bank.example"}, "webphone.ws_url is required"},
		{"bad domain", WebPhoneConfig{WSURL: "wss://fs:7443", Domain: "sip:fs"}, "webphone.domain"},
		{"ice without urls", WebPhoneConfig{WSURL: "wss://fs:7443", ICEServers: []ICEServer{{}}}, "webphone.ice_servers[0].urls"},
		{"ice http", WebPhoneConfig{WSURL: "wss://fs:7443", ICEServers: []ICEServer{{URLs: []string{"http://x"}}}}, "webphone.ice_servers[0].urls"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Validate() = %v, want %q", err, c.want)
			}
		})
	}
}

// TestWebPhoneNotConfigured: without webphone.ws_url the route says so
// (404) and the page may only connect to its own origin.
func TestWebPhoneNotConfigured(t *testing.T) {
	h := newHarness(t)
	rec := h.do("GET", "/api/v1/me/webphone", h.tokens[store.RoleAgent], nil, http.StatusNotFound, nil)
	if e := errorOf(t, rec); !strings.Contains(e.Message, "webphone.ws_url") {
		t.Fatalf("message %q does not name webphone.ws_url", e.Message)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); csp != contentSecurityPolicy {
		t.Fatalf("CSP %q", csp)
	}
}

// TestWebPhoneCredentials: an agent with an extension gets the registration
// of that extension with the SIP password the directory serves, uncached,
// audited without the secret, never in the log; an agent without an
// extension gets a 409 saying why; a role without agent_desk a 403.
func TestWebPhoneCredentials(t *testing.T) {
	var logs bytes.Buffer
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c.WebPhone = WebPhoneConfig{WSURL: "wss://fs.bank.example:7443",
			ICEServers: []ICEServer{{URLs: []string{"stun:stun.bank.example:3478"}}}}
	}})
	admin := h.tokens[store.RoleAdmin]

	rec := h.do("GET", "/api/v1/me/webphone", h.tokens[store.RoleAgent], nil, http.StatusConflict, nil)
	if e := errorOf(t, rec); !strings.Contains(e.Message, "no extension") {
		t.Fatalf("409 message %q", e.Message)
	}
	h.do("GET", "/api/v1/me/webphone", h.tokens[store.RoleQA], nil, http.StatusForbidden, nil)

	var created userView
	h.do("POST", "/api/v1/users", admin, userRequest{Username: ptr("webphone_agent"), Password: ptr(testPassword),
		Role: ptr(store.RoleAgent), DisplayName: ptr("李娜"), Extension: ptr("1021")}, http.StatusCreated, &created)
	if created.SIPPassword == "" {
		t.Fatal("no SIP password shown at creation")
	}
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{Username: "webphone_agent", Password: testPassword}, http.StatusOK, &login)

	var got webPhoneView
	rec = h.do("GET", "/api/v1/me/webphone", login.Token, nil, http.StatusOK, &got)
	want := webPhoneView{WSURL: "wss://fs.bank.example:7443", SIPURI: "sip:1021@fs.bank.example", Extension: "1021",
		Domain: "fs.bank.example", Password: created.SIPPassword, DisplayName: "李娜"}
	if got.WSURL != want.WSURL || got.SIPURI != want.SIPURI || got.Extension != want.Extension || got.Domain != want.Domain ||
		got.Password != want.Password || got.DisplayName != want.DisplayName || len(got.ICEServers) != 1 ||
		got.ICEServers[0].URLs[0] != "stun:stun.bank.example:3478" {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self' wss://fs.bank.example:7443;") {
		t.Fatalf("CSP %q does not let the page reach the switch", csp)
	}

	entries := h.auditOf("webphone.credentials")
	if len(entries) != 1 {
		t.Fatalf("%d webphone.credentials entries, want 1 (refusals give none): %+v", len(entries), entries)
	}
	e := entries[0]
	if e.Username != "webphone_agent" || e.TargetType != "user" || e.TargetID != itoa(created.ID) || e.Detail != "extension=1021" {
		t.Fatalf("audit entry %+v", e)
	}
	var all list[store.AuditEntry]
	h.do("GET", "/api/v1/audit?page_size=500", admin, nil, http.StatusOK, &all)
	for _, a := range all.Items {
		if strings.Contains(a.Detail, created.SIPPassword) {
			t.Fatalf("audit entry %s carries the SIP password", a.Action)
		}
	}
	if strings.Contains(logs.String(), created.SIPPassword) {
		t.Fatal("the SIP password is in the log")
	}
	if !strings.Contains(logs.String(), "/api/v1/me/webphone") {
		t.Fatal("the access log saw no request: the log check proves nothing")
	}
}

// TestWebPhoneDomainOverride: webphone.domain names the SIP domain when the
// switch's WebSocket host is not it.
func TestWebPhoneDomainOverride(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) {
		c.WebPhone = WebPhoneConfig{WSURL: "wss://ws.bank.example:7443", Domain: "10.1.1.5"}
	}})
	token, password := h.webPhoneAgent("webphone_b", "1022")
	var got webPhoneView
	h.do("GET", "/api/v1/me/webphone", token, nil, http.StatusOK, &got)
	if got.SIPURI != "sip:1022@10.1.1.5" || got.Domain != "10.1.1.5" || got.Password != password || got.ICEServers == nil {
		t.Fatalf("got %+v", got)
	}
}

// webPhoneAgent creates an agent with an extension through the API and
// signs them in; it returns their token and the SIP password shown once.
func (h *harness) webPhoneAgent(username, ext string) (token, sipPassword string) {
	h.t.Helper()
	var created userView
	h.do("POST", "/api/v1/users", h.tokens[store.RoleAdmin], userRequest{Username: ptr(username), Password: ptr(testPassword),
		Role: ptr(store.RoleAgent), Extension: ptr(ext)}, http.StatusCreated, &created)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{Username: username, Password: testPassword}, http.StatusOK, &login)
	return login.Token, created.SIPPassword
}
