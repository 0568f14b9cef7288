package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The inbound queue and IVR rollups: what a caller joining and leaving a
// group's queue adds to queue_*, and what a stored IVR result adds to ivr_*
// and ivr_answer_*; their rebuild from queue_waits and ivr_calls.

// QueueHour is one group's queue figures for the callers who joined it in
// one UTC hour.
type QueueHour struct {
	Hour          time.Time `gorm:"primaryKey" json:"hour"`
	GroupID       int64     `gorm:"primaryKey;autoIncrement:false" json:"group_id"`
	Offered       int64     `gorm:"not null;default:0" json:"offered"`
	Answered      int64     `gorm:"not null;default:0" json:"answered"`
	Abandoned     int64     `gorm:"not null;default:0" json:"abandoned"`
	Voicemail     int64     `gorm:"not null;default:0" json:"voicemail"`
	Other         int64     `gorm:"not null;default:0" json:"other"`
	AnsweredSL    int64     `gorm:"column:answered_sl;not null;default:0" json:"answered_sl"` // answered within ServiceLevelTarget
	AnswerWaitMS  int64     `gorm:"column:answer_wait_ms;not null;default:0" json:"answer_wait_ms"`
	AbandonWaitMS int64     `gorm:"column:abandon_wait_ms;not null;default:0" json:"abandon_wait_ms"`
}

// QueueDay is QueueHour per day of ReportZone.
type QueueDay struct{ QueueHour }

// TableName names the day table.
func (QueueDay) TableName() string { return "queue_days" }

// queueEntered is what a caller joining a queue adds.
func queueEntered(r rollup, w *QueueWait) {
	r.both(rollupKey{table: "queue_hours", id: w.GroupID, hour: hourOf(w.EnteredAt)}, "offered", 1)
}

// queueLeft is what a caller leaving it adds, in the hour they joined.
func queueLeft(r rollup, w *QueueWait) {
	if w.Outcome == "" {
		return
	}
	k := rollupKey{table: "queue_hours", id: w.GroupID, hour: hourOf(w.EnteredAt)}
	r.both(k, string(w.Outcome), 1)
	switch w.Outcome {
	case QueueAnswered:
		r.both(k, "answer_wait_ms", w.WaitMS)
		r.both(k, "answered_sl", b2i(w.WaitMS <= ServiceLevelTarget.Milliseconds()))
	case QueueAbandoned:
		r.both(k, "abandon_wait_ms", w.WaitMS)
	}
}

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

func rebuildQueues(tx *gorm.DB, r rollup) (int64, error) {
	var n, last int64
	for {
		var rows []QueueWait
		if err := tx.Where("id > ?", last).Order("id").Limit(rebuildBatch).Find(&rows).Error; err != nil {
			return n, fmt.Errorf("store: read queue waits after %d: %w", last, err)
		}
		for i := range rows {
			queueEntered(r, &rows[i])
			queueLeft(r, &rows[i])
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
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
