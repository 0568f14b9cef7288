package importer

import (
	"encoding/binary"
	"reflect"
	"testing"
	"unicode/utf16"
)

func TestDocTables(t *testing.T) {
	tests := []struct {
		name string
		text string
		want [][][]string
	}{
		{"one table after a title", "Title\ra\x07b\x07\x07c\x07\x07\x07after\r",
			[][][]string{{{"a", "b"}, {"c", ""}}}},
		{"empty middle cell", "h1\x07h2\x07h3\x07\x07x\x07\x07z\x07\x07",
			[][][]string{{{"h1", "h2", "h3"}, {"x", "", "z"}}}},
		{"blank row", "h1\x07h2\x07\x07\x07\x07\x07",
			[][][]string{{{"h1", "h2"}, {"", ""}}}},
		{"two paragraphs in a cell", "h1\x07h2\x07\x07x\x07p1\rp2\x07\x07",
			[][][]string{{{"h1", "h2"}, {"x", "p1\np2"}}}},
		{"two tables", "a\x07b\x07\x07between\rc\x07d\x07\x07e\x07f\x07\x07",
			[][][]string{{{"a", "b"}}, {{"c", "d"}, {"e", "f"}}}},
		{"field result kept, instruction dropped", "h\x07\x07\x13 HYPERLINK \"x\" \x14link\x15\x07\x07",
			[][][]string{{{"h"}, {"link"}}}},
		{"specials", "h\x07\x07a\x0bb\x1ec\x1fd\x01\x07\x07",
			[][][]string{{{"h"}, {"a\nb-cd"}}}},
		{"no table", "just text\r", nil},
	}
	for _, tt := range tests {
		unknown := func(int) (bool, bool) { return false, false }
		if got := docTables([]rune(tt.text), unknown); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: docTables = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestDocTablesKnownRowEnds: with paragraph properties the row-end marks are
// known, so an empty header cell no longer shifts the columns.
func TestDocTablesKnownRowEnds(t *testing.T) {
	text := []rune("intro\rh1\x07\x07h3\x07\x07x\x07y\x07z\x07\x07\x07\x07\x07\x07after\r")
	ends := map[int]bool{4: true, 8: true, 12: true} // ordinals of the 0x07 marks that end rows
	ord := map[int]int{}
	n := 0
	for i, r := range text {
		if r == 0x07 {
			n++
			ord[i] = n
		}
	}
	rowEnd := func(i int) (bool, bool) { return ends[ord[i]], true }
	want := [][][]string{{{"h1", "", "h3"}, {"x", "y", "z"}, {"", "", ""}}}
	if got := docTables(text, rowEnd); !reflect.DeepEqual(got, want) {
		t.Errorf("docTables = %q, want %q", got, want)
	}
}

// TestDocPiecesCompressed builds a piece table with one 8-bit cp1252 piece
// and one UTF-16 piece, the two encodings Word 97 mixes in one document.
func TestDocPiecesCompressed(t *testing.T) {
	wd := make([]byte, 0x400)
	copy(wd[0x100:], []byte("Caf\xe9 \x93q\x94")) // cp1252: é, curly quotes
	u := utf16.Encode([]rune("客户"))
	for i, c := range u {
		binary.LittleEndian.PutUint16(wd[0x200+2*i:], c)
	}
	// Two pieces: CPs 0-8 compressed at byte 0x100, CPs 8-10 Unicode at 0x200.
	plc := make([]byte, 4*3+8*2)
	for i, cp := range []uint32{0, 8, 10} {
		binary.LittleEndian.PutUint32(plc[4*i:], cp)
	}
	binary.LittleEndian.PutUint32(plc[12+2:], 0x40000000|0x100*2)
	binary.LittleEndian.PutUint32(plc[12+8+2:], 0x200)
	got, fcs, err := docPieces(wd, plc, 10, "t.doc")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Café “q”客户"; string(got) != want {
		t.Errorf("text = %q, want %q", string(got), want)
	}
	if want := []uint32{0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106, 0x107, 0x200, 0x202}; !reflect.DeepEqual(fcs, want) {
		t.Errorf("fcs = %#x, want %#x", fcs, want)
	}
	// ccpText cuts the main text: headers and footnotes follow it.
	if got, _, _ := docPieces(wd, plc, 4, "t.doc"); string(got) != "Café" {
		t.Errorf("text cut at 4 = %q", string(got))
	}
	if _, _, err := docPieces(wd[:0x202], plc, 10, "t.doc"); err == nil {
		t.Error("piece outside the stream: no error")
	}
}

func TestParseFibRejects(t *testing.T) {
	if _, err := parseFib(make([]byte, 0x300), "x.doc"); err == nil {
		t.Error("zero FIB accepted")
	}
	wd := make([]byte, 0x300)
	binary.LittleEndian.PutUint16(wd, 0xA5EC)
	binary.LittleEndian.PutUint16(wd[0x0A:], 0x0100)
	if _, err := parseFib(wd, "x.doc"); err == nil {
		t.Error("encrypted FIB accepted")
	}
}
