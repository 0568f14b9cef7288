package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// voicemailFor stores a voicemail of the group with its file.
func voicemailFor(t *testing.T, h *harness, group int64, uuid string, audio []byte) *store.Voicemail {
	t.Helper()
	rel := filepath.Join("voicemail", uuid+".wav")
	path := filepath.Join(h.srv.cfg.RecordingsDir, rel)
	must(t, os.MkdirAll(filepath.Dir(path), 0o700))
	must(t, os.WriteFile(path, audio, 0o600))
	sum := sha256.Sum256(audio)
	v := &store.Voicemail{GroupID: group, CallUUID: uuid, Caller: "13912345678", Reason: store.VoicemailMaxWait, Path: rel,
		Format: "wav", Bytes: int64(len(audio)), SHA256: hex.EncodeToString(sum[:]), DurationMS: 4000,
		CreatedAt: time.Now().Add(-time.Minute).UTC().Truncate(time.Second)}
	must(t, h.srv.store.SaveVoicemail(t.Context(), v))
	return v
}

func TestVoicemailsListPlayAndHandle(t *testing.T) {
	h := newHarness(t)
	ctx := t.Context()
	admin, sup, qa := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor], h.tokens[store.RoleQA]
	g1, g2 := &store.Group{Name: "cards", Kind: store.GroupAgent}, &store.Group{Name: "loans", Kind: store.GroupAgent}
	must(t, h.srv.store.CreateGroup(ctx, g1))
	must(t, h.srv.store.CreateGroup(ctx, g2))
	agent := h.users[store.RoleAgent]
	must(t, h.srv.store.UpdateUser(ctx, agent, store.UserUpdate{GroupIDs: []int64{g1.ID}}))
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{agent.Username, testPassword}, http.StatusOK, &login)
	agentTok := login.Token
	audio := []byte("RIFF....WAVEfmt voicemail-audio")
	mine := voicemailFor(t, h, g1.ID, "vm-1", audio)
	other := voicemailFor(t, h, g2.ID, "vm-2", []byte("other"))

	// Lists: the agent sees their group's, masked; a supervisor every group's.
	var l list[voicemailView]
	h.do("GET", "/api/v1/voicemails", agentTok, nil, http.StatusOK, &l)
	if l.Total != 1 || l.Items[0].ID != mine.ID || l.Items[0].Caller != "139****5678" || l.Items[0].URL == "" {
		t.Fatalf("agent's voicemails: %+v", l)
	}
	h.do("GET", fmt.Sprintf("/api/v1/voicemails?group_id=%d", g2.ID), agentTok, nil, http.StatusOK, &l)
	if l.Total != 0 {
		t.Fatalf("another group's voicemails listed for an agent: %+v", l)
	}
	h.do("GET", "/api/v1/voicemails?handled=false", admin, nil, http.StatusOK, &l)
	if l.Total != 2 || l.Items[0].Caller != "13912345678" {
		t.Fatalf("admin's voicemails: %+v", l)
	}
	h.do("GET", fmt.Sprintf("/api/v1/voicemails?group_id=%d&caller=13912345678", g2.ID), sup, nil, http.StatusOK, &l)
	if l.Total != 1 || l.Items[0].ID != other.ID {
		t.Fatalf("supervisor's filtered voicemails: %+v", l)
	}
	h.do("GET", "/api/v1/voicemails?handled=maybe", sup, nil, http.StatusBadRequest, nil)
	h.do("GET", "/api/v1/voicemails?from=yesterday", sup, nil, http.StatusBadRequest, nil)
	h.do("GET", "/api/v1/voicemails", qa, nil, http.StatusForbidden, nil)

	// Playback: whole, then a range; another group's is not found.
	play := fmt.Sprintf("/api/v1/voicemails/%d/audio", mine.ID)
	r := h.send("GET", play, reqOpts{token: agentTok})
	if r.Code != 200 || r.Body.String() != string(audio) || r.Header().Get("Content-Type") != "audio/wav" ||
		r.Header().Get("X-Content-SHA256") != mine.SHA256 {
		t.Fatalf("play: %d %q %v", r.Code, r.Body.String(), r.Header())
	}
	r = h.send("GET", play, reqOpts{token: sup, headers: map[string]string{"Range": "bytes=4-7"}})
	if r.Code != http.StatusPartialContent || r.Body.String() != "...." {
		t.Fatalf("range: %d %q", r.Code, r.Body.String())
	}
	h.do("GET", fmt.Sprintf("/api/v1/voicemails/%d/audio", other.ID), agentTok, nil, http.StatusNotFound, nil)
	if plays := h.auditOf("voicemail.play"); len(plays) < 2 || plays[len(plays)-1].TargetID != fmt.Sprint(mine.ID) {
		t.Fatalf("play audit: %+v", plays)
	}

	// Handled once; a second time is a conflict; another group's is not found.
	var done voicemailView
	h.do("POST", fmt.Sprintf("/api/v1/voicemails/%d/handled", mine.ID), agentTok, nil, http.StatusOK, &done)
	if done.HandledAt == nil || done.HandledBy != agent.ID {
		t.Fatalf("handled: %+v", done)
	}
	h.do("POST", fmt.Sprintf("/api/v1/voicemails/%d/handled", mine.ID), sup, nil, http.StatusConflict, nil)
	h.do("POST", fmt.Sprintf("/api/v1/voicemails/%d/handled", other.ID), agentTok, nil, http.StatusNotFound, nil)
	if got := h.auditOf("voicemail.handle"); len(got) == 0 {
		t.Fatal("handling not audited")
	}
	h.do("GET", "/api/v1/voicemails?handled=true", sup, nil, http.StatusOK, &l)
	if l.Total != 1 || l.Items[0].ID != mine.ID {
		t.Fatalf("handled voicemails: %+v", l)
	}
}

// Groups take their queue settings; bad ones are 400s naming the field.
func TestGroupQueueSettings(t *testing.T) {
	h := newHarness(t)
	admin := h.tokens[store.RoleAdmin]
	var g store.Group
	h.do("POST", "/api/v1/groups", admin, map[string]any{"name": "cards", "announce_every_s": 30, "announce_position": true,
		"max_wait_s": 120, "voicemail": true, "notify_email": "cards@bank.example.cn"}, http.StatusCreated, &g)
	if g.AnnounceEveryS != 30 || !g.AnnouncePosition || g.MaxWaitS != 120 || !g.Voicemail || g.NotifyEmail != "cards@bank.example.cn" {
		t.Fatalf("group %+v", g)
	}
	rec := h.do("PATCH", fmt.Sprintf("/api/v1/groups/%d", g.ID), admin, map[string]any{"announce_every_s": 3}, http.StatusBadRequest, nil)
	if e := errorOf(t, rec); fmt.Sprint(e.Details) == "" || !strings.Contains(fmt.Sprint(e.Details), "announce_every_s") {
		t.Fatalf("error %+v", e)
	}
	var u userView
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", h.users[store.RoleAgent].ID), admin, map[string]any{"skills": "English, cards"}, http.StatusOK, &u)
	if u.Skills != "cards,english" {
		t.Fatalf("skills %q", u.Skills)
	}
	h.do("PATCH", fmt.Sprintf("/api/v1/users/%d", h.users[store.RoleAgent].ID), admin, map[string]any{"skills": "a b"}, http.StatusBadRequest, nil)
}
