package importertest

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// TestSharedStringsBombIsAValidArchive reads a small bomb back through
// archive/zip, which checks the sizes and the CRC of the spliced stream.
func TestSharedStringsBombIsAValidArchive(t *testing.T) {
	var buf bytes.Buffer
	if err := SharedStringsBomb(&buf, 3<<20); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		if err != nil || uint64(n) != f.UncompressedSize64 {
			t.Fatalf("%s: read %d of %d: %v", f.Name, n, f.UncompressedSize64, err)
		}
		if f.Name == "xl/sharedStrings.xml" && (n < 3<<20-1<<20 || f.UncompressedSize64/f.CompressedSize64 < 50) {
			t.Fatalf("shared strings %d bytes, ratio %d", n, f.UncompressedSize64/f.CompressedSize64)
		}
	}
}
