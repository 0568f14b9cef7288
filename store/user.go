package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

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
	Skills       string     `gorm:"type:varchar(512)" json:"skills"` // comma list (NormalizeSkills): calls may need one
	Extra        string     `gorm:"column:extra_permissions;type:varchar(512)" json:"-"`
	Email        string     `gorm:"type:varchar(255)" json:"email"`
	Phone        string     `gorm:"type:varchar(32)" json:"phone"`
	Disabled     bool       `json:"disabled"`
	PasswordAt   time.Time  `json:"password_changed_at"`
	LastLoginAt  *time.Time `json:"last_login_at,omitempty"`
	Groups       []Group    `gorm:"many2many:user_groups" json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

var (
	usernameRe  = regexp.MustCompile(`^[a-z0-9_.@-]{2,64}$`)
	extensionRe = regexp.MustCompile(`^[0-9]{2,10}$`)
)

// NormalizeUsername is the one form a username is stored and looked up in:
// trimmed and lower case, so "ADMIN" and "admin" are the same account on
// every database (SQLite compares case-sensitively, MariaDB's collation does
// not).
func NormalizeUsername(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Validate checks the fields a user needs.
func (u *User) Validate() error {
	var errs []FieldError
	if !usernameRe.MatchString(u.Username) {
		errs = append(errs, FieldError{Field: "username", Message: "2-64 letters, digits or _.@- (stored in lower case)"})
	}
	if len([]rune(u.DisplayName)) > 128 {
		errs = append(errs, FieldError{Field: "display_name", Message: "must be at most 128 characters"})
	}
	errs = checkNames(errs, [2]string{"display_name", u.DisplayName})
	if !u.Role.Valid() {
		errs = append(errs, EnumError("role", u.Role))
	}
	if u.Extension != nil && !extensionRe.MatchString(*u.Extension) {
		errs = append(errs, FieldError{Field: "extension", Message: "must be 2-10 digits"})
	}
	if u.Level < 0 || u.Level > 10 {
		errs = append(errs, FieldError{Field: "level", Message: "must be between 0 and 10"})
	}
	if sk, err := NormalizeSkills(u.Skills); err != nil {
		errs = append(errs, FieldError{Field: "skills", Message: err.Error()})
	} else {
		u.Skills = sk
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
	u.Username = NormalizeUsername(u.Username)
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

// UserUpdate says what else changes with a user's fields, in the same
// transaction (so the change and its audit entry commit together).
type UserUpdate struct {
	GroupIDs      []int64 // nil leaves the groups unchanged
	EndSessions   bool    // a new password or role, or disabling, ends the user's sessions
	ClearLockouts bool    // a password reset lifts sign-in lockouts
}

// UpdateUser saves changed fields and what up asks for.
func (s *Store) UpdateUser(ctx context.Context, u *User, up UserUpdate) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Groups", "CreatedAt").Save(u).Error; err != nil {
			return fmt.Errorf("store: update user %d: %w", u.ID, translate(err))
		}
		if up.EndSessions {
			err := tx.Model(&Session{}).Where("user_id = ? AND revoked_at IS NULL", u.ID).Update("revoked_at", s.now()).Error
			if err != nil {
				return fmt.Errorf("store: end sessions of user %d: %w", u.ID, err)
			}
		}
		if up.ClearLockouts {
			if err := clearLockouts(tx, u.ID); err != nil {
				return err
			}
		}
		if up.GroupIDs == nil {
			return nil
		}
		return setUserGroups(tx, u, up.GroupIDs)
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
	name = NormalizeUsername(name)
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
		like := "%" + likeText(f.Q) + "%"
		q = q.Where("username LIKE ?"+likeEscape+" OR display_name LIKE ?"+likeEscape, like, like)
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

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
