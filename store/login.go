package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LoginPolicy bounds password guessing. Failures are counted per account and
// source address, so a stranger who guesses wrong locks only their own
// address out of the account, never the account's owner at their desk.
type LoginPolicy struct {
	MaxFailures int           // failures from one source before it is locked out of the account
	Lockout     time.Duration // the first lockout; each one after it doubles
	MaxLockout  time.Duration // the doubling stops here; a quiet spell this long starts it again
}

// DefaultLoginPolicy: 5 failures, then 15 minutes, 30, 1 h, ... up to 24 h.
var DefaultLoginPolicy = LoginPolicy{MaxFailures: 5, Lockout: 15 * time.Minute, MaxLockout: 24 * time.Hour}

func (p LoginPolicy) withDefaults() LoginPolicy {
	if p.MaxFailures <= 0 {
		p.MaxFailures = DefaultLoginPolicy.MaxFailures
	}
	if p.Lockout <= 0 {
		p.Lockout = DefaultLoginPolicy.Lockout
	}
	if p.MaxLockout < p.Lockout {
		p.MaxLockout = max(DefaultLoginPolicy.MaxLockout, p.Lockout)
	}
	return p
}

// LoginThrottle counts one account's sign-in failures from one source address.
// Attempts counts failures plus attempts in flight: a password is compared
// only after one conditional UPDATE has taken a slot, so however many
// requests arrive at once, no more than MaxFailures guesses are evaluated
// between two lockouts.
type LoginThrottle struct {
	UserID      int64      `gorm:"primaryKey;autoIncrement:false" json:"user_id"`
	Source      string     `gorm:"primaryKey;type:varchar(64)" json:"source"`
	Attempts    int        `gorm:"not null;default:0" json:"attempts"`
	Lockouts    int        `gorm:"not null;default:0" json:"lockouts"` // in a row, for the back-off
	LockedUntil *time.Time `gorm:"index" json:"locked_until,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// ErrBadCredentials is returned for a wrong username or password, and for a
// disabled account (one error, so the answer does not tell which usernames exist).
var ErrBadCredentials = errors.New("bad credentials")

// ErrLocked is returned while a source is locked out of an account.
var ErrLocked = errors.New("account locked")

// Authenticate checks a username and password coming from source (the client
// address). Every outcome costs exactly one password compare: unknown,
// disabled and locked accounts are compared against a dummy hash.
func (s *Store) Authenticate(ctx context.Context, username, password, source string) (*User, error) {
	u, err := s.loginUser(ctx, username)
	if err != nil || u.Disabled {
		s.spendCompare(password)
		if err == nil || errors.Is(err, ErrNotFound) {
			return u, ErrBadCredentials
		}
		return nil, err
	}
	source = truncate(source, 64)
	ok, err := s.reserveAttempt(ctx, u.ID, source)
	if err != nil {
		s.spendCompare(password)
		return nil, err
	}
	if !ok {
		s.spendCompare(password)
		return u, ErrLocked
	}
	// The outcome is recorded even if the client has gone: the slot is taken.
	ctx = context.WithoutCancel(ctx)
	if s.hasher.Compare([]byte(u.PasswordHash), []byte(password)) != nil {
		return u, s.attemptFailed(ctx, u.ID, source)
	}
	return u, s.loginSucceeded(ctx, u, source)
}

func (s *Store) loginUser(ctx context.Context, username string) (*User, error) {
	if len(username) > 64 {
		return nil, ErrNotFound // no username is this long; skip the query
	}
	return s.UserByUsername(ctx, username)
}

func (s *Store) spendCompare(password string) { _ = s.hasher.Compare(dummyHash(), []byte(password)) }

// reserveAttempt takes a slot for one password compare, atomically: the
// UPDATE only matches while fewer than MaxFailures slots are taken and the
// source is not locked out. A locked source is answered from a read first,
// so a flood against it costs no write. When every slot is taken by a
// compare still in flight (a user's sign-ins sent at once: tabs, a script),
// it waits for them to end rather than refusing the right password; slots
// held longer than loginSlotStale belong to compares that never ended (the
// server stopped mid-compare) and are given back.
func (s *Store) reserveAttempt(ctx context.Context, userID int64, source string) (bool, error) {
	db := s.conn(ctx)
	waited := time.Duration(0)
	for {
		now := s.now().UTC()
		var rows []LoginThrottle
		if err := db.Where("user_id = ? AND source = ?", userID, source).Limit(1).Find(&rows).Error; err != nil {
			return false, fmt.Errorf("store: login throttle of user %d: %w", userID, err)
		}
		if len(rows) == 1 && rows[0].LockedUntil != nil && rows[0].LockedUntil.After(now) {
			return false, nil
		}
		if len(rows) == 0 {
			row := &LoginThrottle{UserID: userID, Source: source, UpdatedAt: now}
			if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(row).Error; err != nil {
				return false, fmt.Errorf("store: login throttle of user %d: %w", userID, err)
			}
		} else if rows[0].Attempts >= s.login.MaxFailures {
			if now.Sub(rows[0].UpdatedAt) > loginSlotStale {
				if err := s.freeStaleSlots(ctx, rows[0]); err != nil {
					return false, err
				}
				continue
			}
			if waited >= loginSlotWait {
				return false, nil
			}
			if err := sleepCtx(ctx, loginSlotPoll); err != nil {
				return false, err
			}
			waited += loginSlotPoll
			continue
		}
		res := db.Model(&LoginThrottle{}).
			Where("user_id = ? AND source = ? AND attempts < ? AND (locked_until IS NULL OR locked_until <= ?)", userID, source, s.login.MaxFailures, now).
			Updates(map[string]any{"attempts": gorm.Expr("attempts + 1"), "updated_at": now})
		if res.Error != nil {
			return false, fmt.Errorf("store: reserve login attempt of user %d: %w", userID, res.Error)
		}
		if res.RowsAffected == 1 {
			return true, nil
		}
		// Another request took the last slot, or locked the source, between
		// the read and the update: look again.
	}
}

const (
	loginSlotPoll  = 20 * time.Millisecond
	loginSlotWait  = 15 * time.Second // a bcrypt compare takes well under a second, even on a loaded machine
	loginSlotStale = time.Minute
)

// freeStaleSlots gives back the slots of compares that never ended, unless
// the row changed since it was read.
func (s *Store) freeStaleSlots(ctx context.Context, t LoginThrottle) error {
	err := s.conn(ctx).Model(&LoginThrottle{}).
		Where("user_id = ? AND source = ? AND attempts = ? AND updated_at = ?", t.UserID, t.Source, t.Attempts, t.UpdatedAt).
		Updates(map[string]any{"attempts": 0, "updated_at": s.now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("store: free stale sign-in slots of user %d: %w", t.UserID, err)
	}
	s.log.Warn("sign-in slots freed: compares that never ended", "user_id", t.UserID, "source", t.Source, "slots", t.Attempts)
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attemptFailed keeps the failure's slot; the failure that finds every slot
// taken locks the source out, for twice as long as the last time.
func (s *Store) attemptFailed(ctx context.Context, userID int64, source string) error {
	var t LoginThrottle
	err := s.conn(ctx).Where("user_id = ? AND source = ?", userID, source).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && t.Attempts < s.login.MaxFailures) {
		return ErrBadCredentials // slots left, or a success or unlock cleared the row meanwhile
	}
	if err != nil {
		return fmt.Errorf("store: login throttle of user %d: %w", userID, err)
	}
	now := s.now().UTC()
	lockouts := t.Lockouts
	if t.LockedUntil != nil && now.Sub(*t.LockedUntil) > s.login.MaxLockout {
		lockouts = 0 // quiet for long enough: start the back-off again
	}
	until := now.Add(s.login.lockoutFor(lockouts))
	res := s.conn(ctx).Model(&LoginThrottle{}).
		Where("user_id = ? AND source = ? AND attempts >= ? AND lockouts = ?", userID, source, s.login.MaxFailures, t.Lockouts).
		Updates(map[string]any{"attempts": 0, "lockouts": lockouts + 1, "locked_until": until, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("store: lock user %d out of %s: %w", userID, source, res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrBadCredentials // another failure of the same burst locked it
	}
	s.log.Warn("sign-in locked", "user_id", userID, "source", source, "until", until, "lockouts", lockouts+1)
	return ErrLocked
}

// lockoutFor is Lockout doubled n times, at most MaxLockout.
func (p LoginPolicy) lockoutFor(n int) time.Duration {
	d := p.Lockout
	for i := 0; i < n && d < p.MaxLockout; i++ {
		d *= 2
	}
	return min(d, p.MaxLockout)
}

func (s *Store) loginSucceeded(ctx context.Context, u *User, source string) error {
	now := s.now()
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ? AND source = ?", u.ID, source).Delete(&LoginThrottle{}).Error; err != nil {
			return fmt.Errorf("store: clear login throttle of %d: %w", u.ID, err)
		}
		if err := tx.Model(u).Update("last_login_at", now).Error; err != nil {
			return fmt.Errorf("store: record login of %d: %w", u.ID, err)
		}
		return nil
	})
}

// UnlockUser lifts every sign-in lockout of a user, from every source.
func (s *Store) UnlockUser(ctx context.Context, userID int64) error {
	return clearLockouts(s.conn(ctx), userID)
}

func clearLockouts(tx *gorm.DB, userID int64) error {
	if err := tx.Where("user_id = ?", userID).Delete(&LoginThrottle{}).Error; err != nil {
		return fmt.Errorf("store: unlock user %d: %w", userID, err)
	}
	return nil
}

// LockedUntil returns, for each of the users that has one, the end of their
// latest sign-in lockout still in force (from any source).
func (s *Store) LockedUntil(ctx context.Context, userIDs []int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []LoginThrottle
	err := s.conn(ctx).Where("user_id IN ? AND locked_until > ?", userIDs, s.now().UTC()).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: lockouts: %w", err)
	}
	for _, r := range rows {
		if r.LockedUntil.After(out[r.UserID]) {
			out[r.UserID] = *r.LockedUntil
		}
	}
	return out, nil
}
