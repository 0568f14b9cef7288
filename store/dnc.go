package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
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
// do-not-disturb period that ends by itself. Reason, Source, CreatedBy and
// CreatedAt record the first listing and never change: a later reason for
// the same value is appended to the entry's history (DNCReason), so no
// reason is ever lost.
type DNCEntry struct {
	ID        int64      `gorm:"primaryKey" json:"id"`
	Kind      DNCKind    `gorm:"type:varchar(16);not null;uniqueIndex:ux_dnc,priority:1" json:"kind"`
	Value     string     `gorm:"type:varchar(20);not null;uniqueIndex:ux_dnc,priority:2" json:"value"`
	Reason    string     `gorm:"type:varchar(255)" json:"reason"`
	Source    DNCSource  `gorm:"type:varchar(32);not null" json:"source"`
	ExpiresAt *time.Time `gorm:"index" json:"expires_at,omitempty"`
	CreatedBy int64      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	// CreatedByName and Reasons are filled by the reads that describe
	// entries (AddDNC, ListDNC, BlacklistMatches): who listed it, and every
	// reason in order, the first one included.
	CreatedByName string      `gorm:"-" json:"created_by_name,omitempty"`
	Reasons       []DNCReason `gorm:"-" json:"reasons,omitempty"`
}

// Active tells whether the entry blocks at now (it has not expired).
func (e *DNCEntry) Active(now time.Time) bool { return e.ExpiresAt == nil || e.ExpiresAt.After(now) }

// DNCExistsError is AddDNC's answer for a value already on the blacklist;
// it carries the entry and its reasons, so the caller can say who listed it,
// when and why. It wraps ErrConflict.
type DNCExistsError struct{ Entry DNCEntry }

func (e *DNCExistsError) Error() string {
	return fmt.Sprintf("store: this %s is already blacklisted (entry %d)", e.Entry.Kind, e.Entry.ID)
}

func (e *DNCExistsError) Unwrap() error { return ErrConflict }

// DNCOnExisting says what AddDNC does when the value is already listed.
type DNCOnExisting int

const (
	DNCRefuse    DNCOnExisting = iota // answer *DNCExistsError and change nothing
	DNCAddReason                      // append the reason to the entry's history
)

// DNCAddResult is what AddDNC did.
type DNCAddResult struct {
	Blocked     int64 // contacts moved to the blocked group
	ReasonAdded bool  // the value was listed already; the reason went to its history
}

// blockReasonDNC marks contacts put in the blocked group by the blacklist,
// so removing the entry can release exactly those.
const blockReasonDNC = "dnc"

// blockableStatuses are the statuses a new blacklist entry takes contacts out of.
var blockableStatuses = []ContactStatus{ContactPending, ContactFailed, ContactMaintenance}

func validDNCSource(s DNCSource) bool {
	return OneOf(s)
}

// AddDNC lists a value (already normalised) and moves every matching
// contact, in every campaign, to the blocked group. A listed value is never
// overwritten: with DNCRefuse the answer is *DNCExistsError, with
// DNCAddReason the reason is appended to the entry's history. An entry whose
// do-not-disturb period is over but not yet swept is listed again, its
// earlier reasons kept. On return e is the stored entry with its reasons.
func (s *Store) AddDNC(ctx context.Context, e *DNCEntry, onExisting DNCOnExisting) (DNCAddResult, error) {
	if !validDNCSource(e.Source) {
		return DNCAddResult{}, Invalid("source", EnumMessage(e.Source))
	}
	req := *e
	res, err := s.addDNC(ctx, e, onExisting)
	if errors.Is(err, errDNCRaced) { // listed by someone else a moment ago: judge again
		*e = req
		res, err = s.addDNC(ctx, e, onExisting)
	}
	if err != nil {
		return res, err
	}
	return res, s.describeDNC(s.conn(ctx), []*DNCEntry{e})
}

// errDNCRaced means a concurrent add listed the same value first.
var errDNCRaced = errors.New("store: dnc value listed concurrently")

func (s *Store) addDNC(ctx context.Context, e *DNCEntry, onExisting DNCOnExisting) (DNCAddResult, error) {
	var res DNCAddResult
	now := s.now()
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		old, err := s.listedEntry(tx, e.Kind, e.Value)
		switch {
		case err != nil:
			return err
		case old == nil:
			if err := tx.Create(e).Error; err != nil {
				if isDuplicate(err) {
					return errDNCRaced
				}
				return fmt.Errorf("store: add dnc: %w", err)
			}
		case old.Active(now) && onExisting == DNCRefuse:
			if err := s.describeDNC(tx, []*DNCEntry{old}); err != nil {
				return err
			}
			return &DNCExistsError{Entry: *old}
		default:
			res.ReasonAdded = old.Active(now)
			if err := s.relist(tx, old, e, now); err != nil {
				return err
			}
			*e = *old
		}
		if !e.Active(now) {
			return nil
		}
		r := blockMatching(tx, e.Kind, []string{e.Value})
		res.Blocked = r.RowsAffected
		return r.Error
	})
	return res, err
}

// listedEntry reads the entry for a value, locked on MySQL so that neither
// the expiry sweep nor a removal slips in before the reason is appended
// (nil if none). The lock is taken by primary key, after a plain lookup, so
// it never holds a gap lock that two adds of a new value would deadlock on.
func (s *Store) listedEntry(tx *gorm.DB, kind DNCKind, value string) (*DNCEntry, error) {
	var e DNCEntry
	err := tx.Where("kind = ? AND value = ?", kind, value).Take(&e).Error
	if err == nil && s.driver == "mysql" {
		err = s.forUpdate(tx).Where("id = ?", e.ID).Take(&e).Error
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: find dnc: %w", err)
	}
	return &e, nil
}

// relist appends req's reason to the listed entry old. An active entry keeps
// its expiry (nothing of it is overwritten); an expired one takes req's
// expiry, so that it blocks again. errDNCRaced means the expiry sweep
// removed the expired entry first.
func (s *Store) relist(tx *gorm.DB, old, req *DNCEntry, now time.Time) error {
	if !old.Active(now) {
		r := tx.Model(&DNCEntry{}).Where("id = ? AND expires_at <= ?", old.ID, now).Update("expires_at", req.ExpiresAt)
		if r.Error != nil {
			return fmt.Errorf("store: renew dnc %d: %w", old.ID, r.Error)
		}
		if r.RowsAffected != 1 {
			return errDNCRaced
		}
		old.ExpiresAt = req.ExpiresAt
	}
	r := DNCReason{EntryID: old.ID, Reason: req.Reason, Source: req.Source, CreatedBy: req.CreatedBy, CreatedAt: now}
	if err := tx.Create(&r).Error; err != nil {
		return fmt.Errorf("store: add reason to dnc %d: %w", old.ID, err)
	}
	return nil
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

// DeleteDNC removes an entry (with its reasons) and releases the contacts it
// alone was blocking. The audit log keeps who removed it.
func (s *Store) DeleteDNC(ctx context.Context, id int64) (*DNCEntry, int64, error) {
	return s.deleteDNC(ctx, id, time.Time{})
}

// deleteDNC removes entry id; with expiredBy set, only if it is still
// expired then, so an entry listed again a moment ago survives the sweep.
func (s *Store) deleteDNC(ctx context.Context, id int64, expiredBy time.Time) (*DNCEntry, int64, error) {
	var e DNCEntry
	var released int64
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.forUpdate(tx).Where("id = ?", id).Take(&e).Error; err != nil {
			return fmt.Errorf("store: dnc %d: %w", id, translate(err))
		}
		if !expiredBy.IsZero() && e.Active(expiredBy) {
			return nil
		}
		if err := tx.Where("entry_id = ?", id).Delete(&DNCReason{}).Error; err != nil {
			return fmt.Errorf("store: delete reasons of dnc %d: %w", id, err)
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
		_, n, err := s.deleteDNC(ctx, e.ID, now)
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile
		}
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

// ListDNC searches the blacklist; each entry comes with its reasons.
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
	ptrs := make([]*DNCEntry, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, total, s.describeDNC(s.conn(ctx), ptrs)
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
