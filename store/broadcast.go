package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// BroadcastKind says where a broadcast shows (R39).
type BroadcastKind string

const (
	BroadcastAnnouncement BroadcastKind = "announcement" // on the recipients' desktops
	BroadcastWallboard    BroadcastKind = "wallboard"    // also on the wallboard
)

// Audience says who a broadcast is for.
type Audience string

const (
	AudienceUser  Audience = "user"
	AudienceGroup Audience = "group"
	AudienceAll   Audience = "all"
)

// Limits of a broadcast's text.
const (
	MaxBroadcastTitleRunes = 100
	MaxBroadcastTextRunes  = 4000
)

// Broadcast is an announcement or wallboard notice from a manager or team
// lead to a person, a group or everyone. Its recipients are fixed when it is
// sent (one BroadcastReceipt each), so read receipts say exactly who has
// and who has not read it.
type Broadcast struct {
	ID        int64         `gorm:"primaryKey" json:"id"`
	Kind      BroadcastKind `gorm:"type:varchar(16);index;not null" json:"kind"`
	Title     string        `gorm:"type:varchar(400);not null" json:"title"`
	Text      string        `gorm:"type:text;not null" json:"text"`
	Audience  Audience      `gorm:"type:varchar(8);not null" json:"audience"`
	TargetID  int64         `gorm:"not null" json:"target_id,omitempty"` // the user or group
	SenderID  int64         `gorm:"index;not null" json:"sender_id"`
	ExpiresAt *time.Time    `gorm:"index" json:"expires_at"`
	CreatedAt time.Time     `gorm:"index;not null" json:"created_at"`
}

// BroadcastReceipt is one recipient of a broadcast and when they read it.
type BroadcastReceipt struct {
	BroadcastID int64      `gorm:"primaryKey;autoIncrement:false" json:"broadcast_id"`
	UserID      int64      `gorm:"primaryKey;autoIncrement:false;index" json:"user_id"`
	ReadAt      *time.Time `json:"read_at"`
}

// BroadcastView is a broadcast with its sender's name and, in a recipient's
// list, when they read it; in a manager's list, the receipt counts.
type BroadcastView struct {
	Broadcast
	SenderName string     `json:"sender_name"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
	Recipients int64      `json:"recipients"`
	ReadCount  int64      `json:"read_count"`
}

// ReceiptView is one recipient in a broadcast's receipts.
type ReceiptView struct {
	UserID      int64      `json:"user_id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	ReadAt      *time.Time `json:"read_at"`
}

// Validate checks a broadcast's fields (not yet whether its target exists).
func (b *Broadcast) Validate(now time.Time) error {
	var errs []FieldError
	if !OneOf(b.Kind) {
		errs = append(errs, EnumError("kind", b.Kind))
	}
	var fe *FieldError
	if b.Title != "" {
		if b.Title, fe = cleanText("title", b.Title, MaxBroadcastTitleRunes, false); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if b.Text, fe = cleanText("text", b.Text, MaxBroadcastTextRunes, true); fe != nil {
		errs = append(errs, *fe)
	}
	switch {
	case b.Audience == AudienceAll && b.TargetID != 0:
		errs = append(errs, FieldError{Field: "to", Message: "everyone takes no id"})
	case (b.Audience == AudienceUser || b.Audience == AudienceGroup) && b.TargetID <= 0:
		errs = append(errs, FieldError{Field: "to", Message: "needs a user or group id"})
	case b.Audience != AudienceAll && b.Audience != AudienceUser && b.Audience != AudienceGroup:
		errs = append(errs, FieldError{Field: "to", Message: `must be "user:ID", "group:ID" or "all"`})
	}
	if b.ExpiresAt != nil {
		utc := b.ExpiresAt.UTC().Truncate(time.Millisecond) // SQLite compares times as text: store UTC only
		b.ExpiresAt = &utc
		if !utc.After(now) {
			errs = append(errs, FieldError{Field: "expires_at", Message: "is in the past"})
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// CreateBroadcast stores a broadcast and one receipt per recipient, in one
// transaction, and returns the recipients' user ids. The sender is not a
// recipient of their own broadcast; a target with nobody to receive it is
// bad input.
func (s *Store) CreateBroadcast(ctx context.Context, b *Broadcast) ([]int64, error) {
	if err := b.Validate(s.now()); err != nil {
		return nil, err
	}
	var users []int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if users, err = broadcastRecipients(tx, b); err != nil {
			return err
		}
		if err := tx.Create(b).Error; err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		receipts := make([]BroadcastReceipt, len(users))
		for i, u := range users {
			receipts[i] = BroadcastReceipt{BroadcastID: b.ID, UserID: u}
		}
		return tx.CreateInBatches(receipts, 500).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: create broadcast: %w", err)
	}
	return users, nil
}

// broadcastRecipients resolves the audience to enabled users other than the sender.
func broadcastRecipients(tx *gorm.DB, b *Broadcast) ([]int64, error) {
	q := tx.Model(&User{}).Where("disabled = ? AND id <> ?", false, b.SenderID)
	switch b.Audience {
	case AudienceUser:
		q = q.Where("id = ?", b.TargetID)
	case AudienceGroup:
		var g Group
		if err := tx.Where("id = ?", b.TargetID).Limit(1).Find(&g).Error; err != nil {
			return nil, err
		}
		if g.ID == 0 {
			return nil, Invalid("to", fmt.Sprintf("no group has id %d", b.TargetID))
		}
		q = q.Where("id IN (?)", tx.Table("user_groups").Select("user_id").Where("group_id = ?", b.TargetID))
	}
	var ids []int64
	if err := q.Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	if len(ids) == 0 {
		msg := "nobody would receive it: the group has no active member other than you"
		if b.Audience == AudienceUser {
			msg = fmt.Sprintf("no active user other than you has id %d", b.TargetID)
		}
		return nil, Invalid("to", msg)
	}
	return ids, nil
}

// BroadcastFilter narrows broadcast lists.
type BroadcastFilter struct {
	Kind       BroadcastKind
	ActiveOnly bool // not expired
	Unread     bool // a recipient's unread ones
	Page       Page
}

// ListBroadcasts pages through every broadcast, newest first, with receipt
// counts (for managers).
func (s *Store) ListBroadcasts(ctx context.Context, f BroadcastFilter) ([]BroadcastView, int64, error) {
	q := s.broadcastQuery(ctx, f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count broadcasts: %w", err)
	}
	var out []BroadcastView
	err := f.Page.apply(q).Select("b.*, " + nameOf("u") + " AS sender_name, " +
		"(SELECT COUNT(*) FROM broadcast_receipts r WHERE r.broadcast_id = b.id) AS recipients, " +
		"(SELECT COUNT(*) FROM broadcast_receipts r WHERE r.broadcast_id = b.id AND r.read_at IS NOT NULL) AS read_count").
		Joins("LEFT JOIN users u ON u.id = b.sender_id").Order("b.created_at DESC, b.id DESC").Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: list broadcasts: %w", err)
	}
	return out, total, nil
}

func (s *Store) broadcastQuery(ctx context.Context, f BroadcastFilter) *gorm.DB {
	q := s.conn(ctx).Table("broadcasts AS b")
	if f.Kind != "" {
		q = q.Where("b.kind = ?", f.Kind)
	}
	if f.ActiveOnly {
		q = q.Where("(b.expires_at IS NULL OR b.expires_at > ?)", s.now().UTC())
	}
	return q
}

// MyBroadcasts pages through the broadcasts a user received, newest first,
// each with when they read it.
func (s *Store) MyBroadcasts(ctx context.Context, userID int64, f BroadcastFilter) ([]BroadcastView, int64, error) {
	q := s.broadcastQuery(ctx, f).Joins("JOIN broadcast_receipts r ON r.broadcast_id = b.id AND r.user_id = ?", userID)
	if f.Unread {
		q = q.Where("r.read_at IS NULL")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count broadcasts of %d: %w", userID, err)
	}
	var out []BroadcastView
	err := f.Page.apply(q).Select("b.*, r.read_at AS read_at, " + nameOf("u") + " AS sender_name").
		Joins("LEFT JOIN users u ON u.id = b.sender_id").Order("b.created_at DESC, b.id DESC").Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: broadcasts of %d: %w", userID, err)
	}
	return out, total, nil
}

// GetBroadcast loads one broadcast.
func (s *Store) GetBroadcast(ctx context.Context, id int64) (*Broadcast, error) {
	var b Broadcast
	if err := s.conn(ctx).First(&b, id).Error; err != nil {
		return nil, fmt.Errorf("store: broadcast %d: %w", id, translate(err))
	}
	return &b, nil
}

// MarkBroadcastRead records a recipient's read receipt (the first time
// counts). Someone who is not a recipient gets ErrNotFound.
func (s *Store) MarkBroadcastRead(ctx context.Context, id, userID int64) (*BroadcastReceipt, error) {
	var r BroadcastReceipt
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("broadcast_id = ? AND user_id = ?", id, userID).First(&r).Error; err != nil {
			return translate(err)
		}
		if r.ReadAt != nil {
			return nil
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		r.ReadAt = &now
		return tx.Model(&BroadcastReceipt{}).Where("broadcast_id = ? AND user_id = ?", id, userID).Update("read_at", now).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: read broadcast %d: %w", id, err)
	}
	return &r, nil
}

// BroadcastReceipts lists a broadcast's recipients, unread first, then by
// when they read it.
func (s *Store) BroadcastReceipts(ctx context.Context, id int64) ([]ReceiptView, error) {
	if _, err := s.GetBroadcast(ctx, id); err != nil {
		return nil, err
	}
	var out []ReceiptView
	err := s.conn(ctx).Table("broadcast_receipts AS r").
		Select("r.user_id, COALESCE(u.username, '') AS username, COALESCE(u.display_name, '') AS display_name, r.read_at").
		Joins("LEFT JOIN users u ON u.id = r.user_id").Where("r.broadcast_id = ?", id).
		Order("CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, r.read_at, r.user_id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: receipts of broadcast %d: %w", id, err)
	}
	return out, nil
}

// WithdrawBroadcast ends a broadcast now (it expires); receipts stay.
func (s *Store) WithdrawBroadcast(ctx context.Context, id int64) (*Broadcast, error) {
	b, err := s.GetBroadcast(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	if b.ExpiresAt != nil && !b.ExpiresAt.After(now) {
		return b, nil
	}
	b.ExpiresAt = &now
	if err := s.conn(ctx).Model(&Broadcast{}).Where("id = ?", id).Update("expires_at", now).Error; err != nil {
		return nil, fmt.Errorf("store: withdraw broadcast %d: %w", id, err)
	}
	return b, nil
}
