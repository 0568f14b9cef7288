package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// User is a person who signs in: an admin, supervisor, QA staff or agent.
type User struct {
	ID           int64      `gorm:"primaryKey" json:"id"`
	Username     string     `gorm:"type:varchar(64);uniqueIndex;not null" json:"username"`
	PasswordHash string     `gorm:"type:varchar(100);not null" json:"-"`
	Role         Role       `gorm:"type:varchar(16);index;not null" json:"role"`
	DisplayName  string     `gorm:"type:varchar(128)" json:"display_name"`
	Extension    *string    `gorm:"type:varchar(32);uniqueIndex" json:"extension"`
	SIPPassword  string     `gorm:"type:varchar(64)" json:"-"`
	Level        int        `json:"level"`
	Extra        string     `gorm:"column:extra_permissions;type:varchar(512)" json:"-"`
	Email        string     `gorm:"type:varchar(255)" json:"email"`
	Phone        string     `gorm:"type:varchar(32)" json:"phone"`
	Disabled     bool       `json:"disabled"`
	FailedLogins int        `json:"-"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
	PasswordAt   time.Time  `json:"password_changed_at"`
	LastLoginAt  *time.Time `json:"last_login_at,omitempty"`
	Groups       []Group    `gorm:"many2many:user_groups" json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Login lockout policy: after maxFailedLogins wrong passwords in a row the
// account is locked for lockoutDuration.
const (
	maxFailedLogins = 5
	lockoutDuration = 15 * time.Minute
	minPasswordLen  = 10
)

// bcryptCost is a variable so tests can lower it; production keeps the default.
var bcryptCost = bcrypt.DefaultCost

var (
	usernameRe  = regexp.MustCompile(`^[A-Za-z0-9_.@-]{2,64}$`)
	extensionRe = regexp.MustCompile(`^[0-9]{2,10}$`)
)

// ErrBadCredentials is returned for a wrong username or password (one error
// for both, so the answer does not tell which usernames exist).
var ErrBadCredentials = errors.New("bad credentials")

// ErrLocked is returned while an account is locked after failed logins.
var ErrLocked = errors.New("account locked")

// CheckPassword enforces the password policy: at least 10 characters, three of
// the four classes (lower, upper, digit, symbol), not containing the username.
func CheckPassword(username, password string) error {
	if len([]rune(password)) < minPasswordLen {
		return Invalid("password", fmt.Sprintf("must have at least %d characters", minPasswordLen))
	}
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return Invalid("password", "must mix at least three of: lower case, upper case, digits, symbols")
	}
	if username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return Invalid("password", "must not contain the username")
	}
	return nil
}

// SetPassword checks the policy and stores a bcrypt hash.
func (u *User) SetPassword(password string, now time.Time) error {
	if err := CheckPassword(u.Username, password); err != nil {
		return err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return fmt.Errorf("store: hash password: %w", err)
	}
	u.PasswordHash = string(h)
	u.PasswordAt = now
	return nil
}

// Validate checks the fields a user needs.
func (u *User) Validate() error {
	var errs []FieldError
	if !usernameRe.MatchString(u.Username) {
		errs = append(errs, FieldError{Field: "username", Message: "2-64 letters, digits or _.@-"})
	}
	if !u.Role.Valid() {
		errs = append(errs, EnumError("role", u.Role))
	}
	if u.Extension != nil && !extensionRe.MatchString(*u.Extension) {
		errs = append(errs, FieldError{Field: "extension", Message: "must be 2-10 digits"})
	}
	if u.Level < 0 || u.Level > 10 {
		errs = append(errs, FieldError{Field: "level", Message: "must be between 0 and 10"})
	}
	for _, p := range u.ExtraPermissions() {
		if !ValidPermission(p) {
			errs = append(errs, EnumError("permissions", p))
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Role    Role
	GroupID int64
	Q       string
	Page    Page
}

// CreateUser stores a new user with the given groups.
func (s *Store) CreateUser(ctx context.Context, u *User, groupIDs []int64) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Groups").Create(u).Error; err != nil {
			return fmt.Errorf("store: create user %q: %w", u.Username, translate(err))
		}
		return setUserGroups(tx, u, groupIDs)
	})
}

func setUserGroups(tx *gorm.DB, u *User, groupIDs []int64) error {
	var groups []Group
	if len(groupIDs) > 0 {
		if err := tx.Where("id IN ?", groupIDs).Find(&groups).Error; err != nil {
			return fmt.Errorf("store: load groups: %w", err)
		}
		if len(groups) != len(groupIDs) {
			return Invalid("group_ids", "one or more groups do not exist")
		}
	}
	if err := tx.Model(u).Association("Groups").Replace(groups); err != nil {
		return fmt.Errorf("store: set groups of user %d: %w", u.ID, err)
	}
	u.Groups = groups
	return nil
}

// UpdateUser saves changed fields; groupIDs nil leaves groups unchanged.
func (s *Store) UpdateUser(ctx context.Context, u *User, groupIDs []int64) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Groups", "CreatedAt").Save(u).Error; err != nil {
			return fmt.Errorf("store: update user %d: %w", u.ID, translate(err))
		}
		if groupIDs == nil {
			return nil
		}
		return setUserGroups(tx, u, groupIDs)
	})
}

// GetUser loads a user with groups.
func (s *Store) GetUser(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.conn(ctx).Preload("Groups").First(&u, id).Error; err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, translate(err))
	}
	return &u, nil
}

// UserByUsername loads a user by name.
func (s *Store) UserByUsername(ctx context.Context, name string) (*User, error) {
	var u User
	if err := s.conn(ctx).Where("username = ?", name).First(&u).Error; err != nil {
		return nil, fmt.Errorf("store: user %q: %w", name, translate(err))
	}
	return &u, nil
}

// UserByExtension loads the agent registered on a SIP extension.
func (s *Store) UserByExtension(ctx context.Context, ext string) (*User, error) {
	var u User
	if err := s.conn(ctx).Preload("Groups").Where("extension = ? AND disabled = ?", ext, false).First(&u).Error; err != nil {
		return nil, fmt.Errorf("store: extension %q: %w", ext, translate(err))
	}
	return &u, nil
}

// ListUsers pages through users.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, int64, error) {
	q := s.conn(ctx).Model(&User{})
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.GroupID != 0 {
		q = q.Where("id IN (?)", s.conn(ctx).Table("user_groups").Select("user_id").Where("group_id = ?", f.GroupID))
	}
	if f.Q != "" {
		like := "%" + escapeLike(f.Q) + "%"
		q = q.Where("username LIKE ? OR display_name LIKE ?", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count users: %w", err)
	}
	var users []User
	err := f.Page.apply(q).Preload("Groups").Order("id").Find(&users).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: list users: %w", err)
	}
	return users, total, nil
}

// CountUsers tells how many users exist (used to bootstrap the first admin).
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// DeleteUser removes a user, their group links and sessions. History rows
// (audit, attempts) keep the user id and name they recorded.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM user_groups WHERE user_id = ?", id).Error; err != nil {
			return fmt.Errorf("store: delete groups of user %d: %w", id, err)
		}
		if err := tx.Where("user_id = ?", id).Delete(&Session{}).Error; err != nil {
			return fmt.Errorf("store: delete sessions of user %d: %w", id, err)
		}
		res := tx.Delete(&User{}, id)
		if res.Error != nil {
			return fmt.Errorf("store: delete user %d: %w", id, translate(res.Error))
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: delete user %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// Authenticate checks a username and password, applying the lockout policy.
func (s *Store) Authenticate(ctx context.Context, username, password string) (*User, error) {
	u, err := s.UserByUsername(ctx, username)
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real check so timing does not reveal names.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		return u, ErrLocked
	}
	if u.Disabled {
		return u, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return u, s.loginFailed(ctx, u, now)
	}
	err = s.conn(ctx).Model(u).Updates(map[string]any{"failed_logins": 0, "locked_until": nil, "last_login_at": now}).Error
	if err != nil {
		return nil, fmt.Errorf("store: record login of %d: %w", u.ID, err)
	}
	return u, nil
}

func (s *Store) loginFailed(ctx context.Context, u *User, now time.Time) error {
	u.FailedLogins++
	updates := map[string]any{"failed_logins": u.FailedLogins}
	locked := u.FailedLogins >= maxFailedLogins
	if locked {
		until := now.Add(lockoutDuration)
		updates["locked_until"] = until
		updates["failed_logins"] = 0
	}
	if err := s.conn(ctx).Model(u).Updates(updates).Error; err != nil {
		return fmt.Errorf("store: record failed login: %w", err)
	}
	if locked {
		return ErrLocked
	}
	return ErrBadCredentials
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not-a-real-password"), bcrypt.DefaultCost)

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UseMinimumHashCostForTests lowers the bcrypt cost so test suites that create
// many users stay fast. Never called by the product.
func UseMinimumHashCostForTests() { bcryptCost = bcrypt.MinCost }
