package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/store/storetest"
)

// patience bounds every wait in these tests. It is a safety net, not a
// speed expectation: on a busy 2-core machine under -race a start that takes
// a second when idle can take far longer, so each wait ends as soon as its
// condition holds and fails only when it never does.
const patience = 2 * time.Minute

// program runs `callcenter serve` in-process on a free port until stop.
type program struct {
	base string
	stop func() error
	out  *bytes.Buffer
}

// startProgram starts the program and waits until it serves HTTP; it
// fails when the program exits first. The program binds port 0 and reports
// the port it got: a port picked free beforehand may be taken by another
// process (another test run) before the program binds it, and the test
// would then talk to that other server.
func startProgram(t *testing.T, env map[string]string) *program {
	t.Helper()
	if _, ok := env["CC_DATABASE_DSN"]; !ok {
		// Never the default ./data/callcenter.db: a second run would find
		// the first one's campaigns.
		env["CC_DATABASE_DSN"] = filepath.Join(t.TempDir(), "callcenter.db")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	listening := make(chan string, 1)
	httpListening = func(addr string) { listening <- addr }
	t.Cleanup(func() { httpListening = nil })
	ctx, cancel := context.WithCancel(context.Background())
	out := &bytes.Buffer{}
	// The server's log is shown when the test fails (an end-to-end wait
	// that times out says nothing of why). Registered before the caller's
	// stop, so it runs after it.
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			lines, polls := withoutPolls(logs.String())
			t.Logf("server log (last %d lines; %d successful GET requests left out):\n%s", serverLogLines, polls, tailLines(lines, serverLogLines))
		}
	})
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"--http-address", "127.0.0.1:0", "serve"}, out, logs) }()
	select {
	case addr := <-listening:
		return &program{base: "http://" + addr, out: out, stop: func() error { cancel(); return <-done }}
	case err := <-done:
		cancel()
		t.Fatalf("server exited: %v", err)
	case <-time.After(patience):
		cancel()
		<-done
		t.Fatalf("server did not come up in %s", patience)
	}
	return nil
}

const serverLogLines = 400

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// withoutPolls leaves out of log the access lines of successful GETs: a
// test polling for a condition writes thousands of them, which would push
// what went wrong out of the tail shown.
func withoutPolls(log string) (string, int) {
	var kept []string
	n := 0
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "msg=http ") && strings.Contains(l, " method=GET ") && strings.Contains(l, " status=200 ") {
			n++
			continue
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, "\n"), n
}

// tailLines is the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (p *program) call(t *testing.T, method, path, token string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (p *program) login(t *testing.T, user, pw string) string {
	t.Helper()
	var r struct{ Token string }
	if code := p.call(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pw}, &r); code != 200 {
		t.Fatalf("login %s: %d", user, code)
	}
	return r.Token
}

func testProgramFlow(t *testing.T, env map[string]string) {
	const adminPW = "Boss-Pass-2026!"
	env["CC_ADMIN_PASSWORD"] = adminPW
	env["CC_IVR_LISTEN"] = "127.0.0.1:0"
	env["CC_DATA_DIR"] = t.TempDir()
	const xmlCurl = "freeswitch:Test-XMLCurl-Pass"
	env["CC_FREESWITCH_XML_CURL_CREDENTIALS"] = xmlCurl
	p := startProgram(t, env)
	admin := p.login(t, "admin", adminPW)
	if code := p.call(t, "GET", "/api/v1/users", "", nil, nil); code != 401 {
		t.Fatalf("no token: %d", code)
	}
	for _, u := range []map[string]any{
		{"username": "sup1", "password": "Super-Pass-2026", "role": "supervisor"},
		{"username": "agent1", "password": "Agent-Pass-2026", "role": "agent", "extension": "1001"},
	} {
		if code := p.call(t, "POST", "/api/v1/users", admin, u, nil); code != 201 {
			t.Fatalf("create %v: %d", u["username"], code)
		}
	}
	agent := p.login(t, "agent1", "Agent-Pass-2026")
	if code := p.call(t, "GET", "/api/v1/users", agent, nil, nil); code != 403 {
		t.Fatalf("agent on users: %d", code)
	}
	// FreeSWITCH's xml_curl finds the new agent at once, with its credentials only.
	dir := func(auth bool) (int, string) {
		req, _ := http.NewRequest("POST", p.base+"/fs/directory", strings.NewReader("section=directory&key_name=name&key_value=1001&user=1001&domain=10.0.0.5&action=sip_auth"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if auth {
			u, pw, _ := strings.Cut(xmlCurl, ":")
			req.SetBasicAuth(u, pw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := dir(false); code != 401 {
		t.Fatalf("directory without credentials: %d", code)
	}
	if code, body := dir(true); code != 200 || !strings.Contains(body, `id="1001"`) {
		t.Fatalf("directory: %d %s", code, body)
	}
	// With no FreeSWITCH configured the built-in simulator is the node, and says so.
	var ready struct {
		Status    string
		Simulated bool
		Nodes     []struct{ Name, State string }
	}
	deadline := time.Now().Add(patience)
	for p.call(t, "GET", "/readyz", "", nil, &ready); ready.Status != "ready" && time.Now().Before(deadline); p.call(t, "GET", "/readyz", "", nil, &ready) {
		time.Sleep(100 * time.Millisecond)
	}
	if ready.Status != "ready" || !ready.Simulated || len(ready.Nodes) != 1 || ready.Nodes[0].State != "up" {
		t.Fatalf("readyz = %+v", ready)
	}
	if err := p.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// Data survives a restart; a changed admin password in config does not
	// reset the existing admin.
	env["CC_ADMIN_PASSWORD"] = "Other-Pass-2026"
	p = startProgram(t, env)
	defer p.stop()
	p.login(t, "sup1", "Super-Pass-2026")
	p.login(t, "admin", adminPW)
}

func TestProgramSQLite(t *testing.T) {
	dir := t.TempDir()
	testProgramFlow(t, map[string]string{"CC_DATABASE_DRIVER": "sqlite", "CC_DATABASE_DSN": filepath.Join(dir, "cc.db")})
}

func TestProgramMariaDB(t *testing.T) {
	dsn := storetest.FreshMySQLDSN(t)
	testProgramFlow(t, map[string]string{"CC_DATABASE_DRIVER": "mysql", "CC_DATABASE_DSN": dsn})
}

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CC_DATABASE_DRIVER": "oracle"}, "database.driver"},
		{map[string]string{"CC_DATABASE_DRIVER": "mysql", "CC_DATABASE_DSN": ""}, "database.dsn"},
		{map[string]string{"CC_HTTP_ADDRESS": "nonsense"}, "http.address"},
		{map[string]string{"CC_FREESWITCH_NODES": `[{"name":"fs1","address":"10.0.0.1"}]`}, "freeswitch.nodes[0].address"},
		{map[string]string{"CC_FREESWITCH_NODES": `[{"name":"fs1","address":"10.0.0.1:8021"}]`}, "freeswitch.nodes[0].password"},
		{map[string]string{"CC_FREESWITCH_NODES": `not json`}, "freeswitch.nodes"},
		{map[string]string{"CC_FREESWITCH_NODES": `[{"name":"fs1","address":"10.0.0.1:8021","password":"x","gateways":[{"max_cps":5}]}]`}, "freeswitch.nodes[0].gateways[0]"},
		{map[string]string{"CC_LOG_LEVEL": "loud"}, "log.level"},
		{map[string]string{"CC_HTTP_TRUSTED_PROXIES": "10.0.0.1,not-an-ip"}, "http.trusted_proxies"},
		{map[string]string{"CC_LOGIN_MAX_FAILURES": "0"}, "login.max_failures"},
		{map[string]string{"CC_RATELIMIT_LOGIN_PER_SOURCE": "-1"}, "ratelimit.login"},
		{map[string]string{"CC_METRICS_ADDRESS": "nonsense"}, "metrics.address"},
		{map[string]string{"CC_FREESWITCH_XML_CURL_CREDENTIALS": "no-colon"}, "freeswitch.xml_curl_credentials"},
		{map[string]string{"CC_FREESWITCH_NODES": `[{"name":"fs1","address":"10.0.0.1:8021"},{"name":"fs2","address":"10.0.0.2:8021","password":"x"}]`,
			"CC_FREESWITCH_PASSWORD": ""}, "freeswitch.nodes[0].password"},
		{map[string]string{"CC_HTTP_BODY_TIMEOUT": "0s"}, "http.body_timeout"},
		{map[string]string{"CC_SECURITY_IDLE_LOCK": "-1m"}, "security.idle_lock"},
		{map[string]string{"CC_SECURITY_WORKSTATION_REPORT_MAX_AGE": "10s"}, "security.workstation_report_max_age"},
		{map[string]string{"CC_WEBPHONE_WS_URL": "https://fs.bank.example:7443"}, "webphone.ws_url"},
		{map[string]string{"CC_WEBPHONE_DOMAIN": "fs.bank.example"}, "webphone.ws_url"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := loadConfig("")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("loadConfig() error = %v, want it to name %s", err, c.want)
			}
		})
	}
	t.Run("webphone from a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "cc.yaml")
		yaml := "webphone:\n  ws_url: wss://fs.bank.example:7443\n  ice_servers:\n    - urls: [\"turn:turn.bank.example:3478\"]\n      username: agent\n      credential: t0rn\n"
		if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(file)
		if err != nil || cfg.WebPhone.WSURL != "wss://fs.bank.example:7443" || len(cfg.WebPhone.ICEServers) != 1 ||
			cfg.WebPhone.ICEServers[0].URLs[0] != "turn:turn.bank.example:3478" || cfg.WebPhone.ICEServers[0].Credential != "t0rn" {
			t.Fatalf("webphone %+v err %v", cfg.WebPhone, err)
		}
	})
	t.Run("nodes from env", func(t *testing.T) {
		t.Setenv("CC_FREESWITCH_NODES", `[{"name":"fs1","address":"10.0.0.1:8021","password":"s3cret","max_cps":30,`+
			`"gateways":[{"name":"trunk1","max_cps":10,"max_channels":120}]}]`)
		cfg, err := loadConfig("")
		if err != nil || len(cfg.FreeSWITCH.Nodes) != 1 || cfg.FreeSWITCH.Nodes[0].MaxCPS != 30 {
			t.Fatalf("cfg %+v err %v", cfg, err)
		}
		gw := toNodes(cfg.FreeSWITCH)[0].Gateways
		if len(gw) != 1 || gw[0] != (controller.GatewayLimit{Name: "trunk1", MaxCPS: 10, MaxChannels: 120}) {
			t.Fatalf("gateways %+v", gw)
		}
	})
	t.Run("security defaults and env", func(t *testing.T) {
		cfg, err := loadConfig("")
		if err != nil || cfg.Security.IdleLock != 10*time.Minute || cfg.Security.RequireLockedWorkstation || cfg.Security.WorkstationReportMaxAge != 15*time.Minute {
			t.Fatalf("defaults %+v err %v", cfg.Security, err)
		}
		t.Setenv("CC_SECURITY_REQUIRE_LOCKED_WORKSTATION", "true")
		t.Setenv("CC_SECURITY_IDLE_LOCK", "0")
		if cfg, err = loadConfig(""); err != nil || !cfg.Security.RequireLockedWorkstation || cfg.Security.IdleLock != 0 {
			t.Fatalf("from env %+v err %v", cfg.Security, err)
		}
	})
	// scripts/gen-secrets.sh gives the controller one password for every
	// node (CC_FREESWITCH_PASSWORD); a node's own password wins.
	t.Run("nodes take freeswitch.password", func(t *testing.T) {
		t.Setenv("CC_FREESWITCH_NODES", `[{"name":"fs1","address":"10.0.0.1:8021"},{"name":"fs2","address":"10.0.0.2:8021","password":"own"}]`)
		t.Setenv("CC_FREESWITCH_PASSWORD", "shared")
		cfg, err := loadConfig("")
		if err != nil {
			t.Fatal(err)
		}
		if nodes := toNodes(cfg.FreeSWITCH); nodes[0].Password != "shared" || nodes[1].Password != "own" {
			t.Errorf("passwords %q %q, want shared and own", nodes[0].Password, nodes[1].Password)
		}
	})
	t.Run("sample file", func(t *testing.T) {
		cfg, err := loadConfig("../../callcenter.sample.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.HTTP.Address != ":8080" || cfg.Database.Driver != "sqlite" {
			t.Fatalf("sample config: %+v", cfg)
		}
		if cfg.Login.MaxFailures != 5 || cfg.RateLimit.Export.PerAccount != 10 || cfg.HTTP.BodyTimeout != 30*time.Second {
			t.Fatalf("sample security config: %+v %+v %+v", cfg.Login, cfg.RateLimit, cfg.HTTP)
		}
	})
	t.Run("trusted proxies from env", func(t *testing.T) {
		t.Setenv("CC_HTTP_TRUSTED_PROXIES", "10.0.0.5,10.0.1.0/24")
		cfg, err := loadConfig("")
		if err != nil || len(cfg.HTTP.TrustedProxies) != 2 {
			t.Fatalf("trusted proxies %v err %v", cfg.HTTP.TrustedProxies, err)
		}
	})
	_ = fmt.Sprint
}
