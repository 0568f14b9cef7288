package store

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
)

// IVR flows (the ivr report): every result the IVR server reports (one per
// call through a flow: dialer broadcasts, inbound IVR, identity checks) is
// stored as an IVRCall with its survey answers, and rolled up per flow and
// campaign, in one transaction.

// IVRCall is one call's run through one IVR flow.
type IVRCall struct {
	ID         int64     `gorm:"primaryKey" json:"id"`
	CallUUID   string    `gorm:"column:call_uuid;type:varchar(64);index;not null" json:"call_uuid"`
	Flow       string    `gorm:"type:varchar(64);not null" json:"flow"`
	CampaignID int64     `gorm:"not null;default:0" json:"campaign_id,omitempty"`
	Outcome    string    `gorm:"type:varchar(16);not null" json:"outcome"`
	VerifyN    int       `gorm:"column:verify_n;not null;default:0" json:"verify_attempts"` // tries of the verify step (0: none)
	Verified   bool      `gorm:"not null;default:false" json:"verified"`
	Queue      string    `gorm:"type:varchar(64);not null;default:''" json:"queue,omitempty"`
	Transfer   string    `gorm:"type:varchar(128);not null;default:''" json:"transfer,omitempty"`
	Answers    int       `gorm:"not null;default:0" json:"answers"` // non-secret entries keyed
	StartedAt  time.Time `gorm:"not null;index" json:"started_at"`
	DurationMS int64     `gorm:"column:duration_ms;not null;default:0" json:"duration_ms"`
}

// IVRAnswer is one survey answer keyed in a flow: a non-secret entry of
// one or two digits (longer entries are not survey choices and are not
// kept).
type IVRAnswer struct {
	ID        int64  `gorm:"primaryKey" json:"id"`
	IVRCallID int64  `gorm:"column:ivr_call_id;not null;index" json:"ivr_call_id"`
	Var       string `gorm:"column:dtmf_var;type:varchar(64);not null" json:"var"`
	Digits    string `gorm:"type:varchar(8);not null" json:"digits"`
}

// surveyDigits are what counts as a survey answer.
var surveyDigits = regexp.MustCompile(`^[0-9*#]{1,2}$`)

// IVROutcomes are the IVR's outcomes, as package ivr names them; each is a
// column of ivr_hours.
var IVROutcomes = []string{"completed", "handback", "transferred", "queued", "caller_hangup", "failed", "aborted"}

// IVRCallRecord is one IVR result to store (RecordIVRCall): the call and
// its non-secret entries in the order keyed.
type IVRCallRecord struct {
	IVRCall
	Entries []IVRAnswer // Var and Digits; entries that are no survey answer only count
}

// RecordIVRCall stores one IVR result, its survey answers and their
// rollups in one transaction.
func (s *Store) RecordIVRCall(ctx context.Context, rec IVRCallRecord) (*IVRCall, error) {
	c := rec.IVRCall
	c.ID = 0
	switch {
	case c.CallUUID == "":
		return nil, Invalid("call_uuid", "is required")
	case c.Flow == "" || len(c.Flow) > 64:
		return nil, Invalid("flow", "is required (at most 64 characters)")
	}
	c.StartedAt = ts(c.StartedAt)
	c.Outcome, c.Queue, c.Transfer = truncate(c.Outcome, 16), truncate(c.Queue, 64), truncate(c.Transfer, 128)
	c.Answers = len(rec.Entries)
	var answers []IVRAnswer
	for _, e := range rec.Entries {
		if surveyDigits.MatchString(e.Digits) && e.Var != "" && len(e.Var) <= 64 {
			answers = append(answers, IVRAnswer{Var: e.Var, Digits: e.Digits})
		}
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		for i := range answers {
			answers[i].IVRCallID = c.ID
		}
		if len(answers) > 0 {
			if err := tx.Create(&answers).Error; err != nil {
				return err
			}
		}
		r := rollup{}
		ivrCallRolled(r, &c, answers)
		return r.apply(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("store: record ivr call %s: %w", c.CallUUID, err)
	}
	return &c, nil
}

// IVRCalls lists the IVR calls that started in [from, to), with their
// survey answers (checks and tests).
func (s *Store) IVRCalls(ctx context.Context, from, to time.Time) ([]IVRCall, []IVRAnswer, error) {
	var calls []IVRCall
	db := s.conn(ctx)
	if err := db.Where("started_at >= ? AND started_at < ?", from.UTC(), to.UTC()).Order("started_at, id").Find(&calls).Error; err != nil {
		return nil, nil, fmt.Errorf("store: ivr calls: %w", err)
	}
	var answers []IVRAnswer
	err := db.Where("ivr_call_id IN (?)", db.Model(&IVRCall{}).Select("id").Where("started_at >= ? AND started_at < ?", from.UTC(), to.UTC())).
		Order("id").Find(&answers).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: ivr answers: %w", err)
	}
	return calls, answers, nil
}
