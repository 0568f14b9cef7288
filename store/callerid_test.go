package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestCallerIDRotationAndDailyLimit(t *testing.T) {
	const a, b = "02161230001", "02161230002"
	cases := []struct {
		rotation store.CallerIDRotation
		want     []string
	}{
		{store.RotateRoundRobin, []string{a, b, a, b}},
		{store.RotateInOrder, []string{a, a, b, b}},
	}
	for _, c := range cases {
		t.Run(string(c.rotation), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, s *store.Store) {
				d := newDialer(t, s, 6, func(st *store.Strategy, _ *store.Campaign) {
					st.CallerIDRotation, st.CallerIDDailyLimit = c.rotation, 2
				})
				cls := d.claim(6, d.now)
				var got []string
				for i := range 4 {
					got = append(got, d.dial(&cls[i], fmt.Sprintf("call-%d", i), d.now).CallerID)
				}
				if !slices.Equal(got, c.want) {
					t.Fatalf("caller IDs %v, want %v", got, c.want)
				}
				// Every caller ID is at its limit: the fifth call is refused
				// and leaves no trace.
				_, err := s.StartAttempt(d.ctx, d.rules, d.lease.Token, store.AttemptStart{Claim: &cls[4], CallUUID: "call-4", Phone: cls[4].Contact.Phone, Now: d.now})
				if !errors.Is(err, store.ErrNoCallerID) {
					t.Fatalf("fifth call: %v, want ErrNoCallerID", err)
				}
				if c := d.contact(cls[4].Contact.ID); c.Attempts != 0 || c.Status != store.ContactPending {
					t.Fatalf("refused start changed the contact: %+v", c)
				}
				counts, err := s.CallerIDCounts(d.ctx, d.rules, d.now)
				if err != nil || counts[a] != 2 || counts[b] != 2 {
					t.Fatalf("counts %v %v", counts, err)
				}
				// The next day (in the calendar's zone) starts from zero.
				tomorrow := d.now.Add(24 * time.Hour)
				d.renewAt(tomorrow)
				must(t, s.ReleaseClaim(d.ctx, d.rules, d.lease.Token, &cls[4], "", tomorrow))
				cls = d.claim(6, tomorrow)
				if len(cls) != 1 {
					t.Fatalf("claimed %v the next day", ids(cls))
				}
				if dl := d.dial(&cls[0], "call-next-day", tomorrow); dl.CallerID != a {
					t.Fatalf("next day: %q", dl.CallerID)
				}
			})
		})
	}
}

// TestCallerIDLimitUnderConcurrency: calls started at once never take a
// caller ID past its daily limit.
func TestCallerIDLimitUnderConcurrency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		d := newDialer(t, s, 12, func(st *store.Strategy, c *store.Campaign) {
			st.CallerIDDailyLimit = 5
			c.CallerIDs = []string{"02161230009"}
		})
		cls := d.claim(12, d.now)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		for i := range cls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.StartAttempt(d.ctx, d.rules, d.lease.Token, store.AttemptStart{Claim: &cls[i], CallUUID: fmt.Sprintf("c-%d", i), Phone: cls[i].Contact.Phone, Now: d.now})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrNoCallerID):
					refused++
				default:
					t.Errorf("start %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if ok != 5 || refused != 7 {
			t.Fatalf("%d started, %d refused; want 5 and 7", ok, refused)
		}
	})
}
