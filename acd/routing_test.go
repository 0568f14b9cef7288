package acd

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// The router's choice for one waiter, by skill, level, node, state and
// the callback's booker.
func TestPickBySkillAndLevel(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	agents := func() map[int64]*agent {
		mk := func(id int64, idle time.Duration, level int, skills ...string) *agent {
			return &agent{id: id, groups: []int64{1}, node: "fs1", state: store.AgentReady, level: level, skills: skills,
				idleSince: t0.Add(-idle)}
		}
		return map[int64]*agent{
			1: mk(1, 10*time.Minute, 1),                      // longest idle, no skills, level 1
			2: mk(2, 5*time.Minute, 3, "english"),            // level 3, english
			3: mk(3, 3*time.Minute, 5, "cards", "english"),   // level 5, cards and english
			4: mk(4, 20*time.Minute, 9, "cards", "mandarin"), // idle longest of all but busy (below)
			5: {id: 5, groups: []int64{2}, node: "fs1", state: store.AgentReady, level: 9, skills: []string{"cards"}, idleSince: t0.Add(-time.Hour)},
		}
	}
	tests := []struct {
		name string
		w    waiter
		busy []int64
		want int64
	}{
		{"no need: longest idle", waiter{group: 1}, []int64{4}, 1},
		{"busy agents are skipped", waiter{group: 1}, []int64{1, 4}, 2},
		{"a skill", waiter{group: 1, need: needOf("English", 0)}, []int64{4}, 2},
		{"a rarer skill", waiter{group: 1, need: needOf("cards", 0)}, []int64{4}, 3},
		{"a minimum level", waiter{group: 1, need: needOf("", 4)}, []int64{4}, 3},
		{"skill and level", waiter{group: 1, need: needOf("english", 4)}, []int64{4}, 3},
		{"nobody has it", waiter{group: 1, need: needOf("french", 0)}, []int64{4}, 0},
		{"other groups do not count", waiter{group: 1, need: needOf("", 9)}, []int64{4}, 0},
		{"another node", waiter{group: 1, node: "fs2"}, []int64{4}, 0},
		{"the booker first", waiter{group: 1, prefer: 3, preferUntil: t0.Add(time.Minute)}, []int64{4}, 3},
		{"the booker without the skill: wait for grace", waiter{group: 1, prefer: 1, preferUntil: t0.Add(time.Minute), need: needOf("cards", 0)}, []int64{4}, 0},
		{"grace over: anyone with the skill", waiter{group: 1, prefer: 1, preferUntil: t0.Add(-time.Second), need: needOf("cards", 0)}, []int64{4}, 3},
		{"the longest idle with the skill", waiter{group: 1, need: needOf("cards", 0)}, nil, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRouter(&Desk{clock: clock.NewFake(t0)})
			r.agents = agents()
			for _, id := range tt.busy {
				r.agents[id].state = store.AgentOnCall
			}
			var got int64
			if a := r.pick(&tt.w); a != nil {
				got = a.id
			}
			if got != tt.want {
				t.Errorf("picked %d, want %d", got, tt.want)
			}
		})
	}
}

// An inbound caller who asks for a skill (cc_skill, set by the IVR) goes to
// the ready agent who has it, not to the longer-idle one without it.
func TestInboundCallNeedsASkill(t *testing.T) {
	f := newFixture(t, Config{InboundGroup: "collections"})
	plain := f.agent("plain", "1001", true)
	english := f.agent("english", "1002", true)
	u, err := f.st.GetUser(context.Background(), english)
	if err != nil {
		t.Fatal(err)
	}
	u.Skills, u.Level = "English", 3
	if err := f.st.UpdateUser(context.Background(), u, store.UserUpdate{}); err != nil {
		t.Fatal(err)
	}
	f.signIn(plain, true) // ready first: the longest idle
	f.signIn(english, true)
	id := f.sw.InboundCall(controller.CallInfo{Direction: "inbound", Context: "inbound", CallerIDNumber: "13912345678",
		DestinationNumber: "95555", Vars: map[string]string{"cc_inbound": "true", "cc_skill": "english", "cc_min_level": "2"}})
	f.sw.Far(f.agentLeg(1)).Answer(controller.AMDUnknown)
	waitFor(t, "the english agent on the call", func() bool { return f.state(english) == store.AgentOnCall })
	if st := f.state(plain); st != store.AgentReady {
		t.Fatalf("the agent without the skill is %s", st)
	}
	f.sw.Far(id).Hangup("NORMAL_CLEARING")
}

// A campaign with a skill (dialer.ReserveRequest.Skill, AgentPool.Skill)
// reserves only the agent who has it at the level, and its pacing watch
// sees only that agent.
func TestCampaignSkillLimitsReserveAndWatch(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	plain := f.agent("plain", "1001", true)
	junior := f.agent("junior", "1002", true)
	senior := f.agent("senior", "1003", true)
	for id, lvl := range map[int64]int{junior: 1, senior: 4} {
		u, err := f.st.GetUser(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		u.Skills, u.Level = "collections", lvl
		if err := f.st.UpdateUser(ctx, u, store.UserUpdate{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{plain, junior, senior} { // plain is the longest idle
		f.signIn(id, true)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watched := map[int64]bool{}
	ch := f.d.Watch(wctx, dialer.AgentPool{GroupID: f.group, Skill: "Collections", MinLevel: 2})
	res, err := f.d.Reserve(ctx, dialer.ReserveRequest{GroupID: f.group, CampaignID: 1, ContactID: 1, Purpose: "progressive",
		Skill: "collections", MinLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.AgentID != senior {
		t.Fatalf("reserved agent %d, want the senior collector %d", res.AgentID, senior)
	}
	// The watch's first events describe the pool's signed-in agents: the
	// senior collector only, then the reservation.
	for c := range ch {
		watched[c.AgentID] = true
		if c.To == string(store.AgentReserved) {
			break
		}
	}
	if !watched[senior] || watched[plain] || watched[junior] {
		t.Fatalf("the pool's watch saw agents %v, want only %d", watched, senior)
	}
	f.d.Release(ctx, res, "test")
}
