package importer

import (
	"archive/zip"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// sharedStrings is the workbook's string table, packed into 1 MB blocks
// (a string never spans two): string i is refs[i], its block position in
// the high 32 bits and its length in the low. Blocks never move once
// allocated, so the table grows without copying and without leaving the
// garbage a doubling slice would (which the heap would carry until the next
// collection).
type sharedStrings struct {
	blocks [][]byte
	refs   []uint64
	bytes  int64 // capacity of the blocks
}

// sstBlock is the size of one block; sstBlockBits its offset bits.
const (
	sstBlockBits = 20
	sstBlock     = 1 << sstBlockBits
)

func (s *sharedStrings) len() int { return len(s.refs) }

// held is the memory the table holds.
func (s *sharedStrings) held() int64 { return s.bytes + 8*int64(cap(s.refs)) }

func (s *sharedStrings) add(v string) {
	last := len(s.blocks) - 1
	if last < 0 || len(s.blocks[last])+len(v) > cap(s.blocks[last]) {
		s.blocks = append(s.blocks, make([]byte, 0, max(sstBlock, len(v))))
		s.bytes += int64(cap(s.blocks[len(s.blocks)-1]))
		last++
	}
	b := s.blocks[last]
	pos := uint64(last)<<sstBlockBits | uint64(len(b))
	s.blocks[last] = append(b, v...)
	s.refs = append(s.refs, pos<<32|uint64(len(v)))
}

func (s *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(s.refs) {
		return "", false
	}
	ref := s.refs[i]
	pos, n := uint32(ref>>32), uint32(ref)
	off := pos & (sstBlock - 1)
	return string(s.blocks[pos>>sstBlockBits][off : off+n]), true
}

// readSharedStrings loads xl/sharedStrings.xml: each si is the text of its
// t elements (rich-text runs joined), without phonetic guides (rPh). It
// refuses a string over lim.CellBytes and a table over lim.HeldBytes
// (strings and their offsets) as soon as it gets there.
func readSharedStrings(zr *zip.Reader, name string, lim Limits) (*sharedStrings, error) {
	sst := &sharedStrings{}
	part := zipPartFold(zr, "xl/sharedStrings.xml")
	if part == nil {
		return sst, nil
	}
	rc, err := part.Open()
	if err != nil {
		return nil, fmt.Errorf("importer: %s: shared strings: %w", name, err)
	}
	defer rc.Close()
	sc := newXMLScanner(rc, lim.CellBytes)
	var inT, inRPh bool
	var raw []byte
	for {
		text, tag, err := sc.next(inT)
		if err == io.EOF {
			return sst, nil
		}
		if err != nil && err != errTooLong {
			return nil, fmt.Errorf("%w: %s: shared strings: %v", ErrUnknownFormat, name, err)
		}
		if err == errTooLong || len(raw)+len(text) > lim.CellBytes {
			return nil, fmt.Errorf("%w: %s: shared string %d is longer than %s, the limit for one cell", ErrLimit, name, sst.len()+1, mb(int64(lim.CellBytes)))
		}
		raw = append(raw, text...)
		switch {
		case tag.is("t"):
			inT = !tag.end && !tag.empty && !inRPh
		case tag.is("rPh"):
			inRPh = !tag.end && !tag.empty
		case tag.is("si") && (tag.end || tag.empty):
			sst.add(xmlText(raw))
			raw = raw[:0]
			if sst.held() > lim.HeldBytes {
				return nil, fmt.Errorf("%w: %s: the shared strings (the workbook's text cells) hold more than %s, the limit; split the file or save the big text columns elsewhere",
					ErrLimit, name, mb(lim.HeldBytes))
			}
		}
	}
}

// xlsxRows streams the rows of one sheet part.
type xlsxRows struct {
	rc       io.ReadCloser
	sc       *xmlScanner
	sst      *sharedStrings
	styles   []xlsxCellKind
	date1904 bool
	name     string
	lim      Limits
	line     int
	done     bool
}

// seekSheetData skips to the first row inside sheetData.
func (x *xlsxRows) seekSheetData() error {
	for {
		_, tag, err := x.sc.next(false)
		if err != nil {
			return fmt.Errorf("%w: %s: sheet has no data: %v", ErrUnknownFormat, x.name, err)
		}
		if tag.is("sheetData") {
			x.done = tag.empty
			return nil
		}
	}
}

// xlsxMaxColumns is Excel's column count (A to XFD).
const xlsxMaxColumns = 16384

// xlsxCell gathers one c element while it is read.
type xlsxCell struct {
	col   int
	typ   byte // first letter of the t attribute: s(hared), i(nlineStr), (s)t(r), e, b, d, or 0 for numbers
	style int
	raw   []byte
}

// next returns the next row element with its r number (or the previous plus
// one when r is absent); cells are placed by their r column.
func (x *xlsxRows) next() (int, []string, error) {
	if x.done {
		return 0, nil, io.EOF
	}
	var (
		cells    []string
		cell     xlsxCell
		inValue  bool // inside v, or t of an inline string
		inRPh    bool
		inRow    bool
		rowBytes int
	)
	for {
		text, tag, err := x.sc.next(inValue)
		if err != nil && err != errTooLong {
			return 0, nil, fmt.Errorf("%w: %s row %d: %v", ErrUnknownFormat, x.name, x.line+1, err)
		}
		if err == errTooLong || len(text) > 0 {
			if err == errTooLong || len(cell.raw)+len(text) > x.lim.CellBytes {
				return 0, nil, fmt.Errorf("%w: %s row %d: a cell is longer than %s", ErrLimit, x.name, x.line, mb(int64(x.lim.CellBytes)))
			}
			cell.raw = append(cell.raw, text...)
		}
		switch {
		case tag.is("row"):
			if !tag.end {
				x.line = rowNumber(tag.attr("r"), x.line)
				inRow = true
			}
			if tag.end || tag.empty {
				return x.line, cells, nil
			}
		case tag.is("c") && !tag.end:
			cell = xlsxCell{col: cellColumn(tag.attr("r"), len(cells)), typ: cellType(tag.attr("t")), style: atoiBytes(tag.attr("s")), raw: cell.raw[:0]}
			if cell.col >= xlsxMaxColumns {
				return 0, nil, fmt.Errorf("%w: %s row %d has more than %d cells, more than Excel allows", ErrLimit, x.name, x.line, xlsxMaxColumns)
			}
			if tag.empty {
				cells = placeCell(cells, cell.col, "")
			}
		case tag.is("c"):
			v, err := x.cellValue(cell)
			if err != nil {
				return 0, nil, fmt.Errorf("%w: %s row %d: %v", ErrUnknownFormat, x.name, x.line, err)
			}
			if rowBytes += len(v); rowBytes > x.lim.RowBytes {
				return 0, nil, fmt.Errorf("%w: %s row %d holds more than %s; the limit is %s per row", ErrLimit, x.name, x.line, mb(int64(x.lim.RowBytes)), mb(int64(x.lim.RowBytes)))
			}
			cells = placeCell(cells, cell.col, v)
		case tag.is("v"):
			inValue = !tag.end && !tag.empty
		case tag.is("t"):
			inValue = !tag.end && !tag.empty && !inRPh && cell.typ == 'i'
		case tag.is("rPh"):
			inRPh = !tag.end && !tag.empty
		case tag.is("sheetData") && tag.end:
			x.done = true
			if inRow {
				return 0, nil, fmt.Errorf("%w: %s: row %d not closed", ErrUnknownFormat, x.name, x.line)
			}
			return 0, nil, io.EOF
		}
	}
}

// cellType reduces the t attribute to one byte ("str" becomes 't', the
// others keep their first letter; "n" and absent mean a number).
func cellType(t []byte) byte {
	switch {
	case len(t) == 0 || t[0] == 'n':
		return 0
	case string(t) == "str":
		return 't'
	}
	return t[0]
}

func placeCell(cells []string, col int, v string) []string {
	for len(cells) < col {
		cells = append(cells, "")
	}
	if col < len(cells) {
		cells[col] = v
		return cells
	}
	return append(cells, v)
}

// rowNumber reads a row's r attribute, defaulting to the previous plus one.
func rowNumber(r []byte, prev int) int {
	if n := atoiBytes(r); n > 0 {
		return n
	}
	return prev + 1
}

// cellColumn turns "AB12" into the 0-based column 27; without a reference
// the cell follows the previous one.
func cellColumn(ref []byte, next int) int {
	col := 0
	for _, c := range ref {
		if c < 'A' || c > 'Z' {
			break
		}
		col = col*26 + int(c-'A'+1)
	}
	if col == 0 || col > 16384 {
		return next
	}
	return col - 1
}

func atoiBytes(b []byte) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' || n > 1e8 {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// cellValue turns a cell's stored value into text by its type and style.
func (x *xlsxRows) cellValue(c xlsxCell) (string, error) {
	switch c.typ {
	case 's':
		i, err := strconv.Atoi(string(c.raw))
		s, ok := x.sst.get(i)
		if err != nil || !ok {
			return "", fmt.Errorf("shared string %q out of range", c.raw)
		}
		return s, nil
	case 'i', 't', 'e':
		return xmlText(c.raw), nil
	case 'b':
		if string(c.raw) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	case 'd':
		return strings.TrimSuffix(xmlText(c.raw), "T00:00:00"), nil
	}
	raw := strings.TrimSpace(string(c.raw))
	if raw == "" {
		return "", nil
	}
	kind := kindNumber
	if c.style >= 0 && c.style < len(x.styles) {
		kind = x.styles[c.style]
	}
	if kind != kindNumber {
		if v, err := strconv.ParseFloat(raw, 64); err == nil {
			return excelDate(v, kind, x.date1904), nil
		}
	}
	return plainNumber(raw), nil
}

// plainNumber writes a stored number without float noise or exponent:
// "13800138000", "0.1" for 0.10000000000000001. Beyond 15 significant
// digits Excel has already rounded, so the exponent form is kept and an ID
// number stored as a number fails validation instead of passing with wrong
// digits.
func plainNumber(raw string) string {
	if len(raw) <= 15 && !strings.ContainsAny(raw, "eE") {
		return raw
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	if math.Abs(v) >= 1e15 {
		return strconv.FormatFloat(v, 'E', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// excelDate converts a date serial (days since 1899-12-30, or since
// 1904-01-01 in 1904-mode workbooks) to ISO text, rounded to the second.
func excelDate(v float64, kind xlsxCellKind, date1904 bool) string {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	t := base.Add(time.Duration(math.Round(v*86400)) * time.Second)
	switch kind {
	case kindDate:
		return t.Format(time.DateOnly)
	case kindTime:
		return t.Format(time.TimeOnly)
	}
	return t.Format(time.DateTime)
}

func (x *xlsxRows) close() error { return x.rc.Close() }
