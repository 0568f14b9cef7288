package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// OutboundPurpose says why a message was sent.
type OutboundPurpose string

const (
	PurposeCampaign     OutboundPurpose = "campaign"     // one attempt of an sms, email or fax campaign
	PurposeNotification OutboundPurpose = "notification" // a result notification (R14)
	PurposeTest         OutboundPurpose = "test"         // an admin's "send test message"
	PurposeReport       OutboundPurpose = "report"       // a scheduled e-mail of a saved report
)

// OutboundStatus is where a message is.
type OutboundStatus string

const (
	OutboundQueued    OutboundStatus = "queued"    // waiting to be sent (notifications, with retries)
	OutboundSent      OutboundStatus = "sent"      // the provider accepted it; a receipt may follow
	OutboundDelivered OutboundStatus = "delivered" // a receipt said delivered
	OutboundFailed    OutboundStatus = "failed"    // refused, undeliverable, or out of retries
)

// OutboundMessage is one message sent (or to send) by sms, email or fax:
// the delivery log an admin searches, and the link from a provider's
// message id back to the attempt its receipt updates.
type OutboundMessage struct {
	ID          int64           `gorm:"primaryKey" json:"id"`
	Purpose     OutboundPurpose `gorm:"type:varchar(16);not null;index:ix_outbound_list,priority:1" json:"purpose"`
	Channel     string          `gorm:"type:varchar(8);not null" json:"channel"`
	Provider    string          `gorm:"type:varchar(16);not null;uniqueIndex:ux_outbound_provider,priority:1" json:"provider"`
	ProviderID  *string         `gorm:"type:varchar(128);uniqueIndex:ux_outbound_provider,priority:2" json:"provider_id,omitempty"`
	Simulated   bool            `gorm:"not null;default:false" json:"simulated"`
	CampaignID  int64           `gorm:"index" json:"campaign_id,omitempty"`
	ContactID   int64           `gorm:"index" json:"contact_id,omitempty"`
	AttemptUUID string          `gorm:"type:varchar(64);index" json:"attempt_uuid,omitempty"`
	// DedupKey makes a notification unique per rule and attempt, so a
	// restarted or second instance never sends it twice.
	DedupKey    *string        `gorm:"type:varchar(128);uniqueIndex" json:"-"`
	To          string         `gorm:"column:recipient;type:varchar(255);not null" json:"to"`
	Subject     string         `gorm:"type:varchar(255)" json:"subject,omitempty"`
	Body        string         `gorm:"type:text" json:"body,omitempty"`
	Status      OutboundStatus `gorm:"type:varchar(16);not null;index:ix_outbound_due,priority:1" json:"status"`
	Code        string         `gorm:"type:varchar(64)" json:"code,omitempty"` // the provider's or operator's code
	Error       string         `gorm:"type:varchar(255)" json:"error,omitempty"`
	Tries       int            `gorm:"not null;default:0" json:"tries"`
	NextTryAt   *time.Time     `gorm:"index:ix_outbound_due,priority:2" json:"next_try_at,omitempty"`
	Parts       int            `json:"parts,omitempty"` // sms segments, fax pages sent
	CreatedBy   int64          `json:"created_by,omitempty"`
	CreatedAt   time.Time      `gorm:"index:ix_outbound_list,priority:2" json:"created_at"`
	SentAt      *time.Time     `json:"sent_at,omitempty"`
	DeliveredAt *time.Time     `json:"delivered_at,omitempty"`
}

// EnumValues lists the purposes.
func (OutboundPurpose) EnumValues() []string {
	return []string{string(PurposeCampaign), string(PurposeNotification), string(PurposeTest), string(PurposeReport)}
}

// EnumValues lists the statuses.
func (OutboundStatus) EnumValues() []string {
	return []string{string(OutboundQueued), string(OutboundSent), string(OutboundDelivered), string(OutboundFailed)}
}

// LogOutbound stores a message. A notification with a DedupKey already
// stored is left alone (created false).
func (s *Store) LogOutbound(ctx context.Context, m *OutboundMessage) (created bool, err error) {
	m.Subject, m.Error, m.Code = clip(m.Subject, 255), clip(m.Error, 255), clip(m.Code, 64)
	// A plain insert, a duplicate key meaning "already there": MySQL's
	// ON DUPLICATE KEY counts a skipped row as affected with found rows on.
	err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(m).Error; err != nil {
			return err
		}
		r := rollup{}
		messageState(r, m, 1)
		return r.apply(tx)
	})
	if m.DedupKey != nil && err != nil && isDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: log outbound %s to campaign %d: %w", m.Channel, m.CampaignID, err)
	}
	return true, nil
}

// OutboundResult is what became of a send.
type OutboundResult struct {
	Status     OutboundStatus
	Provider   string
	ProviderID string
	Simulated  bool
	Code       string
	Error      string
	Parts      int
	// RetryAt: a temporary failure of a notification is tried again then
	// (nil: no more tries).
	RetryAt *time.Time
}

// SettleOutbound records the outcome of sending a stored message.
func (s *Store) SettleOutbound(ctx context.Context, id int64, r OutboundResult, now time.Time) error {
	set := map[string]any{"status": r.Status, "code": clip(r.Code, 64), "error": clip(r.Error, 255),
		"tries": gorm.Expr("tries + 1"), "next_try_at": r.RetryAt, "parts": r.Parts, "simulated": r.Simulated}
	if r.Provider != "" {
		set["provider"] = r.Provider
	}
	if r.ProviderID != "" {
		set["provider_id"] = r.ProviderID
	}
	if r.Status == OutboundSent || r.Status == OutboundDelivered {
		set["sent_at"] = now
	}
	if r.Status == OutboundDelivered {
		set["delivered_at"] = now
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := lockOutbound(tx, "id = ?", id)
		if err != nil || old == nil {
			return err
		}
		if err := tx.Model(&OutboundMessage{}).Where("id = ?", id).Updates(set).Error; err != nil {
			return err
		}
		now := *old
		now.Status, now.Parts = r.Status, r.Parts
		return messageChanged(tx, old, &now)
	})
	if err != nil {
		return fmt.Errorf("store: settle outbound %d: %w", id, err)
	}
	return nil
}

// DueOutbound lists queued notifications whose try is due, oldest first
// (campaign messages are sent by their runner, never from this queue).
func (s *Store) DueOutbound(ctx context.Context, now time.Time, n int) ([]OutboundMessage, error) {
	var out []OutboundMessage
	err := s.conn(ctx).Where("status = ? AND purpose = ? AND (next_try_at IS NULL OR next_try_at <= ?)", OutboundQueued,
		PurposeNotification, now).
		Order("id").Limit(n).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: due outbound: %w", err)
	}
	return out, nil
}

// Receipt is a delivery receipt to record.
type Receipt struct {
	Provider   string
	ProviderID string
	Delivered  bool
	Code       string
	At         time.Time
	Pages      int
}

// RecordReceipt applies a delivery receipt: the message's status, and the
// attempt it belongs to (delivery, operator's code, time). A campaign
// message that failed after the contact was counted reached puts the
// contact back in the queue at the strategy's minimum retry interval
// (still subject to its attempt limits when claimed). found is false for
// a receipt of an unknown message (another system's, or too old).
func (s *Store) RecordReceipt(ctx context.Context, r Receipt) (found bool, err error) {
	err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := lockOutbound(tx, "provider = ? AND provider_id = ?", r.Provider, r.ProviderID)
		if err != nil || old == nil {
			return err
		}
		m := *old
		found = true
		status, delivery := OutboundFailed, "failed"
		if r.Delivered {
			status, delivery = OutboundDelivered, "delivered"
		}
		set := map[string]any{"status": status, "code": clip(r.Code, 64)}
		if r.Delivered {
			set["delivered_at"] = r.At
		}
		if r.Pages > 0 {
			set["parts"] = r.Pages
		}
		if err := tx.Model(&m).Updates(set).Error; err != nil {
			return err
		}
		m.Status = status
		if r.Pages > 0 {
			m.Parts = r.Pages
		}
		if err := messageChanged(tx, old, &m); err != nil {
			return err
		}
		if m.AttemptUUID == "" {
			return nil
		}
		aset := map[string]any{"delivery": delivery, "delivery_code": clip(r.Code, 64), "delivered_at": r.At}
		if err := tx.Model(&Attempt{}).Where("call_uuid = ?", m.AttemptUUID).Updates(aset).Error; err != nil {
			return err
		}
		if r.Delivered {
			return nil
		}
		return requeueUndelivered(tx, m.ContactID, r.At)
	})
	if err != nil {
		return false, fmt.Errorf("store: receipt %s %s: %w", r.Provider, r.ProviderID, err)
	}
	return found, nil
}

// requeueUndelivered puts a contact completed by a message that was not
// delivered back in the queue.
func requeueUndelivered(tx *gorm.DB, contactID int64, at time.Time) error {
	var c Contact
	if err := tx.Where("id = ?", contactID).Limit(1).Find(&c).Error; err != nil || c.ID == 0 || c.Status != ContactCompleted {
		return err
	}
	delay := 10 * time.Minute
	var st Strategy
	if err := tx.Table("strategies").Joins("JOIN campaigns ON campaigns.strategy_id = strategies.id").
		Where("campaigns.id = ?", c.CampaignID).Limit(1).Find(&st).Error; err != nil {
		return err
	}
	if st.MinRetryIntervalS > 0 {
		delay = time.Duration(st.MinRetryIntervalS) * time.Second
	}
	next := at.Add(delay)
	return tx.Model(&Contact{}).Where("id = ? AND status = ?", c.ID, ContactCompleted).
		Updates(map[string]any{"status": ContactPending, "next_attempt_at": next, "last_result": "undelivered"}).Error
}

// OutboundFilter selects messages of the delivery log.
type OutboundFilter struct {
	Purpose    OutboundPurpose
	Channel    string
	Status     OutboundStatus
	CampaignID int64
	To         string // exact recipient
	From, Till *time.Time
	Page       Page
}

// ListOutbound searches the delivery log, newest first.
func (s *Store) ListOutbound(ctx context.Context, f OutboundFilter) ([]OutboundMessage, int64, error) {
	q := s.conn(ctx).Model(&OutboundMessage{})
	for col, v := range map[string]string{"purpose": string(f.Purpose), "channel": f.Channel, "status": string(f.Status),
		"recipient": f.To} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.CampaignID != 0 {
		q = q.Where("campaign_id = ?", f.CampaignID)
	}
	if f.From != nil {
		q = q.Where("created_at >= ?", *f.From)
	}
	if f.Till != nil {
		q = q.Where("created_at < ?", *f.Till)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count outbound: %w", err)
	}
	var out []OutboundMessage
	if err := f.Page.apply(q.Order("id DESC")).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list outbound: %w", err)
	}
	return out, total, nil
}

// GetOutbound reads one message.
func (s *Store) GetOutbound(ctx context.Context, id int64) (*OutboundMessage, error) {
	var m OutboundMessage
	err := s.conn(ctx).Where("id = ?", id).First(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: outbound message %d: %w", id, ErrNotFound)
	}
	return &m, err
}

// FinishedAttemptsSince lists attempts finished at or after since, of the
// campaigns that have result notifications, oldest first: the notifier's
// feed (notifications are deduplicated, so a repeat costs nothing).
func (s *Store) FinishedAttemptsSince(ctx context.Context, since time.Time, n int) ([]Attempt, error) {
	var out []Attempt
	err := s.conn(ctx).Where("finished_at >= ? AND campaign_id IN (?)", since,
		s.conn(ctx).Model(&Campaign{}).Select("id").Where("notify IS NOT NULL AND notify NOT IN ('', 'null', '[]')")).
		Order("finished_at, id").Limit(n).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: finished attempts since %s: %w", since.Format(time.RFC3339), err)
	}
	return out, nil
}
