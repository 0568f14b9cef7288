package importer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"testing"
)

// TestDocPlcPcdDamaged: a Prc with a negative size made the piece-table
// search loop forever (-3) or index before the CLX (-32768); found by
// FuzzDOC (seeds negative-prc-size-*).
func TestDocPlcPcdDamaged(t *testing.T) {
	pcdt := []byte{0x02, 4, 0, 0, 0, 0, 0, 0, 0}
	tests := []struct {
		name string
		clx  []byte
		ok   bool
	}{
		{"pcdt only", pcdt, true},
		{"prc then pcdt", append([]byte{0x01, 1, 0, 0xAA}, pcdt...), true},
		{"prc of size -3", append([]byte{0x01, 0xFD, 0xFF}, pcdt...), false},
		{"prc of size -32768", append([]byte{0x01, 0x00, 0x80}, pcdt...), false},
		{"prc past the end", []byte{0x01, 0xFF, 0x00}, false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		_, err := docPlcPcd(tt.clx, "x.doc")
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrUnknownFormat)) {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// TestDocCharCountDoesNotReserve: the FIB's character count is the file's
// word; a 14 KB document claiming 7 million characters (under the reading
// limit) must not make the reader reserve 56 MB for them. A count over the
// limit is refused (seed char-count-of-a-quarter-billion).
func TestDocCharCountDoesNotReserve(t *testing.T) {
	data, err := os.ReadFile("testdata/contacts_en.doc")
	if err != nil {
		t.Fatal(err)
	}
	streams, err := docStreams(bytes.NewReader(data), int64(len(data)), "x.doc", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	wd := bytes.Clone(streams["WordDocument"])
	rgLw := 0x22 + int(binary.LittleEndian.Uint16(wd[0x20:]))*2 + 2
	binary.LittleEndian.PutUint32(wd[rgLw+12:], 7_000_000)
	streams["WordDocument"] = wd
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rows, err := docRows(streams, "x.doc", DefaultLimits)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := rows.next(); err != nil {
		t.Fatalf("the document's table is lost: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Fatalf("reading a %d-byte document allocated %d MB", len(data), grew>>20)
	}
}
