package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DNCKind says what a do-not-call entry blocks.
type DNCKind string

const (
	DNCPhone    DNCKind = "phone"     // one number, E.164
	DNCIDNumber DNCKind = "id_number" // every number of the person with this resident ID
)

// DNCSource says where an entry came from.
type DNCSource string

const (
	DNCManual          DNCSource = "manual"
	DNCAgent           DNCSource = "agent"
	DNCImport          DNCSource = "import"
	DNCInvalidNumber   DNCSource = "invalid_number"
	DNCCustomerRequest DNCSource = "customer_request"
)

// DNCEntry is one blacklist (do-not-call) entry. With ExpiresAt it is a
// do-not-disturb period that ends by itself.
type DNCEntry struct {
	ID        int64      `gorm:"primaryKey" json:"id"`
	Kind      DNCKind    `gorm:"type:varchar(16);not null;uniqueIndex:ux_dnc,priority:1" json:"kind"`
	Value     string     `gorm:"type:varchar(20);not null;uniqueIndex:ux_dnc,priority:2" json:"value"`
	Reason    string     `gorm:"type:varchar(255)" json:"reason"`
	Source    DNCSource  `gorm:"type:varchar(32);not null" json:"source"`
	ExpiresAt *time.Time `gorm:"index" json:"expires_at,omitempty"`
	CreatedBy int64      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

// blockReasonDNC marks contacts put in the blocked group by the blacklist,
// so removing the entry can release exactly those.
const blockReasonDNC = "dnc"

// blockableStatuses are the statuses a new blacklist entry takes contacts out of.
var blockableStatuses = []ContactStatus{ContactPending, ContactFailed, ContactMaintenance}

func validDNCSource(s DNCSource) bool {
	return oneOf(string(s), "manual", "agent", "import", "invalid_number", "customer_request")
}

// AddDNC stores an entry (value already normalised) and moves every matching
// contact, in every campaign, to the blocked group. It returns the number of
// contacts blocked. Adding a value already listed updates its reason/expiry.
func (s *Store) AddDNC(ctx context.Context, e *DNCEntry) (int64, error) {
	if !validDNCSource(e.Source) {
		return 0, Invalid("source", "must be manual, agent, import, invalid_number or customer_request")
	}
	var blocked int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "kind"}, {Name: "value"}},
			DoUpdates: clause.AssignmentColumns([]string{"reason", "source", "expires_at"}),
		}).Create(e).Error
		if err != nil {
			return fmt.Errorf("store: add dnc: %w", translate(err))
		}
		if e.ID == 0 { // MySQL reports no id on the update path
			if err := tx.Where("kind = ? AND value = ?", e.Kind, e.Value).First(e).Error; err != nil {
				return fmt.Errorf("store: reload dnc: %w", err)
			}
		}
		if e.ExpiresAt != nil && !e.ExpiresAt.After(s.now()) {
			return nil
		}
		res := blockMatching(tx, e.Kind, []string{e.Value})
		blocked = res.RowsAffected
		return res.Error
	})
	return blocked, err
}

// AddDNCBatch adds many entries of one source in one transaction (bulk
// import); it returns how many were new and how many contacts it blocked.
func (s *Store) AddDNCBatch(ctx context.Context, entries []DNCEntry) (added, blocked int64, err error) {
	if len(entries) == 0 {
		return 0, 0, nil
	}
	err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		for start := 0; start < len(entries); start += 1000 {
			chunk := entries[start:min(start+1000, len(entries))]
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&chunk)
			if res.Error != nil {
				return fmt.Errorf("store: add dnc batch: %w", res.Error)
			}
			added += res.RowsAffected
			byKind := map[DNCKind][]string{}
			for _, e := range chunk {
				byKind[e.Kind] = append(byKind[e.Kind], e.Value)
			}
			for kind, values := range byKind {
				r := blockMatching(tx, kind, values)
				if r.Error != nil {
					return fmt.Errorf("store: block contacts: %w", r.Error)
				}
				blocked += r.RowsAffected
			}
		}
		return nil
	})
	return added, blocked, err
}

func blockMatching(tx *gorm.DB, kind DNCKind, values []string) *gorm.DB {
	q := tx.Model(&Contact{}).Where("status IN ?", blockableStatuses)
	if kind == DNCPhone {
		q = q.Where("phone IN ? OR alt_phone IN ?", values, values)
	} else {
		q = q.Where("id_number IN ?", values)
	}
	return q.Updates(map[string]any{"status": ContactBlocked, "block_reason": blockReasonDNC})
}

// DeleteDNC removes an entry and releases the contacts it alone was blocking.
func (s *Store) DeleteDNC(ctx context.Context, id int64) (*DNCEntry, int64, error) {
	var e DNCEntry
	var released int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&e, id).Error; err != nil {
			return fmt.Errorf("store: dnc %d: %w", id, translate(err))
		}
		if err := tx.Delete(&DNCEntry{}, id).Error; err != nil {
			return fmt.Errorf("store: delete dnc %d: %w", id, err)
		}
		res := releaseMatching(tx, e.Kind, []string{e.Value}, s.now())
		released = res.RowsAffected
		return res.Error
	})
	return &e, released, err
}

// releaseMatching puts blacklist-blocked contacts back to pending when no
// active entry blocks them any more.
func releaseMatching(tx *gorm.DB, kind DNCKind, values []string, now time.Time) *gorm.DB {
	q := tx.Model(&Contact{}).Where("status = ? AND block_reason = ?", ContactBlocked, blockReasonDNC)
	if kind == DNCPhone {
		q = q.Where("phone IN ? OR alt_phone IN ?", values, values)
	} else {
		q = q.Where("id_number IN ?", values)
	}
	q = q.Where(`NOT EXISTS (SELECT 1 FROM dnc_entries d WHERE (d.expires_at IS NULL OR d.expires_at > ?) AND (
		(d.kind = 'phone' AND (d.value = contacts.phone OR d.value = contacts.alt_phone)) OR
		(d.kind = 'id_number' AND contacts.id_number <> '' AND d.value = contacts.id_number)))`, now)
	return q.Updates(map[string]any{"status": ContactPending, "block_reason": ""})
}

// ReleaseExpiredDNC ends do-not-disturb periods that are over: the entries
// are deleted and their contacts released. Run by the scheduler.
func (s *Store) ReleaseExpiredDNC(ctx context.Context) (int64, error) {
	var expired []DNCEntry
	now := s.now()
	if err := s.conn(ctx).Where("expires_at IS NOT NULL AND expires_at <= ?", now).Find(&expired).Error; err != nil {
		return 0, fmt.Errorf("store: find expired dnc: %w", err)
	}
	var released int64
	for _, e := range expired {
		_, n, err := s.DeleteDNC(ctx, e.ID)
		if err != nil {
			return released, err
		}
		released += n
	}
	return released, nil
}

// DNCFilter narrows ListDNC.
type DNCFilter struct {
	Search Search // the value (see Search for the rules) or reason text
	Kind   DNCKind
	Page   Page
}

// ListDNC searches the blacklist.
func (s *Store) ListDNC(ctx context.Context, f DNCFilter) ([]DNCEntry, int64, error) {
	q := s.conn(ctx).Model(&DNCEntry{})
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	q = f.Search.where(q, "reason", "value")
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count dnc: %w", err)
	}
	var out []DNCEntry
	if err := f.Page.apply(q).Order("id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list dnc: %w", err)
	}
	return out, total, nil
}

// BlockedValues returns which of the given phones and ID numbers are on the
// blacklist now. Used in bulk by imports and one contact at a time at dial time.
func (s *Store) BlockedValues(ctx context.Context, phones, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	now := s.now()
	for _, part := range []struct {
		kind   DNCKind
		values []string
	}{{DNCPhone, phones}, {DNCIDNumber, ids}} {
		for start := 0; start < len(part.values); start += 1000 {
			chunk := part.values[start:min(start+1000, len(part.values))]
			var hits []string
			err := s.conn(ctx).Model(&DNCEntry{}).Where("kind = ? AND value IN ? AND (expires_at IS NULL OR expires_at > ?)", part.kind, chunk, now).
				Pluck("value", &hits).Error
			if err != nil {
				return nil, fmt.Errorf("store: blacklist lookup: %w", err)
			}
			for _, h := range hits {
				out[h] = true
			}
		}
	}
	return out, nil
}
