package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// GroupKind says what kind of outbound resource a group is (R19).
type GroupKind string

const (
	GroupAgent  GroupKind = "agent"
	GroupExpert GroupKind = "expert"
	GroupIVR    GroupKind = "ivr"
)

// Group is a team of agents (or an IVR resource) that works campaigns.
type Group struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	Name        string    `gorm:"type:varchar(128);uniqueIndex;not null" json:"name"`
	Kind        GroupKind `gorm:"type:varchar(16);not null" json:"kind"`
	Description string    `gorm:"type:varchar(512)" json:"description"`
	// Queue settings (acd): what a customer waiting for the group hears and
	// when voicemail is offered (see GroupQueue in group_queue.go).
	GroupQueue
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a group's fields.
func (g *Group) Validate() error {
	var errs []FieldError
	g.Name = strings.TrimSpace(g.Name)
	if g.Name == "" || len(g.Name) > 128 {
		errs = append(errs, FieldError{Field: "name", Message: "is required (at most 128 bytes)"})
	}
	errs = checkNames(errs, [2]string{"name", g.Name})
	if !OneOf(g.Kind) {
		errs = append(errs, EnumError("kind", g.Kind))
	}
	errs = append(errs, g.GroupQueue.check()...)
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// CreateGroup stores a new group.
func (s *Store) CreateGroup(ctx context.Context, g *Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if err := s.conn(ctx).Create(g).Error; err != nil {
		return fmt.Errorf("store: create group %q: %w", g.Name, translate(err))
	}
	return nil
}

// UpdateGroup saves a group.
func (s *Store) UpdateGroup(ctx context.Context, g *Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if err := s.conn(ctx).Omit("CreatedAt").Save(g).Error; err != nil {
		return fmt.Errorf("store: update group %d: %w", g.ID, translate(err))
	}
	return nil
}

// GetGroup loads one group.
func (s *Store) GetGroup(ctx context.Context, id int64) (*Group, error) {
	var g Group
	if err := s.conn(ctx).First(&g, id).Error; err != nil {
		return nil, fmt.Errorf("store: group %d: %w", id, translate(err))
	}
	return &g, nil
}

// ListGroups pages through groups.
func (s *Store) ListGroups(ctx context.Context, kind GroupKind, p Page) ([]Group, int64, error) {
	q := s.conn(ctx).Model(&Group{})
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count groups: %w", err)
	}
	var gs []Group
	if err := p.apply(q).Order("id").Find(&gs).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list groups: %w", err)
	}
	return gs, total, nil
}

// DeleteGroup removes a group and its memberships. A group still used by a
// campaign cannot be deleted (ErrConflict).
func (s *Store) DeleteGroup(ctx context.Context, id int64) error {
	inUse, err := s.groupInUse(ctx, id)
	if err != nil {
		return err
	}
	if inUse {
		return fmt.Errorf("store: group %d is used by a campaign: %w", id, ErrConflict)
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("DELETE FROM user_groups WHERE group_id = ?", id).Error; err != nil {
			return fmt.Errorf("store: delete members of group %d: %w", id, err)
		}
		res := tx.Delete(&Group{}, id)
		if res.Error != nil {
			return fmt.Errorf("store: delete group %d: %w", id, translate(res.Error))
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: delete group %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// groupInUse is replaced by a real query once campaigns exist (see campaign.go).
var groupUsers = []func(s *Store, ctx context.Context, id int64) (bool, error){}

func (s *Store) groupInUse(ctx context.Context, id int64) (bool, error) {
	for _, f := range groupUsers {
		used, err := f(s, ctx, id)
		if err != nil || used {
			return used, err
		}
	}
	return false, nil
}
