package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DNCReason is a reason given for a value after it was first listed (the
// first reason is on the entry itself). Entries are never overwritten, so
// "法务要求停止催收" survives someone re-adding the number with "dup".
type DNCReason struct {
	ID            int64     `gorm:"primaryKey" json:"-"`
	EntryID       int64     `gorm:"not null;index" json:"-"`
	Reason        string    `gorm:"type:varchar(255)" json:"reason"`
	Source        DNCSource `gorm:"type:varchar(32);not null" json:"source"`
	CreatedBy     int64     `json:"created_by"`
	CreatedByName string    `gorm:"-" json:"created_by_name,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// describeDNC fills the entries' Reasons (first listing, then the appended
// ones in order) and the names of the users who gave them: two queries
// whatever the number of entries, so a page of contacts or entries never
// costs one query per row.
func (s *Store) describeDNC(db *gorm.DB, entries []*DNCEntry) error {
	if len(entries) == 0 {
		return nil
	}
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	var extra []DNCReason
	if err := db.Where("entry_id IN ?", ids).Order("id").Find(&extra).Error; err != nil {
		return fmt.Errorf("store: reasons of dnc entries: %w", err)
	}
	byEntry := make(map[int64][]DNCReason, len(entries))
	for _, r := range extra {
		byEntry[r.EntryID] = append(byEntry[r.EntryID], r)
	}
	users := map[int64]string{}
	for _, e := range entries {
		e.Reasons = append([]DNCReason{{EntryID: e.ID, Reason: e.Reason, Source: e.Source, CreatedBy: e.CreatedBy, CreatedAt: e.CreatedAt}},
			byEntry[e.ID]...)
		for _, r := range e.Reasons {
			users[r.CreatedBy] = ""
		}
	}
	if err := s.userNames(db, users); err != nil {
		return err
	}
	for _, e := range entries {
		e.CreatedByName = users[e.CreatedBy]
		for i := range e.Reasons {
			e.Reasons[i].CreatedByName = users[e.Reasons[i].CreatedBy]
		}
	}
	return nil
}

// userNames fills the usernames of the ids in names (one query); an id of 0
// (the system) or of a deleted user keeps "".
func (s *Store) userNames(db *gorm.DB, names map[int64]string) error {
	ids := make([]int64, 0, len(names))
	for id := range names {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID       int64
		Username string
	}
	if err := db.Model(&User{}).Select("id, username").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return fmt.Errorf("store: user names: %w", err)
	}
	for _, r := range rows {
		names[r.ID] = r.Username
	}
	return nil
}

// forUpdate locks the rows a transaction reads on MySQL, so a concurrent
// writer (the expiry sweep, another add) waits. SQLite needs none: its
// transactions start with the write lock (_txlock=immediate).
func (s *Store) forUpdate(tx *gorm.DB) *gorm.DB {
	if s.driver == "mysql" {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}
