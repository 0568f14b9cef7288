package main

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/store/storetest"
)

// warnLog keeps the records at warn or above.
type warnLog struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnLog) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	w.lines = append(w.lines, r.Level.String()+" "+r.Message)
	w.mu.Unlock()
	return nil
}
func (w *warnLog) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnLog) WithGroup(string) slog.Handler      { return w }

// A SIGTERM cancels serve's context; the switchboard must stop without a
// warning: the simulator is closed after the pool, never under it.
func TestSwitchboardStopsQuietly(t *testing.T) {
	st := storetest.New(t)
	cfg := &Config{IVR: IVRConfig{Listen: "127.0.0.1:0"}}
	logs := &warnLog{}
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := startSwitch(ctx, cfg, st, slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for !sb.pool.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("simulated node not up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// A leg originated through the switchboard is persisted as an attempt.
	leg, err := sb.Switch().Originate(context.Background(), controller.OriginateRequest{Gateway: "gw1", Number: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	cancel() // SIGTERM
	sb.StopOriginating(context.Background())
	// The simulator still serves until Close, after the pool is gone.
	nc, err := net.DialTimeout("tcp", sb.sim.Addr(), 5*time.Second)
	if err != nil {
		t.Fatalf("simulator gone before the pool: %v", err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(time.Minute))
	if line, err := bufio.NewReader(nc).ReadString('\n'); err != nil || line != "Content-Type: auth/request\n" {
		t.Errorf("simulator after SIGTERM said %q, %v", line, err)
	}
	nc.Close()
	sb.Close()
	<-leg.Done()
	if a, err := st.GetAttemptByUUID(context.Background(), leg.UUID()); err != nil || a.State != string(controller.StateEnded) {
		t.Errorf("attempt after shutdown: %+v %v", a, err)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if len(logs.lines) > 0 {
		t.Errorf("warnings on a clean stop: %v", logs.lines)
	}
}

// /readyz against a switch that lacks modules the product needs (the
// simulator answering module_exists false for mod_avmd, as FreeSWITCH's
// default build would): the node is up, the instance is not ready, and the
// answer names the module.
func TestReadyzNamesTheSwitchsMissingModules(t *testing.T) {
	sc := esltest.DefaultScenario()
	sc.Modules = slices.DeleteFunc(esltest.DefaultModules(), func(m string) bool { return m == "mod_avmd" })
	sim, err := esltest.Start(context.Background(), esltest.Options{Password: "Test-ESL-Pass", Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	p := startProgram(t, map[string]string{
		"CC_DATABASE_DRIVER": "sqlite", "CC_DATABASE_DSN": filepath.Join(t.TempDir(), "cc.db"),
		"CC_DATA_DIR": t.TempDir(), "CC_IVR_LISTEN": "127.0.0.1:0", "CC_ADMIN_PASSWORD": "Boss-Pass-2026!",
		"CC_FREESWITCH_NODES":    `[{"name":"fs1","address":"` + sim.Addr() + `"}]`,
		"CC_FREESWITCH_PASSWORD": "Test-ESL-Pass",
	})
	defer p.stop()
	var ready struct {
		Status string
		Nodes  []struct {
			Name, State    string
			MissingModules []string `json:"missing_modules"`
		}
	}
	code := 0
	deadline := time.Now().Add(patience)
	for {
		code = p.call(t, "GET", "/readyz", "", nil, &ready)
		if len(ready.Nodes) == 1 && ready.Nodes[0].State == "up" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code != 503 || ready.Status != "not_ready" || len(ready.Nodes) != 1 || ready.Nodes[0].State != "up" ||
		!slices.Equal(ready.Nodes[0].MissingModules, []string{"mod_avmd"}) {
		t.Fatalf("readyz %d %+v, want 503 naming mod_avmd on the up node", code, ready)
	}
}

// The built-in simulator routes each IVR flow to the IVR server, as
// freeswitch-conf does for a real FreeSWITCH; a scenario's own route stays.
func TestRouteIVRFlows(t *testing.T) {
	tests := []struct {
		name string
		own  map[string]string
		want string
	}{
		{"no dialplan", nil, "set:ivr_flow=verify_id,socket:127.0.0.1:9090 async full"},
		{"other extensions", map[string]string{"park": "park"}, "set:ivr_flow=verify_id,socket:127.0.0.1:9090 async full"},
		{"the scenario's own", map[string]string{"ivr_verify_id": "socket:10.0.0.9:8084 async full"}, "socket:10.0.0.9:8084 async full"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := &esltest.Scenario{Dialplan: tc.own}
			routeIVRFlows(sc, "127.0.0.1:9090")
			if got := sc.Dialplan["ivr_verify_id"]; got != tc.want {
				t.Errorf("ivr_verify_id: %q, want %q", got, tc.want)
			}
		})
	}
}
