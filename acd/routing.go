package acd

import (
	"slices"
	"strconv"
	"strings"

	"github.com/bankcc/callcenter/store"
)

// need is what a call asks of the agent who takes it: a skill (a language,
// a product) and a minimum level. The zero need fits every agent.
type need struct {
	skill    string
	minLevel int
}

// needOf normalizes a request's skill and level.
func needOf(skill string, minLevel int) need {
	return need{skill: strings.ToLower(strings.TrimSpace(skill)), minLevel: max(minLevel, 0)}
}

// needFromVars reads cc_skill and cc_min_level, which the dialplan or the
// IVR sets on a call it parks for the desk ("press 2 for English").
func needFromVars(vars map[string]string) need {
	lvl, _ := strconv.Atoi(vars["cc_min_level"])
	return needOf(vars["cc_skill"], lvl)
}

// has reports whether an agent meets the need.
func (n need) has(a *agent) bool {
	return a.level >= n.minLevel && (n.skill == "" || slices.Contains(a.skills, n.skill))
}

// fits says whether agent a may take waiter w now: ready, in the group,
// on the waiter's node, with the skill and level the call needs.
func (r *router) fits(a *agent, w *waiter) bool {
	return a.state == store.AgentReady && a.inGroup(w.group) && (w.node == "" || a.node == w.node) && w.need.has(a)
}
