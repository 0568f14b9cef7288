package store

import (
	"context"
	"fmt"
	"time"
)

// CallFilter selects call attempts for the call history (GET /api/v1/calls).
// Phone matches the whole number as dialed (E.164), never a prefix, so the
// history cannot be used to guess a masked number digit by digit.
type CallFilter struct {
	From, To   time.Time // created in [From, To)
	CampaignID int64
	AgentID    int64
	ContactID  int64
	Phone      string
	Outcome    ResultClass
	Recorded   *bool // only calls with (true) or without (false) a recording
	Page       Page
}

// CallRow is one call of the history with its recordings.
type CallRow struct {
	Attempt
	Recordings []Recording `gorm:"-" json:"recordings"`
}

// ListCalls returns the matching attempts, newest first, each with its
// recordings (deleted ones included: history shows what retention removed).
func (s *Store) ListCalls(ctx context.Context, f CallFilter) ([]CallRow, int64, error) {
	q := s.conn(ctx).Model(&Attempt{})
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", ts(f.To))
	}
	for col, v := range map[string]int64{"campaign_id": f.CampaignID, "agent_id": f.AgentID, "contact_id": f.ContactID} {
		if v != 0 {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.Phone != "" {
		q = q.Where("destination = ?", f.Phone)
	}
	if f.Outcome != "" {
		q = q.Where("outcome = ?", f.Outcome)
	}
	if f.Recorded != nil {
		sub := s.conn(ctx).Model(&Recording{}).Select("attempt_id")
		if *f.Recorded {
			q = q.Where("id IN (?)", sub)
		} else {
			q = q.Where("id NOT IN (?)", sub)
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count calls: %w", err)
	}
	var attempts []Attempt
	if err := f.Page.apply(q).Order("created_at DESC, id DESC").Find(&attempts).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list calls: %w", err)
	}
	rows, err := s.withRecordings(ctx, attempts)
	return rows, total, err
}

// GetCall returns one attempt with its recordings.
func (s *Store) GetCall(ctx context.Context, id int64) (*CallRow, error) {
	var a Attempt
	if err := s.conn(ctx).First(&a, id).Error; err != nil {
		return nil, translate(err)
	}
	rows, err := s.withRecordings(ctx, []Attempt{a})
	if err != nil {
		return nil, err
	}
	return &rows[0], nil
}

func (s *Store) withRecordings(ctx context.Context, attempts []Attempt) ([]CallRow, error) {
	out := make([]CallRow, len(attempts))
	ids := make([]int64, len(attempts))
	at := map[int64]int{}
	for i, a := range attempts {
		out[i] = CallRow{Attempt: a, Recordings: []Recording{}}
		ids[i], at[a.ID] = a.ID, i
	}
	if len(ids) == 0 {
		return out, nil
	}
	var recs []Recording
	if err := s.conn(ctx).Where("attempt_id IN ?", ids).Order("started_at, id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: recordings of calls: %w", err)
	}
	for _, r := range recs {
		i := at[r.AttemptID]
		out[i].Recordings = append(out[i].Recordings, r)
	}
	return out, nil
}
