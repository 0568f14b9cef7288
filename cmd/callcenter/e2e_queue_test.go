package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/store"
)

// logHas reports whether the simulator ran an api command starting with prefix.
func (e *e2e) logHas(prefix string) bool {
	for _, c := range e.sim.CommandLog() {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// The group's queue against the simulator, through the REST API: a caller
// waiting while the only agent is on a break hears its position between the
// music (the simulator's command log shows the uuid_broadcast of each
// prompt), is offered voicemail after max_wait_s and leaves one, which is
// listed and plays with Range; then a caller who needs a skill goes to the
// agent who has it, not to the longer-idle one.
func TestE2EQueueVoicemailAndSkills(t *testing.T) {
	e := startE2E(t)
	queue := map[string]any{"announce_every_s": 5, "announce_position": true, "max_wait_s": 12, "voicemail": true,
		"voicemail_max_s": 60, "notify_email": "cards-team@bank.example.cn"}
	if code := e.call(t, "PATCH", fmt.Sprintf("/api/v1/groups/%d", e.group), e.admin, queue, nil); code != 200 {
		t.Fatalf("group queue settings: %d", code)
	}
	plainID, plain := e.agent("plain", "1001")
	if code := e.call(t, "POST", "/api/v1/me/state", plain, map[string]any{"state": "break", "reason": "other"}, nil); code != 200 {
		t.Fatalf("break: %d", code)
	}

	// Waiting: position announcements between the music, then voicemail.
	id, err := e.sim.InboundCall(esltest.InboundCall{From: "13912345678", To: "95555", Vars: map[string]string{"cc_inbound": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	e.waitFor("a position announcement", func() bool {
		return e.logHas("uuid_broadcast "+id+" ivr/ivr-you_are_number.wav") && e.logHas("uuid_broadcast "+id+" digits/1.wav") &&
			e.logHas("uuid_break "+id+" all")
	})
	e.waitFor("voicemail recording", func() bool {
		return e.logHas("uuid_broadcast "+id+" voicemail/vm-record_message.wav") && e.logHas("uuid_record "+id+" start ")
	})
	if err := e.sim.Hangup(id, "NORMAL_CLEARING"); err != nil {
		t.Fatal(err)
	}
	type vmRow struct {
		store.Voicemail
		URL string `json:"url"`
	}
	var l struct {
		Items []vmRow
		Total int64
	}
	e.waitFor("the voicemail listed", func() bool {
		return e.call(t, "GET", "/api/v1/voicemails?handled=false", e.admin, nil, &l) == 200 && l.Total == 1
	})
	vm := l.Items[0]
	if vm.CallUUID != id || vm.GroupID != e.group || vm.Caller != "13912345678" || vm.Reason != store.VoicemailMaxWait || vm.Bytes == 0 {
		t.Fatalf("voicemail %+v", vm)
	}
	req, _ := http.NewRequest("GET", e.base+vm.URL, nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(body)
	if resp.StatusCode != 200 || int64(len(body)) != vm.Bytes || hex.EncodeToString(sum[:]) != vm.SHA256 || string(body[:4]) != "RIFF" {
		t.Fatalf("voicemail audio: %d, %d bytes", resp.StatusCode, len(body))
	}
	req.Header.Set("Range", "bytes=0-3")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("range: %v %v", err, resp)
	}
	resp.Body.Close()
	if code := e.call(t, "POST", fmt.Sprintf("/api/v1/voicemails/%d/handled", vm.ID), plain, nil, nil); code != 200 {
		t.Fatalf("handled: %d", code)
	}

	// Skills: the caller who needs English goes to the agent who speaks it.
	if code := e.call(t, "POST", "/api/v1/me/state", plain, map[string]any{"state": "ready"}, nil); code != 200 {
		t.Fatalf("ready: %d", code)
	}
	var u struct{ ID int64 }
	e.post("/api/v1/users", map[string]any{"username": "english", "password": "Agent-Pass-2026", "role": "agent",
		"extension": "1002", "group_ids": []int64{e.group}, "skills": "english", "level": 3}, 201, &u)
	english := e.login(t, "english", "Agent-Pass-2026")
	if code := e.call(t, "POST", "/api/v1/me/softphone/login", english, map[string]any{"ready": true}, nil); code != 200 {
		t.Fatalf("softphone login: %d", code)
	}
	if code := e.call(t, "POST", "/api/v1/me/state", english, map[string]any{"state": "ready"}, nil); code != 200 {
		t.Fatalf("ready: %d", code)
	}
	id, err = e.sim.InboundCall(esltest.InboundCall{From: "13987654321", To: "95555",
		Vars: map[string]string{"cc_inbound": "true", "cc_skill": "english", "cc_min_level": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.onCall(english); got != id {
		t.Fatalf("the english agent is on %s, want %s", got, id)
	}
	if v := e.state(plain); v.State != store.AgentReady || v.AgentID != plainID {
		t.Fatalf("the longer-idle agent without the skill: %+v", v)
	}
	e.control(english, id, "hangup", 200)
}
