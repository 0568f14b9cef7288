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

// signIn opens a softphone session for agent at a Shanghai wall-clock time,
// the agent starting ready.
func signIn(t *testing.T, s *store.Store, agent int64, when string) *store.AgentSession {
	t.Helper()
	a := &store.AgentSession{AgentID: agent, Extension: "1001", Mode: store.SoftphoneRegistered, SignedInAt: at(when)}
	if err := s.OpenAgentSession(context.Background(), a, store.FirstState{State: store.AgentReady, GroupIDs: []int64{3, 7}}); err != nil {
		t.Fatalf("sign in %d at %s: %v", agent, when, err)
	}
	return a
}

func signOut(t *testing.T, s *store.Store, a *store.AgentSession, when string) {
	t.Helper()
	if _, err := s.CloseAgentSession(context.Background(), a.ID, at(when), store.EndSignOut, 0); err != nil {
		t.Fatalf("sign out session %d at %s: %v", a.ID, when, err)
	}
}

// state records a change the way the acd does.
func state(t *testing.T, s *store.Store, a *store.AgentSession, st store.AgentState, reason, when string) {
	t.Helper()
	_, err := s.RecordAgentState(context.Background(), store.AgentStateChange{AgentID: a.AgentID, SessionID: a.ID, State: st, Reason: reason, At: at(when)})
	if err != nil {
		t.Fatalf("state %s at %s: %v", st, when, err)
	}
}

func TestRecordAgentState(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		agent := newUser(t, s, "agent1", store.RoleAgent)
		a := signIn(t, s, agent.ID, "2026-12-01 09:00")
		state(t, s, a, store.AgentReserved, "", "2026-12-01 09:05")
		state(t, s, a, store.AgentOnCall, "", "2026-12-01 09:05")
		state(t, s, a, store.AgentACW, "", "2026-12-01 09:12")
		state(t, s, a, store.AgentBreak, "lunch", "2026-12-01 12:00")

		bad := []struct {
			name  string
			ch    store.AgentStateChange
			field string
		}{
			{"unknown state", store.AgentStateChange{State: "napping", At: at("2026-12-01 13:00")}, "state"},
			{"break without reason", store.AgentStateChange{State: store.AgentBreak, At: at("2026-12-01 13:00")}, "reason"},
			{"unknown break reason", store.AgentStateChange{State: store.AgentBreak, Reason: "nap", At: at("2026-12-01 13:00")}, "reason"},
			{"reason on ready", store.AgentStateChange{State: store.AgentReady, Reason: "lunch", At: at("2026-12-01 13:00")}, "reason"},
			{"before the open state", store.AgentStateChange{State: store.AgentReady, At: at("2026-12-01 11:59")}, "at"},
			{"no time", store.AgentStateChange{State: store.AgentReady}, "at"},
		}
		for _, c := range bad {
			c.ch.AgentID, c.ch.SessionID = agent.ID, a.ID
			_, err := s.RecordAgentState(ctx, c.ch)
			if got := fieldsOf(err); len(got) != 1 || got[0] != c.field {
				t.Errorf("%s: error %v, want one on %s", c.name, err, c.field)
			}
		}
		signOut(t, s, a, "2026-12-01 13:00")

		rows, err := s.AgentStateHistory(ctx, store.AgentStateFilter{AgentIDs: []int64{agent.ID}, From: at("2026-12-01 00:00"), To: at("2026-12-02 00:00")})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			state store.AgentState
			ms    int64
			open  bool
		}{
			{store.AgentReady, 5 * 60e3, false}, {store.AgentReserved, 0, false}, {store.AgentOnCall, 7 * 60e3, false},
			{store.AgentACW, (2*60 + 48) * 60e3, false}, {store.AgentBreak, 60 * 60e3, false}, {store.AgentSignedOut, 0, true},
		}
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d: %+v", len(rows), len(want), rows)
		}
		for i, w := range want {
			r := rows[i]
			if r.State != w.state || r.DurationMS != w.ms || (r.EndedAt == nil) != w.open || r.SessionID != a.ID {
				t.Errorf("row %d: %s %d ms open=%v session %d, want %s %d ms open=%v", i, r.State, r.DurationMS, r.EndedAt == nil, r.SessionID, w.state, w.ms, w.open)
			}
			if i+1 < len(rows) && !r.EndedAt.Equal(rows[i+1].At) {
				t.Errorf("row %d ends %v, the next begins %v", i, r.EndedAt, rows[i+1].At)
			}
		}
		if g := rows[0].Groups(); len(g) != 2 || g[0] != 3 || g[1] != 7 {
			t.Errorf("groups at the time %v, want [3 7]", g)
		}
		cur, err := s.CurrentAgentStates(ctx)
		if err != nil || len(cur) != 1 || cur[0].State != store.AgentSignedOut {
			t.Fatalf("current states %+v %v, want one signed_out", cur, err)
		}
	})
}

func TestAgentSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		agent := newUser(t, s, "agent1", store.RoleAgent)
		other := newUser(t, s, "agent2", store.RoleAgent)
		a := signIn(t, s, agent.ID, "2026-12-01 09:00")
		dup := &store.AgentSession{AgentID: agent.ID, Mode: store.SoftphoneNailedUp, SignedInAt: at("2026-12-01 09:01")}
		if err := s.OpenAgentSession(ctx, dup, store.FirstState{State: store.AgentReady}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second sign-in: %v, want ErrConflict", err)
		}
		bad := &store.AgentSession{AgentID: other.ID, Mode: "carrier-pigeon", SignedInAt: at("2026-12-01 09:01")}
		if got := fieldsOf(s.OpenAgentSession(ctx, bad, store.FirstState{State: store.AgentReady})); len(got) != 1 || got[0] != "mode" {
			t.Fatalf("bad mode: fields %v", got)
		}
		breakFirst := &store.AgentSession{AgentID: other.ID, Mode: store.SoftphoneNailedUp, SignedInAt: at("2026-12-01 09:02")}
		if err := s.OpenAgentSession(ctx, breakFirst, store.FirstState{State: store.AgentBreak, Reason: "nap"}); fieldsOf(err) == nil {
			t.Fatalf("unknown first break reason: %v", err)
		}
		if _, err := s.OpenAgentSessionOf(ctx, other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused first state left a session: %v", err)
		}
		if _, err := s.CloseAgentSession(ctx, a.ID, at("2026-12-01 08:00"), store.EndSignOut, 0); fieldsOf(err) == nil {
			t.Fatalf("sign-out before sign-in: %v", err)
		}
		signOut(t, s, a, "2026-12-01 17:00")
		if _, err := s.CloseAgentSession(ctx, a.ID, at("2026-12-01 17:01"), store.EndSignOut, 0); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second sign-out: %v, want ErrConflict", err)
		}

		// A restart closes what is still open, no earlier than the last state.
		b := signIn(t, s, agent.ID, "2026-12-02 09:00")
		state(t, s, b, store.AgentBreak, "meeting", "2026-12-02 10:00")
		n, err := s.CloseOpenAgentSessions(ctx, at("2026-12-02 09:30"), store.EndRestart)
		if err != nil || n != 1 {
			t.Fatalf("close open: %d %v", n, err)
		}
		got, err := s.AgentSessions(ctx, []int64{agent.ID}, at("2026-12-02 00:00"), at("2026-12-03 00:00"))
		if err != nil || len(got) != 1 {
			t.Fatalf("sessions %+v %v", got, err)
		}
		if got[0].EndReason != store.EndRestart || !got[0].SignedOutAt.Equal(at("2026-12-02 10:00")) {
			t.Fatalf("restart closed at %v (%s), want 10:00 restart", got[0].SignedOutAt, got[0].EndReason)
		}
	})
}

func TestStateTimesPerDay(t *testing.T) {
	now := at("2026-12-02 01:30")
	storetest.RunWith(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		agent := newUser(t, s, "agent1", store.RoleAgent)
		a := signIn(t, s, agent.ID, "2026-12-01 22:00")           // ready 22:00-23:30
		state(t, s, a, store.AgentOnCall, "", "2026-12-01 23:30") // across midnight to 00:15
		state(t, s, a, store.AgentBreak, "meal", "2026-12-02 00:15")
		// the break is still open at now (01:30)

		got, err := s.AgentStateTimes(ctx, store.AgentStateFilter{From: at("2026-12-01 00:00"), To: at("2026-12-03 00:00")}, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.StateTime{
			{AgentID: agent.ID, Date: "2026-12-01", State: store.AgentReady, DurationMS: 90 * 60e3},
			{AgentID: agent.ID, Date: "2026-12-01", State: store.AgentOnCall, DurationMS: 30 * 60e3},
			{AgentID: agent.ID, Date: "2026-12-02", State: store.AgentOnCall, DurationMS: 15 * 60e3},
			{AgentID: agent.ID, Date: "2026-12-02", State: store.AgentBreak, DurationMS: 75 * 60e3},
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("row %d: %+v, want %+v", i, got[i], want[i])
			}
		}
		// A narrower period clips.
		got, _ = s.AgentStateTimes(ctx, store.AgentStateFilter{State: store.AgentOnCall, From: at("2026-12-02 00:00"), To: at("2026-12-02 00:10")}, shanghai)
		if len(got) != 1 || got[0].DurationMS != 10*60e3 {
			t.Fatalf("clipped: %+v", got)
		}
	})
}

func TestBreakReasons(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rs, err := s.ListBreakReasons(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, r := range rs {
			codes = append(codes, r.Code)
		}
		if got := fmt.Sprint(codes); got != "[lunch meal restroom meeting training other]" {
			t.Fatalf("seeded %s", got)
		}
		if rs[0].LabelZH != "午餐" || rs[0].LabelEN != "Lunch" {
			t.Fatalf("labels %+v", rs[0])
		}
		bad := []struct {
			r     store.BreakReason
			field string
		}{
			{store.BreakReason{Code: "Coffee", LabelZH: "咖啡", LabelEN: "Coffee"}, "code"},
			{store.BreakReason{Code: "coffee", LabelZH: "", LabelEN: "Coffee"}, "label_zh"},
			{store.BreakReason{Code: "coffee", LabelZH: "咖啡\u202e", LabelEN: "Coffee"}, "label_zh"},
			{store.BreakReason{Code: "coffee", LabelZH: "咖啡", LabelEN: "Coffee\x07"}, "label_en"},
		}
		for _, c := range bad {
			if got := fieldsOf(s.CreateBreakReason(ctx, &c.r)); len(got) != 1 || got[0] != c.field {
				t.Errorf("%+v: fields %v, want %s", c.r, got, c.field)
			}
		}
		coffee := &store.BreakReason{Code: "coffee", LabelZH: "咖啡", LabelEN: "Coffee", SortOrder: 60}
		if err := s.CreateBreakReason(ctx, coffee); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateBreakReason(ctx, &store.BreakReason{Code: "coffee", LabelZH: "咖啡", LabelEN: "Coffee"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate code: %v", err)
		}
		for _, r := range rs {
			if err := s.DeleteBreakReason(ctx, r.Code); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteBreakReason(ctx, "coffee"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("deleting the last reason: %v, want ErrConflict", err)
		}
		if err := s.DeleteBreakReason(ctx, "lunch"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting a deleted reason: %v", err)
		}
	})
}
