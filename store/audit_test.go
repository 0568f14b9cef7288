package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestListAuditByActionPrefix: the action filter is a prefix, and "_", "%"
// and "!" in it are literal on both databases ("pii." finds every PII
// access; "auth.screen_lock" must not find "auth.screenXlock").
func TestListAuditByActionPrefix(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		for i, a := range []string{"pii.contact.list", "pii.export", "piix.other", "auth.screen_lock", "auth.screenXlock", "odd%!action"} {
			e := &store.AuditEntry{Action: a, Username: "u", At: at.Add(time.Duration(i) * time.Second)}
			if err := s.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			prefix string
			want   int64
		}{
			{"pii.", 2},
			{"pii", 3},
			{"auth.screen_lock", 1},
			{"auth.screen_", 1},
			{"odd%!", 1},
			{"odd%%", 0},
			{"", 6},
		}
		for _, tt := range tests {
			_, total, err := s.ListAudit(ctx, store.AuditFilter{Action: tt.prefix})
			if err != nil || total != tt.want {
				t.Errorf("action %q: %d entries (%v), want %d", tt.prefix, total, err, tt.want)
			}
		}
	})
}
