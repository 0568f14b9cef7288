package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CallerIDUsage counts the calls presented with one caller ID on one day, over
// every campaign (carriers limit calls per number per day, whoever makes them).
type CallerIDUsage struct {
	CallerID string `gorm:"column:caller_id;primaryKey;type:varchar(24)" json:"caller_id"`
	Day      string `gorm:"primaryKey;type:varchar(10)" json:"day"` // YYYY-MM-DD in the campaign calendar's zone
	Calls    int    `gorm:"not null;default:0" json:"calls"`
}

// reserveCallerID picks the caller ID for one call and counts it, inside the
// caller's transaction: round robin takes the least used today, in order the
// first below the limit. The count is a conditional increment (calls <
// limit), so two calls at once can never both take the last one allowed.
// "" means the campaign has no caller IDs (the gateway's own applies).
func reserveCallerID(tx *gorm.DB, r *DialRules, now time.Time) (string, error) {
	pool := r.Campaign.CallerIDs
	if len(pool) == 0 {
		return "", nil
	}
	limit, rotation := 0, RotateRoundRobin
	if r.Strategy != nil {
		limit, rotation = r.Strategy.CallerIDDailyLimit, r.Strategy.CallerIDRotation
	}
	day := now.In(r.location()).Format(time.DateOnly)
	used, err := callerIDCounts(tx, day, pool)
	if err != nil {
		return "", err
	}
	order := slices.Clone(pool)
	if rotation != RotateInOrder {
		slices.SortStableFunc(order, func(a, b string) int { return used[a] - used[b] })
	}
	for _, id := range order {
		if limit > 0 && used[id] >= limit {
			continue
		}
		_, counted := used[id]
		ok, err := countCall(tx, id, day, limit, !counted)
		if err != nil {
			return "", err
		}
		if ok {
			return id, nil
		}
	}
	return "", fmt.Errorf("store: campaign %d: %w", r.Campaign.ID, ErrNoCallerID)
}

func callerIDCounts(tx *gorm.DB, day string, ids []string) (map[string]int, error) {
	var rows []CallerIDUsage
	if err := tx.Where("day = ? AND caller_id IN ?", day, ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: caller ID counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.CallerID] = r.Calls
	}
	return out, nil
}

// countCall adds one call to id's count for day unless it reached limit;
// fresh means no row was seen for the day yet (another call may be creating
// it right now, hence the insert that ignores a duplicate).
func countCall(tx *gorm.DB, id, day string, limit int, fresh bool) (bool, error) {
	if fresh {
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&CallerIDUsage{CallerID: id, Day: day}).Error
		if err != nil {
			return false, fmt.Errorf("store: count caller ID %s: %w", id, err)
		}
	}
	q := tx.Model(&CallerIDUsage{}).Where("caller_id = ? AND day = ?", id, day)
	if limit > 0 {
		q = q.Where("calls < ?", limit)
	}
	res := q.Update("calls", gorm.Expr("calls + 1"))
	if res.Error != nil {
		return false, fmt.Errorf("store: count caller ID %s: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CallerIDCounts returns today's calls per caller ID of a campaign, in the
// zone of its calendar (for the stats page and the runner's logs).
func (s *Store) CallerIDCounts(ctx context.Context, r *DialRules, now time.Time) (map[string]int, error) {
	if len(r.Campaign.CallerIDs) == 0 {
		return map[string]int{}, nil
	}
	return callerIDCounts(s.conn(ctx), now.In(r.location()).Format(time.DateOnly), r.Campaign.CallerIDs)
}
