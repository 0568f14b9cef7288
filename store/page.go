package store

import "gorm.io/gorm"

// Page selects one page of a list; the zero value means the first 50 rows.
type Page struct {
	Number int // 1-based
	Size   int
}

// MaxPageSize bounds one page so a client cannot pull a whole table at once.
const MaxPageSize = 500

// maxPageNumber keeps (Number-1)*Size far from overflowing.
const maxPageNumber = 1_000_000

func (p Page) apply(q *gorm.DB) *gorm.DB {
	size := p.Size
	if size <= 0 {
		size = 50
	}
	if size > MaxPageSize {
		size = MaxPageSize
	}
	n := p.Number
	if n < 1 || n > maxPageNumber {
		n = 1 // the API refuses such pages; never compute an overflowing offset
	}
	return q.Limit(size).Offset((n - 1) * size)
}
