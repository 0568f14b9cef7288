package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
	"golang.org/x/crypto/bcrypt"
)

// countingHasher counts compares: all of them, and those made against one
// real hash (the account under attack), i.e. the guesses actually evaluated.
// Only those run bcrypt; the others (the dummy hash) fail at once, which
// keeps bursts of hundreds fast under the race detector.
type countingHasher struct {
	target atomic.Value // string: the hash whose compares are counted
	real   atomic.Int64
	all    atomic.Int64
	// atMatch is real's count at the compare that matched (0: none did).
	atMatch atomic.Int64
}

func (h *countingHasher) Compare(hash, pw []byte) error {
	h.all.Add(1)
	if t, _ := h.target.Load().(string); t != string(hash) {
		return bcrypt.ErrMismatchedHashAndPassword
	}
	n := h.real.Add(1)
	err := bcrypt.CompareHashAndPassword(hash, pw)
	if err == nil {
		h.atMatch.Store(n)
	}
	return err
}

const (
	officeIP   = "10.1.2.3"
	attackerIP = "203.0.113.9"
)

func TestSecurityHole5LockoutPerSourceWithBackoff(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	storetest.RunWith(t, storetest.Options{Now: clock}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "sup", store.RoleSupervisor)
		login := func(pw, ip string) error { _, err := s.Authenticate(ctx, "sup", pw, ip); return err }
		if err := login("Good-Pass-2026", officeIP); err != nil {
			t.Fatalf("good password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "nobody", "x", officeIP); !errors.Is(err, store.ErrBadCredentials) {
			t.Fatalf("unknown user: %v", err)
		}
		fail5 := func() {
			t.Helper()
			for i := 1; i < 5; i++ {
				if err := login("wrong", attackerIP); !errors.Is(err, store.ErrBadCredentials) {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			if err := login("wrong", attackerIP); !errors.Is(err, store.ErrLocked) {
				t.Fatalf("fifth failure should lock: %v", err)
			}
		}
		fail5()
		if err := login("Good-Pass-2026", attackerIP); !errors.Is(err, store.ErrLocked) {
			t.Fatalf("the locked source was let in with the right password: %v", err)
		}
		if err := login("Good-Pass-2026", officeIP); err != nil {
			t.Fatalf("the owner at their own address is locked out by a stranger: %v", err)
		}
		locks, err := s.LockedUntil(ctx, []int64{u.ID})
		if err != nil || !locks[u.ID].Equal(now.Add(15*time.Minute)) {
			t.Fatalf("LockedUntil = %v %v, want %v", locks, err, now.Add(15*time.Minute))
		}

		now = now.Add(16 * time.Minute) // first lockout over; the second doubles
		fail5()
		now = now.Add(29 * time.Minute)
		if err := login("Good-Pass-2026", attackerIP); !errors.Is(err, store.ErrLocked) {
			t.Fatalf("second lockout should last 30 minutes: %v", err)
		}
		now = now.Add(2 * time.Minute)
		if err := login("Good-Pass-2026", attackerIP); err != nil {
			t.Fatalf("after the second lockout: %v", err)
		}

		fail5() // a success reset the back-off: 15 minutes again
		if err := s.UnlockUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := login("Good-Pass-2026", attackerIP); err != nil {
			t.Fatalf("after an admin unlock: %v", err)
		}

		fail5()
		if err := u.SetPassword("Newer-Pass-2027", now); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateUser(ctx, u, store.UserUpdate{ClearLockouts: true}); err != nil {
			t.Fatal(err)
		}
		if err := login("Newer-Pass-2027", attackerIP); err != nil {
			t.Fatalf("a password reset did not lift the lockout: %v", err)
		}
	})
}

// TestSecurityHole3LoginBurst is hole 3: 49 wrong passwords and the
// right one sent at once, and bursts of 200, must not evaluate more than
// MaxFailures guesses; the right password after the limit is refused.
func TestSecurityHole3LoginBurst(t *testing.T) {
	h := &countingHasher{}
	storetest.RunWith(t, storetest.Options{Hasher: h}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "victim", store.RoleAdmin)
		h.target.Store(u.PasswordHash)
		h.real.Store(0)

		var ok atomic.Int64
		burst(50, func(i int) {
			pw := "wrong-guess"
			if i == 25 {
				pw = "Good-Pass-2026"
			}
			if _, err := s.Authenticate(ctx, "victim", pw, attackerIP); err == nil {
				ok.Add(1)
			}
		})
		// A success clears the source's count (its owner signed in), so
		// when the right password was among the first five guesses the
		// wrong ones after it get a fresh five; never more.
		limit := int64(5)
		if ok.Load() == 1 {
			if m := h.atMatch.Load(); m > 5 {
				t.Fatalf("the right password was guess %d, after the limit of 5", m)
			}
			limit = 10
		}
		if n := h.real.Load(); n > limit {
			t.Fatalf("a burst of 50 evaluated %d guesses, limit %d", n, limit)
		}
		if ok.Load() == 1 && h.real.Load() < 1 {
			t.Fatal("signed in without a compare")
		}
		if ok.Load() == 1 {
			// The right password was among the first five; a success clears
			// the source, so lock it again for the rest of the test.
			burst(5, func(int) { _, _ = s.Authenticate(ctx, "victim", "wrong-guess", attackerIP) })
		}

		h.real.Store(0)
		for b := 0; b < 5; b++ {
			burst(200, func(int) { _, _ = s.Authenticate(ctx, "victim", "wrong-guess", attackerIP) })
		}
		if _, err := s.Authenticate(ctx, "victim", "Good-Pass-2026", attackerIP); !errors.Is(err, store.ErrLocked) {
			t.Fatalf("the right password after the bursts: %v, want ErrLocked", err)
		}
		if n := h.real.Load(); n != 0 {
			t.Fatalf("five bursts of 200 against a locked source evaluated %d guesses, want 0", n)
		}
	})
}

// burst runs n calls of fn at once and waits for all of them.
func burst(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// TestSecurityHole6EveryLoginOutcomeCostsOneCompare is hole 6 at the store: unknown,
// disabled, locked, wrong, too long and right all spend exactly one compare.
func TestSecurityHole6EveryLoginOutcomeCostsOneCompare(t *testing.T) {
	h := &countingHasher{}
	storetest.RunWith(t, storetest.Options{Hasher: h, Login: store.LoginPolicy{MaxFailures: 1}}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		alive := newUser(t, s, "alive", store.RoleAgent)
		h.target.Store(alive.PasswordHash)
		off := newUser(t, s, "off", store.RoleAgent)
		off.Disabled = true
		if err := s.UpdateUser(ctx, off, store.UserUpdate{}); err != nil {
			t.Fatal(err)
		}
		newUser(t, s, "locked", store.RoleAgent)
		_, _ = s.Authenticate(ctx, "locked", "wrong", attackerIP)
		cases := []struct {
			name, user, pw string
			want           error
		}{
			{"unknown user", "ghost", "Good-Pass-2026", store.ErrBadCredentials},
			{"oversized username", string(make([]byte, 500<<10)), "Good-Pass-2026", store.ErrBadCredentials},
			{"disabled", "off", "Good-Pass-2026", store.ErrBadCredentials},
			{"locked", "locked", "Good-Pass-2026", store.ErrLocked},
			{"too long password", "alive", string(make([]byte, 200)), store.ErrLocked}, // one failure locks (MaxFailures 1)
			{"right after lockout", "alive", "Good-Pass-2026", store.ErrLocked},
		}
		for _, c := range cases {
			before := h.all.Load()
			_, err := s.Authenticate(ctx, c.user, c.pw, attackerIP)
			if !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
			if n := h.all.Load() - before; n != 1 {
				t.Errorf("%s: %d compares, want exactly 1", c.name, n)
			}
		}
		before := h.all.Load()
		if _, err := s.Authenticate(ctx, "ALIVE", "Good-Pass-2026", officeIP); err != nil || h.all.Load()-before != 1 {
			t.Errorf("right password: %v after %d compares", err, h.all.Load()-before)
		}
	})
}

// A user's sign-ins sent at once from one address (several tabs, a script
// opening sessions) all succeed: slots taken by compares in flight are
// waited for, not counted as failures.
func TestLoginBurstOfTheRightPasswordAllSucceed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		newUser(t, s, "tabs", store.RoleAgent)
		var failed atomic.Int64
		var first atomic.Value
		burst(20, func(int) {
			if _, err := s.Authenticate(context.Background(), "tabs", "Good-Pass-2026", officeIP); err != nil {
				failed.Add(1)
				first.CompareAndSwap(nil, err)
			}
		})
		if n := failed.Load(); n != 0 {
			t.Fatalf("%d of 20 sign-ins with the right password refused, the first with: %v", n, first.Load())
		}
	})
}

// panicHasher panics on compares against one hash: the server stopping in
// the middle of a compare, its slot never given back.
type panicHasher struct{ target atomic.Value }

func (h *panicHasher) Compare(hash, pw []byte) error {
	if t, _ := h.target.Load().(string); t == string(hash) {
		panic("the server stops mid-compare")
	}
	return bcrypt.CompareHashAndPassword(hash, pw)
}

// Slots of compares that never ended are given back after a minute: the
// owner is not locked out for good with no lockout time to wait for.
func TestLoginSlotsOfUnendedComparesAreFreed(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	h := &panicHasher{}
	storetest.RunWith(t, storetest.Options{Hasher: h, Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		u := newUser(t, s, "crashy", store.RoleAgent)
		h.target.Store(u.PasswordHash)
		for i := 0; i < 5; i++ {
			func() {
				defer func() { _ = recover() }()
				_, _ = s.Authenticate(context.Background(), "crashy", "Good-Pass-2026", officeIP)
			}()
		}
		h.target.Store("")
		now = now.Add(2 * time.Minute)
		if _, err := s.Authenticate(context.Background(), "crashy", "Good-Pass-2026", officeIP); err != nil {
			t.Fatalf("the right password after five unended compares: %v", err)
		}
	})
}
