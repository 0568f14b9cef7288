// Package faxtest makes fax documents for tests: small valid PDFs (for the
// ghostscript conversion and the upload API) and multi-page TIFF skeletons
// (for the FreeSWITCH simulator's txfax, which counts their pages).
package faxtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// PDF returns a valid PDF of n A4 pages, each with a line of text, with a
// correct cross-reference table.
func PDF(n int) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.4\n")
	kids := ""
	for i := range n {
		kids += fmt.Sprintf("%d 0 R ", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 595 842] >>", kids, n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i := range n {
		text := fmt.Sprintf("BT /F1 24 Tf 72 700 Td (Statement page %d of %d) Tj ET", i+1, n)
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(text), text))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// TIFF returns a little-endian TIFF with n image directories (pages) of
// a G3 fax page's size; the image data itself is empty.
func TIFF(n int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("II")
	_ = binary.Write(&b, le, uint16(42))
	_ = binary.Write(&b, le, uint32(8))
	tags := [][2]uint32{{256, 1728}, {257, 2200}, {259, 3}} // width, length, compression T.4
	for i := range n {
		_ = binary.Write(&b, le, uint16(len(tags)))
		for _, t := range tags {
			_ = binary.Write(&b, le, uint16(t[0]))
			_ = binary.Write(&b, le, uint16(4)) // LONG
			_ = binary.Write(&b, le, uint32(1))
			_ = binary.Write(&b, le, t[1])
		}
		next := uint32(0)
		if i < n-1 {
			next = uint32(b.Len() + 4)
		}
		_ = binary.Write(&b, le, next)
	}
	return b.Bytes()
}
