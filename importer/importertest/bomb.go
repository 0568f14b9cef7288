// Package importertest makes hostile contact files for tests: big on
// expansion, small on disk, built in a moment without compressing the
// expanded bytes.
package importertest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"time"
)

// SharedStringsBomb writes an xlsx workbook whose xl/sharedStrings.xml
// expands to about expand bytes at a compression ratio near 88 (under a
// ratio guard of 200), as the probe's 11.5 MB file that expanded to 1 GB.
// The part is one deflate segment repeated: each copy was compressed from a
// fresh state, so it refers to nothing before it, and copies can follow each
// other in one stream.
func SharedStringsBomb(w io.Writer, expand int64) error {
	chunk := bombChunk()
	n := max(expand/int64(len(chunk)), 1)
	head, tail := []byte(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`), []byte(`</sst>`)
	zHead, zChunk, zTail := deflateSegment(head, false), deflateSegment(chunk, false), deflateSegment(tail, true)
	crc := crc32.Update(0, crc32.IEEETable, head)
	for i := int64(0); i < n; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}
	crc = crc32.Update(crc, crc32.IEEETable, tail)

	zw := zip.NewWriter(w)
	for name, body := range bombParts {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, body); err != nil {
			return err
		}
	}
	f, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   uint64(len(zHead) + int(n)*len(zChunk) + len(zTail)),
		UncompressedSize64: uint64(len(head) + int(n)*len(chunk) + len(tail))})
	if err != nil {
		return err
	}
	if _, err := f.Write(zHead); err != nil {
		return err
	}
	for i := int64(0); i < n; i++ {
		if _, err := f.Write(zChunk); err != nil {
			return fmt.Errorf("importertest: write bomb: %w", err)
		}
	}
	if _, err := f.Write(zTail); err != nil {
		return err
	}
	return zw.Close()
}

// bombChunk is about 1 MB of shared strings, mostly repeated text with a
// few random digits so it compresses about 88:1, not thousands to one.
func bombChunk() []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for b.Len() < 1<<20 {
		b.WriteString("<si><t>")
		for i := 0; i < 20; i++ {
			b.WriteString("客户备注客户备注客户备注客户备注客户备注")
			fmt.Fprintf(&b, "%d", rng.IntN(bombEntropy))
		}
		b.WriteString("</t></si>")
	}
	return b.Bytes()
}

// bombEntropy tunes the ratio: random numbers below it are sprinkled in.
const bombEntropy = 5

// deflateSegment compresses p from a fresh state; a non-final segment ends
// with a sync flush, so it is byte-aligned and another segment can follow.
func deflateSegment(p []byte, final bool) []byte {
	var b bytes.Buffer
	zw, _ := flate.NewWriter(&b, flate.BestCompression)
	zw.Write(p)
	if final {
		zw.Close()
	} else {
		zw.Flush()
	}
	return b.Bytes()
}

// bombParts are the small parts of the workbook: one sheet whose cells
// refer to the shared strings.
var bombParts = map[string]string{
	"[Content_Types].xml":        `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
	"xl/workbook.xml":            `<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`,
	"xl/_rels/workbook.xml.rels": `<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>`,
	"xl/worksheets/sheet1.xml":   `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>手机</t></is></c><c r="C1" t="inlineStr"><is><t>备注</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>张伟</t></is></c><c r="B2"><v>13800138000</v></c><c r="C2" t="s"><v>0</v></c></row></sheetData></worksheet>`,
}

// HeapGrowth runs fn and returns how far the Go heap in use rose above
// where it was before, sampled every millisecond while fn ran. The
// collector runs eagerly meanwhile (GOGC 10): with the default, the garbage
// allowed before a collection grows with whatever else the test binary
// keeps alive, and would be counted as fn's own growth.
func HeapGrowth(fn func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done := make(chan struct{})
	sampled := make(chan uint64)
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				sampled <- peak
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(done)
	peak = <-sampled
	return peak - base
}
