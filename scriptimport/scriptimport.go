// Package scriptimport turns the documents a business already has into a
// script flow (R24): a table, one row per node, in an xlsx sheet, a Word
// table (docx or Word 97 doc) or delimited text; or a plain-text outline
// (UTF-8 or GBK). The layouts are documented in docs/scripts.md. Errors
// name the row (the line, for an outline); nothing is returned on error, so
// nothing is stored.
package scriptimport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
)

// Options tune reading a file.
type Options struct {
	Encoding string // text only; "" detects (UTF-8, else GBK/GB18030)
	Sheet    string // xlsx sheet; "" is the first
	Title    string // the script's title; "" takes the file's (or its name)
	MaxBytes int64
}

// MaxBytes is the default size limit of a script file.
const MaxBytes = 8 << 20

// Read parses a script file of size bytes named name into a draft, whose
// flow is validated; problems are a *store.ValidationError naming rows.
func Read(r io.ReaderAt, size int64, name string, opts Options) (*store.ScriptDraft, error) {
	if opts.MaxBytes == 0 {
		opts.MaxBytes = MaxBytes
	}
	iopts := importer.Options{Encoding: opts.Encoding, Sheet: opts.Sheet, MaxBytes: opts.MaxBytes, Name: name}
	format, err := importer.Sniff(r, size, name, iopts)
	if err != nil {
		return nil, err
	}
	var d *store.ScriptDraft
	if format == importer.FormatText {
		d, err = readText(r, size, name, iopts)
	} else {
		d, err = readTable(r, size, name, iopts)
	}
	if err != nil {
		return nil, err
	}
	if opts.Title != "" {
		d.Title = opts.Title
	}
	if d.Title == "" {
		d.Title = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	return d, nil
}

// readText reads a delimited table when the first line is a table header
// (编号 and 问题 columns), else an outline.
func readText(r io.ReaderAt, size int64, name string, opts importer.Options) (*store.ScriptDraft, error) {
	raw := make([]byte, size)
	if _, err := r.ReadAt(raw, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("scriptimport: read %s: %w", name, err)
	}
	text, _, err := importer.DecodeText(raw, opts.Encoding)
	if err != nil {
		return nil, err
	}
	first := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) != "" {
			first = l
			break
		}
	}
	if isTableHeader(first) {
		// The importer decodes again with the same rules; read it as a table.
		return readTable(bytes.NewReader(raw), size, name, opts)
	}
	return parseOutline(text)
}

func isTableHeader(line string) bool {
	cells := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '\t' || r == ';' || r == '|' })
	var id, q bool
	for _, c := range cells {
		switch column(c) {
		case colID:
			id = true
		case colText:
			q = true
		}
	}
	return id && q
}

// rowError is one problem, on a row (a line of an outline).
func rowError(row int, field, format string, args ...any) store.FieldError {
	return store.FieldError{Row: row, Field: field, Message: fmt.Sprintf(format, args...)}
}

// finish validates the flow and maps its problems to the rows the nodes
// came from.
func finish(d *store.ScriptDraft, rows []int, errs []store.FieldError) (*store.ScriptDraft, error) {
	if len(errs) > 0 {
		return nil, &store.ValidationError{Fields: errs}
	}
	if len(d.Flow.Nodes) == 0 {
		return nil, store.Invalid("file", "holds no nodes")
	}
	err := d.Flow.Validate()
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			var n int
			if _, scanErr := fmt.Sscanf(ve.Fields[i].Field, "nodes[%d]", &n); scanErr == nil && n < len(rows) {
				ve.Fields[i].Row = rows[n]
			}
		}
		return nil, ve
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}
