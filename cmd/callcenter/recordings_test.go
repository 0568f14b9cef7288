package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestRecordingRetention(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i, age := range []time.Duration{400 * 24 * time.Hour, 10 * 24 * time.Hour} {
		uuid := []string{"old", "new"}[i]
		a := &store.Attempt{CallUUID: uuid, CreatedAt: now.Add(-age)}
		if err := st.SaveAttempt(ctx, a); err != nil {
			t.Fatal(err)
		}
		a, _ = st.GetAttemptByUUID(ctx, uuid)
		if err := os.WriteFile(filepath.Join(dir, uuid+".wav"), []byte(uuid), 0o600); err != nil {
			t.Fatal(err)
		}
		r := &store.Recording{AttemptID: a.ID, CallUUID: uuid, Path: uuid + ".wav", SHA256: strings.Repeat("0", 64),
			StartedAt: now.Add(-age), EndedAt: now.Add(-age + time.Minute)}
		if err := st.SaveRecording(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	w := &recordingSweeper{store: st, dir: dir, keep: 365 * 24 * time.Hour, log: slog.New(slog.DiscardHandler)}
	if n := w.sweep(ctx, now); n != 1 {
		t.Fatalf("swept %d, want the year-old one", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "old.wav")); !os.IsNotExist(err) {
		t.Fatalf("old file still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.wav")); err != nil {
		t.Fatalf("recent file gone: %v", err)
	}
	if n := w.sweep(ctx, now); n != 0 {
		t.Fatalf("second pass deleted %d", n)
	}
	entries, _, err := st.ListAudit(ctx, store.AuditFilter{Action: "recording.delete"})
	if err != nil || len(entries) != 1 || entries[0].Username != "system" || !strings.Contains(entries[0].Detail, "call=old") {
		t.Fatalf("audit %+v %v", entries, err)
	}
}
