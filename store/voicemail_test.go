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

func TestVoicemailsListAndHandle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		vms := []store.Voicemail{
			{GroupID: 1, CallUUID: "v-1", Caller: "13800138000", Reason: store.VoicemailMaxWait, CreatedAt: t0},
			{GroupID: 2, CallUUID: "v-2", Caller: "13900139000", Reason: store.VoicemailNoAgent, CreatedAt: t0.Add(time.Hour)},
			{GroupID: 1, CallUUID: "v-3", Caller: "13800138000", Reason: store.VoicemailMaxWait, CreatedAt: t0.Add(2 * time.Hour), CampaignID: 4, AttemptID: 9},
		}
		for i := range vms {
			vms[i].Path, vms[i].SHA256, vms[i].Bytes, vms[i].DurationMS = "vm/"+vms[i].CallUUID+".wav", strings.Repeat("cd", 32), 100, 3000
			if err := s.SaveVoicemail(ctx, &vms[i]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.MarkVoicemailHandled(ctx, vms[0].ID, 7, t0.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		yes, no := true, false
		tests := []struct {
			name string
			f    store.VoicemailFilter
			want []string
		}{
			{"all, newest first", store.VoicemailFilter{}, []string{"v-3", "v-2", "v-1"}},
			{"one group", store.VoicemailFilter{GroupIDs: []int64{1}}, []string{"v-3", "v-1"}},
			{"no group allowed", store.VoicemailFilter{GroupIDs: []int64{}}, nil},
			{"by caller", store.VoicemailFilter{Caller: "13900139000"}, []string{"v-2"}},
			{"time window", store.VoicemailFilter{From: t0.Add(30 * time.Minute), To: t0.Add(90 * time.Minute)}, []string{"v-2"}},
			{"handled", store.VoicemailFilter{Handled: &yes}, []string{"v-1"}},
			{"open", store.VoicemailFilter{Handled: &no}, []string{"v-3", "v-2"}},
			{"second page", store.VoicemailFilter{Page: store.Page{Number: 2, Size: 2}}, []string{"v-1"}},
		}
		for _, tt := range tests {
			rows, total, err := s.ListVoicemails(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.CallUUID)
			}
			wantTotal := int64(len(tt.want))
			if tt.f.Page.Number == 2 {
				wantTotal = 3
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || total != wantTotal {
				t.Errorf("%s: %v (total %d), want %v", tt.name, got, total, tt.want)
			}
		}
		_, err := s.MarkVoicemailHandled(ctx, vms[0].ID, 8, t0.Add(4*time.Hour))
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second handling: %v, want a conflict", err)
		}
		v, err := s.GetVoicemail(ctx, vms[0].ID)
		if err != nil || v.HandledBy != 7 || v.HandledAt == nil || !v.HandledAt.Equal(t0.Add(3*time.Hour)) {
			t.Fatalf("handled voicemail %+v %v: the first handler stays", v, err)
		}
		if _, err := s.MarkVoicemailHandled(ctx, 999, 7, t0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown voicemail: %v", err)
		}
		if err := s.SaveVoicemail(ctx, &store.Voicemail{GroupID: 1, CallUUID: "x", Path: "p", SHA256: "short", Reason: store.VoicemailMaxWait}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad checksum: %v", err)
		}
	})
}

func TestGroupQueueSettingsAndSkills(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		bad := []struct {
			field string
			q     store.GroupQueue
		}{
			{"announce_every_s", store.GroupQueue{AnnounceEveryS: 4}},
			{"max_wait_s", store.GroupQueue{MaxWaitS: -1}},
			{"voicemail_max_s", store.GroupQueue{VoicemailMaxS: 601}},
			{"notify_email", store.GroupQueue{NotifyEmail: "Team <team@bank.cn>"}},
		}
		for _, tt := range bad {
			err := s.CreateGroup(ctx, &store.Group{Name: "g-" + tt.field, Kind: store.GroupAgent, GroupQueue: tt.q})
			var ve *store.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != tt.field {
				t.Errorf("%s: %v", tt.field, err)
			}
		}
		g := &store.Group{Name: "cards", Kind: store.GroupAgent, GroupQueue: store.GroupQueue{AnnounceEveryS: 30, AnnouncePosition: true,
			MaxWaitS: 120, Voicemail: true, NotifyEmail: " cards@bank.cn "}}
		if err := s.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetGroup(ctx, g.ID)
		if err != nil || got.GroupQueue != (store.GroupQueue{AnnounceEveryS: 30, AnnouncePosition: true, MaxWaitS: 120, Voicemail: true,
			NotifyEmail: "cards@bank.cn"}) || got.VoicemailLimitS() != store.DefaultVoicemailS {
			t.Fatalf("group %+v %v", got, err)
		}
		ext := "1001"
		u := &store.User{Username: "a1", Role: store.RoleAgent, Extension: &ext, Skills: " English,cards, english "}
		if err := u.SetPassword("Passw0rd!Passw0rd", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUser(ctx, u, []int64{g.ID}); err != nil {
			t.Fatal(err)
		}
		back, err := s.GetUser(ctx, u.ID)
		if err != nil || back.Skills != "cards,english" {
			t.Fatalf("skills %q %v", back.Skills, err)
		}
		u.Skills = "no spaces allowed"
		if err := s.UpdateUser(ctx, u, store.UserUpdate{}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("bad skill: %v", err)
		}
	})
}
