package importer

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// openDOCX reads the largest table of word/document.xml: a first pass counts
// the rows of each top-level table, a second streams the chosen one, so a
// long document is never held in memory. Titles, notes and signature tables
// around the contact table are ignored. The document part is refused over
// lim.HeldBytes (encoding/xml holds a whole text run), a cell over
// lim.CellBytes.
func openDOCX(r io.ReaderAt, size int64, name string, lim Limits) (rowReader, error) {
	zr, err := openZip(r, size, name)
	if err != nil {
		return nil, err
	}
	part := zipPart(zr, "word/document.xml")
	if part == nil {
		return nil, fmt.Errorf("%w: %s has no word/document.xml", ErrUnknownFormat, name)
	}
	if part.UncompressedSize64 > uint64(lim.HeldBytes) {
		return nil, fmt.Errorf("%w: %s: the document text (word/document.xml) is %d MB, the limit is %s", ErrLimit, name, part.UncompressedSize64>>20, mb(lim.HeldBytes))
	}
	table, err := docxLargestTable(part, name)
	if err != nil {
		return nil, err
	}
	rc, err := part.Open()
	if err != nil {
		return nil, fmt.Errorf("importer: %s: %w", name, err)
	}
	d := &docxRows{rc: rc, dec: xml.NewDecoder(rc), name: name, maxCell: lim.CellBytes}
	if err := d.seekTable(table); err != nil {
		rc.Close()
		return nil, err
	}
	return d, nil
}

func zipPart(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// docxLargestTable returns the index of the top-level table with most rows.
func docxLargestTable(part *zip.File, name string) (int, error) {
	rc, err := part.Open()
	if err != nil {
		return 0, fmt.Errorf("importer: %s: %w", name, err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var counts []int
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("%w: %s: document.xml: %v", ErrUnknownFormat, name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "tbl":
				depth++
				if depth == 1 {
					counts = append(counts, 0)
				}
			case t.Name.Local == "tr" && depth == 1:
				counts[len(counts)-1]++
			}
		case xml.EndElement:
			if t.Name.Local == "tbl" {
				depth--
			}
		}
	}
	best := -1
	for i, c := range counts {
		if best < 0 || c > counts[best] {
			best = i
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("%w: %s", ErrNoTable, name)
	}
	return best, nil
}

type docxRows struct {
	rc      io.ReadCloser
	dec     *xml.Decoder
	name    string
	maxCell int
	line    int
	done    bool
}

// seekTable advances the decoder to just inside top-level table n.
func (d *docxRows) seekTable(n int) error {
	depth, seen := 0, -1
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %s: document.xml: %v", ErrUnknownFormat, d.name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "tbl" {
				depth++
				if depth == 1 {
					seen++
					if seen == n {
						return nil
					}
				}
			}
		case xml.EndElement:
			if t.Name.Local == "tbl" {
				depth--
			}
		}
	}
}

// next returns the next w:tr of the table as cells; paragraphs and line
// breaks inside a cell become "\n", horizontally merged cells (gridSpan)
// are padded with empty cells so columns stay aligned.
func (d *docxRows) next() (int, []string, error) {
	if d.done {
		return 0, nil, io.EOF
	}
	r := docxRow{depth: 1}
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return 0, nil, fmt.Errorf("%w: %s: document.xml: %v", ErrUnknownFormat, d.name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			r.start(t)
		case xml.CharData:
			if r.inRow && r.inText {
				if r.cell.Len()+len(t) > d.maxCell {
					return 0, nil, fmt.Errorf("%w: %s row %d: a cell is longer than %s", ErrLimit, d.name, d.line+1, mb(int64(d.maxCell)))
				}
				r.cell.Write(t)
			}
		case xml.EndElement:
			switch r.end(t.Name.Local) {
			case docxTableDone:
				d.done = true
				return 0, nil, io.EOF
			case docxRowDone:
				d.line++
				return d.line, r.cells, nil
			}
		}
	}
}

// docxRow is the state of one w:tr being read. Nested tables (depth > 1)
// only add their text to the enclosing cell.
type docxRow struct {
	cells  []string
	cell   strings.Builder
	depth  int
	inRow  bool
	inText bool // only w:t holds visible text; w:instrText is a field code
	span   int
}

const (
	docxMore = iota
	docxRowDone
	docxTableDone
)

func (r *docxRow) start(t xml.StartElement) {
	switch t.Name.Local {
	case "tbl":
		r.depth++
	case "tr":
		r.inRow = r.inRow || r.depth == 1
	case "tc":
		if r.depth == 1 {
			r.cell.Reset()
			r.span = 1
		}
	case "gridSpan":
		if r.depth == 1 {
			r.span = docxSpan(t)
		}
	case "t":
		r.inText = true
	case "tab":
		r.cell.WriteByte(' ')
	case "br", "cr":
		r.cell.WriteByte('\n')
	}
}

func (r *docxRow) end(name string) int {
	switch {
	case name == "t":
		r.inText = false
	case name == "tbl":
		r.depth--
		if r.depth == 0 {
			return docxTableDone
		}
	case name == "p" && r.inRow:
		r.cell.WriteByte('\n')
	case name == "tc" && r.depth == 1:
		r.cells = append(r.cells, strings.TrimRight(r.cell.String(), "\n"))
		for ; r.span > 1; r.span-- {
			r.cells = append(r.cells, "")
		}
	case name == "tr" && r.depth == 1:
		return docxRowDone
	}
	return docxMore
}

// docxSpan reads w:gridSpan's w:val, defaulting to 1.
func docxSpan(t xml.StartElement) int {
	for _, a := range t.Attr {
		if a.Name.Local == "val" {
			if n, err := strconv.Atoi(a.Value); err == nil && n > 0 && n < 64 {
				return n
			}
		}
	}
	return 1
}

func (d *docxRows) close() error { return d.rc.Close() }
