package importer

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// The xlsx reader streams the chosen sheet's XML with xmlScanner. Small parts
// (workbook, relationships, styles) go through encoding/xml; the shared
// string table is held in memory as one byte slice plus offsets (every
// distinct text cell of the workbook, as Excel stores them), up to
// Limits.HeldBytes: a table that would hold more is refused while it is
// read, so a small file whose strings expand to gigabytes costs at most
// that much memory. Cells come out
// as text: shared and inline strings as written, numbers in plain decimal
// (13800138000, never 1.38E+10 or 13800138000.0; numbers beyond 15 digits
// keep the exponent so a lost ID number is noticed), dates and times in ISO
// form (2026-12-01, 2026-12-01 09:30:00, 09:30:00) whatever their display
// format, booleans as TRUE/FALSE. Currency, percent and thousands formats are
// not applied: the stored value is what an import wants.

// xlsxBook is what the workbook part says about its sheets.
type xlsxBook struct {
	sheets   []xlsxSheet
	date1904 bool
}

type xlsxSheet struct {
	name, part string
	hidden     bool
}

// openXLSX opens one sheet: opts.Sheet, else the first visible one. The zip
// has already passed the bomb check in Sniff.
func openXLSX(r io.ReaderAt, size int64, name string, opts Options) (rowReader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnknownFormat, name, err)
	}
	book, err := readXLSXBook(zr, name)
	if err != nil {
		return nil, err
	}
	sheet, err := pickSheet(book.sheets, opts.Sheet, name)
	if err != nil {
		return nil, err
	}
	part := zipPartFold(zr, sheet.part)
	if part == nil {
		return nil, fmt.Errorf("%w: %s: sheet %q part %s is missing", ErrUnknownFormat, name, sheet.name, sheet.part)
	}
	styles, err := readXLSXStyles(zr, name)
	if err != nil {
		return nil, err
	}
	lim := opts.limits()
	sst, err := readSharedStrings(zr, name, lim)
	if err != nil {
		return nil, err
	}
	rc, err := part.Open()
	if err != nil {
		return nil, fmt.Errorf("importer: %s: %w", name, err)
	}
	x := &xlsxRows{rc: rc, sc: newXMLScanner(rc, lim.CellBytes), sst: sst, styles: styles, date1904: book.date1904, name: name, lim: lim}
	if err := x.seekSheetData(); err != nil {
		rc.Close()
		return nil, err
	}
	return x, nil
}

// pickSheet returns the requested sheet, or the first visible one.
func pickSheet(sheets []xlsxSheet, want, name string) (xlsxSheet, error) {
	if len(sheets) == 0 {
		return xlsxSheet{}, fmt.Errorf("%w: %s has no sheets", ErrNoSheet, name)
	}
	if want == "" {
		for _, s := range sheets {
			if !s.hidden {
				return s, nil
			}
		}
		return sheets[0], nil
	}
	names := make([]string, len(sheets))
	for i, s := range sheets {
		if s.name == want {
			return s, nil
		}
		names[i] = s.name
	}
	for _, s := range sheets {
		if strings.EqualFold(strings.TrimSpace(s.name), strings.TrimSpace(want)) {
			return s, nil
		}
	}
	return xlsxSheet{}, fmt.Errorf("%w: %s has no sheet %q (sheets: %s)", ErrNoSheet, name, want, strings.Join(names, ", "))
}

// zipPartFold finds a part by name, ignoring case and a leading slash, as
// some generators write "/xl/..." or "Sheet1.xml".
func zipPartFold(zr *zip.Reader, name string) *zip.File {
	name = strings.TrimPrefix(name, "/")
	if f := zipPart(zr, name); f != nil {
		return f
	}
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// decodePart runs fn over every start element of a small XML part; a
// missing part is not an error (fn is simply never called).
func decodePart(zr *zip.Reader, partName, name string, fn func(xml.StartElement)) error {
	part := zipPartFold(zr, partName)
	if part == nil {
		return nil
	}
	rc, err := part.Open()
	if err != nil {
		return fmt.Errorf("importer: %s: %s: %w", name, partName, err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %s: %v", ErrUnknownFormat, name, partName, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			fn(se)
		}
	}
}

func xmlAttr(se xml.StartElement, local string, namespaced bool) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && (a.Name.Space != "") == namespaced {
			return a.Value
		}
	}
	return ""
}

// readXLSXBook lists the sheets in workbook order with their part names.
func readXLSXBook(zr *zip.Reader, name string) (xlsxBook, error) {
	var book xlsxBook
	var ids []string
	err := decodePart(zr, "xl/workbook.xml", name, func(se xml.StartElement) {
		switch se.Name.Local {
		case "sheet":
			book.sheets = append(book.sheets, xlsxSheet{name: xmlAttr(se, "name", false), hidden: xmlAttr(se, "state", false) != ""})
			ids = append(ids, xmlAttr(se, "id", true))
		case "workbookPr":
			v := xmlAttr(se, "date1904", false)
			book.date1904 = v == "1" || v == "true"
		}
	})
	if err != nil {
		return book, err
	}
	targets := map[string]string{}
	err = decodePart(zr, "xl/_rels/workbook.xml.rels", name, func(se xml.StartElement) {
		if se.Name.Local == "Relationship" {
			targets[xmlAttr(se, "Id", false)] = xmlAttr(se, "Target", false)
		}
	})
	for i, id := range ids {
		t := targets[id]
		if !strings.HasPrefix(t, "/") {
			t = path.Join("xl", t)
		}
		book.sheets[i].part = t
	}
	return book, err
}

// xlsxCellKind is how a numeric cell's style says to read its value.
type xlsxCellKind uint8

const (
	kindNumber xlsxCellKind = iota
	kindDate
	kindDateTime
	kindTime
)

// readXLSXStyles maps each cell style index (the c element's s attribute)
// to how its numbers read.
func readXLSXStyles(zr *zip.Reader, name string) ([]xlsxCellKind, error) {
	custom := map[int]string{}
	var xfs []int
	inCellXfs := false
	err := decodePart(zr, "xl/styles.xml", name, func(se xml.StartElement) {
		switch se.Name.Local {
		case "numFmt":
			id, _ := strconv.Atoi(xmlAttr(se, "numFmtId", false))
			custom[id] = xmlAttr(se, "formatCode", false)
		case "cellXfs":
			inCellXfs = true
		case "cellStyleXfs", "dxfs":
			inCellXfs = false
		case "xf":
			if inCellXfs {
				id, _ := strconv.Atoi(xmlAttr(se, "numFmtId", false))
				xfs = append(xfs, id)
			}
		}
	})
	kinds := make([]xlsxCellKind, len(xfs))
	for i, id := range xfs {
		kinds[i] = numFmtKind(id, custom[id])
	}
	return kinds, err
}

// numFmtKind classifies a number format: the built-in date and time ids
// (including the Chinese ones, 27-36 and 50-58), or a custom code with date
// or time letters outside quotes, brackets and escapes.
func numFmtKind(id int, code string) xlsxCellKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 34 || id == 36, id >= 50 && id <= 54, id == 57 || id == 58:
		return kindDate
	case id == 22:
		return kindDateTime
	case id >= 18 && id <= 21, id == 32 || id == 33 || id == 35, id >= 45 && id <= 47, id == 55 || id == 56:
		return kindTime
	case code == "":
		return kindNumber
	}
	var date, clock bool
	quoted, bracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case quoted:
			quoted = c != '"'
		case bracket:
			bracket = c != ']'
		case c == '"':
			quoted = true
		case c == '[':
			bracket = true
		case c == '\\' || c == '_' || c == '*':
			i++ // the next character is literal or padding
		case c == 'y' || c == 'Y' || c == 'd' || c == 'D':
			date = true
		case c == 'h' || c == 'H' || c == 's' || c == 'S':
			clock = true
		case c == 'm' || c == 'M':
			date = date || !clock
		}
	}
	switch {
	case date && clock:
		return kindDateTime
	case date:
		return kindDate
	case clock:
		return kindTime
	}
	return kindNumber
}
