package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// addUser creates and signs in one more user.
func (h *harness) addUser(name string, role store.Role, groups ...int64) (*store.User, string) {
	h.t.Helper()
	u := &store.User{Username: name, Role: role}
	if err := u.SetPassword(testPassword, time.Now()); err != nil {
		h.t.Fatal(err)
	}
	if err := h.srv.store.CreateUser(context.Background(), u, groups); err != nil {
		h.t.Fatal(err)
	}
	var resp loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{Username: name, Password: testPassword}, 200, &resp)
	return u, resp.Token
}

func TestMessagesThroughAPI(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	a, aTok := sh.users[store.RoleAgent], sh.tokens[store.RoleAgent]
	b, bTok := sh.addUser("agent_b", store.RoleAgent)
	supTok := sh.tokens[store.RoleSupervisor]
	bStream := sh.connect("/api/v1/me/events", bTok, "", 200)
	aStream := sh.connect("/api/v1/me/events", aTok, "", 200)
	bStream.next()
	aStream.next()

	const secret = "客户说明天下午三点回电"
	var m store.MessageView
	sh.do("POST", "/api/v1/messages", aTok, messageRequest{ToUserID: b.ID, Text: secret}, 201, &m)
	for _, c := range []*sseConn{bStream, aStream} {
		ev := c.next()
		var got store.MessageView
		decodeEvent(t, ev, &got)
		if ev.Name != feed.EventMessage || got.ID != m.ID || got.Text != secret || got.FromName != a.DisplayName {
			t.Fatalf("message event %+v", ev)
		}
	}
	bad := []struct {
		body  any
		field string
	}{
		{messageRequest{Text: "hi"}, "to_user_id"},
		{messageRequest{ToUserID: b.ID, Text: "hi\x1b[31m"}, "text"},
		{messageRequest{ToUserID: b.ID, Text: strings.Repeat("长", store.MaxMessageRunes+1)}, "text"},
		{messageRequest{ToUserID: 999999, Text: "hi"}, "to_user_id"},
	}
	for _, c := range bad {
		rec := sh.raw("POST", "/api/v1/messages", aTok, c.body)
		if e := errorOf(t, rec); rec.Code != 400 || len(e.Details) != 1 || e.Details[0].Field != c.field {
			t.Errorf("%+v: %d %+v, want 400 on %s", c.body, rec.Code, e, c.field)
		}
	}

	// Nobody else reads it, or marks it read.
	var box list[store.MessageView]
	sh.do("GET", "/api/v1/messages", supTok, nil, 200, &box)
	if box.Total != 0 {
		t.Fatalf("a supervisor sees others' messages: %+v", box)
	}
	sh.do("POST", "/api/v1/messages/"+itoa(m.ID)+"/read", aTok, nil, 404, nil)
	sh.do("POST", "/api/v1/messages/"+itoa(m.ID)+"/read", supTok, nil, 404, nil)
	sh.do("GET", "/api/v1/messages?box=inbox&unread=true", bTok, nil, 200, &box)
	if box.Total != 1 || box.Items[0].Text != secret {
		t.Fatalf("b's unread inbox %+v", box)
	}
	sh.do("POST", "/api/v1/messages/"+itoa(m.ID)+"/read", bTok, nil, 200, nil)
	if ev := aStream.next(); ev.Name != feed.EventMessageRead || !strings.Contains(ev.Data, `"id":`+itoa(m.ID)) {
		t.Fatalf("the sender heard %+v, want message_read", ev)
	}
	sh.do("GET", "/api/v1/messages?box=inbox&unread=true", bTok, nil, 200, &box)
	if box.Total != 0 {
		t.Fatalf("read message still unread: %+v", box)
	}
	sh.do("GET", "/api/v1/messages?box=sideways", bTok, nil, 400, nil)

	// Audited without the text.
	var audit list[store.AuditEntry]
	sh.do("GET", "/api/v1/audit?action=message.", sh.tokens[store.RoleAdmin], nil, 200, &audit)
	if audit.Total < 2 {
		t.Fatalf("message actions not audited: %+v", audit)
	}
	for _, e := range audit.Items {
		if strings.Contains(e.Detail, "客户") || strings.Contains(e.Detail, "hi") {
			t.Fatalf("message text in the audit log: %+v", e)
		}
	}
	var dir list[directoryEntry]
	sh.do("GET", "/api/v1/directory", aTok, nil, 200, &dir)
	if dir.Total != 5 {
		t.Fatalf("directory has %d users, want 5", dir.Total)
	}
}

func TestBroadcastsThroughAPI(t *testing.T) {
	sh := newStreamHarness(t, feed.Options{}, nil)
	agentTok, supTok := sh.tokens[store.RoleAgent], sh.tokens[store.RoleSupervisor]
	req := broadcastRequest{Kind: store.BroadcastWallboard, Title: "目标", Text: "今日目标 500 通", To: "all"}
	sh.do("POST", "/api/v1/broadcasts", agentTok, req, 403, nil)
	sh.do("POST", "/api/v1/broadcasts", sh.tokens[store.RoleQA], req, 403, nil)
	for _, to := range []string{"", "team:1", "user:x", "group:0", "user:999999"} {
		bad := req
		bad.To = to
		rec := sh.raw("POST", "/api/v1/broadcasts", supTok, bad)
		if e := errorOf(t, rec); rec.Code != 400 || e.Details[0].Field != "to" {
			t.Errorf("to %q: %d %+v", to, rec.Code, e)
		}
	}
	own := sh.connect("/api/v1/me/events", agentTok, "", 200)
	mon := sh.connect("/api/v1/monitor/events", sh.tokens[store.RoleAdmin], "", 200)
	own.next()
	mon.next()
	var b store.BroadcastView
	sh.do("POST", "/api/v1/broadcasts", supTok, req, 201, &b)
	if b.Recipients != 3 { // admin, qa, agent: not the sender
		t.Fatalf("recipients %d, want 3", b.Recipients)
	}
	for _, c := range []*sseConn{own, mon} {
		if ev := c.next(); ev.Name != feed.EventAnnouncement || !strings.Contains(ev.Data, "今日目标") {
			t.Fatalf("announcement event %+v", ev)
		}
	}
	var notices list[store.BroadcastView]
	sh.do("GET", "/api/v1/monitor/notices", sh.tokens[store.RoleAdmin], nil, 200, &notices)
	if notices.Total != 1 {
		t.Fatalf("wallboard notices %+v", notices)
	}
	var mine list[store.BroadcastView]
	sh.do("GET", "/api/v1/me/broadcasts?unread=true", agentTok, nil, 200, &mine)
	if mine.Total != 1 || mine.Items[0].ID != b.ID {
		t.Fatalf("agent's unread %+v", mine)
	}
	sh.do("GET", "/api/v1/broadcasts/"+itoa(b.ID)+"/receipts", agentTok, nil, 403, nil)
	sh.do("POST", "/api/v1/broadcasts/"+itoa(b.ID)+"/read", supTok, nil, 404, nil) // the sender is no recipient
	sh.do("POST", "/api/v1/broadcasts/"+itoa(b.ID)+"/read", agentTok, nil, 200, nil)
	var rs receiptsResponse
	sh.do("GET", "/api/v1/broadcasts/"+itoa(b.ID)+"/receipts", supTok, nil, 200, &rs)
	if rs.Total != 3 || rs.ReadCount != 1 || rs.Items[2].UserID != sh.users[store.RoleAgent].ID {
		t.Fatalf("receipts %+v", rs)
	}
	sh.do("DELETE", "/api/v1/broadcasts/"+itoa(b.ID), supTok, nil, 204, nil)
	if ev := own.next(); ev.Name != feed.EventAnnouncementWithdraw {
		t.Fatalf("withdrawal event %+v", ev)
	}
	sh.do("GET", "/api/v1/monitor/notices", sh.tokens[store.RoleAdmin], nil, 200, &notices)
	sh.do("GET", "/api/v1/me/broadcasts", agentTok, nil, 200, &mine)
	if notices.Total != 0 || mine.Total != 0 {
		t.Fatalf("after withdrawal: %d notices, %d of the agent's", notices.Total, mine.Total)
	}
}

func TestShiftsAndAttendanceThroughAPI(t *testing.T) {
	h := newHarness(t)
	agentTok, supTok := h.tokens[store.RoleAgent], h.tokens[store.RoleSupervisor]
	agent := h.users[store.RoleAgent]
	other, otherTok := h.addUser("agent_b", store.RoleAgent)

	night := shiftRequest{Name: ptrTo("夜班"), Start: ptrTo("22:00"), End: ptrTo("06:00"), BreakMinutes: ptrTo(30)}
	h.do("POST", "/api/v1/shifts", agentTok, night, 403, nil)
	rec := h.raw("POST", "/api/v1/shifts", supTok, shiftRequest{Name: ptrTo("x"), Start: ptrTo("09:00"), End: ptrTo("09:00")})
	if e := errorOf(t, rec); rec.Code != 400 || e.Details[0].Field != "end" {
		t.Fatalf("start = end: %d %+v", rec.Code, e)
	}
	var sh store.Shift
	h.do("POST", "/api/v1/shifts", supTok, night, 201, &sh)
	if !sh.CrossesMidnight || sh.WorkMinutes != 450 {
		t.Fatalf("night shift %+v", sh)
	}
	var changed rosterChanged
	h.do("POST", "/api/v1/roster/assign", supTok, rosterAssignRequest{AgentIDs: []int64{agent.ID, other.ID}, From: "2025-12-01", To: "2025-12-07", ShiftID: &sh.ID}, 200, &changed)
	if changed.Changed != 14 {
		t.Fatalf("assigned %d cells, want 14", changed.Changed)
	}
	rec = h.raw("POST", "/api/v1/roster", supTok, rosterRequest{Entries: []store.RosterCell{{AgentID: agent.ID, Date: "2025-12-02", DayOff: true}, {AgentID: agent.ID, Date: "2025-02-30", DayOff: true}}})
	if e := errorOf(t, rec); rec.Code != 400 || e.Details[0].Row != 2 || e.Details[0].Field != "date" {
		t.Fatalf("bad cell: %d %+v", rec.Code, e)
	}
	h.do("POST", "/api/v1/roster", agentTok, rosterRequest{Entries: []store.RosterCell{{AgentID: agent.ID, Date: "2025-12-02", DayOff: true}}}, 403, nil)

	// Agents see only their own days; the roster and others' attendance are for managers.
	var mine list[store.RosterView]
	h.do("GET", "/api/v1/me/shifts?from=2025-12-01&to=2025-12-31", agentTok, nil, 200, &mine)
	if mine.Total != 7 {
		t.Fatalf("the agent sees %d days, want their 7", mine.Total)
	}
	for _, d := range mine.Items {
		if d.AgentID != agent.ID {
			t.Fatalf("the agent sees another's day: %+v", d)
		}
	}
	h.do("GET", "/api/v1/me/shifts?from=2025-12-01&to=2025-12-31", otherTok, nil, 200, &mine)
	if mine.Total != 7 || mine.Items[0].AgentID != other.ID {
		t.Fatalf("the other agent's days %+v", mine)
	}
	h.do("GET", "/api/v1/roster?from=2025-12-01&to=2025-12-31", agentTok, nil, 403, nil)
	h.do("GET", "/api/v1/shifts", agentTok, nil, 403, nil)
	h.do("GET", "/api/v1/attendance?from=2025-12-01&to=2025-12-07&agent_id="+itoa(other.ID), agentTok, nil, 403, nil)
	var att list[store.AttendanceDay]
	h.do("GET", "/api/v1/attendance?from=2025-12-01&to=2025-12-07", supTok, nil, 200, &att)
	if att.Total != 14 || !att.Items[0].Absent {
		t.Fatalf("attendance %d rows, first %+v", att.Total, att.Items)
	}
	h.do("GET", "/api/v1/attendance?from=2025-12-07&to=2025-12-01", supTok, nil, 400, nil)
	h.do("GET", "/api/v1/me/attendance?from=2025-12-01&to=2025-12-07", agentTok, nil, 200, &att)
	if att.Total != 7 || att.Items[0].AgentID != agent.ID {
		t.Fatalf("own attendance %+v", att)
	}
	h.do("DELETE", "/api/v1/shifts/"+itoa(sh.ID), supTok, nil, 204, nil) // only past days use it
}

func TestBreakReasonsThroughAPI(t *testing.T) {
	h := newHarness(t)
	agentTok, supTok := h.tokens[store.RoleAgent], h.tokens[store.RoleSupervisor]
	var rs list[store.BreakReason]
	h.do("GET", "/api/v1/break-reasons", agentTok, nil, 200, &rs)
	if rs.Total != 6 || rs.Items[0].Code != "lunch" || rs.Items[0].LabelZH != "午餐" {
		t.Fatalf("reasons %+v", rs)
	}
	coffee := breakReasonRequest{Code: ptrTo("coffee"), LabelZH: ptrTo("咖啡"), LabelEN: ptrTo("Coffee"), SortOrder: ptrTo(60)}
	h.do("POST", "/api/v1/break-reasons", agentTok, coffee, 403, nil)
	h.do("POST", "/api/v1/break-reasons", supTok, coffee, 201, nil)
	h.do("POST", "/api/v1/break-reasons", supTok, coffee, 409, nil)
	var r store.BreakReason
	h.do("PATCH", "/api/v1/break-reasons/coffee", supTok, breakReasonRequest{LabelEN: ptrTo("Coffee break")}, 200, &r)
	if r.LabelEN != "Coffee break" || r.LabelZH != "咖啡" {
		t.Fatalf("patched %+v", r)
	}
	h.do("PATCH", "/api/v1/break-reasons/coffee", supTok, breakReasonRequest{Code: ptrTo("tea")}, 400, nil)
	h.do("DELETE", "/api/v1/break-reasons/coffee", supTok, nil, 204, nil)
	h.do("DELETE", "/api/v1/break-reasons/coffee", supTok, nil, 404, nil)
}

func ptrTo[T any](v T) *T { return &v }

func TestDeskErrorStatus(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{acd.ErrNotYourCall, http.StatusForbidden},
		{acd.ErrNoSuchCall, http.StatusNotFound},
		{fmt.Errorf("hangup: %w", controller.ErrNodeDown), http.StatusServiceUnavailable},
		{fmt.Errorf("hold: %w", controller.ErrTimeout), http.StatusServiceUnavailable},
		{controller.ErrNoCapacity, http.StatusServiceUnavailable},
		{errors.New("something else"), http.StatusInternalServerError},
	} {
		if got := toAPIError(deskError(tc.err)).Status; got != tc.want {
			t.Errorf("%v: status %d, want %d", tc.err, got, tc.want)
		}
	}
}
