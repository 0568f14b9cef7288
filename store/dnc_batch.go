package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DNCDuplicate is an item of a bulk blacklisting whose value was listed
// already: on the blacklist before (EntryID) or earlier in the same batch
// (OfIndex). Its reason is not stored: an entry is never overwritten.
type DNCDuplicate struct {
	Index   int   // the item's position in the batch
	EntryID int64 // the entry already listed; 0 when only repeated in the batch
	OfIndex int   // the earlier item it repeats; -1 when none
}

// DNCBatchResult is what AddDNCBatch did.
type DNCBatchResult struct {
	Added      int64          // values listed (expired entries listed again included)
	Blocked    int64          // contacts moved to the blocked group
	Duplicates []DNCDuplicate // items already listed, in batch order
}

// dncBatchChunk bounds the values per statement (SQLite's variable limit).
const dncBatchChunk = 1000

type dncKey struct {
	kind  DNCKind
	value string
}

// AddDNCBatch lists many entries (bulk import) in one transaction. Values
// already listed are reported as duplicates, item by item, and keep their
// entry and reason untouched; an expired entry is listed again like AddDNC
// does. A value listed by a concurrent request between the lookup and the
// insert fails the batch with ErrConflict (send it again), so no item is
// ever counted wrong.
func (s *Store) AddDNCBatch(ctx context.Context, entries []DNCEntry) (DNCBatchResult, error) {
	var res DNCBatchResult
	if len(entries) == 0 {
		return res, nil
	}
	for i := range entries {
		if !validDNCSource(entries[i].Source) {
			return res, &ValidationError{Fields: []FieldError{{Row: i + 1, Field: "source",
				Message: EnumMessage(entries[i].Source)}}}
		}
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		b := dncBatch{s: s, tx: tx, entries: entries, first: map[dncKey]int{}, now: s.now()}
		for start := 0; start < len(entries); start += dncBatchChunk {
			if err := b.chunk(start, min(start+dncBatchChunk, len(entries))); err != nil {
				return err
			}
		}
		res = b.res
		slices.SortFunc(res.Duplicates, func(x, y DNCDuplicate) int { return x.Index - y.Index })
		return nil
	})
	if err != nil {
		return DNCBatchResult{}, err
	}
	return res, nil
}

// dncBatch is one AddDNCBatch transaction at work.
type dncBatch struct {
	s       *Store
	tx      *gorm.DB
	entries []DNCEntry
	first   map[dncKey]int // the first item of each value in the batch
	now     time.Time
	res     DNCBatchResult
}

// chunk lists entries[from:to]: repeats of an earlier item and values
// already listed are reported, expired entries renewed, the rest inserted.
func (b *dncBatch) chunk(from, to int) error {
	var lookup []int
	for i := from; i < to; i++ {
		k := dncKey{b.entries[i].Kind, b.entries[i].Value}
		if j, ok := b.first[k]; ok {
			b.res.Duplicates = append(b.res.Duplicates, DNCDuplicate{Index: i, OfIndex: j})
			continue
		}
		b.first[k] = i
		lookup = append(lookup, i)
	}
	listed, err := b.listed(lookup)
	if err != nil {
		return err
	}
	fresh := make([]DNCEntry, 0, len(lookup))
	touched := map[DNCKind][]string{}
	for _, i := range lookup {
		e := &b.entries[i]
		old, ok := listed[dncKey{e.Kind, e.Value}]
		switch {
		case !ok:
			fresh = append(fresh, *e)
		case old.Active(b.now):
			b.res.Duplicates = append(b.res.Duplicates, DNCDuplicate{Index: i, EntryID: old.ID, OfIndex: -1})
			continue
		default:
			if err := b.s.relist(b.tx, &old, e, b.now); errors.Is(err, errDNCRaced) {
				return fmt.Errorf("store: an expired entry was swept meanwhile; send the batch again: %w", ErrConflict)
			} else if err != nil {
				return err
			}
			b.res.Added++
		}
		if e.Active(b.now) {
			touched[e.Kind] = append(touched[e.Kind], e.Value)
		}
	}
	if err := b.insert(fresh); err != nil {
		return err
	}
	for kind, values := range touched {
		r := blockMatching(b.tx, kind, values)
		if r.Error != nil {
			return fmt.Errorf("store: block contacts: %w", r.Error)
		}
		b.res.Blocked += r.RowsAffected
	}
	return nil
}

// listed finds the entries already holding the values of the given items.
func (b *dncBatch) listed(items []int) (map[dncKey]DNCEntry, error) {
	byKind := map[DNCKind][]string{}
	for _, i := range items {
		byKind[b.entries[i].Kind] = append(byKind[b.entries[i].Kind], b.entries[i].Value)
	}
	out := map[dncKey]DNCEntry{}
	for kind, values := range byKind {
		var rows []DNCEntry
		if err := b.tx.Where("kind = ? AND value IN ?", kind, values).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("store: find listed dnc values: %w", err)
		}
		for _, r := range rows {
			out[dncKey{r.Kind, r.Value}] = r
		}
	}
	return out, nil
}

func (b *dncBatch) insert(fresh []DNCEntry) error {
	if len(fresh) == 0 {
		return nil
	}
	r := b.tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh)
	if r.Error != nil {
		return fmt.Errorf("store: add dnc batch: %w", r.Error)
	}
	if r.RowsAffected != int64(len(fresh)) {
		return fmt.Errorf("store: %d of these values were blacklisted by someone else meanwhile; send the batch again: %w",
			int64(len(fresh))-r.RowsAffected, ErrConflict)
	}
	b.res.Added += r.RowsAffected
	return nil
}
