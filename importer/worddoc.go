package importer

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/charmap"
)

// Word 97-2003 (.doc) is an OLE compound file. Its text lives in the
// WordDocument stream as pieces listed by the piece table (the CLX in the
// 0Table or 1Table stream); each piece is either 8-bit cp1252 ("compressed")
// or UTF-16LE. Table cells end with 0x07 and each table row with one more
// 0x07 (the row-end paragraph). Only the main document text is read;
// headers, footnotes and text boxes are not.

// sniffOLE tells a Word document from the other OLE files users upload.
func sniffOLE(r io.ReaderAt, name string) (Format, error) {
	doc, err := mscfb.New(r)
	if err != nil {
		return "", fmt.Errorf("%w: %s is a damaged OLE file: %v", ErrUnknownFormat, name, err)
	}
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		switch entry.Name {
		case "WordDocument":
			return FormatDOC, nil
		case "Workbook", "Book":
			return "", fmt.Errorf("%w: %s is a legacy Excel .xls workbook; save it as .xlsx", ErrUnknownFormat, name)
		case "EncryptedPackage":
			return "", fmt.Errorf("%w: %s is password-protected; remove the password and upload again", ErrUnknownFormat, name)
		}
	}
	return "", fmt.Errorf("%w: %s is an OLE file but not a Word document", ErrUnknownFormat, name)
}

// openDOC extracts the main text and splits its largest table into rows.
// The whole text is decoded in memory: a Word document's text is bounded by
// its file size and tables there are hundreds, not millions, of rows.
func openDOC(r io.ReaderAt, size int64, name string, lim Limits) (rowReader, error) {
	streams, err := docStreams(r, size, name, lim)
	if err != nil {
		return nil, err
	}
	return docRows(streams, name, lim)
}

// docRows reads the tables of a document's streams (WordDocument, 0Table or
// 1Table); apart from openDOC, the fuzz test feeds it streams directly.
func docRows(streams map[string][]byte, name string, lim Limits) (rowReader, error) {
	text, rowEnd, err := docText(streams, name, lim)
	if err != nil {
		return nil, err
	}
	tables := docTables(text, rowEnd)
	best := -1
	for i, t := range tables {
		if best < 0 || len(t) > len(tables[best]) {
			best = i
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoTable, name)
	}
	return &memRows{rows: tables[best]}, nil
}

// docStreams reads the WordDocument and table streams.
// The streams read are bounded together by lim.HeldBytes.
func docStreams(r io.ReaderAt, size int64, name string, lim Limits) (map[string][]byte, error) {
	doc, err := mscfb.New(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnknownFormat, name, err)
	}
	streams := map[string][]byte{}
	var held int64
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		switch entry.Name {
		case "WordDocument", "0Table", "1Table", "Data":
			if held += entry.Size; held > lim.HeldBytes {
				return nil, fmt.Errorf("%w: %s: the document's text and tables are over %s, the limit", ErrLimit, name, mb(lim.HeldBytes))
			}
			b, err := io.ReadAll(io.LimitReader(entry, min(size, entry.Size)))
			if err != nil {
				return nil, fmt.Errorf("importer: %s: read %s stream: %w", name, entry.Name, err)
			}
			streams[entry.Name] = b
		}
	}
	return streams, nil
}

// docFib holds the few File Information Block fields the text needs.
type docFib struct {
	table           string // "0Table" or "1Table"
	ccpText         uint32 // characters of main document text
	fcClx, lcbClx   uint32 // piece table location in the table stream
	fcPapx, lcbPapx uint32 // paragraph property bin table (PlcBtePapx)
}

func parseFib(wd []byte, name string) (docFib, error) {
	bad := fmt.Errorf("%w: %s: not a Word 97-2003 document", ErrUnknownFormat, name)
	if len(wd) < 0x22 || le16(wd, 0) != 0xA5EC {
		return docFib{}, bad
	}
	flags := le16(wd, 0x0A)
	if flags&0x0100 != 0 {
		return docFib{}, fmt.Errorf("%w: %s is password-protected; remove the password and upload again", ErrUnknownFormat, name)
	}
	fib := docFib{table: "0Table"}
	if flags&0x0200 != 0 {
		fib.table = "1Table"
	}
	off := 0x20 + 2 + int(le16(wd, 0x20))*2 // skip FibRgW
	if off+2 > len(wd) {
		return docFib{}, bad
	}
	rgLw := off + 2
	off = rgLw + int(le16(wd, off))*4 // skip FibRgLw
	fc := off + 2                     // FibRgFcLcb
	if rgLw+16 > len(wd) || fc+34*8 > len(wd) {
		return docFib{}, bad
	}
	fib.ccpText = le32(wd, rgLw+12)
	fib.fcClx, fib.lcbClx = le32(wd, fc+33*8), le32(wd, fc+33*8+4)
	fib.fcPapx, fib.lcbPapx = le32(wd, fc+13*8), le32(wd, fc+13*8+4)
	return fib, nil
}

// docText returns the main document text, assembled piece by piece, and a
// function telling whether the 0x07 at a text position ends a table row
// (known is false when the document's paragraph properties are unreadable).
func docText(streams map[string][]byte, name string, lim Limits) ([]rune, func(i int) (rowEnd, known bool), error) {
	wd := streams["WordDocument"]
	fib, err := parseFib(wd, name)
	if err != nil {
		return nil, nil, err
	}
	// Each character costs 8 bytes (the rune and its file offset), and
	// ccpText is read from the file: bound it before allocating by it.
	if int64(fib.ccpText)*8 > lim.HeldBytes {
		return nil, nil, fmt.Errorf("%w: %s: the document has %d characters of text, the limit is %d", ErrLimit, name, fib.ccpText, lim.HeldBytes/8)
	}
	table := streams[fib.table]
	if uint64(fib.fcClx)+uint64(fib.lcbClx) > uint64(len(table)) {
		return nil, nil, fmt.Errorf("%w: %s: piece table outside the %s stream", ErrUnknownFormat, name, fib.table)
	}
	plc, err := docPlcPcd(table[fib.fcClx:fib.fcClx+fib.lcbClx], name)
	if err != nil {
		return nil, nil, err
	}
	text, fcs, err := docPieces(wd, plc, fib.ccpText, name)
	if err != nil {
		return nil, nil, err
	}
	runs := readDocParaRuns(wd, table, streams["Data"], fib)
	if !runs.anyRowEnd() {
		// A writer that never sets sprmPFTtp: fall back to guessing.
		return text, func(int) (bool, bool) { return false, false }, nil
	}
	return text, func(i int) (bool, bool) { return runs.rowEnd(fcs[i]) }, nil
}

// docPlcPcd finds the piece descriptor list (Pcdt) in the CLX, skipping the
// property runs (Prc) before it.
func docPlcPcd(clx []byte, name string) ([]byte, error) {
	for i := 0; i < len(clx); {
		switch clx[i] {
		case 0x01:
			if i+3 > len(clx) {
				break
			}
			cb := int(int16(le16(clx, i+1)))
			if cb < 0 {
				break // a Prc is never negative in size; it would loop or step back
			}
			i += 3 + cb
			continue
		case 0x02:
			if i+5 > len(clx) {
				break
			}
			lcb := int(le32(clx, i+1))
			if i+5+lcb > len(clx) || lcb < 4 {
				break
			}
			return clx[i+5 : i+5+lcb], nil
		}
		break
	}
	return nil, fmt.Errorf("%w: %s: damaged piece table", ErrUnknownFormat, name)
}

// docPieces decodes every piece that falls in the main text [0, ccpText).
// Alongside each character it returns the file offset (FC) it came from,
// which is how paragraph properties are found.
func docPieces(wd, plc []byte, ccpText uint32, name string) ([]rune, []uint32, error) {
	n := (len(plc) - 4) / 12
	// ccpText comes from the file: every character takes at least a byte of
	// the stream, so the stream's size bounds what to reserve.
	text := make([]rune, 0, min(int(ccpText), len(wd)))
	fcs := make([]uint32, 0, min(int(ccpText), len(wd)))
	cp1252 := charmap.Windows1252.NewDecoder()
	outside := fmt.Errorf("%w: %s: text piece outside the document", ErrUnknownFormat, name)
	for k := 0; k < n; k++ {
		start, end := le32(plc, 4*k), le32(plc, 4*(k+1))
		if start >= ccpText {
			break
		}
		end = min(end, ccpText)
		fc := le32(plc, 4*(n+1)+8*k+2)
		count := int(end - start)
		if fc&0x40000000 != 0 {
			off := int((fc &^ 0x40000000) / 2)
			if off+count > len(wd) {
				return nil, nil, outside
			}
			for j := 0; j < count; j++ {
				s, _ := cp1252.String(string(wd[off+j : off+j+1]))
				text = append(text, []rune(s)...)
				fcs = append(fcs, uint32(off+j))
			}
			continue
		}
		off := int(fc)
		if off+2*count > len(wd) {
			return nil, nil, outside
		}
		for j := 0; j < count; j++ {
			r := rune(le16(wd, off+2*j))
			if utf16.IsSurrogate(r) && j+1 < count {
				r = utf16.DecodeRune(r, rune(le16(wd, off+2*j+2)))
				text, fcs = append(text, r), append(fcs, uint32(off+2*j))
				j++
				continue
			}
			text, fcs = append(text, r), append(fcs, uint32(off+2*j))
		}
	}
	return text, fcs, nil
}

// docTables splits the text into tables of rows. A cell ends at 0x07 and a
// row at one more 0x07, the row-end mark, which the paragraph properties
// identify (rowEnd). When they are unreadable the mark is guessed: an empty
// 0x07 once the row has as many cells as the table's first row (the header
// fixes the column count). Paragraphs between rows start a new table.
func docTables(text []rune, rowEnd func(i int) (bool, bool)) [][][]string {
	var (
		p      docTableParser
		para   strings.Builder
		fields []rune // field nesting: 'i' instruction, 'r' result
	)
	for i, r := range text {
		switch {
		case r == 0x13:
			fields = append(fields, 'i')
		case r == 0x14 && len(fields) > 0:
			fields[len(fields)-1] = 'r'
		case r == 0x15 && len(fields) > 0:
			fields = fields[:len(fields)-1]
		case len(fields) > 0 && fields[len(fields)-1] == 'i':
			// field instruction (e.g. HYPERLINK "..."): not visible text
		case r == '\r':
			p.paragraph(para.String())
			para.Reset()
		case r == 0x07:
			end, known := rowEnd(i)
			p.mark(para.String(), end, known)
			para.Reset()
		default:
			docWriteChar(&para, r)
		}
	}
	p.endTable()
	return p.tables
}

func docWriteChar(b *strings.Builder, r rune) {
	switch {
	case r == 0x0B || r == 0x0C:
		b.WriteByte('\n')
	case r == '\t':
		b.WriteByte(' ')
	case r == 0x1E:
		b.WriteByte('-')
	case r < 0x20:
		// pictures, footnote marks, optional hyphens: nothing to read
	default:
		b.WriteRune(r)
	}
}

type docTableParser struct {
	tables   [][][]string
	rows     [][]string
	cells    []string
	paras    []string // paragraphs of the current cell so far
	cols     int      // cells in the table's first row
	rowStart bool     // nothing of the current row seen yet
	inTable  bool
}

func (p *docTableParser) paragraph(s string) { p.paras = append(p.paras, s) }

// mark handles one 0x07: the end of a cell, or of a row when rowEnd is
// known to be true or, unknown, guessed from the column count.
func (p *docTableParser) mark(last string, rowEnd, known bool) {
	if !p.inTable || p.rowStart && len(p.paras) > 0 {
		// Paragraphs before this cell are body text, not part of it.
		p.endTable()
		p.inTable, p.rowStart, p.paras = true, true, nil
	}
	cell := strings.Join(append(p.paras, last), "\n")
	p.paras = p.paras[:0]
	p.rowStart = false
	if !known {
		rowEnd = cell == "" && len(p.cells) > 0 && (p.cols == 0 || len(p.cells) >= p.cols)
	}
	if rowEnd {
		if p.cols == 0 {
			p.cols = len(p.cells)
		}
		p.rows = append(p.rows, p.cells)
		p.cells, p.rowStart = nil, true
		return
	}
	p.cells = append(p.cells, cell)
}

func (p *docTableParser) endTable() {
	if len(p.rows) > 0 {
		p.tables = append(p.tables, p.rows)
	}
	p.rows, p.cells, p.cols, p.inTable = nil, nil, 0, false
}

// memRows serves rows already in memory, numbered from 1.
type memRows struct {
	rows [][]string
	i    int
}

func (m *memRows) next() (int, []string, error) {
	if m.i >= len(m.rows) {
		return 0, nil, io.EOF
	}
	m.i++
	return m.i, m.rows[m.i-1], nil
}

func (m *memRows) close() error { return nil }

func le16(b []byte, off int) uint16 { return binary.LittleEndian.Uint16(b[off:]) }
func le32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
