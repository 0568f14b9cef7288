package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bankcc/callcenter/dialplan"
)

// DefaultMaxBytes is the upload limit used when Options.MaxBytes is 0.
const DefaultMaxBytes = 256 << 20

// Row is one data row: its 1-based row number in the file (the header is
// row 1 unless blank or title rows precede it) and its trimmed cells.
type Row struct {
	Line  int
	Cells []string
}

// Source streams the rows of one contact file. Next returns io.EOF after the
// last row. Blank rows are skipped but keep their numbers, so Line always
// matches what the user sees in Excel or a text editor.
type Source interface {
	Header() []string
	Next() (Row, error)
	Close() error
}

// Options tune how a file is read; the zero value suits most files.
type Options struct {
	Encoding  string // "", "utf-8", "gbk", "gb18030"; "" detects (a BOM always wins)
	Sheet     string // xlsx sheet name; "" is the first sheet
	Delimiter rune   // csv/txt; 0 detects among , \t ; |
	MaxBytes  int64  // 0 means DefaultMaxBytes
	// Limits bound what reading the file holds in memory.
	Limits Limits
	// Name is what errors call the file: the name the user uploaded it as.
	// "" uses the file's own name (a watched folder's file). An upload is
	// saved under a temporary name that must never reach the user.
	Name string
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// Format is a contact file kind, decided by content first and name second.
type Format string

// Formats Open understands.
const (
	FormatText Format = "text"
	FormatXLSX Format = "xlsx"
	FormatDOCX Format = "docx"
	FormatDOC  Format = "doc"
)

// rowReader is what each format provides: raw rows in file order, blank ones
// included, numbered from 1.
type rowReader interface {
	next() (line int, cells []string, err error)
	close() error
}

// OpenFile opens the contact file at path; see Open.
func OpenFile(path string, opts Options) (Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("importer: open the file: %w", errors.Unwrap(err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("importer: read the file: %w", errors.Unwrap(err))
	}
	name := opts.Name
	if name == "" {
		name = filepath.Base(path)
	}
	src, err := Open(f, st.Size(), name, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &closingSource{Source: src, c: f}, nil
}

type closingSource struct {
	Source
	c io.Closer
}

func (s *closingSource) Close() error {
	err := s.Source.Close()
	if cerr := s.c.Close(); err == nil {
		err = cerr
	}
	return err
}

// Open reads a contact file of size bytes from r. The format is chosen by
// magic bytes (zip, OLE compound file, text), the file name only breaks ties
// and names the file in errors. r must stay open until the Source is closed.
func Open(r io.ReaderAt, size int64, name string, opts Options) (Source, error) {
	rr, err := openRows(r, size, name, opts)
	if err != nil {
		return nil, err
	}
	return newSource(rr, name, opts.limits())
}

func openRows(r io.ReaderAt, size int64, name string, opts Options) (rowReader, error) {
	format, err := Sniff(r, size, name, opts)
	if err != nil {
		return nil, err
	}
	switch format {
	case FormatXLSX:
		return openXLSX(r, size, name, opts)
	case FormatDOCX:
		return openDOCX(r, size, name, opts.limits())
	case FormatDOC:
		return openDOC(r, size, name, opts.limits())
	}
	return openText(r, size, name, opts)
}

var (
	magicZip = []byte("PK\x03\x04")
	magicOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Sniff decides a file's format from its first bytes and, for archives, the
// parts inside; it also enforces the empty and size limits.
func Sniff(r io.ReaderAt, size int64, name string, opts Options) (Format, error) {
	if size == 0 {
		return "", fmt.Errorf("%w: %s has 0 bytes", ErrEmptyFile, name)
	}
	if size > opts.maxBytes() {
		return "", fmt.Errorf("%w: %s has %d bytes, the limit is %d", ErrTooLarge, name, size, opts.maxBytes())
	}
	head := make([]byte, 8)
	n, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("importer: read %s: %w", name, err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, magicZip):
		return sniffZip(r, size, name)
	case bytes.HasPrefix(head, magicOLE):
		return sniffOLE(r, name)
	}
	// Old core systems save tab-separated text as ".xls", so that name may
	// hold text; the others promise an archive or an OLE file.
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".xlsx" || ext == ".docx" || ext == ".doc" {
		return "", fmt.Errorf("%w: %s is named %s but its content is not that format", ErrUnknownFormat, name, ext)
	}
	return FormatText, nil
}

// newSource finds the header (skipping blank rows and a one-cell title row
// such as "2026年11月客户名单" above it) and wraps rr as a Source.
func newSource(rr rowReader, name string, lim Limits) (Source, error) {
	s := &source{rr: rr, name: name, lim: lim}
	first, err := s.nextNonBlank()
	if err == io.EOF {
		rr.close()
		return nil, fmt.Errorf("%w: %s has no rows", ErrNoHeader, name)
	}
	if err != nil {
		rr.close()
		return nil, err
	}
	s.header = first.Cells
	if nonEmpty(first.Cells) == 1 {
		second, err := s.nextNonBlank()
		switch {
		case err == nil && nonEmpty(second.Cells) > 1:
			s.header = second.Cells // first was a title
		case err == nil:
			s.pending = &second
		case err != io.EOF:
			rr.close()
			return nil, err
		}
	}
	if cell, ok := looksLikeData(s.header); ok {
		rr.close()
		return nil, fmt.Errorf("%w: %s: the first row holds data (%q), not column names; add a header row such as 姓名,手机号码", ErrNoHeader, name, cell)
	}
	return s, nil
}

// looksLikeData catches files without a header row: a column name is never
// a valid phone or ID number.
func looksLikeData(header []string) (string, bool) {
	for _, h := range header {
		if len(h) < 7 || h[0] < '0' || h[0] > '9' && h[0] != '+' {
			continue
		}
		if _, _, err := dialplan.NormalizePhone(h); err == nil {
			return h, true
		}
		if ValidateIDNumber(h) == nil {
			return h, true
		}
	}
	return "", false
}

type source struct {
	rr      rowReader
	name    string
	lim     Limits
	header  []string
	pending *Row
}

func (s *source) Header() []string { return s.header }
func (s *source) Close() error     { return s.rr.close() }

func (s *source) Next() (Row, error) {
	if s.pending != nil {
		row := *s.pending
		s.pending = nil
		return row, nil
	}
	return s.nextNonBlank()
}

func (s *source) nextNonBlank() (Row, error) {
	for {
		line, cells, err := s.rr.next()
		if err != nil {
			return Row{}, err
		}
		blank := true
		for i, c := range cells {
			cells[i] = strings.TrimSpace(c)
			blank = blank && cells[i] == ""
		}
		if blank {
			continue
		}
		if err := s.lim.checkRow(s.name, line, cells); err != nil {
			return Row{}, err
		}
		return Row{Line: line, Cells: cells}, nil
	}
}

func nonEmpty(cells []string) int {
	n := 0
	for _, c := range cells {
		if c != "" {
			n++
		}
	}
	return n
}
