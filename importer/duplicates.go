package importer

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/bankcc/callcenter/store"
)

// phoneRows remembers the first row of each E.164 number compactly:
// "+8613800138000" is the key 8613800138000, so a million numbers cost tens
// of MB.
type phoneRows map[uint64]int32

// add records p at row; if p was seen before it reports the first row and false.
func (s phoneRows) add(p string, row int) (first int, isNew bool) {
	n, err := strconv.ParseUint(p[1:], 10, 64)
	if err != nil {
		return 0, true // not E.164 digits; cannot happen for validated phones
	}
	if r, ok := s[n]; ok {
		return int(r), false
	}
	s[n] = int32(row)
	return 0, true
}

// duplicateOfRow reports row as a repeat of an earlier row of the same file.
func duplicateOfRow(row, first int) store.FieldError {
	return store.FieldError{Row: row, Field: "phone", Message: "duplicate of row " + strconv.Itoa(first) + " (same phone); not imported",
		DuplicateOf: store.DuplicateOf{Row: first}}
}

// duplicateOfContact reports row as a phone the campaign already holds.
func duplicateOfContact(row int, contactID int64) store.FieldError {
	return store.FieldError{Row: row, Field: "phone", Message: fmt.Sprintf("phone already in this campaign as contact %d; not imported", contactID),
		DuplicateOf: store.DuplicateOf{ContactID: contactID}}
}

// batchDuplicates turns the store's duplicates of a committed batch into
// per-row reports; rows maps the batch's positions to file rows.
func batchDuplicates(rows []int, dups []store.BatchDuplicate) []store.FieldError {
	out := make([]store.FieldError, 0, len(dups))
	for _, d := range dups {
		if d.ContactID != 0 {
			out = append(out, duplicateOfContact(rows[d.Index], d.ContactID))
		} else {
			out = append(out, duplicateOfRow(rows[d.Index], rows[d.OfIndex]))
		}
	}
	return out
}

// report is the job's error list: the validation errors and, once their
// batches were committed, the duplicates, in row order and bounded.
func (st *jobState) report() []store.FieldError {
	dups := st.writer.duplicates()
	if len(dups) == 0 {
		return st.errs
	}
	all := append(st.errs, dups...)
	slices.SortStableFunc(all, func(a, b store.FieldError) int { return a.Row - b.Row })
	if len(all) > maxReportErrors {
		all = all[:maxReportErrors]
	}
	return all
}
