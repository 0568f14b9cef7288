package messaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ErrBadDocument: an uploaded fax document is not a PDF ghostscript can
// render.
var ErrBadDocument = errors.New("messaging: bad document")

// ErrNoConverter: ghostscript is not installed.
var ErrNoConverter = errors.New("messaging: ghostscript (gs) is not installed; install Debian's ghostscript package")

// FaxConverter turns PDFs into fax TIFFs with ghostscript: G3 (tiffg3),
// 204x196 dpi (fine resolution), A4.
type FaxConverter struct {
	GS       string        // the gs binary; default "gs" on PATH
	Timeout  time.Duration // per document; default 2 minutes
	MaxPages int           // default 200
}

// ConvertPDF converts the PDF at src into a fax TIFF at dst and returns its
// page count. name is the uploaded file's name, used in errors.
func (c FaxConverter) ConvertPDF(ctx context.Context, name, src, dst string) (int, error) {
	if err := checkPDF(name, src); err != nil {
		return 0, err
	}
	gs := c.GS
	if gs == "" {
		gs = "gs"
	}
	path, err := exec.LookPath(gs)
	if err != nil {
		return 0, ErrNoConverter
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffg3", "-r204x196",
		"-sPAPERSIZE=a4", "-dFIXEDMEDIA", "-dPDFFitPage", "-sOutputFile="+dst, "--", src)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	switch {
	case ctx.Err() != nil:
		_ = os.Remove(dst)
		return 0, fmt.Errorf("%w: %s: converting took longer than %s", ErrBadDocument, name, timeout)
	case err != nil:
		_ = os.Remove(dst)
		return 0, fmt.Errorf("%w: %s is not a PDF ghostscript can render: %s", ErrBadDocument, name, gsError(out.String()))
	}
	pages, err := TIFFPages(dst)
	if err != nil {
		_ = os.Remove(dst)
		return 0, fmt.Errorf("%w: %s: ghostscript made no fax page of it (%v): %s", ErrBadDocument, name, err, gsError(out.String()))
	}
	limit := c.MaxPages
	if limit <= 0 {
		limit = 200
	}
	if pages > limit {
		_ = os.Remove(dst)
		return 0, fmt.Errorf("%w: %s has %d pages, more than a fax campaign sends", ErrBadDocument, name, pages)
	}
	return pages, nil
}

// checkPDF reads the header: a PDF starts with %PDF- in its first kilobyte.
func checkPDF(name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("messaging: open %s: %w", name, err)
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("messaging: read %s: %w", name, err)
	}
	if !bytes.Contains(head[:n], []byte("%PDF-")) {
		return fmt.Errorf("%w: %s is not a PDF (it does not start with %%PDF-)", ErrBadDocument, name)
	}
	return nil
}

// gsError is the first line of ghostscript's complaint.
func gsError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return "no output"
}

// TIFFPages counts the pages (image file directories) of a TIFF file.
func TIFFPages(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if len(data) < 8 {
		return 0, errors.New("too short for a TIFF")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch {
	case string(data[:2]) == "MM":
		bo = binary.BigEndian
	case string(data[:2]) != "II":
		return 0, errors.New("not a TIFF")
	}
	if bo.Uint16(data[2:]) != 42 {
		return 0, errors.New("not a TIFF")
	}
	n := 0
	for off := uint64(bo.Uint32(data[4:])); off != 0; n++ {
		if off+2 > uint64(len(data)) || n > 100000 {
			return 0, errors.New("broken TIFF directory chain")
		}
		next := off + 2 + uint64(bo.Uint16(data[off:]))*12
		if next+4 > uint64(len(data)) {
			return 0, errors.New("broken TIFF directory chain")
		}
		off = uint64(bo.Uint32(data[next:]))
	}
	if n == 0 {
		return 0, errors.New("no page")
	}
	return n, nil
}
