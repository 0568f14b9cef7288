package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// traffic is known call traffic laid down through the dialer's own store
// calls (claim, start, finish, the lost-call sweep) and the agent state
// changes the acd records: what rollup and report tests check against.
type traffic struct {
	d      *dialer
	agents []int64
	start  time.Time
	end    time.Time
	dials  int64 // attempts started
}

// callPlan is one call's scenario.
type callPlan struct {
	class       store.ResultClass
	amd         store.AMDVerdict
	connect     bool // joined to an agent (talk, then after-call work)
	disposition string
	retry       bool
	callback    bool // the agent books a callback in 6 minutes
}

// plans cycles over every class, so each measure gets counts.
var plans = []callPlan{
	{class: store.ResultBusy}, {class: store.ResultNoAnswer}, {class: store.ResultRejected},
	{class: store.ResultNetworkFailure}, {class: store.ResultInvalidNumber}, {class: store.ResultCancelled},
	{class: store.ResultMachine, amd: store.AMDMachine}, {class: store.ResultAbandoned, amd: store.AMDHuman},
	{class: store.ResultAnswered, amd: store.AMDHuman}, {class: store.ResultAnswered},
	{class: store.ResultHuman, amd: store.AMDHuman, connect: true, disposition: "refused", retry: true},
	{class: store.ResultSuccess, amd: store.AMDHuman, connect: true, disposition: "promise_to_pay"},
	{class: store.ResultHuman, connect: true, disposition: "no_money"},
	{class: store.ResultHuman, connect: true, disposition: "call_back", callback: true},
}

// genTraffic dials n contacts twice over a few hours with two agents, one
// call every 7 minutes, and leaves one call to the lost-call sweep.
func genTraffic(t *testing.T, s *store.Store, n int) *traffic {
	t.Helper()
	d := newDialer(t, s, n, func(st *store.Strategy, _ *store.Campaign) {
		st.MaxAttempts, st.MaxAttemptsPerContact = 3, 6
		st.MinRetryIntervalS, st.MaxRetryIntervalS = 60, 120
		st.RetryIntervals = map[string]store.RetryRange{"busy": {MinS: 60, MaxS: 120}, "no_answer": {MinS: 60, MaxS: 120}, "machine": {MinS: 60, MaxS: 120}}
	})
	tr := &traffic{d: d, start: d.now}
	var err error
	d.lease, err = s.RenewLease(d.ctx, d.lease, 12*time.Hour, d.now)
	must(t, err)
	for i := 0; i < 2; i++ {
		tr.agents = append(tr.agents, newAgent(t, s, fmt.Sprintf("tr-agent-%d-%d", d.camp.ID, i)))
	}
	sessions := make([]*store.AgentSession, len(tr.agents))
	for i, a := range tr.agents {
		sessions[i] = &store.AgentSession{AgentID: a, Extension: fmt.Sprintf("10%02d", i), Mode: store.SoftphoneRegistered, SignedInAt: d.now}
		must(t, s.OpenAgentSession(d.ctx, sessions[i], store.FirstState{State: store.AgentReady}))
	}
	now, k := d.now.Add(time.Minute), 0
	for round := 0; round < 2; round++ {
		cls := d.claim(store.MaxClaimBatch, now)
		for i := range cls {
			cl := &cls[i]
			uuid := fmt.Sprintf("tr-%d-%d-%d", d.camp.ID, cl.Contact.ID, round)
			d.dial(cl, uuid, now)
			tr.dials++
			if round == 1 && i == 0 {
				continue // never finished: the sweep settles it as lost
			}
			p := plans[k%len(plans)]
			k++
			tr.call(cl, uuid, p, sessions[k%len(sessions)], now)
			now = now.Add(7 * time.Minute)
		}
		if round == 0 {
			now = now.Add(10 * time.Minute)
		}
	}
	if _, err := s.ReleaseExpiredClaims(d.ctx, now.Add(48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, a := range sessions {
		if _, err := s.CloseAgentSession(d.ctx, a.ID, now, store.EndSignOut, 0); err != nil {
			t.Fatal(err)
		}
	}
	tr.end = now.Add(time.Hour)
	return tr
}

// call finishes one started call as planned; a connected call walks the
// agent through reserved, on_call, hold, acw and back to ready.
func (tr *traffic) call(cl *store.Claim, uuid string, p callPlan, a *store.AgentSession, now time.Time) {
	d := tr.d
	f := store.Finish{Claim: cl, CallUUID: uuid, Class: p.class, AMD: p.amd, Disposition: p.disposition, Retry: p.retry, Now: now.Add(5 * time.Minute)}
	hung := now.Add(40 * time.Second)
	if p.class.Answered() {
		f.AnsweredAt = ptrTime(now.Add(10 * time.Second))
	}
	if p.connect {
		f.AgentID = a.AgentID
		f.ConnectedAt = ptrTime(now.Add(11 * time.Second))
		hung = now.Add(3*time.Minute + 17*time.Second)
		for _, st := range []struct {
			s  store.AgentState
			at time.Time
		}{{store.AgentReserved, now.Add(10 * time.Second)}, {store.AgentOnCall, *f.ConnectedAt},
			{store.AgentHold, now.Add(time.Minute)}, {store.AgentOnCall, now.Add(90 * time.Second)}, {store.AgentACW, hung}} {
			tr.state(a, st.s, "", uuid, st.at)
		}
	}
	f.HungupAt = &hung
	if p.callback {
		f.Callback = &store.Callback{DueAt: now.Add(6 * time.Minute), AgentID: a.AgentID, Note: "客户稍后方便"}
	}
	d.finish(f)
	if p.connect {
		tr.state(a, store.AgentReady, "", "", now.Add(5*time.Minute))
		tr.state(a, store.AgentBreak, "restroom", "", now.Add(5*time.Minute+30*time.Second))
		tr.state(a, store.AgentReady, "", "", now.Add(6*time.Minute))
	}
}

func (tr *traffic) state(a *store.AgentSession, st store.AgentState, reason, uuid string, at time.Time) {
	tr.d.t.Helper()
	_, err := tr.d.s.RecordAgentState(context.Background(), store.AgentStateChange{AgentID: a.AgentID, SessionID: a.ID, State: st, Reason: reason, CallUUID: uuid, At: at})
	must(tr.d.t, err)
}
