package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestSendMessageValidation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newUser(t, s, "agent1", store.RoleAgent)
		b := newUser(t, s, "agent2", store.RoleAgent)
		gone := newUser(t, s, "agent3", store.RoleAgent)
		gone.Disabled = true
		if err := s.UpdateUser(ctx, gone, store.UserUpdate{}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			to    int64
			text  string
			field string
		}{
			{"empty", b.ID, "  \n ", "text"},
			{"too long", b.ID, strings.Repeat("好", store.MaxMessageRunes+1), "text"},
			{"bell", b.ID, "hi\x07", "text"},
			{"escape sequence", b.ID, "\x1b[2Jhi", "text"},
			{"bidi override", b.ID, "pay \u202eoiu", "text"},
			{"invalid utf-8", b.ID, "hi\xff", "text"},
			{"to yourself", a.ID, "hi", "to_user_id"},
			{"to nobody", 999, "hi", "to_user_id"},
			{"to a disabled user", gone.ID, "hi", "to_user_id"},
		}
		for _, c := range cases {
			_, err := s.SendMessage(ctx, &store.Message{FromUserID: a.ID, ToUserID: c.to, Text: c.text})
			if got := fieldsOf(err); len(got) != 1 || got[0] != c.field {
				t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
			}
		}
		if _, n, _ := s.ListMessages(ctx, store.MessageFilter{UserID: a.ID}); n != 0 {
			t.Fatalf("refused messages were stored: %d", n)
		}
		m, err := s.SendMessage(ctx, &store.Message{FromUserID: a.ID, ToUserID: b.ID, Text: " 第一行\r\n\t第二行 "})
		if err != nil {
			t.Fatal(err)
		}
		if m.Text != "第一行\n\t第二行" || m.FromName != "agent1" || m.ToName != "agent2" {
			t.Fatalf("stored %+v", m)
		}
	})
}

func TestMessageBoxesAndReading(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := newUser(t, s, "agent1", store.RoleAgent)
		b := newUser(t, s, "agent2", store.RoleAgent)
		sup := newUser(t, s, "sup", store.RoleSupervisor)
		send := func(from, to *store.User, text string) *store.MessageView {
			m, err := s.SendMessage(ctx, &store.Message{FromUserID: from.ID, ToUserID: to.ID, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		m1 := send(a, b, "one")
		send(b, a, "two")
		send(sup, a, "three")
		send(sup, b, "four")

		texts := func(f store.MessageFilter) string {
			t.Helper()
			ms, total, err := s.ListMessages(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, m.Text)
			}
			if int(total) != len(out) {
				t.Fatalf("total %d, %d items", total, len(out))
			}
			return strings.Join(out, ",")
		}
		cases := []struct {
			name string
			f    store.MessageFilter
			want string
		}{
			{"a all", store.MessageFilter{UserID: a.ID}, "three,two,one"},
			{"a inbox", store.MessageFilter{UserID: a.ID, Box: store.BoxInbox}, "three,two"},
			{"a outbox", store.MessageFilter{UserID: a.ID, Box: store.BoxOutbox}, "one"},
			{"a with sup", store.MessageFilter{UserID: a.ID, WithUserID: sup.ID}, "three"},
			{"b unread", store.MessageFilter{UserID: b.ID, Unread: true}, "four,one"},
			{"sup sees only their own", store.MessageFilter{UserID: sup.ID}, "four,three"},
		}
		for _, c := range cases {
			if got := texts(c.f); got != c.want {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
		}
		// Only the recipient can mark a message read; others see no such message.
		for _, u := range []*store.User{a, sup} {
			if _, err := s.MarkMessageRead(ctx, m1.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("user %s marked another's message read: %v", u.Username, err)
			}
		}
		first, err := s.MarkMessageRead(ctx, m1.ID, b.ID)
		if err != nil || first.ReadAt == nil {
			t.Fatalf("read: %+v %v", first, err)
		}
		again, _ := s.MarkMessageRead(ctx, m1.ID, b.ID)
		if !again.ReadAt.Equal(*first.ReadAt) {
			t.Fatalf("reading again moved read_at from %v to %v", first.ReadAt, again.ReadAt)
		}
		if got := texts(store.MessageFilter{UserID: b.ID, Unread: true}); got != "four" {
			t.Fatalf("b unread after reading: %q", got)
		}
		if n, _ := s.CountUnreadMessages(ctx, b.ID); n != 1 {
			t.Fatalf("unread count %d", n)
		}
	})
}
