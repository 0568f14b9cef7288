package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Inbound queues (the inbound report): the desk writes one QueueWait row
// when a caller joins a group's queue and closes it when the caller leaves
// (an agent took the call, the caller hung up, or the call went on to
// voicemail or elsewhere), each time in the same transaction as the
// inbound attempt's row and the queue rollups.

// QueueOutcome is how a caller left a queue.
type QueueOutcome string

// Queue outcomes; "" while the caller waits.
const (
	QueueAnswered  QueueOutcome = "answered"  // bridged to an agent
	QueueAbandoned QueueOutcome = "abandoned" // the caller hung up while waiting
	QueueVoicemail QueueOutcome = "voicemail" // sent to leave a message
	QueueOther     QueueOutcome = "other"     // refused, transferred on, or the desk stopped
)

// QueueOutcomes lists every QueueOutcome.
var QueueOutcomes = []QueueOutcome{QueueAnswered, QueueAbandoned, QueueVoicemail, QueueOther}

// EnumValues lists the queue outcomes.
func (QueueOutcome) EnumValues() []string { return enumStrings(QueueOutcomes) }

// ServiceLevelTarget is the wait within which an answered call counts for
// the service level (answered within 20 s ÷ offered).
const ServiceLevelTarget = 20 * time.Second

// QueueWait is one caller's stay in one group's queue.
type QueueWait struct {
	ID        int64        `gorm:"primaryKey" json:"id"`
	CallUUID  string       `gorm:"column:call_uuid;type:varchar(64);index;not null" json:"call_uuid"`
	AttemptID int64        `gorm:"not null;default:0" json:"attempt_id"`
	GroupID   int64        `gorm:"not null;index" json:"group_id"`
	EnteredAt time.Time    `gorm:"not null;index" json:"entered_at"`
	LeftAt    *time.Time   `json:"left_at,omitempty"`
	Outcome   QueueOutcome `gorm:"type:varchar(16);not null;default:''" json:"outcome,omitempty"`
	AgentID   int64        `gorm:"not null;default:0" json:"agent_id,omitempty"`
	WaitMS    int64        `gorm:"column:wait_ms;not null;default:0" json:"wait_ms"`
}

// EnterQueue stores an inbound call joining a group's queue: the call's
// attempt (inserted or updated by call UUID, as SaveAttempt), its wait row
// and the offered count, in one transaction. a.ID is set.
func (s *Store) EnterQueue(ctx context.Context, a *Attempt, groupID int64, at time.Time) (*QueueWait, error) {
	if groupID == 0 || a.CallUUID == "" {
		return nil, Invalid("group_id", "an inbound call joins a group's queue")
	}
	w := &QueueWait{CallUUID: a.CallUUID, GroupID: groupID, EnteredAt: ts(at)}
	a.Inbound = true
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := saveAttempt(tx, a); err != nil {
			return err
		}
		// An upsert that updated reports no reliable id on either driver.
		if err := tx.Model(&Attempt{}).Select("id").Where("call_uuid = ?", a.CallUUID).Scan(&a.ID).Error; err != nil {
			return fmt.Errorf("store: attempt id of %s: %w", a.CallUUID, err)
		}
		w.AttemptID = a.ID
		if err := tx.Create(w).Error; err != nil {
			return fmt.Errorf("store: queue wait of %s: %w", a.CallUUID, err)
		}
		r := rollup{}
		queueEntered(r, w)
		return r.apply(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("store: enter queue %d: %w", groupID, err)
	}
	return w, nil
}

// QueueLeave is how a caller left the queue.
type QueueLeave struct {
	CallUUID string
	Outcome  QueueOutcome
	AgentID  int64 // the agent who took it (answered)
	At       time.Time
}

// LeaveQueue closes the call's open wait row with its outcome and wait, and
// for an answered call puts the agent and bridge time on the attempt, with
// the rollups, in one transaction. A call with no open wait (left already)
// changes nothing and reports false.
func (s *Store) LeaveQueue(ctx context.Context, l QueueLeave) (bool, error) {
	if !OneOf(l.Outcome) {
		return false, Invalid("outcome", EnumMessage(l.Outcome))
	}
	at := ts(l.At)
	closed := false
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var w QueueWait
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("call_uuid = ? AND left_at IS NULL", l.CallUUID).
			Order("id DESC").Limit(1).Find(&w).Error
		if err != nil || w.ID == 0 {
			return err
		}
		w.LeftAt, w.Outcome, w.AgentID = &at, l.Outcome, l.AgentID
		w.WaitMS = max(at.Sub(w.EnteredAt).Milliseconds(), 0)
		res := tx.Model(&QueueWait{}).Where("id = ? AND left_at IS NULL", w.ID).
			Updates(map[string]any{"left_at": at, "outcome": w.Outcome, "agent_id": w.AgentID, "wait_ms": w.WaitMS})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		if l.Outcome == QueueAnswered && l.AgentID != 0 {
			err := tx.Model(&Attempt{}).Where("call_uuid = ?", l.CallUUID).
				Updates(map[string]any{"agent_id": l.AgentID, "bridged_at": at, "updated_at": at}).Error
			if err != nil {
				return fmt.Errorf("store: agent of inbound call %s: %w", l.CallUUID, err)
			}
		}
		r := rollup{}
		queueLeft(r, &w)
		closed = true
		return r.apply(tx)
	})
	if err != nil {
		return false, fmt.Errorf("store: leave queue %s: %w", l.CallUUID, err)
	}
	return closed, nil
}

// QueueWaits lists the wait rows of callers who joined in [from, to) (checks
// and tests), oldest first.
func (s *Store) QueueWaits(ctx context.Context, from, to time.Time) ([]QueueWait, error) {
	var out []QueueWait
	err := s.conn(ctx).Where("entered_at >= ? AND entered_at < ?", from.UTC(), to.UTC()).Order("entered_at, id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: queue waits: %w", err)
	}
	return out, nil
}
