package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// recordedCall stores a finished call of the agent with a recording file.
func recordedCall(t *testing.T, h *harness, uuid string, agentID int64, audio []byte) (*store.Attempt, *store.Recording) {
	t.Helper()
	ctx := t.Context()
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	a := &store.Attempt{CallUUID: uuid, CampaignID: 1, ContactID: 1, AgentID: agentID, Destination: "+8613800138000", State: "hangup", CreatedAt: t0}
	must(t, h.srv.store.SaveAttempt(ctx, a))
	a, err := h.srv.store.GetAttemptByUUID(ctx, uuid)
	must(t, err)
	rel := filepath.Join("2026", uuid+".wav")
	path := filepath.Join(h.srv.cfg.RecordingsDir, rel)
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	must(t, os.WriteFile(path, audio, 0o600))
	sum := sha256.Sum256(audio)
	rec := &store.Recording{AttemptID: a.ID, CallUUID: uuid, CampaignID: 1, AgentID: agentID, Path: rel, Bytes: int64(len(audio)),
		SHA256: hex.EncodeToString(sum[:]), StartedAt: t0.Add(3 * time.Second), EndedAt: t0.Add(63 * time.Second)}
	must(t, h.srv.store.SaveRecording(ctx, rec))
	return a, rec
}

func TestCallHistoryAndRecordingPlayback(t *testing.T) {
	h := newHarness(t)
	admin, sup, qa, agentTok := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA], h.tokens[store.RoleAgent]
	agent := h.users[store.RoleAgent]
	audio := []byte("RIFF....WAVEfmt 0123456789abcdef")
	call, rec := recordedCall(t, h, "hist-1", agent.ID, audio)
	recordedCall(t, h, "hist-2", h.users[store.RoleSupervisor].ID, []byte("other"))

	// Lists: an agent sees their own calls, masked; admins everything, unmasked.
	var l list[callView]
	h.do("GET", "/api/v1/calls", agentTok, nil, http.StatusOK, &l)
	if l.Total != 1 || l.Items[0].CallUUID != "hist-1" || l.Items[0].Destination != "138****8000" || len(l.Items[0].Recordings) != 1 {
		t.Fatalf("agent's calls: %+v", l)
	}
	h.do("GET", "/api/v1/calls?phone=13800138000&recorded=true", admin, nil, http.StatusOK, &l)
	if l.Total != 2 || l.Items[0].Destination != "+8613800138000" {
		t.Fatalf("admin's calls: %+v", l)
	}
	h.do("GET", "/api/v1/calls?phone=138001", qa, nil, http.StatusBadRequest, nil) // a part of a number is no number
	h.do("GET", "/api/v1/calls?recorded=maybe", qa, nil, http.StatusBadRequest, nil)
	h.do("GET", "/api/v1/calls?outcome=answered&phone=13800138000", qa, nil, http.StatusOK, &l)
	if l.Total != 0 {
		t.Fatalf("no call has an outcome yet: %d", l.Total)
	}
	var one callView
	h.do("GET", fmt.Sprintf("/api/v1/calls/%d", call.ID), qa, nil, http.StatusOK, &one)
	if one.Recordings[0].SHA256 != rec.SHA256 || one.Recordings[0].DurationMS != 60000 || one.Recordings[0].URL == "" {
		t.Fatalf("call: %+v", one)
	}

	// Playback: whole file, then a range, as a player seeking does.
	play := fmt.Sprintf("/api/v1/calls/%d/recording", call.ID)
	r := h.send("GET", play, reqOpts{token: qa})
	if r.Code != 200 || r.Body.String() != string(audio) || r.Header().Get("Content-Type") != "audio/wav" || r.Header().Get("Accept-Ranges") != "bytes" {
		t.Fatalf("play: %d %q %v", r.Code, r.Body.String(), r.Header())
	}
	r = h.send("GET", play, reqOpts{token: sup, headers: map[string]string{"Range": "bytes=4-7"}})
	if r.Code != http.StatusPartialContent || r.Body.String() != "...." || r.Header().Get("Content-Range") != fmt.Sprintf("bytes 4-7/%d", len(audio)) {
		t.Fatalf("range: %d %q %v", r.Code, r.Body.String(), r.Header())
	}
	if r := h.send("GET", play, reqOpts{token: agentTok}); r.Code != http.StatusForbidden { // no listen permission
		t.Fatalf("agent plays: %d", r.Code)
	}
	h.do("GET", play+"?recording_id=999", qa, nil, http.StatusBadRequest, nil)

	// Level rule: a level-5 agent's calls need a listener of level 5.
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", agent.ID), admin, map[string]any{"level": 5}, http.StatusOK, nil)
	if r := h.send("GET", play, reqOpts{token: qa}); r.Code != http.StatusForbidden {
		t.Fatalf("level-0 QA plays a level-5 agent's call: %d", r.Code)
	}
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", h.users[store.RoleQA].ID), admin, map[string]any{"level": 5}, http.StatusOK, nil)
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{h.users[store.RoleQA].Username, testPassword}, http.StatusOK, &login)
	if r := h.send("GET", play, reqOpts{token: login.Token}); r.Code != http.StatusOK {
		t.Fatalf("level-5 QA plays: %d %s", r.Code, r.Body.String())
	}

	// Every play audited, with the recording's checksum; pii access too.
	plays := h.auditOf("call.recording.play")
	if len(plays) < 4 || plays[0].Detail == "" || plays[len(plays)-1].TargetID != fmt.Sprint(call.ID) {
		t.Fatalf("play audit: %+v", plays)
	}
	if got := h.auditOf("pii.recording.play"); len(got) != 3 {
		t.Fatalf("pii.recording.play entries: %d, want one per served play", len(got))
	}

	// Retention removed the file: the call says so, playing answers 410.
	audit := &store.AuditEntry{Action: "recording.delete", TargetType: "recording", TargetID: fmt.Sprint(rec.ID), Username: "system"}
	must(t, h.srv.store.MarkRecordingDeleted(t.Context(), rec.ID, time.Now(), audit))
	var gone callView
	h.do("GET", fmt.Sprintf("/api/v1/calls/%d", call.ID), admin, nil, http.StatusOK, &gone)
	if gone.Recordings[0].DeletedAt == nil || gone.Recordings[0].URL != "" {
		t.Fatalf("deleted recording shown as %+v", gone.Recordings[0])
	}
	h.do("GET", play, admin, nil, http.StatusGone, nil)
}
