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

// IVRHour is one flow's figures (per campaign; 0 for calls of none) for the
// calls that entered it in one UTC hour.
type IVRHour struct {
	Hour         time.Time `gorm:"primaryKey" json:"hour"`
	Flow         string    `gorm:"primaryKey;type:varchar(64)" json:"flow"`
	CampaignID   int64     `gorm:"primaryKey;autoIncrement:false" json:"campaign_id"`
	Entries      int64     `gorm:"not null;default:0" json:"entries"`
	Completed    int64     `gorm:"not null;default:0" json:"completed"`
	Handback     int64     `gorm:"not null;default:0" json:"handback"`
	Transferred  int64     `gorm:"not null;default:0" json:"transferred"`
	Queued       int64     `gorm:"not null;default:0" json:"queued"`
	CallerHangup int64     `gorm:"not null;default:0" json:"caller_hangup"`
	Failed       int64     `gorm:"not null;default:0" json:"failed"`
	Aborted      int64     `gorm:"not null;default:0" json:"aborted"`
	VerifyTried  int64     `gorm:"not null;default:0" json:"verify_tried"`
	Verified     int64     `gorm:"not null;default:0" json:"verified"`
	Answers      int64     `gorm:"not null;default:0" json:"answers"`
	DurationMS   int64     `gorm:"column:duration_ms;not null;default:0" json:"duration_ms"`
}

// IVRAnswerHour counts one survey answer of one flow variable per hour.
type IVRAnswerHour struct {
	Hour       time.Time `gorm:"primaryKey" json:"hour"`
	Flow       string    `gorm:"primaryKey;type:varchar(64)" json:"flow"`
	CampaignID int64     `gorm:"primaryKey;autoIncrement:false" json:"campaign_id"`
	Var        string    `gorm:"column:dtmf_var;primaryKey;type:varchar(64)" json:"var"`
	Digits     string    `gorm:"primaryKey;type:varchar(8)" json:"digits"`
	N          int64     `gorm:"column:n;not null;default:0" json:"n"`
}

// IVRDay and IVRAnswerDay are the same per day of ReportZone.
type IVRDay struct{ IVRHour }

// IVRAnswerDay is IVRAnswerHour per day of ReportZone.
type IVRAnswerDay struct{ IVRAnswerHour }

// TableName names the day tables.
func (IVRDay) TableName() string       { return "ivr_days" }
func (IVRAnswerDay) TableName() string { return "ivr_answer_days" }

// IVRCallRecord is one IVR result to store (RecordIVRCall): the call and
// its non-secret entries in the order keyed.
type IVRCallRecord struct {
	IVRCall
	Entries []IVRAnswer // Var and Digits; entries that are no survey answer only count
}

// ivrCallRolled is what one stored IVR call adds.
func ivrCallRolled(r rollup, c *IVRCall, answers []IVRAnswer) {
	k := rollupKey{table: "ivr_hours", id: c.CampaignID, hour: hourOf(c.StartedAt), flow: c.Flow}
	r.both(k, "entries", 1)
	for _, o := range IVROutcomes {
		if o == c.Outcome {
			r.both(k, o, 1)
		}
	}
	r.both(k, "verify_tried", b2i(c.VerifyN > 0))
	r.both(k, "verified", b2i(c.Verified))
	r.both(k, "answers", int64(c.Answers))
	r.both(k, "duration_ms", c.DurationMS)
	for _, a := range answers {
		ak := k
		ak.table, ak.dvar, ak.digits = "ivr_answer_hours", a.Var, a.Digits
		r.both(ak, "n", 1)
	}
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

func rebuildIVR(tx *gorm.DB, r rollup) (int64, error) {
	var n, last int64
	for {
		var rows []IVRCall
		if err := tx.Where("id > ?", last).Order("id").Limit(rebuildBatch).Find(&rows).Error; err != nil {
			return n, fmt.Errorf("store: read ivr calls after %d: %w", last, err)
		}
		if len(rows) > 0 {
			var answers []IVRAnswer
			if err := tx.Where("ivr_call_id >= ? AND ivr_call_id <= ?", rows[0].ID, rows[len(rows)-1].ID).Find(&answers).Error; err != nil {
				return n, fmt.Errorf("store: read ivr answers: %w", err)
			}
			byCall := map[int64][]IVRAnswer{}
			for _, a := range answers {
				byCall[a.IVRCallID] = append(byCall[a.IVRCallID], a)
			}
			for i := range rows {
				ivrCallRolled(r, &rows[i], byCall[rows[i].ID])
			}
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
}
