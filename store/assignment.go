package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// AssignMode is how a manual assignment moves contacts (R7).
type AssignMode string

// Assignment modes for manual-outbound tasks (AssignModes).
const (
	AssignBulk     AssignMode = "bulk"     // spread N unassigned contacts evenly over agents
	AssignSingle   AssignMode = "single"   // one contact to one agent
	AssignReassign AssignMode = "reassign" // move an agent's open contacts to another agent
	AssignReclaim  AssignMode = "reclaim"  // take an agent's unworked contacts back to the pool
)

// AssignResult counts the contacts each agent received (or lost, for reclaim).
type AssignResult struct {
	Moved    int64           `json:"moved"`
	PerAgent map[int64]int64 `json:"per_agent"`
}

// openStatuses are contacts still to be worked, which may change owner.
var openStatuses = []ContactStatus{ContactPending, ContactFailed, ContactMaintenance}

// checkAgents makes sure every id is an enabled user who can take calls.
func (s *Store) checkAgents(ctx context.Context, field string, ids ...int64) error {
	if len(ids) == 0 {
		return Invalid(field, "at least one agent is required")
	}
	var n int64
	err := s.conn(ctx).Model(&User{}).Where("id IN ? AND disabled = ? AND role IN ?", ids, false,
		[]Role{RoleAgent, RoleSupervisor}).Count(&n).Error
	if err != nil {
		return fmt.Errorf("store: check agents: %w", err)
	}
	if n != int64(len(uniq(ids))) {
		return Invalid(field, "one or more ids are not enabled agents")
	}
	return nil
}

func uniq(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// AssignBulkContacts gives up to count (0 = all) unassigned open contacts of a
// campaign to the agents, round robin, so each gets the same number give or take one.
func (s *Store) AssignBulkContacts(ctx context.Context, campaignID int64, agentIDs []int64, count int) (AssignResult, error) {
	res := AssignResult{PerAgent: map[int64]int64{}}
	agentIDs = uniq(agentIDs)
	if err := s.checkAgents(ctx, "agent_ids", agentIDs...); err != nil {
		return res, err
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Contact{}).Where("campaign_id = ? AND owner_agent_id IS NULL AND status IN ?", campaignID, openStatuses).Order("id")
		if count > 0 {
			q = q.Limit(count)
		}
		var ids []int64
		if err := q.Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("store: pick contacts: %w", err)
		}
		shares := make([][]int64, len(agentIDs))
		for i, id := range ids {
			shares[i%len(agentIDs)] = append(shares[i%len(agentIDs)], id)
		}
		now := s.now()
		for i, agent := range agentIDs {
			for start := 0; start < len(shares[i]); start += 1000 {
				chunk := shares[i][start:min(start+1000, len(shares[i]))]
				r := tx.Model(&Contact{}).Where("id IN ? AND owner_agent_id IS NULL", chunk).
					Updates(map[string]any{"owner_agent_id": agent, "assigned_at": now})
				if r.Error != nil {
					return fmt.Errorf("store: assign to %d: %w", agent, r.Error)
				}
				res.PerAgent[agent] += r.RowsAffected
				res.Moved += r.RowsAffected
			}
		}
		return nil
	})
	return res, err
}

// AssignContact gives one open contact to one agent (replacing any owner).
func (s *Store) AssignContact(ctx context.Context, campaignID, contactID, agentID int64) (AssignResult, error) {
	if err := s.checkAgents(ctx, "agent_id", agentID); err != nil {
		return AssignResult{}, err
	}
	r := s.conn(ctx).Model(&Contact{}).Where("id = ? AND campaign_id = ? AND status IN ?", contactID, campaignID, openStatuses).
		Updates(map[string]any{"owner_agent_id": agentID, "assigned_at": s.now()})
	if r.Error != nil {
		return AssignResult{}, fmt.Errorf("store: assign contact %d: %w", contactID, r.Error)
	}
	if r.RowsAffected == 0 {
		return AssignResult{}, Invalid("contact_id", "no open contact with this id in the campaign")
	}
	return AssignResult{Moved: 1, PerAgent: map[int64]int64{agentID: 1}}, nil
}

// ReassignContacts moves up to count (0 = all) of one agent's open contacts to another.
func (s *Store) ReassignContacts(ctx context.Context, campaignID, from, to int64, count int) (AssignResult, error) {
	if from == to {
		return AssignResult{}, Invalid("to_agent_id", "must differ from from_agent_id")
	}
	if err := s.checkAgents(ctx, "to_agent_id", to); err != nil {
		return AssignResult{}, err
	}
	return s.moveOwned(ctx, campaignID, from, &to, openStatuses, false, count)
}

// ReclaimContacts takes an agent's unworked contacts (never attempted) back
// to the unassigned pool; worked ones stay with the agent who knows them.
func (s *Store) ReclaimContacts(ctx context.Context, campaignID, from int64) (AssignResult, error) {
	return s.moveOwned(ctx, campaignID, from, nil, []ContactStatus{ContactPending}, true, 0)
}

func (s *Store) moveOwned(ctx context.Context, campaignID, from int64, to *int64, statuses []ContactStatus, unworkedOnly bool, count int) (AssignResult, error) {
	res := AssignResult{PerAgent: map[int64]int64{}}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&Contact{}).Where("campaign_id = ? AND owner_agent_id = ? AND status IN ?", campaignID, from, statuses)
		if unworkedOnly {
			q = q.Where("attempts = 0")
		}
		if count > 0 {
			q = q.Order("id").Limit(count)
		}
		var ids []int64
		if err := q.Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("store: pick contacts of %d: %w", from, err)
		}
		updates := map[string]any{"owner_agent_id": nil, "assigned_at": nil}
		key := from
		if to != nil {
			updates = map[string]any{"owner_agent_id": *to, "assigned_at": s.now()}
			key = *to
		}
		for start := 0; start < len(ids); start += 1000 {
			r := tx.Model(&Contact{}).Where("id IN ?", ids[start:min(start+1000, len(ids))]).Updates(updates)
			if r.Error != nil {
				return fmt.Errorf("store: move contacts: %w", r.Error)
			}
			res.Moved += r.RowsAffected
		}
		res.PerAgent[key] = res.Moved
		return nil
	})
	return res, err
}

// AgentTasks pages through the open contacts assigned to an agent, across
// campaigns, those due soonest first.
func (s *Store) AgentTasks(ctx context.Context, agentID int64, p Page) ([]Contact, int64, error) {
	q := s.conn(ctx).Model(&Contact{}).Where("owner_agent_id = ? AND status IN ?", agentID, openStatuses)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count tasks of %d: %w", agentID, err)
	}
	var out []Contact
	if err := p.apply(q).Order("next_attempt_at IS NOT NULL, next_attempt_at, id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: tasks of %d: %w", agentID, err)
	}
	for i := range out {
		out[i].decode()
	}
	return out, total, nil
}
