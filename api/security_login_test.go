package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

const (
	officeAddr   = "10.1.2.3:50000"
	attackerAddr = "203.0.113.9:40000"
)

// TestSecurityHole3LoginBurst: 49 wrong passwords and then the right one in
// the same burst, and bursts of 200, evaluate at most 5 guesses; the right
// password after the limit is refused. (The store test of the same name runs
// it on SQLite and MariaDB.)
func TestSecurityHole3LoginBurst(t *testing.T) {
	hasher := &countingHasher{}
	h := newHarnessWith(t, harnessOptions{store: storeWith(hasher), cfg: noLimits})
	hasher.aim(h.users[store.RoleAdmin].PasswordHash)
	burst(49, func(int) { h.login("u_admin", "Wrong-Guess-1", attackerAddr) })
	if rec := h.login("u_admin", testPassword, attackerAddr); rec.Code != http.StatusUnauthorized {
		t.Fatalf("right password after 49 wrong ones in a burst: %d, want 401", rec.Code)
	}
	for b := 0; b < 5; b++ {
		burst(200, func(int) { h.login("u_admin", "Wrong-Guess-1", attackerAddr) })
	}
	if n := hasher.real.Load(); n > 5 {
		t.Fatalf("%d guesses evaluated against a limit of 5", n)
	}
}

// TestSecurityHole5LockoutIsPerSource: a stranger's five wrong guesses lock
// only the stranger's address out of admin; an admin can unlock (audited);
// a password reset lifts the lockout.
func TestSecurityHole5LockoutIsPerSource(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	admin := h.tokens[store.RoleAdmin]
	agent := h.users[store.RoleAgent]
	lock := func(name string) {
		t.Helper()
		for i := 0; i < 5; i++ {
			h.login(name, "Wrong-Guess-1", attackerAddr)
		}
		if rec := h.login(name, testPassword, attackerAddr); rec.Code != http.StatusUnauthorized {
			t.Fatalf("%s not locked for the attacker's address: %d", name, rec.Code)
		}
	}
	lock("u_admin")
	if rec := h.login("u_admin", testPassword, officeAddr); rec.Code != http.StatusOK {
		t.Fatalf("admin locked out of their own desk by a stranger: %d %s", rec.Code, rec.Body)
	}

	lock("u_agent")
	var v userView
	h.do("GET", "/api/v1/users/"+itoa(agent.ID), admin, nil, 200, &v)
	if v.LockedUntil == nil {
		t.Fatal("a locked user shows no locked_until")
	}
	var unlocked userView
	h.do("POST", "/api/v1/users/"+itoa(agent.ID)+"/unlock", admin, nil, 200, &unlocked)
	if unlocked.LockedUntil != nil {
		t.Fatalf("still locked after unlock: %v", unlocked.LockedUntil)
	}
	if rec := h.login("u_agent", testPassword, attackerAddr); rec.Code != http.StatusOK {
		t.Fatalf("after unlock: %d", rec.Code)
	}
	if rows := h.auditRows("action=user.unlock&target_id=" + itoa(agent.ID)); len(rows) != 1 || rows[0].Result != "ok" {
		t.Fatalf("unlock audit: %+v", rows)
	}

	lock("u_agent")
	h.do("PATCH", "/api/v1/users/"+itoa(agent.ID), admin, map[string]any{"password": "Reset-Pass-2027"}, 200, nil)
	if rec := h.login("u_agent", "Reset-Pass-2027", attackerAddr); rec.Code != http.StatusOK {
		t.Fatalf("a password reset left the lockout: %d", rec.Code)
	}
}

// TestSecurityHole6OneAnswerOneCompare: unknown, wrong, disabled, locked and
// oversized attempts get the same 401 body and cost exactly one password
// compare each, so neither the answer nor its time tells usernames apart.
func TestSecurityHole6OneAnswerOneCompare(t *testing.T) {
	hasher := &countingHasher{}
	h := newHarnessWith(t, harnessOptions{store: storeWith(hasher), cfg: noLimits})
	admin := h.tokens[store.RoleAdmin]
	h.do("PATCH", "/api/v1/users/"+itoa(h.users[store.RoleQA].ID), admin, map[string]any{"disabled": true}, 200, nil)
	for i := 0; i < 5; i++ {
		h.login("u_supervisor", "Wrong-Guess-1", attackerAddr)
	}
	cases := []struct{ name, user, pw string }{
		{"unknown user", "ghost", testPassword},
		{"wrong password", "u_agent", "Wrong-Guess-1"},
		{"disabled", "u_qa", testPassword},
		{"locked", "u_supervisor", testPassword},
		{"500 KB username", strings.Repeat("a", 500<<10), testPassword},
		{"too long password", "u_agent", strings.Repeat("x", 100)},
	}
	var first string
	for _, c := range cases {
		before := hasher.all.Load()
		rec := h.login(c.user, c.pw, attackerAddr)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", c.name, rec.Code)
		}
		if first == "" {
			first = rec.Body.String()
		} else if rec.Body.String() != first {
			t.Errorf("%s answers %s, unlike %s", c.name, rec.Body, first)
		}
		if n := hasher.all.Load() - before; n != 1 {
			t.Errorf("%s: %d password compares, want exactly 1", c.name, n)
		}
	}
	rows := h.auditRows("action=auth.login")
	for _, e := range rows {
		if len(e.Username) > 64 {
			t.Errorf("audit stored a %d-byte username", len(e.Username))
		}
	}
}

// TestSecurityHole6And12RateLimitTreatsUnknownNamesAlike: 429 comes only from
// the rate limiter, with Retry-After, the same for an unknown username as
// for an existing one.
func TestSecurityHole6And12RateLimitTreatsUnknownNamesAlike(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) {
		c.RateLimits = &RateLimits{Login: Limit{PerSource: 100, PerAccount: 3}}
	}})
	h.do("POST", "/api/v1/users", h.tokens[store.RoleAdmin], map[string]any{"username": "clerk", "password": "Desk-Pass-2026", "role": "agent"}, 201, nil)
	for _, name := range []string{"ghost", "clerk"} {
		var codes []int
		for i := 0; i < 4; i++ {
			codes = append(codes, h.login(name, "Wrong-Guess-1", attackerAddr).Code)
		}
		if codes[2] != 401 || codes[3] != 429 {
			t.Fatalf("%s: statuses %v, want 401 401 401 429", name, codes)
		}
	}
	rec := h.login("ghost", "Wrong-Guess-1", officeAddr)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("per-account limit from another address: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}

	h = newHarnessWith(t, harnessOptions{cfg: func(c *Config) {
		c.RateLimits = &RateLimits{Login: Limit{PerSource: 10}}
	}})
	var limited int
	for i := 0; i < 20; i++ {
		if h.login("user"+itoa(int64(i)), "Wrong-Guess-1", attackerAddr).Code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 10 {
		t.Fatalf("a flood of 20 from one address: %d limited, want 10", limited)
	}
	if rec := h.login("u_admin", testPassword, officeAddr); rec.Code != http.StatusOK {
		t.Fatalf("a flood from one address blocks another: %d", rec.Code)
	}
	if rows := h.auditRows("action=auth.login"); !hasDetail(rows, "rate limited") {
		t.Fatal("the flood's first refusal is not audited")
	}
}

func hasDetail(rows []store.AuditEntry, s string) bool {
	for _, e := range rows {
		if strings.Contains(e.Detail, s) {
			return true
		}
	}
	return false
}
