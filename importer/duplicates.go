package importer

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/bankcc/callcenter/store"
)

// phoneRows remembers the first row of each E.164 number compactly:
// "+8613800138000" is the key 8613800138000, so a million numbers cost tens
// of MB and nothing the collector scans.
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

// duplicate is one duplicate row, held without pointers (so a million-row
// import's tens of thousands of them cost the collector nothing) until the
// report is built.
type duplicate struct {
	row, ofRow int32 // ofRow: the earlier row of the file it repeats, or 0
	ofContact  int64 // the campaign's contact holding the phone, or 0
}

func (d duplicate) fieldError() store.FieldError {
	e := store.FieldError{Row: int(d.row), Field: "phone"}
	if d.ofContact != 0 {
		e.Message = fmt.Sprintf("phone already in this campaign as contact %d; not imported", d.ofContact)
		e.DuplicateOf.ContactID = d.ofContact
	} else {
		e.Message = "duplicate of row " + strconv.Itoa(int(d.ofRow)) + " (same phone); not imported"
		e.DuplicateOf.Row = int(d.ofRow)
	}
	return e
}

// batchDuplicates turns the store's duplicates of a committed batch into
// rows; rows maps the batch's positions to file rows.
func batchDuplicates(rows []int, dups []store.BatchDuplicate) []duplicate {
	out := make([]duplicate, 0, len(dups))
	for _, d := range dups {
		if d.ContactID != 0 {
			out = append(out, duplicate{row: int32(rows[d.Index]), ofContact: d.ContactID})
		} else {
			out = append(out, duplicate{row: int32(rows[d.Index]), ofRow: int32(rows[d.OfIndex])})
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
	all := slices.Grow(st.errs, len(dups))
	for _, d := range dups {
		all = append(all, d.fieldError())
	}
	slices.SortStableFunc(all, func(a, b store.FieldError) int { return a.Row - b.Row })
	if len(all) > maxReportErrors {
		all = all[:maxReportErrors]
	}
	return all
}
