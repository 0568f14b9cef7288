package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Attempt is one dial try (one call leg): the call-detail record retries,
// reports and call history are built from. A contact has many attempts.
type Attempt struct {
	ID          int64      `gorm:"primaryKey" json:"id"`
	CallUUID    string     `gorm:"column:call_uuid;type:varchar(64);uniqueIndex;not null" json:"call_uuid"`
	JobUUID     string     `gorm:"column:job_uuid;type:varchar(64)" json:"job_uuid,omitempty"`
	Node        string     `gorm:"type:varchar(64)" json:"node"`
	CampaignID  int64      `gorm:"index:ix_attempt_campaign,priority:1" json:"campaign_id,omitempty"`
	ContactID   int64      `gorm:"index" json:"contact_id,omitempty"`
	AgentID     int64      `gorm:"index" json:"agent_id,omitempty"`
	Destination string     `gorm:"type:varchar(128)" json:"destination"`
	OtherUUIDs  []string   `gorm:"column:other_uuids;serializer:json;type:text" json:"other_uuids"`
	State       string     `gorm:"type:varchar(16)" json:"state"`
	Bridged     bool       `json:"bridged"`
	CreatedAt   time.Time  `gorm:"index:ix_attempt_campaign,priority:2" json:"created_at"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	BridgedAt   *time.Time `json:"bridged_at,omitempty"`
	HungupAt    *time.Time `json:"hungup_at,omitempty"`
	HangupCause string     `gorm:"type:varchar(64)" json:"hangup_cause,omitempty"`
	SIPCode     int        `gorm:"column:sip_code" json:"sip_code,omitempty"`
	BillSec     int        `gorm:"column:bill_sec" json:"billsec"`
	Result      string     `gorm:"type:varchar(32);index" json:"result,omitempty"`
	Machine     bool       `json:"machine"`
	Reason      string     `gorm:"type:varchar(255)" json:"reason,omitempty"`
	// Delivery is what a receipt said of a message (sms, email, fax):
	// delivered or failed with the operator's code (RecordReceipt).
	Delivery     string     `gorm:"type:varchar(16);not null;default:''" json:"delivery,omitempty"`
	DeliveryCode string     `gorm:"type:varchar(64);not null;default:''" json:"delivery_code,omitempty"`
	DeliveredAt  *time.Time `json:"delivered_at,omitempty"`
	UpdatedAt    time.Time  `json:"updated_at"`

	// The dialer's view, written by StartAttempt and FinishAttempt (the
	// controller's SaveAttempt leaves these alone).
	Outcome         ResultClass `gorm:"type:varchar(32);not null;default:''" json:"outcome,omitempty"`
	CallerID        string      `gorm:"column:caller_id;type:varchar(24);not null;default:''" json:"caller_id,omitempty"`
	Abandoned       bool        `gorm:"not null;default:false" json:"abandoned"`
	AMD             AMDVerdict  `gorm:"column:amd;type:varchar(16);not null;default:''" json:"amd,omitempty"`
	AnswerToAgentMS *int64      `gorm:"column:answer_to_agent_ms" json:"answer_to_agent_ms,omitempty"`
	Disposition     string      `gorm:"type:varchar(64);not null;default:''" json:"disposition,omitempty"`
	CallbackID      *int64      `json:"callback_id,omitempty"`
	FinishedAt      *time.Time  `json:"finished_at,omitempty"`
	// AttemptNo counts the contact's calls: 1 for the first (result analysis).
	AttemptNo int `gorm:"not null;default:0" json:"attempt_no,omitempty"`
	// Connected and TalkMS are the dialer's: the customer was joined to an
	// agent, and for how long (connect to hangup), as reports count them.
	Connected bool  `gorm:"not null;default:false" json:"connected"`
	TalkMS    int64 `gorm:"column:talk_ms;not null;default:0" json:"talk_ms"`
	// Inbound: a caller's call that joined a group's queue (EnterQueue),
	// counted apart in the agents report.
	Inbound bool `gorm:"not null;default:false" json:"inbound"`
}

// SaveAttempt inserts or updates the attempt with the same call UUID; the
// controller calls it on create, answer, bridge and hangup. What the leg's
// record does not know (no agent, campaign or contact, no result yet, no
// machine seen) leaves the stored value alone, so a late switch record never
// erases what the dialer wrote when it finished the attempt.
func (s *Store) SaveAttempt(ctx context.Context, a *Attempt) error {
	return saveAttempt(s.conn(ctx), a)
}

func saveAttempt(db *gorm.DB, a *Attempt) error {
	cols := []string{"job_uuid", "node", "other_uuids", "state", "bridged", "answered_at", "bridged_at", "hungup_at",
		"hangup_cause", "sip_code", "bill_sec", "reason", "updated_at"}
	for _, c := range []struct {
		col   string
		known bool
	}{{"campaign_id", a.CampaignID != 0}, {"contact_id", a.ContactID != 0}, {"agent_id", a.AgentID != 0},
		{"destination", a.Destination != ""}, {"result", a.Result != ""}, {"machine", a.Machine}, {"inbound", a.Inbound}} {
		if c.known {
			cols = append(cols, c.col)
		}
	}
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "call_uuid"}},
		DoUpdates: clause.AssignmentColumns(cols),
	}).Create(a).Error
	if err != nil {
		return fmt.Errorf("store: save attempt %s: %w", a.CallUUID, err)
	}
	return nil
}

// GetAttemptByUUID loads one attempt.
func (s *Store) GetAttemptByUUID(ctx context.Context, uuid string) (*Attempt, error) {
	var a Attempt
	if err := s.conn(ctx).Where("call_uuid = ?", uuid).First(&a).Error; err != nil {
		return nil, fmt.Errorf("store: attempt %s: %w", uuid, translate(err))
	}
	return &a, nil
}

// AttemptFilter selects attempts for history and checks.
type AttemptFilter struct {
	CampaignID int64
	ContactIDs []int64
	From, To   time.Time // created_at in [From, To); zero = open
	Limit      int       // 0 = 10,000
}

// Attempts lists attempts, newest first.
func (s *Store) Attempts(ctx context.Context, f AttemptFilter) ([]Attempt, error) {
	q := s.conn(ctx).Order("created_at DESC, id DESC")
	if f.CampaignID != 0 {
		q = q.Where("campaign_id = ?", f.CampaignID)
	}
	if len(f.ContactIDs) > 0 {
		q = q.Where("contact_id IN ?", f.ContactIDs)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 10000
	}
	var out []Attempt
	if err := q.Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: attempts: %w", err)
	}
	return out, nil
}
