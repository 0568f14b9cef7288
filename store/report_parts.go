package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
)

// How a report sums a rollup over its period: the parts of the period
// (days and edge hours), each summed on its own connection at once, the
// parts' rows merged, sorted and turned into report rows.

// rollupParts picks the rollup rows of a kind ("campaign", "agent",
// "agent_state", "queue", "ivr", "ivr_answer") for [From, To): the day
// table when the period is whole days of ReportZone and no row is finer
// than a day; when it only starts or ends inside a day, the whole days in
// between from the day table and the two edges from hours (a month to now
// sums about 30 day rows per campaign instead of 720 hours); else hours.
// Each part is summed on its own (sumRollup), not as one UNION: MariaDB
// would first copy the union into a temporary table.
func (s *Store) rollupParts(ctx context.Context, kind string, q *ReportQuery) []*gorm.DB {
	from, to := q.From.UTC(), q.To.UTC()
	part := func(table string, a, b time.Time) *gorm.DB {
		return s.conn(ctx).Table(kind+table).Where("hour >= ? AND hour < ?", a, b)
	}
	if q.wholeDays() {
		return []*gorm.DB{part("_days", from, to)}
	}
	d1, d2, ok := q.dayCore()
	if !ok {
		return []*gorm.DB{part("_hours", from, to)}
	}
	parts := []*gorm.DB{part("_days", d1, d2)}
	if from.Before(d1) {
		parts = append(parts, part("_hours", from, d1))
	}
	if d2.Before(to) {
		parts = append(parts, part("_hours", d2, to))
	}
	return parts
}

// sumRow is one grouped row of a rollup part: dimension values and sums.
type sumRow struct {
	vals []any
	nums []int64
}

// rollupSums sums a kind's rollup rows over the query's period, each part
// filtered by filter (nil: none). The parts run at once, each on its own
// connection; their rows come back one part after the other, not merged.
func (s *Store) rollupSums(ctx context.Context, kind string, q *ReportQuery, filter func(*gorm.DB) *gorm.DB,
	dims []dimSQL, sums []sumCol) ([]sumRow, int, error) {
	parts := s.rollupParts(ctx, kind, q)
	results := make([][]sumRow, len(parts))
	err := parallel(len(parts), func(i int) error {
		db := parts[i]
		if filter != nil {
			db = filter(db)
		}
		return eachSum(db, dims, sums, func(vals []any, nums []int64) {
			results[i] = append(results[i], sumRow{slices.Clone(vals), slices.Clone(nums)})
		})
	})
	return slices.Concat(results...), len(parts), err
}

// sumRollup is rollupSums with the parts' rows that share dimension values
// added up, as report rows (sumQuery's maps).
func (s *Store) sumRollup(ctx context.Context, kind string, q *ReportQuery, filter func(*gorm.DB) *gorm.DB,
	dims []dimSQL, sums []sumCol) ([]map[string]any, error) {
	rows, parts, err := s.rollupSums(ctx, kind, q, filter, dims, sums)
	if err != nil {
		return nil, err
	}
	rows = mergeSumRows(rows, parts)
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		row := make(map[string]any, 2*(len(dims)+len(sums))+24) // room for derived columns, as sumQuery
		for j, d := range dims {
			row[d.key] = r.vals[j]
		}
		for j, c := range sums {
			row[c.key] = r.nums[j]
		}
		out[i] = row
	}
	return out, nil
}

// mergeSumRows adds up the rows of several parts (parts > 1) that share
// dimension values, in place.
func mergeSumRows(rows []sumRow, parts int) []sumRow {
	if parts < 2 {
		return rows
	}
	at := make(map[string]int, len(rows))
	out := rows[:0]
	for _, r := range rows {
		k := valsKey(r.vals)
		if i, ok := at[k]; ok {
			for j, n := range r.nums {
				out[i].nums[j] += n
			}
			continue
		}
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// reportRows turns merged sum rows into sorted report rows, each map made
// once with room for the derived columns, and their totals: reports of
// thousands of rows spent most of their time growing and reading maps.
func reportRows(rows []sumRow, dims []dimSQL, sums []string, derived int) ([]map[string]any, map[string]any) {
	sortSumRows(rows)
	out := make([]map[string]any, len(rows))
	total := make([]int64, len(sums))
	for i, r := range rows {
		row := make(map[string]any, len(dims)+len(sums)+derived)
		for j, d := range dims {
			row[d.key] = r.vals[j]
		}
		for j, c := range sums {
			row[c] = r.nums[j]
			total[j] += r.nums[j]
		}
		out[i] = row
	}
	tot := make(map[string]any, len(sums)+derived)
	for j, c := range sums {
		tot[c] = total[j]
	}
	return out, tot
}

// sortSumRows orders rows as sortRows orders report rows.
func sortSumRows(rows []sumRow) {
	type keyed struct {
		key string
		row sumRow
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		ks[i] = keyed{valsKey(r.vals), r}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	for i := range ks {
		rows[i] = ks[i].row
	}
}

// parallel runs fn(0) ... fn(n-1) at once and returns the first error.
// Report queries use it: a report's independent sums each take a
// connection of the pool, so on MariaDB they run on separate cores.
func parallel(n int, fn func(i int) error) error {
	if n == 1 {
		return fn(0)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
