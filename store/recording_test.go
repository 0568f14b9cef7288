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

func TestCallHistoryWithRecordings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		calls := []store.Attempt{
			{CallUUID: "h-1", CampaignID: 1, AgentID: 7, ContactID: 1, Destination: "+8613800138000", CreatedAt: t0},
			{CallUUID: "h-2", CampaignID: 1, AgentID: 8, ContactID: 2, Destination: "+8613900139000", CreatedAt: t0.Add(time.Hour)},
			{CallUUID: "h-3", CampaignID: 2, AgentID: 7, ContactID: 3, Destination: "+8613800138000", CreatedAt: t0.Add(2 * time.Hour)},
		}
		for i := range calls {
			if err := s.SaveAttempt(ctx, &calls[i]); err != nil {
				t.Fatal(err)
			}
		}
		first, _ := s.GetAttemptByUUID(ctx, "h-1")
		rec := &store.Recording{AttemptID: first.ID, CallUUID: "h-1", CampaignID: 1, AgentID: 7, Path: "2026/12/01/h-1.wav",
			Bytes: 1000, SHA256: strings.Repeat("ab", 32), StartedAt: t0.Add(5 * time.Second), EndedAt: t0.Add(65 * time.Second)}
		if err := s.SaveRecording(ctx, rec); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		tests := []struct {
			name string
			f    store.CallFilter
			want []string
		}{
			{"all, newest first", store.CallFilter{}, []string{"h-3", "h-2", "h-1"}},
			{"by agent", store.CallFilter{AgentID: 7}, []string{"h-3", "h-1"}},
			{"by campaign", store.CallFilter{CampaignID: 1}, []string{"h-2", "h-1"}},
			{"by whole phone", store.CallFilter{Phone: "+8613800138000"}, []string{"h-3", "h-1"}},
			{"a prefix matches nothing", store.CallFilter{Phone: "+86138"}, nil},
			{"time window", store.CallFilter{From: t0.Add(30 * time.Minute), To: t0.Add(90 * time.Minute)}, []string{"h-2"}},
			{"recorded", store.CallFilter{Recorded: &yes}, []string{"h-1"}},
			{"not recorded", store.CallFilter{Recorded: &no}, []string{"h-3", "h-2"}},
		}
		for _, tt := range tests {
			rows, total, err := s.ListCalls(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.CallUUID)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || total != int64(len(tt.want)) {
				t.Errorf("%s: %v (total %d), want %v", tt.name, got, total, tt.want)
			}
		}
		call, err := s.GetCall(ctx, first.ID)
		if err != nil || len(call.Recordings) != 1 || call.Recordings[0].DurationMS() != 60000 {
			t.Fatalf("call %+v, %v", call, err)
		}
		if _, err := s.GetCall(ctx, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing call: %v", err)
		}

		// Retention: the file's row stays, marked, with its audit entry.
		old, err := s.ExpiredRecordings(ctx, t0.Add(time.Hour), 10)
		if err != nil || len(old) != 1 {
			t.Fatalf("expired %v %v", old, err)
		}
		audit := &store.AuditEntry{Action: "recording.delete", TargetType: "recording", TargetID: "1", Username: "system", At: t0}
		if err := s.MarkRecordingDeleted(ctx, old[0].ID, t0.Add(time.Hour), audit); err != nil {
			t.Fatal(err)
		}
		if again, _ := s.ExpiredRecordings(ctx, t0.Add(time.Hour), 10); len(again) != 0 {
			t.Fatalf("a deleted recording is expired again: %v", again)
		}
		got, _ := s.GetRecording(ctx, old[0].ID)
		if got.DeletedAt == nil {
			t.Fatal("deletion not recorded")
		}
	})
}

func TestSaveRecordingRefusesBadInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		t0 := time.Now()
		good := store.Recording{AttemptID: 1, CallUUID: "u", Path: "a.wav", SHA256: strings.Repeat("0", 64), StartedAt: t0, EndedAt: t0}
		tests := []struct {
			field  string
			change func(r *store.Recording)
		}{
			{"attempt_id", func(r *store.Recording) { r.AttemptID = 0 }},
			{"path", func(r *store.Recording) { r.Path = "" }},
			{"sha256", func(r *store.Recording) { r.SHA256 = "abc" }},
			{"ended_at", func(r *store.Recording) { r.EndedAt = t0.Add(-time.Second) }},
		}
		for _, tt := range tests {
			r := good
			tt.change(&r)
			var ve *store.ValidationError
			if err := s.SaveRecording(context.Background(), &r); !errors.As(err, &ve) || ve.Fields[0].Field != tt.field {
				t.Errorf("%s: %v", tt.field, err)
			}
		}
	})
}
