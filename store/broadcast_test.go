package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestBroadcastRecipientsAndReceipts(t *testing.T) {
	var now time.Time
	storetest.RunWith(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		now = at("2026-12-01 09:00") // each database's run starts at the same time
		ctx := context.Background()
		sup := newUser(t, s, "sup", store.RoleSupervisor)
		a := newUser(t, s, "agent1", store.RoleAgent)
		b := newUser(t, s, "agent2", store.RoleAgent)
		c := newUser(t, s, "agent3", store.RoleAgent)
		off := newUser(t, s, "agent4", store.RoleAgent)
		g := &store.Group{Name: "一组", Kind: store.GroupAgent}
		empty := &store.Group{Name: "空组", Kind: store.GroupAgent}
		for _, gr := range []*store.Group{g, empty} {
			if err := s.CreateGroup(ctx, gr); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range []*store.User{a, b, sup, off} {
			u.Disabled = u == off
			if err := s.UpdateUser(ctx, u, store.UserUpdate{GroupIDs: []int64{g.ID}}); err != nil {
				t.Fatal(err)
			}
		}
		past := now.Add(-time.Minute)
		bad := []struct {
			name  string
			b     store.Broadcast
			field string
		}{
			{"kind", store.Broadcast{Kind: "sms", Text: "x", Audience: store.AudienceAll}, "kind"},
			{"no text", store.Broadcast{Kind: store.BroadcastAnnouncement, Audience: store.AudienceAll}, "text"},
			{"control in title", store.Broadcast{Kind: store.BroadcastAnnouncement, Title: "a\nb", Text: "x", Audience: store.AudienceAll}, "title"},
			{"user without id", store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "x", Audience: store.AudienceUser}, "to"},
			{"unknown audience", store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "x", Audience: "team"}, "to"},
			{"expired", store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "x", Audience: store.AudienceAll, ExpiresAt: &past}, "expires_at"},
			{"unknown group", store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "x", Audience: store.AudienceGroup, TargetID: 999}, "to"},
			{"empty group", store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "x", Audience: store.AudienceGroup, TargetID: empty.ID}, "to"},
			{"disabled user", store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "x", Audience: store.AudienceUser, TargetID: off.ID}, "to"},
		}
		for _, x := range bad {
			x.b.SenderID = sup.ID
			if _, err := s.CreateBroadcast(ctx, &x.b); fmt.Sprint(fieldsOf(err)) != "["+x.field+"]" {
				t.Errorf("%s: %v, want an error on %s", x.name, err, x.field)
			}
		}
		if _, n, _ := s.ListBroadcasts(ctx, store.BroadcastFilter{}); n != 0 {
			t.Fatalf("refused broadcasts stored: %d", n)
		}

		send := func(b store.Broadcast) (*store.Broadcast, []int64) {
			b.SenderID = sup.ID
			users, err := s.CreateBroadcast(ctx, &b)
			if err != nil {
				t.Fatal(err)
			}
			return &b, users
		}
		soon := now.Add(time.Hour)
		group, gUsers := send(store.Broadcast{Kind: store.BroadcastWallboard, Title: "目标", Text: "今日目标 500 通", Audience: store.AudienceGroup, TargetID: g.ID, ExpiresAt: &soon})
		all, allUsers := send(store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "系统 18:00 维护", Audience: store.AudienceAll})
		_, oneUsers := send(store.Broadcast{Kind: store.BroadcastAnnouncement, Text: "请到我办公室", Audience: store.AudienceUser, TargetID: c.ID})
		// The sender and disabled users receive nothing.
		if fmt.Sprint(gUsers) != fmt.Sprint([]int64{a.ID, b.ID}) || fmt.Sprint(allUsers) != fmt.Sprint([]int64{a.ID, b.ID, c.ID}) || fmt.Sprint(oneUsers) != fmt.Sprint([]int64{c.ID}) {
			t.Fatalf("recipients: group %v, all %v, one %v", gUsers, allUsers, oneUsers)
		}

		if _, err := s.MarkBroadcastRead(ctx, group.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a non-recipient's receipt: %v", err)
		}
		if _, err := s.MarkBroadcastRead(ctx, group.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		rs, err := s.BroadcastReceipts(ctx, group.ID)
		if err != nil || len(rs) != 2 || rs[0].UserID != b.ID || rs[0].ReadAt != nil || rs[1].UserID != a.ID || rs[1].ReadAt == nil {
			t.Fatalf("receipts (unread first) %+v %v", rs, err)
		}
		list, _, _ := s.ListBroadcasts(ctx, store.BroadcastFilter{})
		if len(list) != 3 || list[2].ID != group.ID || list[2].Recipients != 2 || list[2].ReadCount != 1 || list[2].SenderName != "sup" {
			t.Fatalf("manager's list %+v", list)
		}

		mine := func(u *store.User, f store.BroadcastFilter) string {
			bs, total, err := s.MyBroadcasts(ctx, u.ID, f)
			if err != nil || int(total) != len(bs) {
				t.Fatalf("my broadcasts: %d of %d, %v", len(bs), total, err)
			}
			var out []int64
			for _, b := range bs {
				out = append(out, b.ID)
			}
			return fmt.Sprint(out)
		}
		if got := mine(a, store.BroadcastFilter{}); got != fmt.Sprint([]int64{all.ID, group.ID}) {
			t.Fatalf("a's broadcasts %s", got)
		}
		if got := mine(a, store.BroadcastFilter{Unread: true}); got != fmt.Sprint([]int64{all.ID}) {
			t.Fatalf("a's unread %s", got)
		}
		if got := mine(b, store.BroadcastFilter{Kind: store.BroadcastWallboard}); got != fmt.Sprint([]int64{group.ID}) {
			t.Fatalf("b's wallboard notices %s", got)
		}
		now = now.Add(2 * time.Hour) // the group notice expires
		if got := mine(a, store.BroadcastFilter{ActiveOnly: true}); got != fmt.Sprint([]int64{all.ID}) {
			t.Fatalf("a's active broadcasts after expiry %s", got)
		}
		w, err := s.WithdrawBroadcast(ctx, all.ID)
		if err != nil || w.ExpiresAt == nil || !w.ExpiresAt.Equal(now) {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		if got := mine(a, store.BroadcastFilter{ActiveOnly: true}); got != "[]" {
			t.Fatalf("a's active broadcasts after withdrawal %s", got)
		}
	})
}
