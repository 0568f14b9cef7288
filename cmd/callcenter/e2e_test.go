package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// e2eScenario is the simulator's world for the end-to-end tests: every
// customer answers after a short ring and stays on the line until the
// agent hangs up; agents 1001..1003 are registered and answer at once.
const e2eScenario = `
seed: 7
numbers:
  - prefix: ""
    weights: {answer: 1}
    ring: {min: 300ms, max: 300ms}
    talk: {min: 0s, max: 0s}
overrides:
  # rings until the test answers it (esltest's Answer), after it has taken
  # its only agent away: a fixed ring was outrun on a loaded machine
  - {number: "13900000099", outcome: answer, ring: 10m}
users:
  - {extension: "1001", registered: true, auto_answer: true, answer_delay: 100ms}
  - {extension: "1002", registered: true, auto_answer: true, answer_delay: 100ms}
  - {extension: "1003", registered: true, auto_answer: true, answer_delay: 100ms}
gateways:
  - {name: gw1, max_channels: 200, calls_per_second: 50}
dialplan:
  park: park
  "95555": park
  queue: answer,park
`

// e2e is a running program with an admin, a group, a calendar open all
// day and a strategy.
type e2e struct {
	*program
	t        *testing.T
	admin    string
	group    int64
	strategy int64
	dataDir  string
	sim      *esltest.Server
}

const (
	e2eAdminPW = "Boss-Pass-2026!"
	e2eGroup   = "催收一组"
)

func startE2E(t *testing.T) *e2e { t.Helper(); return startE2EWith(t, e2eScenario, nil) }

// startE2EWith starts the program on scenario with env added to the usual
// settings.
func startE2EWith(t *testing.T, scenario string, extra map[string]string) *e2e {
	t.Helper()
	var sim *esltest.Server
	simulatorStarted = func(s *esltest.Server) { sim = s }
	t.Cleanup(func() { simulatorStarted = nil })
	dir := t.TempDir()
	scen := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(scen, []byte(scenario), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CC_ADMIN_PASSWORD": e2eAdminPW, "CC_IVR_LISTEN": "127.0.0.1:0", "CC_DATA_DIR": dir,
		"CC_SIMULATOR_SCENARIO": scen, "CC_ACD_INBOUND_GROUP": e2eGroup, "CC_DATABASE_DRIVER": "sqlite", "CC_DATABASE_DSN": filepath.Join(dir, "cc.db")}
	maps.Copy(env, extra)
	p := startProgram(t, env)
	t.Cleanup(func() { _ = p.stop() })
	e := &e2e{program: p, t: t, dataDir: dir, sim: sim}
	e.admin = p.login(t, "admin", e2eAdminPW)
	// The switch connection comes up after the HTTP port: until then no
	// extension is found registered and a softphone sign-in is refused.
	var ready struct{ Status string }
	deadline := time.Now().Add(patience)
	for p.call(t, "GET", "/readyz", e.admin, nil, &ready); ready.Status != "ready" && time.Now().Before(deadline); p.call(t, "GET", "/readyz", e.admin, nil, &ready) {
		time.Sleep(50 * time.Millisecond)
	}
	if ready.Status != "ready" {
		t.Fatalf("the node did not come up: readyz %+v", ready)
	}
	var g, cal, st struct{ ID int64 }
	e.post("/api/v1/groups", map[string]any{"name": e2eGroup, "kind": "agent"}, 201, &g)
	allDay := []map[string]string{{"day_kind": "workday", "start": "00:00", "end": "24:00"},
		{"day_kind": "weekend", "start": "00:00", "end": "24:00"}, {"day_kind": "holiday", "start": "00:00", "end": "24:00"}}
	e.post("/api/v1/calendars", map[string]any{"name": "全天", "timezone": "Asia/Shanghai", "windows": allDay}, 201, &cal)
	e.post("/api/v1/strategies", map[string]any{"name": "外呼", "calendar_id": cal.ID, "batch_size": 10, "batch_interval_s": 0}, 201, &st)
	e.group, e.strategy = g.ID, st.ID
	return e
}

func (e *e2e) post(path string, body any, want int, out any) {
	e.t.Helper()
	if code := e.call(e.t, "POST", path, e.admin, body, out); code != want {
		e.t.Fatalf("POST %s: %d, want %d", path, code, want)
	}
}

// agent creates an agent on ext in the group, signs the desktop and the
// softphone in and makes the agent ready; it returns the agent's id and token.
func (e *e2e) agent(name, ext string) (int64, string) {
	e.t.Helper()
	var u struct{ ID int64 }
	e.post("/api/v1/users", map[string]any{"username": name, "password": "Agent-Pass-2026", "role": "agent",
		"extension": ext, "group_ids": []int64{e.group}}, 201, &u)
	tok := e.login(e.t, name, "Agent-Pass-2026")
	var v acd.AgentView
	if code := e.call(e.t, "POST", "/api/v1/me/softphone/login", tok, map[string]any{}, &v); code != 200 {
		e.t.Fatalf("softphone login %s: %d", name, code)
	}
	if code := e.call(e.t, "POST", "/api/v1/me/state", tok, map[string]any{"state": "ready"}, &v); code != 200 || v.State != store.AgentReady {
		e.t.Fatalf("ready %s: %d %+v", name, code, v)
	}
	return u.ID, tok
}

// campaign creates a voice campaign for the group in mode with contacts
// on phones.
func (e *e2e) campaign(name, mode string, phones ...string) int64 {
	e.t.Helper()
	var c struct{ ID int64 }
	e.post("/api/v1/campaigns", map[string]any{"name": name, "kind": "collection", "media": "voice", "dial_mode": mode,
		"strategy_id": e.strategy, "group_id": e.group, "caller_ids": []string{"02161234567"}, "max_abandon_rate": 0.03}, 201, &c)
	var contacts []map[string]string
	for i, ph := range phones {
		contacts = append(contacts, map[string]string{"name": fmt.Sprintf("客户%d", i+1), "phone": ph})
	}
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/contacts", c.ID), map[string]any{"contacts": contacts}, 200, nil)
	return c.ID
}

// waitFor polls until cond holds (patience is only a failure guard).
func (e *e2e) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *e2e) state(tok string) acd.AgentView {
	e.t.Helper()
	var v acd.AgentView
	if code := e.call(e.t, "GET", "/api/v1/me/state", tok, nil, &v); code != 200 {
		e.t.Fatalf("GET /me/state: %d", code)
	}
	return v
}

// onCall waits until the agent is on a call and returns its uuid.
func (e *e2e) onCall(tok string) string {
	e.t.Helper()
	var v acd.AgentView
	e.waitFor("the agent on a call", func() bool { v = e.state(tok); return v.State == store.AgentOnCall && v.CallUUID != "" })
	return v.CallUUID
}

func (e *e2e) control(tok, uuid, action string, want int) {
	e.t.Helper()
	if code := e.call(e.t, "POST", "/api/v1/me/calls/"+uuid+"/"+action, tok, map[string]any{}, nil); code != want {
		e.t.Fatalf("%s %s: %d, want %d", action, uuid, code, want)
	}
}

type callRow struct {
	store.Attempt
	Recordings []struct {
		ID         int64  `json:"id"`
		URL        string `json:"url"`
		Bytes      int64  `json:"bytes"`
		SHA256     string `json:"sha256"`
		DurationMS int64  `json:"duration_ms"`
	} `json:"recordings"`
}

func (e *e2e) calls(campaign int64) []callRow {
	e.t.Helper()
	var l struct{ Items []callRow }
	if code := e.call(e.t, "GET", fmt.Sprintf("/api/v1/calls?campaign_id=%d", campaign), e.admin, nil, &l); code != 200 {
		e.t.Fatalf("GET /calls: %d", code)
	}
	return l.Items
}

func (e *e2e) stats(campaign int64) store.CampaignStats {
	e.t.Helper()
	var s store.CampaignStats
	if code := e.call(e.t, "GET", fmt.Sprintf("/api/v1/campaigns/%d/stats", campaign), e.admin, nil, &s); code != 200 {
		e.t.Fatalf("stats: %d", code)
	}
	return s
}

// A progressive campaign made through the REST API calls its contacts one
// by one for a ready agent; the agent holds, unholds, hangs up and closes
// each call with a disposition (one with a callback); the history, the
// campaign's figures and the callbacks show it.
func TestE2EProgressive(t *testing.T) {
	e := startE2E(t)
	agentID, tok := e.agent("agent1", "1001")
	camp := e.campaign("进度外呼", "progressive", "13900000001", "13900000002")
	calls := e.callEvents(tok)
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/start", camp), nil, 200, nil)

	callbackAt := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	for i := range 2 {
		uuid := e.onCall(tok)
		e.waitEvent(calls, uuid, "connected")
		e.control(tok, uuid, "hold", 200)
		e.waitFor("hold", func() bool { return e.state(tok).State == store.AgentHold })
		e.waitEvent(calls, uuid, "held")
		e.control(tok, uuid, "unhold", 200)
		e.waitFor("unhold", func() bool { return e.state(tok).State == store.AgentOnCall })
		e.control(tok, uuid, "hangup", 200)
		e.waitFor("after-call work", func() bool { return e.state(tok).State == store.AgentACW })
		disp := map[string]any{"result": "promised", "note": "答应还款"}
		if i == 1 {
			disp = map[string]any{"result": "callback", "note": "明天再打", "callback_at": callbackAt.Format(time.RFC3339)}
		}
		if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/disposition", tok, disp, nil); code != 200 {
			t.Fatalf("disposition %d: %d", i, code)
		}
		// Ready again: the next contact may be reserved for the agent at once.
		e.waitFor("out of after-call work", func() bool { return e.state(tok).State != store.AgentACW })
	}

	var rows []callRow
	e.waitFor("two finished attempts with their recordings in the history", func() bool {
		rows = e.calls(camp)
		n := 0
		for _, r := range rows {
			if r.FinishedAt != nil && r.Disposition != "" && len(r.Recordings) == 1 {
				n++
			}
		}
		return n == 2
	})
	for _, r := range rows {
		if r.AgentID != agentID || r.Outcome != store.ResultHuman || r.BridgedAt == nil || r.AnswerToAgentMS == nil {
			t.Errorf("attempt %d: agent %d outcome %q bridged at %v answer-to-agent %v, want agent %d, human, bridged, measured",
				r.ID, r.AgentID, r.Outcome, r.BridgedAt, r.AnswerToAgentMS, agentID)
			continue
		}
		t.Logf("progressive attempt %d: %s answer-to-agent %d ms, disposition %q", r.ID, r.Destination, *r.AnswerToAgentMS, r.Disposition)
		e.playRecording(r)
	}
	s := e.stats(camp)
	if s.Attempts != 2 || s.Answered != 2 || s.Connected != 2 {
		t.Errorf("stats: attempts %d answered %d connected %d, want 2 2 2", s.Attempts, s.Answered, s.Connected)
	}
	var cbs struct {
		Items []struct {
			AgentID int64     `json:"agent_id"`
			DueAt   time.Time `json:"due_at"`
		}
	}
	if code := e.call(t, "GET", "/api/v1/callbacks", tok, nil, &cbs); code != 200 || len(cbs.Items) != 1 {
		t.Fatalf("callbacks: %d %+v", code, cbs.Items)
	}
	if cb := cbs.Items[0]; cb.AgentID != agentID || !cb.DueAt.Equal(callbackAt) {
		t.Errorf("callback %+v, want agent %d due %s", cb, agentID, callbackAt)
	}
}

// playRecording fetches the first bytes of the call's recording with a
// Range header: 206 with the WAV header, the checksum of the whole file.
func (e *e2e) playRecording(r callRow) {
	e.t.Helper()
	rec := r.Recordings[0]
	if rec.Bytes <= 44 || len(rec.SHA256) != 64 {
		e.t.Fatalf("recording of attempt %d: %+v", r.ID, rec)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/calls/%d/recording", e.base, r.ID), nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	req.Header.Set("Range", "bytes=0-43")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || len(b) != 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-43/%d", rec.Bytes) || resp.Header.Get("X-Content-SHA256") != rec.SHA256 {
		e.t.Fatalf("recording of attempt %d: %d %q %q % x", r.ID, resp.StatusCode, resp.Header.Get("Content-Range"), resp.Header.Get("X-Content-SHA256"), b)
	}
	req.Header.Del("Range")
	whole, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer whole.Body.Close()
	h := sha256.New()
	n, _ := io.Copy(h, whole.Body)
	if whole.StatusCode != 200 || n != rec.Bytes || hex.EncodeToString(h.Sum(nil)) != rec.SHA256 {
		e.t.Fatalf("whole recording of attempt %d: %d, %d bytes, checksum differs from %s", r.ID, whole.StatusCode, n, rec.SHA256)
	}
}

// A predictive campaign connects answered customers to the ready agent
// within the 2 s window (answer-to-agent recorded per attempt); a customer
// who answers when no agent is ready hears the compliance message and the
// call is recorded as abandoned.
func TestE2EPredictive(t *testing.T) {
	e := startE2E(t)
	agentID, tok := e.agent("agent1", "1001")
	camp := e.campaign("预测外呼", "predictive", "13900000011", "13900000012", "13900000013")
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/start", camp), nil, 200, nil)
	handled := 0
	for handled < 3 {
		uuid := e.onCall(tok)
		e.control(tok, uuid, "hangup", 200)
		e.waitFor("after-call work", func() bool { return e.state(tok).State == store.AgentACW })
		if code := e.call(t, "POST", "/api/v1/me/calls/"+uuid+"/disposition", tok, map[string]any{"result": "promised"}, nil); code != 200 {
			t.Fatalf("disposition: %d", code)
		}
		e.waitFor("out of after-call work", func() bool { return e.state(tok).State != store.AgentACW })
		handled++
	}
	var rows []callRow
	e.waitFor("three finished attempts", func() bool {
		rows = e.calls(camp)
		n := 0
		for _, r := range rows {
			if r.FinishedAt != nil {
				n++
			}
		}
		return n == 3
	})
	for _, r := range rows {
		if r.AgentID != agentID || r.Outcome != store.ResultHuman || r.Abandoned || r.AnswerToAgentMS == nil || *r.AnswerToAgentMS >= 2000 {
			t.Errorf("attempt %d: agent %d outcome %q abandoned %v answer-to-agent %v, want agent %d, human, connected within 2 s",
				r.ID, r.AgentID, r.Outcome, r.Abandoned, r.AnswerToAgentMS, agentID)
			continue
		}
		t.Logf("predictive attempt %d: answer-to-agent %d ms", r.ID, *r.AnswerToAgentMS)
	}
	if s := e.stats(camp); s.Connected != 3 || s.Abandoned != 0 || s.AnswerToAgentMS.P99 >= 2000 {
		t.Errorf("stats: connected %d abandoned %d answer-to-agent %+v", s.Connected, s.Abandoned, s.AnswerToAgentMS)
	}

	// The only agent goes on a break while the next customer's phone rings.
	late := e.campaign("预测外呼-无人", "predictive", "13900000099")
	e.post(fmt.Sprintf("/api/v1/campaigns/%d/start", late), nil, 200, nil)
	var ringing string
	e.waitFor("the call ringing", func() bool {
		for _, r := range e.calls(late) {
			for _, ch := range e.sim.Channels() {
				if ch.UUID == r.CallUUID {
					ringing = r.CallUUID
				}
			}
		}
		return ringing != ""
	})
	var refusal map[string]any
	if code := e.call(t, "POST", "/api/v1/me/state", tok, map[string]any{"state": "break", "reason": "restroom"}, &refusal); code != 200 {
		t.Fatalf("break: %d %v", code, refusal)
	}
	if err := e.sim.Answer(ringing); err != nil {
		t.Fatalf("answer the customer: %v", err)
	}
	var ab callRow
	e.waitFor("the abandoned call finished", func() bool {
		for _, r := range e.calls(late) {
			if r.FinishedAt != nil {
				ab = r
				return true
			}
		}
		return false
	})
	if !ab.Abandoned || ab.Outcome != store.ResultAbandoned || ab.AgentID != 0 || ab.AnsweredAt == nil || ab.BridgedAt != nil {
		t.Errorf("no agent: attempt %+v, want answered, abandoned, never bridged", ab.Attempt)
	}
	if s := e.stats(late); s.Abandoned != 1 || s.AnsweredHuman != 1 {
		t.Errorf("no agent: stats abandoned %d answered_human %d, want 1 1", s.Abandoned, s.AnsweredHuman)
	}
	played := false
	for _, line := range e.sim.CommandLog() {
		if strings.Contains(line, "uuid_broadcast "+ab.CallUUID) && strings.Contains(line, "compliance_message") {
			played = true
		}
	}
	if !played {
		t.Errorf("no compliance message broadcast to %s in the simulator's command log", ab.CallUUID)
	}
	if st := e.state(tok); st.State != store.AgentBreak {
		t.Errorf("agent %s, want still on break", st.State)
	}
}

// Calls from outside: a carrier's call parked with cc_inbound=true waits
// for acd.inbound_group, a caller sent to a queue (cc_queue=<group id>)
// for that group; each goes to the ready agent, who hangs up and closes it
// with a disposition; the history shows it with the agent and a recording.
func TestE2EInbound(t *testing.T) {
	e := startE2E(t)
	agentID, tok := e.agent("agent1", "1001")
	calls := []esltest.InboundCall{
		{From: "13912345678", To: "95555", Vars: map[string]string{"cc_inbound": "true"}},
		{From: "13987654321", To: "queue", Vars: map[string]string{"cc_queue": fmt.Sprint(e.group)}},
	}
	for _, in := range calls {
		id, err := e.sim.InboundCall(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.onCall(tok); got != id {
			t.Fatalf("agent on call %s, want the inbound call %s", got, id)
		}
		e.control(tok, id, "hangup", 200)
		e.waitFor("after-call work", func() bool { return e.state(tok).State == store.AgentACW })
		if code := e.call(t, "POST", "/api/v1/me/calls/"+id+"/disposition", tok, map[string]any{"result": "answered_question"}, nil); code != 200 {
			t.Fatalf("disposition: %d", code)
		}
		e.waitFor("ready", func() bool { return e.state(tok).State == store.AgentReady })
		var row callRow
		e.waitFor("the inbound call in the history with its recording", func() bool {
			var l struct{ Items []callRow }
			e.call(t, "GET", "/api/v1/calls", e.admin, nil, &l)
			for _, r := range l.Items {
				if r.CallUUID == id && r.HungupAt != nil && r.FinishedAt != nil && len(r.Recordings) == 1 {
					row = r
					return true
				}
			}
			return false
		})
		if row.AgentID != agentID || row.Disposition != "answered_question" || row.BridgedAt == nil || row.Outcome != store.ResultHuman {
			t.Errorf("inbound call %s: %+v", in.To, row.Attempt)
		}
		e.playRecording(row)
	}
	// Both callers counted by the inbound report: offered and answered in
	// the group's queue.
	now := time.Now()
	q := url.Values{"from": {now.Add(-2 * time.Hour).Format(time.RFC3339)}, "to": {now.Add(2 * time.Hour).Format(time.RFC3339)}, "group_by": {"group"}}
	var rep store.Report
	if code := e.call(t, "GET", "/api/v1/reports/inbound?"+q.Encode(), e.admin, nil, &rep); code != 200 || len(rep.Rows) != 1 ||
		rep.Rows[0]["group_id"] != float64(e.group) || rep.Rows[0]["offered"] != float64(2) || rep.Rows[0]["answered"] != float64(2) {
		t.Errorf("inbound report %d: %+v", code, rep.Rows)
	}
}

// callEvents follows the agent's event stream (SSE) and passes on its call
// events.
func (e *e2e) callEvents(tok string) <-chan feed.Call {
	return meEvents[feed.Call](e, tok, feed.EventCall)
}

// meEvents follows the agent's event stream (GET /me/events, SSE) and passes
// on the data of every event with the given name, decoded as T. The reader
// stops when the test ends.
func meEvents[T any](e *e2e, tok, event string) <-chan T {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/api/v1/me/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		cancel()
		e.t.Fatalf("GET /me/events: %v %v", err, resp)
	}
	out := make(chan T, 64)
	done := make(chan struct{})
	e.t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		name := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok && name == event {
				var ev T
				if json.Unmarshal([]byte(v), &ev) != nil {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// waitFor takes events off ch until one satisfies ok; what names the
// awaited event in the failure.
func waitFor[T any](t *testing.T, ch <-chan T, limit time.Duration, what string, ok func(T) bool) T {
	t.Helper()
	timeout := time.After(limit)
	for {
		select {
		case ev := <-ch:
			if ok(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s on the agent's stream", what)
		}
	}
}

// waitEvent waits for the stream to say the call reached status.
func (e *e2e) waitEvent(calls <-chan feed.Call, uuid string, status feed.CallStatus) {
	e.t.Helper()
	waitFor(e.t, calls, time.Minute, fmt.Sprintf("%s event for %s", status, uuid), func(c feed.Call) bool {
		return c.CallUUID == uuid && c.Status == status
	})
}
