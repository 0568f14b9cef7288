package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// MaxMessageRunes bounds a private message.
const MaxMessageRunes = 2000

// Message is a private message from one user to another (R34).
type Message struct {
	ID         int64      `gorm:"primaryKey" json:"id"`
	FromUserID int64      `gorm:"index:idx_message_from,priority:1;not null" json:"from_user_id"`
	ToUserID   int64      `gorm:"index:idx_message_to,priority:1;not null" json:"to_user_id"`
	Text       string     `gorm:"type:text;not null" json:"text"`
	CreatedAt  time.Time  `gorm:"index:idx_message_from,priority:2;index:idx_message_to,priority:2;not null" json:"created_at"`
	ReadAt     *time.Time `json:"read_at"`
}

// MessageView is a message with both users' names, as lists show it.
type MessageView struct {
	Message
	FromName string `json:"from_name"`
	ToName   string `json:"to_name"`
}

// MessageBox selects a side of the user's messages.
type MessageBox string

const (
	BoxAll    MessageBox = ""       // received and sent
	BoxInbox  MessageBox = "inbox"  // received
	BoxOutbox MessageBox = "outbox" // sent
)

// MessageFilter selects one user's messages.
type MessageFilter struct {
	UserID     int64 // whose messages; required
	Box        MessageBox
	WithUserID int64 // only the conversation with this user
	Unread     bool  // only received messages not read yet
	Page       Page
}

// SendMessage validates and stores a message from m.FromUserID to
// m.ToUserID, who must be another, enabled user.
func (s *Store) SendMessage(ctx context.Context, m *Message) (*MessageView, error) {
	text, fe := cleanText("text", m.Text, MaxMessageRunes, true)
	if fe != nil {
		return nil, &ValidationError{Fields: []FieldError{*fe}}
	}
	m.Text, m.ReadAt = text, nil
	if m.ToUserID == m.FromUserID {
		return nil, Invalid("to_user_id", "is yourself")
	}
	to, err := s.activeUser(ctx, m.ToUserID, "to_user_id")
	if err != nil {
		return nil, err
	}
	from, err := s.GetUser(ctx, m.FromUserID)
	if err != nil {
		return nil, err
	}
	if err := s.conn(ctx).Create(m).Error; err != nil {
		return nil, fmt.Errorf("store: send message to %d: %w", m.ToUserID, err)
	}
	return &MessageView{Message: *m, FromName: displayName(from), ToName: displayName(to)}, nil
}

// activeUser loads a user another one addresses; unknown and disabled users
// are bad input naming field.
func (s *Store) activeUser(ctx context.Context, id int64, field string) (*User, error) {
	var u User
	err := s.conn(ctx).Where("id = ? AND disabled = ?", id, false).Limit(1).Find(&u).Error
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	if u.ID == 0 {
		return nil, Invalid(field, fmt.Sprintf("no active user has id %d", id))
	}
	return &u, nil
}

func displayName(u *User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// ListMessages pages through one user's messages, newest first.
func (s *Store) ListMessages(ctx context.Context, f MessageFilter) ([]MessageView, int64, error) {
	q := s.conn(ctx).Table("messages AS m")
	switch {
	case f.Unread:
		q = q.Where("m.to_user_id = ? AND m.read_at IS NULL", f.UserID)
	case f.Box == BoxInbox:
		q = q.Where("m.to_user_id = ?", f.UserID)
	case f.Box == BoxOutbox:
		q = q.Where("m.from_user_id = ?", f.UserID)
	default:
		q = q.Where("(m.to_user_id = ? OR m.from_user_id = ?)", f.UserID, f.UserID)
	}
	if f.WithUserID != 0 {
		q = q.Where("(m.to_user_id = ? OR m.from_user_id = ?)", f.WithUserID, f.WithUserID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count messages: %w", err)
	}
	var out []MessageView
	err := f.Page.apply(q).Select("m.*, " + nameOf("fu") + " AS from_name, " + nameOf("tu") + " AS to_name").
		Joins("LEFT JOIN users fu ON fu.id = m.from_user_id").Joins("LEFT JOIN users tu ON tu.id = m.to_user_id").
		Order("m.created_at DESC, m.id DESC").Scan(&out).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: list messages: %w", err)
	}
	return out, total, nil
}

// nameOf is a user's display name, or username when it has none, in SQL.
func nameOf(alias string) string {
	return "COALESCE(NULLIF(" + alias + ".display_name, ''), " + alias + ".username, '')"
}

// CountUnreadMessages tells how many received messages the user has not read.
func (s *Store) CountUnreadMessages(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Message{}).Where("to_user_id = ? AND read_at IS NULL", userID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: count unread messages: %w", err)
	}
	return n, nil
}

// MarkMessageRead records that the recipient read a message. Only the
// recipient can: anyone else gets ErrNotFound, as for a message that does
// not exist. Reading twice keeps the first time.
func (s *Store) MarkMessageRead(ctx context.Context, id, userID int64) (*Message, error) {
	var m Message
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND to_user_id = ?", id, userID).First(&m).Error; err != nil {
			return translate(err)
		}
		if m.ReadAt != nil {
			return nil
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		m.ReadAt = &now
		return tx.Model(&Message{}).Where("id = ?", id).Update("read_at", now).Error
	})
	if err != nil {
		return nil, fmt.Errorf("store: read message %d: %w", id, err)
	}
	return &m, nil
}

// ListActiveUsers pages through enabled users by name: the directory people
// pick a message's recipient from.
func (s *Store) ListActiveUsers(ctx context.Context, p Page) ([]User, int64, error) {
	q := s.conn(ctx).Model(&User{}).Where("disabled = ?", false)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count active users: %w", err)
	}
	var out []User
	if err := p.apply(q).Select("id", "username", "display_name", "role").Order("username").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: active users: %w", err)
	}
	return out, total, nil
}
