package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
)

// FunnelStep is what the n-th call to contacts came to (R12): of the
// calls that were a contact's AttemptNo-th, how many were answered, by a
// person, reached the customer and reached the goal.
type FunnelStep struct {
	AttemptNo int   `json:"attempt_no"`
	Dials     int64 `json:"dials"`
	Answered  int64 `json:"answered"`
	Human     int64 `json:"human"`
	Reached   int64 `json:"reached"`
	Success   int64 `json:"success"`
}

// Count is one value and how often it occurs.
type Count struct {
	Value string `json:"value"`
	N     int64  `json:"n"`
}

// LeftCount is contacts not completed, by status and last result.
type LeftCount struct {
	Status     ContactStatus `json:"status"`
	LastResult string        `json:"last_result"`
	Reason     string        `json:"block_reason,omitempty"`
	N          int64         `json:"n"`
}

// CampaignResults is a campaign's result analysis (R12).
type CampaignResults struct {
	CampaignID int64        `json:"campaign_id"`
	Funnel     []FunnelStep `json:"funnel"`
	// Outcomes counts finished calls by result class (the failed ones say
	// how numbers failed: busy, no answer, machine, rejected, invalid).
	Outcomes []Count `json:"outcomes"`
	// Dispositions counts the agents' business results of reached calls
	// (refusals and their reasons among them).
	Dispositions []Count `json:"dispositions"`
	// NumberStatuses counts the contacts' numbers by what the dialer found
	// out about them (phone and alternate phone together).
	NumberStatuses []Count `json:"number_statuses"`
	// Left are the contacts not completed, by status and last result: why
	// they are not (or no longer) dialed.
	Left []LeftCount `json:"left"`
}

// CampaignResultAnalysis computes the campaign's result analysis from its
// attempts and contacts.
func (s *Store) CampaignResultAnalysis(ctx context.Context, campaignID int64) (*CampaignResults, error) {
	out := &CampaignResults{CampaignID: campaignID}
	db := s.conn(ctx)
	reached := "CASE WHEN outcome IN ('answered', 'human', 'success') THEN 1 ELSE 0 END"
	answered := "CASE WHEN outcome IN ('answered', 'human', 'success', 'machine', 'abandoned') OR connected THEN 1 ELSE 0 END"
	human := "CASE WHEN outcome IN ('human', 'success', 'abandoned') OR (outcome = 'answered' AND amd = 'human') THEN 1 ELSE 0 END"
	err := db.Model(&Attempt{}).Where("campaign_id = ?", campaignID).
		Select("attempt_no, COUNT(*) AS dials, SUM(" + answered + ") AS answered, SUM(" + human + ") AS human, SUM(" + reached +
			") AS reached, SUM(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END) AS success").
		Group("attempt_no").Order("attempt_no").Scan(&out.Funnel).Error
	if err != nil {
		return nil, fmt.Errorf("store: funnel of campaign %d: %w", campaignID, err)
	}
	if out.Outcomes, err = countBy(db.Model(&Attempt{}).Where("campaign_id = ? AND outcome <> ''", campaignID), "outcome"); err != nil {
		return nil, err
	}
	q := db.Model(&Attempt{}).Where("campaign_id = ? AND disposition <> ''", campaignID)
	if out.Dispositions, err = countBy(q, "disposition"); err != nil {
		return nil, err
	}
	if out.NumberStatuses, err = s.numberStatuses(ctx, campaignID); err != nil {
		return nil, err
	}
	err = db.Model(&Contact{}).Where("campaign_id = ? AND status <> ?", campaignID, ContactCompleted).
		Select("status, COALESCE(last_result, '') AS last_result, COALESCE(block_reason, '') AS reason, COUNT(*) AS n").
		Group("status, last_result, block_reason").Order("n DESC").Scan(&out.Left).Error
	if err != nil {
		return nil, fmt.Errorf("store: contacts left in campaign %d: %w", campaignID, err)
	}
	return out, nil
}

func countBy(q *gorm.DB, col string) ([]Count, error) {
	var out []Count
	if err := q.Select(col + " AS value, COUNT(*) AS n").Group(col).Order("n DESC, " + col).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: count by %s: %w", col, err)
	}
	if out == nil {
		out = []Count{}
	}
	return out, nil
}

// numberStatuses counts the phone and alternate phone statuses ("unknown"
// for a number never settled).
func (s *Store) numberStatuses(ctx context.Context, campaignID int64) ([]Count, error) {
	sum := map[string]int64{}
	for _, col := range []struct{ status, phone string }{{"phone_status", "phone"}, {"alt_status", "alt_phone"}} {
		cs, err := countBy(s.conn(ctx).Model(&Contact{}).Where("campaign_id = ? AND "+col.phone+" <> ''", campaignID), col.status)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			v := c.Value
			if v == "" {
				v = "unknown"
			}
			sum[v] += c.N
		}
	}
	out := make([]Count, 0, len(sum))
	for v, n := range sum {
		out = append(out, Count{v, n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return int(b.N - a.N)
		}
		return cmpStr(a.Value, b.Value)
	})
	return out, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ResultAction is what a manager does from the result analysis.
type ResultAction string

const (
	// ActionRecycle puts contacts of the given statuses (and last results)
	// back in the queue for a new pass: pending, attempt counts reset.
	ActionRecycle ResultAction = "recycle"
	// ActionMaintenance sends them to maintenance (their data needs fixing).
	ActionMaintenance ResultAction = "maintenance"
	// ActionBlacklistInvalid blacklists every number of the campaign the
	// dialer found invalid (空号), so no campaign dials it again.
	ActionBlacklistInvalid ResultAction = "blacklist_invalid"
)

// ResultActions lists the actions.
var ResultActions = []ResultAction{ActionRecycle, ActionMaintenance, ActionBlacklistInvalid}

// EnumValues lists the actions.
func (ResultAction) EnumValues() []string { return enumStrings(ResultActions) }

// recyclable are the statuses a pass can take contacts from.
var recyclable = []ContactStatus{ContactFailed, ContactCompleted, ContactMaintenance, ContactPending}

// ResultActionRequest selects contacts by status and last result.
type ResultActionRequest struct {
	Action      ResultAction
	Statuses    []ContactStatus
	LastResults []string // none = any
	By          int64
}

// ResultActionDone says what an action changed.
type ResultActionDone struct {
	Contacts int64 `json:"contacts"`         // contacts moved
	Listed   int64 `json:"listed,omitempty"` // numbers blacklisted
	Blocked  int64 `json:"blocked,omitempty"`
}

// ApplyResultAction runs a handling action on the campaign's contacts.
func (s *Store) ApplyResultAction(ctx context.Context, campaignID int64, req ResultActionRequest) (ResultActionDone, error) {
	var done ResultActionDone
	if !OneOf(req.Action) {
		return done, Invalid("action", EnumMessage(req.Action))
	}
	if req.Action == ActionBlacklistInvalid {
		return s.blacklistInvalid(ctx, campaignID, req.By)
	}
	if len(req.Statuses) == 0 {
		return done, Invalid("statuses", "name at least one status")
	}
	for _, st := range req.Statuses {
		if !slices.Contains(recyclable, st) {
			return done, Invalid("statuses", fmt.Sprintf("%q: contacts are taken from failed, completed, maintenance or pending", st))
		}
	}
	q := s.conn(ctx).Model(&Contact{}).Where("campaign_id = ? AND status IN ? AND (claim_token = '' OR claim_token IS NULL)", campaignID, req.Statuses)
	if len(req.LastResults) > 0 {
		q = q.Where("last_result IN ?", req.LastResults)
	}
	set := map[string]any{"status": ContactMaintenance}
	if req.Action == ActionRecycle {
		set = map[string]any{"status": ContactPending, "attempts": 0, "phone_attempts": 0, "alt_attempts": 0, "next_attempt_at": nil}
	}
	res := q.Updates(set)
	if res.Error != nil {
		return done, fmt.Errorf("store: %s contacts of campaign %d: %w", req.Action, campaignID, res.Error)
	}
	done.Contacts = res.RowsAffected
	return done, nil
}

func (s *Store) blacklistInvalid(ctx context.Context, campaignID, by int64) (ResultActionDone, error) {
	var done ResultActionDone
	var phones []string
	for _, col := range []struct{ status, phone string }{{"phone_status", "phone"}, {"alt_status", "alt_phone"}} {
		var ps []string
		err := s.conn(ctx).Model(&Contact{}).Where("campaign_id = ? AND "+col.status+" = ? AND "+col.phone+" <> ''", campaignID, NumberInvalid).
			Distinct().Pluck(col.phone, &ps).Error
		if err != nil {
			return done, fmt.Errorf("store: invalid numbers of campaign %d: %w", campaignID, err)
		}
		phones = append(phones, ps...)
	}
	slices.Sort(phones)
	phones = slices.Compact(phones)
	entries := make([]DNCEntry, len(phones))
	for i, p := range phones {
		entries[i] = DNCEntry{Kind: DNCPhone, Value: p, Reason: fmt.Sprintf("空号 (campaign %d result analysis)", campaignID), Source: DNCInvalidNumber, CreatedBy: by}
	}
	res, err := s.AddDNCBatch(ctx, entries)
	if err != nil {
		return done, err
	}
	done.Listed, done.Blocked, done.Contacts = res.Added, res.Blocked, res.Blocked
	return done, nil
}
