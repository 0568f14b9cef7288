package store

import "gorm.io/gorm"

// Page selects one page of a list; the zero value means the first 50 rows.
type Page struct {
	Number int // 1-based
	Size   int
}

// MaxPageSize bounds one page so a client cannot pull a whole table at once.
const MaxPageSize = 500

func (p Page) apply(q *gorm.DB) *gorm.DB {
	size := p.Size
	if size <= 0 {
		size = 50
	}
	if size > MaxPageSize {
		size = MaxPageSize
	}
	n := p.Number
	if n < 1 {
		n = 1
	}
	return q.Limit(size).Offset((n - 1) * size)
}
