package importer

import (
	"archive/zip"
	"fmt"
	"io"
)

// Zip bomb limits. A 1M-row xlsx sheet is a few hundred MB of XML, and XML
// compresses about 10-30:1; a crafted bomb is 1000:1 and more. archive/zip
// refuses to inflate past an entry's declared size, so checking the declared
// sizes up front bounds the real work.
const (
	zipMaxTotal = 1 << 30 // all entries, uncompressed
	zipMaxRatio = 200     // per entry over zipRatioFloor
	// zipRatioFloor spares tiny entries, whose ratio means nothing.
	zipRatioFloor = 1 << 20
)

// openZip opens r as a zip archive after checking it is not a zip bomb.
func openZip(r io.ReaderAt, size int64, name string) (*zip.Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is a damaged zip archive: %v", ErrUnknownFormat, name, err)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > zipMaxTotal {
			return nil, fmt.Errorf("%w: %s unpacks to more than %d MB", ErrZipBomb, name, zipMaxTotal>>20)
		}
		if f.UncompressedSize64 > zipRatioFloor && f.UncompressedSize64/max(f.CompressedSize64, 1) > zipMaxRatio {
			return nil, fmt.Errorf("%w: %s: part %s expands %d times", ErrZipBomb, name, f.Name,
				f.UncompressedSize64/max(f.CompressedSize64, 1))
		}
	}
	return zr, nil
}

// sniffZip tells an Excel workbook from a Word document by their main parts.
func sniffZip(r io.ReaderAt, size int64, name string) (Format, error) {
	zr, err := openZip(r, size, name)
	if err != nil {
		return "", err
	}
	for _, f := range zr.File {
		switch f.Name {
		case "xl/workbook.xml":
			return FormatXLSX, nil
		case "word/document.xml":
			return FormatDOCX, nil
		}
	}
	return "", fmt.Errorf("%w: %s is a zip archive but neither an .xlsx workbook nor a .docx document", ErrUnknownFormat, name)
}
