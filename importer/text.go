package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// textSample is how much of a text file is read up front to detect its
// encoding and delimiter.
const textSample = 1 << 20

// openText reads csv/txt: encoding from BOM, UTF-8 validity or the user's
// choice, delimiter detected among , \t ; | unless given.
func openText(r io.ReaderAt, size int64, name string, opts Options) (rowReader, error) {
	sample := make([]byte, min(size, textSample))
	if _, err := r.ReadAt(sample, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("importer: read %s: %w", name, err)
	}
	enc, err := detectEncoding(sample, size > int64(len(sample)), opts.Encoding)
	if err != nil {
		return nil, fmt.Errorf("importer: %s: %w", name, err)
	}
	text, err := enc.decodeSample(sample)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnknownFormat, name, err)
	}
	if isHTML(text) {
		return nil, fmt.Errorf("%w: %s is a web page or XML export, not a table file; open it in Excel or WPS and save as .xlsx", ErrUnknownFormat, name)
	}
	if err := checkText(text, enc.name); err != nil {
		return nil, fmt.Errorf("%w: %s %v", ErrUnknownFormat, name, err)
	}
	delim := opts.Delimiter
	if delim == 0 {
		delim = detectDelimiter(text)
	}
	body := io.NewSectionReader(r, int64(enc.bom), size-int64(enc.bom))
	lines := &lineLimiter{r: enc.reader(bufio.NewReaderSize(body, 64<<10)), max: opts.limits().RowBytes, name: name}
	cr := csv.NewReader(lines)
	cr.Comma = delim
	cr.LazyQuotes = true // old exports leave stray quotes inside fields
	cr.FieldsPerRecord = -1
	return &textRows{cr: cr, name: name}, nil
}

type textRows struct {
	cr   *csv.Reader
	name string
}

func (t *textRows) next() (int, []string, error) {
	rec, err := t.cr.Read()
	if err == io.EOF {
		return 0, nil, io.EOF
	}
	if err != nil {
		return 0, nil, fmt.Errorf("importer: %s: %w", t.name, err)
	}
	line, _ := t.cr.FieldPos(0)
	return line, rec, nil
}

func (t *textRows) close() error { return nil }

// isHTML spots the "Excel" exports of web systems, which are HTML pages.
func isHTML(text string) bool {
	head := strings.ToLower(strings.TrimSpace(text[:min(len(text), 512)]))
	for _, p := range []string{"<!doctype html", "<html", "<table", "<?xml"} {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return false
}

// checkText rejects decoded text with NULs or many control characters (a
// renamed executable or image, not a list), or many undecodable sequences
// (the wrong encoding). Over 1% counts as many.
func checkText(text, encName string) error {
	control, invalid, n := 0, 0, 0
	for _, r := range text {
		n++
		switch {
		case r == 0:
			return errors.New("looks like binary data, not text")
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' && r != 0x1a:
			control++
		case r == '\ufffd':
			invalid++
		}
	}
	switch {
	case control*100 > n:
		return errors.New("looks like binary data, not text")
	case invalid*100 > n:
		return fmt.Errorf("is not %s text; choose another encoding (utf-8, gbk, gb18030)", encName)
	}
	return nil
}

// detectDelimiter picks the candidate that splits the first lines into the
// same number of fields, preferring more fields; a lone column gets ','.
func detectDelimiter(text string) rune {
	lines := sampleLines(text, 20)
	best, bestCount, bestConsistent := ',', 0, false
	for _, d := range []rune{',', '\t', ';', '|'} {
		head := countOutsideQuotes(lines[0], d)
		if head == 0 {
			continue
		}
		consistent := true
		for _, l := range lines[1:] {
			if countOutsideQuotes(l, d) != head {
				consistent = false
				break
			}
		}
		if consistent && !bestConsistent || consistent == bestConsistent && head > bestCount {
			best, bestCount, bestConsistent = d, head, consistent
		}
	}
	return best
}

// sampleLines returns up to n non-blank lines; the last line of a cut sample
// is dropped because it may be partial.
func sampleLines(text string, n int) []string {
	var out []string
	rest := text
	for len(out) < n {
		i := bytes.IndexByte([]byte(rest), '\n')
		if i < 0 {
			if len(out) == 0 {
				out = append(out, rest)
			}
			break
		}
		if l := bytes.TrimSpace([]byte(rest[:i])); len(l) > 0 {
			out = append(out, string(l))
		}
		rest = rest[i+1:]
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

func countOutsideQuotes(line string, d rune) int {
	n, quoted := 0, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == d && !quoted:
			n++
		}
	}
	return n
}
