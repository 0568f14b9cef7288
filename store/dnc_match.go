package store

import (
	"context"
	"fmt"
)

// DNCMatch is an active blacklist entry that matches one of a contact's
// fields: for a blocked contact, what blocks it.
type DNCMatch struct {
	Field string `json:"field"` // the contact's field it matches: phone, alt_phone or id_number
	DNCEntry
}

// BlacklistMatches returns, per contact id, the active entries matching the
// contacts' phones or ID numbers, each with its reasons and who gave them.
// It costs three queries whatever the number of contacts (a page of the
// contacts list), never one per contact.
func (s *Store) BlacklistMatches(ctx context.Context, contacts []Contact) (map[int64][]DNCMatch, error) {
	out := map[int64][]DNCMatch{}
	phones, ids := contactValues(contacts)
	if len(phones) == 0 && len(ids) == 0 {
		return out, nil
	}
	q := s.conn(ctx).Where("expires_at IS NULL OR expires_at > ?", s.now())
	switch {
	case len(ids) == 0:
		q = q.Where("kind = ? AND value IN ?", DNCPhone, phones)
	case len(phones) == 0:
		q = q.Where("kind = ? AND value IN ?", DNCIDNumber, ids)
	default:
		q = q.Where("(kind = ? AND value IN ?) OR (kind = ? AND value IN ?)", DNCPhone, phones, DNCIDNumber, ids)
	}
	var entries []DNCEntry
	if err := q.Order("id").Find(&entries).Error; err != nil {
		return nil, fmt.Errorf("store: blacklist entries of contacts: %w", err)
	}
	ptrs := make([]*DNCEntry, len(entries))
	byValue := make(map[dncKey]*DNCEntry, len(entries))
	for i := range entries {
		ptrs[i] = &entries[i]
		byValue[dncKey{entries[i].Kind, entries[i].Value}] = &entries[i]
	}
	if err := s.describeDNC(s.conn(ctx), ptrs); err != nil {
		return nil, err
	}
	for _, c := range contacts {
		for _, f := range []struct {
			field string
			kind  DNCKind
			value string
		}{{"phone", DNCPhone, c.Phone}, {"alt_phone", DNCPhone, c.AltPhone}, {"id_number", DNCIDNumber, c.IDNumber}} {
			if e := byValue[dncKey{f.kind, f.value}]; f.value != "" && e != nil {
				out[c.ID] = append(out[c.ID], DNCMatch{Field: f.field, DNCEntry: *e})
			}
		}
	}
	return out, nil
}

// contactValues collects the distinct phones and ID numbers of contacts.
func contactValues(contacts []Contact) (phones, ids []string) {
	seen := map[string]bool{"": true}
	for _, c := range contacts {
		for _, p := range []string{c.Phone, c.AltPhone} {
			if !seen[p] {
				seen[p] = true
				phones = append(phones, p)
			}
		}
		if !seen[c.IDNumber] {
			seen[c.IDNumber] = true
			ids = append(ids, c.IDNumber)
		}
	}
	return phones, ids
}
