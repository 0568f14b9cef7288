package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// Limit is a rate limit in requests per minute, from one source address and
// for one account (for sign-in: one username, existing or not); 0 turns that
// half off. Short bursts up to the per-minute figure pass.
type Limit struct {
	PerSource  int
	PerAccount int
}

// RateLimits bound the routes a flood would hurt: sign-in (password guessing,
// and slowing real sign-ins), imports and exports (heavy work, bulk data).
type RateLimits struct {
	Login, Import, Export Limit
}

// DefaultRateLimits leave a person at a desk far below every limit.
var DefaultRateLimits = RateLimits{
	Login:  Limit{PerSource: 30, PerAccount: 10},
	Import: Limit{PerSource: 30, PerAccount: 20},
	Export: Limit{PerSource: 20, PerAccount: 10},
}

type limitKind string

const (
	loginLimits  limitKind = "sign-in"
	importLimits limitKind = "import"
	exportLimits limitKind = "export"
)

func (r RateLimits) of(k limitKind) Limit {
	switch k {
	case loginLimits:
		return r.Login
	case importLimits:
		return r.Import
	}
	return r.Export
}

// limiter keeps one token bucket per key. It lives inside the api package
// and guards its map with its own mutex; nothing outside touches it.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens  float64
	at      time.Time
	refused bool // refusing since the last token; the first refusal is audited
}

// maxBuckets bounds the memory a flood of distinct keys can take: beyond it,
// buckets that have refilled (idle keys) are dropped.
const maxBuckets = 50000

func newLimiter(now func() time.Time) *limiter {
	return &limiter{buckets: map[string]*bucket{}, now: now}
}

// take spends one token of key's bucket (perMin tokens, refilled at perMin a
// minute). Refused, it says how long until a token and whether this is the
// first refusal since the bucket last had one.
func (l *limiter) take(key string, perMin int) (ok bool, wait time.Duration, first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		l.sweep(now, perMin)
		b = &bucket{tokens: float64(perMin), at: now}
		l.buckets[key] = b
	}
	rate := float64(perMin) / float64(time.Minute)
	b.tokens = math.Min(float64(perMin), b.tokens+float64(now.Sub(b.at))*rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		b.refused = false
		return true, 0, false
	}
	first = !b.refused
	b.refused = true
	return false, time.Duration((1 - b.tokens) / rate), first
}

func (l *limiter) sweep(now time.Time, perMin int) {
	if len(l.buckets) < maxBuckets {
		return
	}
	for k, b := range l.buckets {
		if now.Sub(b.at) >= time.Minute {
			delete(l.buckets, k)
		}
	}
}

// allow applies kind's limits to this request from its source address and
// for account; refused, it answers 429 with Retry-After and returns false.
func (s *Server) allow(c *gin.Context, kind limitKind, account string) bool {
	lim := s.cfg.RateLimits.of(kind)
	checks := []struct {
		key, who string
		perMin   int
	}{
		{string(kind) + "|source|" + c.ClientIP(), "from " + c.ClientIP(), lim.PerSource},
		{string(kind) + "|account|" + truncateStr(account, 64), "for this account", lim.PerAccount},
	}
	for _, ch := range checks {
		if ch.perMin <= 0 {
			continue
		}
		ok, wait, first := s.limits.take(ch.key, ch.perMin)
		if ok {
			continue
		}
		secs := int(math.Ceil(wait.Seconds()))
		c.Header("Retry-After", strconv.Itoa(secs))
		err := newError("too_many_requests", "too many %s requests %s (limit %d a minute); retry in %d s", kind, ch.who, ch.perMin, secs)
		if kind == loginLimits && first {
			s.auditLimited(c, account, err)
		}
		fail(c, err)
		return false
	}
	return true
}

// auditLimited records the first refused sign-in of a flood (one row per
// flood, not per request, so a flood cannot flood the audit log).
func (s *Server) auditLimited(c *gin.Context, account string, err error) {
	e := &store.AuditEntry{Username: account, Action: "auth.login", TargetType: "user", Result: "denied",
		Status: http.StatusTooManyRequests, RequestID: c.GetString("request_id"), IP: c.ClientIP(),
		Detail: "rate limited: " + err.Error() + " (further refusals of this flood are not audited)"}
	if aerr := s.store.Audit(c.Request.Context(), e); aerr != nil {
		logger(c).Error("audit rate limit", "err", aerr)
	}
}

// rateLimited applies kind's limits to a signed-in route, per user.
func (s *Server) rateLimited(kind limitKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.allow(c, kind, "user:"+itoa(currentUser(c).ID)) {
			c.Next()
		}
	}
}

// limitFor names the rate limit a route is under, if any.
func limitFor(rt route) (limitKind, bool) {
	switch {
	case rt.Path == "/api/v1/campaigns/:id/abandonment-evidence": // an export, though a GET
		return exportLimits, true
	case rt.Method != http.MethodPost:
		return "", false
	case strings.HasSuffix(rt.Path, "/imports"), strings.HasSuffix(rt.Path, "/imports/preview"),
		strings.HasSuffix(rt.Path, "/dnc/import"), strings.HasSuffix(rt.Path, "/:id/contacts"):
		return importLimits, true
	case rt.Path == "/api/v1/exports":
		return exportLimits, true
	}
	return "", false
}
