package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// TestSecurityHole9ForwardedForIsTrustedFromProxiesOnly: a client cannot
// choose the address written to the audit log; a configured proxy can.
func TestSecurityHole9ForwardedForIsTrustedFromProxiesOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no proxy configured", nil, "203.0.113.9"},
		{"the peer is a configured proxy", []string{"203.0.113.0/24"}, "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.TrustedProxies = tc.proxies; noLimits(c) }})
			for _, hdr := range []string{"X-Forwarded-For", "X-Real-IP"} {
				h.send("POST", "/api/v1/groups", reqOpts{token: h.tokens[store.RoleAdmin], remote: attackerAddr,
					headers: map[string]string{hdr: "198.51.100.7"}, body: map[string]any{"name": "g-" + hdr, "kind": "agent"}})
			}
			rows := h.auditRows("action=group.create")
			if len(rows) != 2 {
				t.Fatalf("%d audit rows", len(rows))
			}
			for _, e := range rows {
				if e.IP != tc.want {
					t.Errorf("audited IP %q, want %q", e.IP, tc.want)
				}
			}
		})
	}
}

// TestSecurityHole9EveryAuditedRequestHasExactlyOneRow walks every audited
// route as every role (allowed, refused, invalid): each request leaves
// exactly one row of its own, found by its request id, whose action is the
// route's or a more precise one of its family (client.event: client.copy).
// Data-access rows (pii.*) are written besides it and are not counted here.
// Each request has a session of its own, so that signing out and locking
// the screen are walked too without spoiling the next request.
func TestSecurityHole9EveryAuditedRequestHasExactlyOneRow(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	n := 0
	for _, rt := range h.srv.apiRoutes() {
		if rt.Audit == "" {
			continue
		}
		path := strings.NewReplacer(":id", "999999", ":contact_id", "999999", ":code", "no-such-reason", ":uuid", "no-such-call", ":name", "agents", ":action", "hold").Replace(rt.Path)
		for _, role := range []store.Role{store.RoleAdmin, store.RoleAgent} {
			n++
			id := fmt.Sprintf("walk-%d", n)
			h.send(rt.Method, path, reqOpts{token: h.freshSession(role), body: "{}", headers: map[string]string{"X-Request-Id": id}})
			rows := h.auditRows("action=" + url.QueryEscape(auditFamily(rt.Audit)+"."))
			if got := countRequest(rows, id); got != 1 {
				t.Errorf("%s %s as %s: %d audit rows, want 1", rt.Method, rt.Path, role, got)
			}
		}
	}
}

func countRequest(rows []store.AuditEntry, requestID string) int {
	n := 0
	for _, e := range rows {
		if e.RequestID == requestID {
			n++
		}
	}
	return n
}

// freshSession signs role's user in once more and returns the new token.
func (h *harness) freshSession(role store.Role) string {
	h.t.Helper()
	tok, _, err := h.srv.store.CreateSession(h.t.Context(), h.users[role].ID, "", "", store.DefaultSessionPolicy)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// TestSecurityHole9ConcurrentImportsLoseNoAudit: 50 imports at once on
// SQLite; every request, accepted or refused, has exactly one audit row,
// and every accepted import's row names its job.
func TestSecurityHole9ConcurrentImportsLoseNoAudit(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{cfg: noLimits})
	admin := h.tokens[store.RoleAdmin]
	var camp store.Campaign
	h.do("POST", "/api/v1/campaigns", admin, map[string]any{"name": "并发导入"}, 201, &camp)
	codes := make([]int, 50)
	bodies := make([]string, 50)
	burst(50, func(i int) {
		csv := fmt.Sprintf("姓名,手机\n客户%d,1391234%04d\n", i, i)
		rec := h.upload("/api/v1/campaigns/"+itoa(camp.ID)+"/imports", admin, fmt.Sprintf("list-%d.csv", i), []byte(csv), nil)
		codes[i], bodies[i] = rec.Code, rec.Body.String()
	})
	rows := h.auditRows("action=import.create")
	if len(rows) != 50 {
		t.Fatalf("%d audit rows for 50 import requests", len(rows))
	}
	accepted := map[string]bool{}
	for i, code := range codes {
		if code == http.StatusAccepted {
			var r struct{ ID int64 }
			_ = jsonUnmarshal(bodies[i], &r)
			accepted[itoa(r.ID)] = true
		} else if code >= 500 {
			t.Errorf("import %d: %d %s", i, code, bodies[i])
		}
	}
	for _, e := range rows {
		if e.Result != "ok" {
			continue
		}
		if !accepted[e.TargetID] {
			t.Errorf("audit row %+v names no accepted import", e)
		}
		delete(accepted, e.TargetID)
	}
	if len(accepted) > 0 {
		t.Fatalf("accepted imports without an audit row: %v", accepted)
	}
}
