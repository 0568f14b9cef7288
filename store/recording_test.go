package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestRecordingRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
		r := &store.Recording{CallUUID: "call-1", AgentID: 4, CampaignID: 1, Path: "/rec/2026/12/06/call-1.wav",
			SHA256: strings.Repeat("ab", 32), Bytes: 4096, StartedAt: at, EndedAt: at.Add(time.Minute)}
		if err := s.CreateRecording(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.RecordingByCall(ctx, "call-1")
		if err != nil || got.SHA256 != r.SHA256 || got.Path != r.Path || !got.StartedAt.Equal(at) {
			t.Fatalf("got %+v %v", got, err)
		}
		dup := *r
		dup.ID = 0
		if err := s.CreateRecording(ctx, &dup); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second recording of a call: %v", err)
		}
		if err := s.CreateRecording(ctx, &store.Recording{CallUUID: "call-2", Path: "/x", SHA256: "short", StartedAt: at}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad hash: %v", err)
		}
		if _, err := s.RecordingByCall(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
	})
}
