package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
	"unicode/utf8"
)

// Session is a signed-in browser or API client. Only the SHA-256 of the token
// is stored, so a database leak does not leak usable tokens.
type Session struct {
	ID         int64      `gorm:"primaryKey"`
	TokenHash  string     `gorm:"type:varchar(64);uniqueIndex;not null"`
	UserID     int64      `gorm:"index;not null"`
	IP         string     `gorm:"type:varchar(64)"`
	UserAgent  string     `gorm:"type:varchar(255)"`
	CreatedAt  time.Time  `gorm:"not null"`
	LastSeenAt time.Time  `gorm:"not null"`
	ExpiresAt  time.Time  `gorm:"index;not null"` // absolute expiry
	RevokedAt  *time.Time `gorm:"index"`
	// ScreenLockedAt is set while the UI's idle screen lock is on: the session
	// lives, but only unlock and logout are answered until the password is given.
	ScreenLockedAt *time.Time
}

// SessionPolicy bounds a session's life.
type SessionPolicy struct {
	Idle     time.Duration // revoked after this long unused
	Absolute time.Duration // revoked this long after login, used or not
}

// DefaultSessionPolicy fits an agent's shift: 30 minutes idle, 12 hours at most.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session and returns its opaque token (shown once).
func (s *Store) CreateSession(ctx context.Context, userID int64, ip, ua string, p SessionPolicy) (string, *Session, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("store: session token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.now()
	sess := &Session{TokenHash: hashToken(token), UserID: userID, IP: truncate(ip, 64), UserAgent: truncate(ua, 255),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(p.Absolute)}
	if err := s.conn(ctx).Create(sess).Error; err != nil {
		return "", nil, fmt.Errorf("store: create session: %w", err)
	}
	return token, sess, nil
}

// ErrSessionExpired means the token was valid once but is no longer.
var ErrSessionExpired = fmt.Errorf("session expired: %w", ErrNotFound)

// TouchSession resolves a token to its session and user, enforcing expiry,
// and records the use. Last-seen is written at most once a minute to keep
// request overhead low.
func (s *Store) TouchSession(ctx context.Context, token string, p SessionPolicy) (*Session, *User, error) {
	var sess Session
	err := s.conn(ctx).Where("token_hash = ? AND revoked_at IS NULL", hashToken(token)).First(&sess).Error
	if err != nil {
		return nil, nil, fmt.Errorf("store: session: %w", translate(err))
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > p.Idle {
		_ = s.RevokeSession(ctx, sess.ID)
		return nil, nil, ErrSessionExpired
	}
	u, err := s.GetUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, ErrSessionExpired
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt = now
		if err := s.conn(ctx).Model(&sess).Update("last_seen_at", now).Error; err != nil {
			return nil, nil, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return &sess, u, nil
}

// RevokeSession ends one session.
func (s *Store) RevokeSession(ctx context.Context, id int64) error {
	return s.conn(ctx).Model(&Session{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.now()).Error
}

// RevokeUserSessions ends every session of a user (password change, disable).
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64) error {
	return s.conn(ctx).Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", s.now()).Error
}

// truncate cuts s to at most n bytes without splitting a character, so an
// oversized value (a 500 KB user agent, say) is stored shortened, never
// refused by a column limit or stored as invalid UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
