package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits bound what reading one file may hold in memory, whatever the file
// expands to: a reader refuses with ErrLimit, naming the limit, instead of
// growing. Zero fields take DefaultLimits.
type Limits struct {
	// HeldBytes bounds the parts a reader keeps whole: an xlsx workbook's
	// shared strings, a docx document part, a .doc file's text streams.
	HeldBytes int64
	CellBytes int // one cell
	RowBytes  int // one row's cells together (and one text line)
	Columns   int // columns of a row, trailing empty cells not counted
}

// DefaultLimits fit every real contact list seen: a 1,000,000-row xlsx of
// names holds about 15 MB of shared strings; Excel's own cell limit is
// 32,767 characters (about 96 KB of Chinese).
var DefaultLimits = Limits{HeldBytes: 64 << 20, CellBytes: 128 << 10, RowBytes: 1 << 20, Columns: 200}

// ErrLimit is wrapped by every refusal for a limit of Limits.
var ErrLimit = errors.New("importer: over a reading limit")

func (o Options) limits() Limits {
	l, d := o.Limits, DefaultLimits
	if l.HeldBytes <= 0 {
		l.HeldBytes = d.HeldBytes
	}
	if l.CellBytes <= 0 {
		l.CellBytes = d.CellBytes
	}
	if l.RowBytes <= 0 {
		l.RowBytes = d.RowBytes
	}
	if l.Columns <= 0 {
		l.Columns = d.Columns
	}
	return l
}

func mb(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// checkRow enforces the column and row-size limits on a row's trimmed
// cells; trailing empty cells do not count (spreadsheets keep formatted
// blanks far to the right).
func (l Limits) checkRow(name string, line int, cells []string) error {
	width := len(cells)
	for width > 0 && cells[width-1] == "" {
		width--
	}
	if width > l.Columns {
		return fmt.Errorf("%w: %s row %d has %d columns; the limit is %d", ErrLimit, name, line, width, l.Columns)
	}
	n := 0
	for _, c := range cells[:width] {
		n += len(c)
	}
	if n > l.RowBytes {
		return fmt.Errorf("%w: %s row %d holds %d bytes; the limit is %s per row", ErrLimit, name, line, n, mb(int64(l.RowBytes)))
	}
	return nil
}

// lineLimiter fails a text file with a line longer than max bytes before
// the CSV reader would hold it whole (a million columns on one line).
type lineLimiter struct {
	r    io.Reader
	max  int
	run  int // bytes since the last newline
	name string
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	rest := p[:n]
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			l.run += len(rest)
			break
		}
		if l.run+i > l.max {
			return 0, l.tooLong()
		}
		l.run, rest = 0, rest[i+1:]
	}
	if l.run > l.max {
		return 0, l.tooLong()
	}
	return n, err
}

func (l *lineLimiter) tooLong() error {
	return fmt.Errorf("%w: %s has a line longer than %s; the limit is %s per row", ErrLimit, l.name, mb(int64(l.max)), mb(int64(l.max)))
}

// limitedPart reads a zip part (or stream) of which at most max bytes may be
// read, refusing more; archive/zip already stops at the declared size.
type limitedPart struct {
	io.ReadCloser
	left int64
	err  error
}

func (p *limitedPart) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, p.err
	}
	if int64(len(b)) > p.left+1 {
		b = b[:p.left+1]
	}
	n, err := p.ReadCloser.Read(b)
	p.left -= int64(n)
	if p.left < 0 {
		return 0, p.err
	}
	return n, err
}
