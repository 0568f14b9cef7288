package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CallbackStatus is where a callback is in its life.
type CallbackStatus string

// Callback statuses. Scheduled and offered callbacks are open: their contact
// carries the due time (Contact.CallbackAt) and is dialed for it, with
// priority, once it is due.
const (
	CallbackScheduled CallbackStatus = "scheduled" // waiting for its time
	CallbackOffered   CallbackStatus = "offered"   // being dialed, or offered to an agent
	CallbackDone      CallbackStatus = "done"      // the customer was called back
	CallbackMissed    CallbackStatus = "missed"    // the call-back failed or nobody took it
	CallbackCancelled CallbackStatus = "cancelled"
)

// CallbackStatuses lists every CallbackStatus.
var CallbackStatuses = []CallbackStatus{CallbackScheduled, CallbackOffered, CallbackDone, CallbackMissed, CallbackCancelled}

// EnumValues lists the callback statuses.
func (CallbackStatus) EnumValues() []string { return enumStrings(CallbackStatuses) }

// openCallbackStatuses are the statuses of a callback still to be made.
var openCallbackStatuses = []CallbackStatus{CallbackScheduled, CallbackOffered}

// maxCallbackAhead bounds how far ahead a callback may be booked.
const maxCallbackAhead = 366 * 24 * time.Hour

// Callback is a call the customer asked for at a time (R8, R9): booked by an
// agent (AgentID, who gets it first), handed to the group when that agent has
// not taken it within a grace period.
type Callback struct {
	ID              int64          `gorm:"primaryKey" json:"id"`
	CampaignID      int64          `gorm:"not null;index:ix_callback_campaign,priority:1" json:"campaign_id"`
	ContactID       int64          `gorm:"not null;index" json:"contact_id"`
	Phone           string         `gorm:"type:varchar(20);not null" json:"phone"`
	DueAt           time.Time      `gorm:"not null;index:ix_callback_campaign,priority:3;index:ix_callback_due,priority:2" json:"due_at"`
	AgentID         int64          `gorm:"not null;index" json:"agent_id"`
	GroupID         *int64         `json:"group_id,omitempty"`
	Note            string         `gorm:"type:varchar(1024);not null;default:''" json:"note"`
	Status          CallbackStatus `gorm:"type:varchar(16);not null;index:ix_callback_campaign,priority:2;index:ix_callback_due,priority:1" json:"status"`
	ReminderSentAt  *time.Time     `json:"reminder_sent_at,omitempty"`
	OfferedAt       *time.Time     `json:"offered_at,omitempty"`
	HandedToGroupAt *time.Time     `json:"handed_to_group_at,omitempty"`
	ClosedAt        *time.Time     `json:"closed_at,omitempty"` // done, missed or cancelled
	AttemptID       *int64         `json:"attempt_id,omitempty"`
	CreatedBy       int64          `json:"created_by"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
}

// Open reports whether the callback is still to be made.
func (c *Callback) Open() bool { return c.Status == CallbackScheduled || c.Status == CallbackOffered }

// bookable are the contact statuses a callback may be booked for; booking
// puts the contact back in the queue (pending) for its due time.
var bookable = []ContactStatus{ContactPending, ContactInProgress, ContactCompleted, ContactFailed, ContactMaintenance}

// CreateCallback books a callback (phone already normalised by the caller).
// The contact's other open callback, if any, is cancelled: a contact has one
// open callback. Errors name the field: due_at in the past, a blacklisted
// phone, a contact that is blocked or cancelled, an agent who is not one.
func (s *Store) CreateCallback(ctx context.Context, cb *Callback) error {
	now := ts(s.now())
	if err := s.validateCallback(ctx, cb, now); err != nil {
		return err
	}
	cb.Status, cb.CreatedAt = CallbackScheduled, time.Time{}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error { return bookCallback(tx, cb, now) })
}

func (s *Store) validateCallback(ctx context.Context, cb *Callback, now time.Time) error {
	if err := validateDue(cb, now); err != nil {
		return err
	}
	cb.Note = strings.TrimSpace(cb.Note)
	if len(cb.Note) > 1024 {
		return Invalid("note", "is at most 1024 bytes")
	}
	if err := s.validateCallbackPhone(ctx, cb.Phone); err != nil {
		return err
	}
	return s.checkAgents(ctx, "agent_id", cb.AgentID)
}

func validateDue(cb *Callback, now time.Time) error {
	cb.DueAt = ts(cb.DueAt)
	switch {
	case cb.DueAt.IsZero():
		return Invalid("due_at", "is required (RFC 3339, e.g. 2026-12-08T10:30:00+08:00)")
	case !cb.DueAt.After(now):
		return Invalid("due_at", fmt.Sprintf("%s is in the past", cb.DueAt.Format(time.RFC3339)))
	case cb.DueAt.After(now.Add(maxCallbackAhead)):
		return Invalid("due_at", "is more than a year ahead")
	}
	return nil
}

func (s *Store) validateCallbackPhone(ctx context.Context, phone string) error {
	if phone == "" {
		return Invalid("phone", "is required")
	}
	hit, err := s.BlockedValues(ctx, []string{phone}, nil)
	if err != nil {
		return err
	}
	if hit[phone] {
		return Invalid("phone", "is on the do-not-call list")
	}
	return nil
}

// bookAfterCall books the callback an agent asked for when finishing a call
// to contact: the number defaults to the one dialed. A nil cb books nothing.
func bookAfterCall(tx *gorm.DB, cb *Callback, contact int64, dialed string, now time.Time) error {
	if cb == nil {
		return nil
	}
	cb.ContactID, cb.Status = contact, CallbackScheduled
	if cb.Phone == "" {
		cb.Phone = dialed
	}
	return bookCallback(tx, cb, now)
}

// bookCallback stores cb for its contact inside tx: it cancels the contact's
// other open callbacks and puts the contact in the queue for cb.DueAt.
func bookCallback(tx *gorm.DB, cb *Callback, now time.Time) error {
	var c Contact
	if err := tx.Select("id, campaign_id, status, block_reason").First(&c, cb.ContactID).Error; err != nil {
		return Invalid("contact_id", "no such contact")
	}
	if c.Status == ContactBlocked || c.Status == ContactCancelled {
		return Invalid("contact_id", fmt.Sprintf("the contact is %s and may not be called", c.Status))
	}
	cb.CampaignID = c.CampaignID
	err := tx.Model(&Callback{}).Where("contact_id = ? AND status IN ?", c.ID, openCallbackStatuses).
		Updates(map[string]any{"status": CallbackCancelled, "closed_at": now}).Error
	if err != nil {
		return fmt.Errorf("store: cancel earlier callbacks of contact %d: %w", c.ID, err)
	}
	if err := tx.Create(cb).Error; err != nil {
		return fmt.Errorf("store: create callback: %w", translate(err))
	}
	set := map[string]any{"callback_at": cb.DueAt}
	if c.Status != ContactInProgress && c.Status != ContactPending {
		set["status"] = ContactPending
	}
	if err := tx.Model(&Contact{}).Where("id = ? AND status IN ?", c.ID, bookable).Updates(set).Error; err != nil {
		return fmt.Errorf("store: queue contact %d for its callback: %w", c.ID, err)
	}
	return nil
}

// GetCallback loads one callback.
func (s *Store) GetCallback(ctx context.Context, id int64) (*Callback, error) {
	var cb Callback
	if err := s.conn(ctx).First(&cb, id).Error; err != nil {
		return nil, fmt.Errorf("store: callback %d: %w", id, translate(err))
	}
	return &cb, nil
}

// CallbackChange is an edit of a callback; nil fields stay.
type CallbackChange struct {
	DueAt   *time.Time
	Note    *string
	Phone   *string
	AgentID *int64
}

// UpdateCallback reschedules or edits an open or missed callback; a new
// due_at makes it scheduled again (reminder and group hand-off start over).
// A done or cancelled callback is ErrConflict.
func (s *Store) UpdateCallback(ctx context.Context, id int64, ch CallbackChange) (*Callback, error) {
	now := ts(s.now())
	cb, err := s.GetCallback(ctx, id)
	if err != nil {
		return nil, err
	}
	if !cb.Open() && cb.Status != CallbackMissed {
		return nil, fmt.Errorf("store: callback %d is %s and cannot change: %w", id, cb.Status, ErrConflict)
	}
	setIfPtr(&cb.DueAt, ch.DueAt)
	setIfPtr(&cb.Note, ch.Note)
	setIfPtr(&cb.Phone, ch.Phone)
	setIfPtr(&cb.AgentID, ch.AgentID)
	if ch.DueAt == nil && cb.Status == CallbackMissed {
		return nil, Invalid("due_at", "a missed callback needs a new due_at")
	}
	if err := s.validateChange(ctx, cb, ch, now); err != nil {
		return nil, err
	}
	set := map[string]any{"due_at": cb.DueAt, "note": cb.Note, "phone": cb.Phone, "agent_id": cb.AgentID}
	if ch.DueAt != nil {
		set["status"], set["reminder_sent_at"], set["offered_at"], set["handed_to_group_at"], set["closed_at"] =
			CallbackScheduled, nil, nil, nil, nil
	}
	err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Callback{}).Where("id = ? AND status = ?", id, cb.Status).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("store: update callback %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: callback %d changed meanwhile: %w", id, ErrConflict)
		}
		if ch.DueAt == nil {
			return nil
		}
		if cb.Status == CallbackMissed { // reopened: the other open ones give way
			err := tx.Model(&Callback{}).Where("contact_id = ? AND id <> ? AND status IN ?", cb.ContactID, id, openCallbackStatuses).
				Updates(map[string]any{"status": CallbackCancelled, "closed_at": now}).Error
			if err != nil {
				return fmt.Errorf("store: cancel other callbacks of contact %d: %w", cb.ContactID, err)
			}
		}
		return requeue(tx, cb.ContactID, cb.DueAt)
	})
	if err != nil {
		return nil, err
	}
	return s.GetCallback(ctx, id)
}

func (s *Store) validateChange(ctx context.Context, cb *Callback, ch CallbackChange, now time.Time) error {
	if ch.DueAt != nil {
		if err := validateDue(cb, now); err != nil {
			return err
		}
	}
	if ch.Note != nil {
		if cb.Note = strings.TrimSpace(cb.Note); len(cb.Note) > 1024 {
			return Invalid("note", "is at most 1024 bytes")
		}
	}
	if ch.Phone != nil {
		if err := s.validateCallbackPhone(ctx, cb.Phone); err != nil {
			return err
		}
	}
	if ch.AgentID != nil {
		return s.checkAgents(ctx, "agent_id", cb.AgentID)
	}
	return nil
}

// requeue points a contact at its callback's (new) due time.
func requeue(tx *gorm.DB, contactID int64, due time.Time) error {
	set := map[string]any{"callback_at": due}
	err := tx.Model(&Contact{}).Where("id = ? AND status IN ?", contactID, bookable).
		Updates(set).Error
	if err != nil {
		return fmt.Errorf("store: requeue contact %d: %w", contactID, err)
	}
	return tx.Model(&Contact{}).Where("id = ? AND status IN ?", contactID, []ContactStatus{ContactCompleted, ContactFailed, ContactMaintenance}).
		Update("status", ContactPending).Error
}

func setIfPtr[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// CancelCallback cancels an open or missed callback; cancelling a cancelled
// one is a no-op, a done one is ErrConflict.
func (s *Store) CancelCallback(ctx context.Context, id int64) (*Callback, error) {
	cb, err := s.GetCallback(ctx, id)
	if err != nil {
		return nil, err
	}
	switch cb.Status {
	case CallbackCancelled:
		return cb, nil
	case CallbackDone:
		return nil, fmt.Errorf("store: callback %d is done and cannot be cancelled: %w", id, ErrConflict)
	}
	if err := s.closeCallback(ctx, cb, CallbackCancelled, nil); err != nil {
		return nil, err
	}
	return s.GetCallback(ctx, id)
}

// closeCallback moves a callback to a closed status and, when it was the
// contact's open one, takes the contact's callback time away (the contact
// returns to ordinary dialing).
func (s *Store) closeCallback(ctx context.Context, cb *Callback, to CallbackStatus, attemptID *int64) error {
	now := ts(s.now())
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		return closeCallbackTx(tx, cb.ID, cb.ContactID, to, attemptID, now)
	})
}

func closeCallbackTx(tx *gorm.DB, id, contactID int64, to CallbackStatus, attemptID *int64, now time.Time) error {
	from := append([]CallbackStatus{CallbackMissed}, openCallbackStatuses...)
	if to == CallbackDone || to == CallbackMissed {
		from = openCallbackStatuses
	}
	res := tx.Model(&Callback{}).Where("id = ? AND status IN ?", id, from).
		Updates(map[string]any{"status": to, "closed_at": now, "attempt_id": attemptID})
	if res.Error != nil {
		return fmt.Errorf("store: close callback %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: callback %d is not open: %w", id, ErrConflict)
	}
	var open int64
	if err := tx.Model(&Callback{}).Where("contact_id = ? AND status IN ?", contactID, openCallbackStatuses).Count(&open).Error; err != nil {
		return fmt.Errorf("store: open callbacks of contact %d: %w", contactID, err)
	}
	if open > 0 {
		return nil
	}
	return tx.Model(&Contact{}).Where("id = ?", contactID).Update("callback_at", nil).Error
}

// CallbackFilter narrows ListCallbacks.
type CallbackFilter struct {
	AgentID    int64
	CampaignID int64
	ContactID  int64
	Statuses   []CallbackStatus
	DueFrom    time.Time
	DueTo      time.Time // exclusive
	Page       Page
}

// ListCallbacks pages through callbacks, soonest due first.
func (s *Store) ListCallbacks(ctx context.Context, f CallbackFilter) ([]Callback, int64, error) {
	q := s.conn(ctx).Model(&Callback{})
	if f.AgentID != 0 {
		q = q.Where("agent_id = ?", f.AgentID)
	}
	if f.CampaignID != 0 {
		q = q.Where("campaign_id = ?", f.CampaignID)
	}
	if f.ContactID != 0 {
		q = q.Where("contact_id = ?", f.ContactID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if !f.DueFrom.IsZero() {
		q = q.Where("due_at >= ?", ts(f.DueFrom))
	}
	if !f.DueTo.IsZero() {
		q = q.Where("due_at < ?", ts(f.DueTo))
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count callbacks: %w", err)
	}
	var out []Callback
	if err := f.Page.apply(q).Order("due_at, id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list callbacks: %w", err)
	}
	return out, total, nil
}

// DueCallbacks returns scheduled callbacks due at now (at most
// MaxClaimBatch), soonest first: what the ACD offers to agents.
func (s *Store) DueCallbacks(ctx context.Context, now time.Time) ([]Callback, error) {
	var out []Callback
	err := s.conn(ctx).Where("status = ? AND due_at <= ?", CallbackScheduled, ts(now)).Order("due_at, id").
		Limit(MaxClaimBatch).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: due callbacks: %w", err)
	}
	return out, nil
}

// CallbacksToRemind returns scheduled callbacks due within lead of now whose
// agent has not been reminded yet.
func (s *Store) CallbacksToRemind(ctx context.Context, now time.Time, lead time.Duration) ([]Callback, error) {
	var out []Callback
	err := s.conn(ctx).Where("status = ? AND due_at <= ? AND reminder_sent_at IS NULL", CallbackScheduled, ts(now.Add(lead))).
		Order("due_at, id").Limit(MaxClaimBatch).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: callbacks to remind: %w", err)
	}
	return out, nil
}

// MarkCallbackReminded records that the reminder went out; false when
// another instance already sent it (so each reminder goes once).
func (s *Store) MarkCallbackReminded(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Callback{}).Where("id = ? AND reminder_sent_at IS NULL", id).Update("reminder_sent_at", ts(at))
	if res.Error != nil {
		return false, fmt.Errorf("store: mark callback %d reminded: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// MarkCallbackOffered records that a scheduled callback was offered to an
// agent (or is being dialed); false when it was not scheduled any more.
func (s *Store) MarkCallbackOffered(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Callback{}).Where("id = ? AND status = ?", id, CallbackScheduled).
		Updates(map[string]any{"status": CallbackOffered, "offered_at": ts(at)})
	if res.Error != nil {
		return false, fmt.Errorf("store: offer callback %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// MarkCallbackDone closes an open callback as made (attemptID, when known,
// is the call that made it).
func (s *Store) MarkCallbackDone(ctx context.Context, id int64, attemptID *int64) error {
	cb, err := s.GetCallback(ctx, id)
	if err != nil {
		return err
	}
	return s.closeCallback(ctx, cb, CallbackDone, attemptID)
}

// MarkCallbackMissed closes an open callback that was not made.
func (s *Store) MarkCallbackMissed(ctx context.Context, id int64) error {
	cb, err := s.GetCallback(ctx, id)
	if err != nil {
		return err
	}
	return s.closeCallback(ctx, cb, CallbackMissed, nil)
}

// HandCallbacksToGroup hands to their group the open callbacks their agent
// has not taken within grace of the due time (an offered one goes back to
// scheduled, for any agent of the group). It returns how many it handed.
func (s *Store) HandCallbacksToGroup(ctx context.Context, now time.Time, grace time.Duration) (int64, error) {
	now = ts(now)
	res := s.conn(ctx).Model(&Callback{}).
		Where("status IN ? AND due_at <= ? AND handed_to_group_at IS NULL AND group_id IS NOT NULL", openCallbackStatuses, now.Add(-grace)).
		Updates(map[string]any{"status": CallbackScheduled, "handed_to_group_at": now})
	if res.Error != nil {
		return 0, fmt.Errorf("store: hand callbacks to groups: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// AgentKnowsContact reports whether an agent may see a contact without
// campaign_view: it is assigned to them, or they have talked to it.
func (s *Store) AgentKnowsContact(ctx context.Context, agentID, contactID int64) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&Contact{}).Where("id = ? AND owner_agent_id = ?", contactID, agentID).Count(&n).Error
	if err == nil && n == 0 {
		err = s.conn(ctx).Model(&Attempt{}).Where("contact_id = ? AND agent_id = ?", contactID, agentID).Count(&n).Error
	}
	if err != nil {
		return false, fmt.Errorf("store: contact %d of agent %d: %w", contactID, agentID, err)
	}
	return n > 0, nil
}
