package importer

import "sort"

// Paragraph properties of a Word 97 document live in 512-byte FKP pages of
// the WordDocument stream, listed by the PlcBtePapx in the table stream. Each
// page maps file-offset (FC) ranges of paragraph marks to a PAPX, a list of
// property modifiers (sprms). sprmPFTtp set to 1 marks the row-end paragraph
// of a table row: the one 0x07 that is not a cell end. Row-end paragraphs
// carry the whole table definition, so writers often move their PAPX to the
// Data stream and leave only sprmPHugePapx pointing at it.

const (
	sprmPFTtp     = 0x2417
	sprmPHugePapx = 0x6646 // properties too big for the page, kept in the Data stream
	docPage       = 512
)

// docParaRun is one FC range and whether its paragraph mark ends a row.
type docParaRun struct {
	start, end uint32
	ttp        bool
}

type docParaRuns []docParaRun

// rowEnd looks up the run holding fc; known is false when no run does.
func (r docParaRuns) rowEnd(fc uint32) (rowEnd, known bool) {
	i := sort.Search(len(r), func(i int) bool { return r[i].end > fc })
	if i == len(r) || r[i].start > fc {
		return false, false
	}
	return r[i].ttp, true
}

// anyRowEnd reports whether the document marks row ends at all.
func (r docParaRuns) anyRowEnd() bool {
	for _, run := range r {
		if run.ttp {
			return true
		}
	}
	return false
}

// readDocParaRuns reads every FKP page; damaged pages are skipped, leaving those
// paragraphs unknown rather than failing the import.
func readDocParaRuns(wd, table, data []byte, fib docFib) docParaRuns {
	if fib.lcbPapx < 12 || uint64(fib.fcPapx)+uint64(fib.lcbPapx) > uint64(len(table)) {
		return nil
	}
	plc := table[fib.fcPapx : fib.fcPapx+fib.lcbPapx]
	n := (len(plc) - 4) / 8
	var runs docParaRuns
	for k := 0; k < n; k++ {
		pn := int(le32(plc, 4*(n+1)+4*k) & 0x3FFFFF)
		if (pn+1)*docPage > len(wd) {
			continue
		}
		runs = append(runs, docFkpRuns(wd[pn*docPage:(pn+1)*docPage], data)...)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].start < runs[j].start })
	return runs
}

// docFkpRuns decodes one PapxFkp page.
func docFkpRuns(page, data []byte) []docParaRun {
	crun := int(page[docPage-1])
	if 4*(crun+1)+13*crun > docPage-1 {
		return nil
	}
	runs := make([]docParaRun, 0, crun)
	for i := 0; i < crun; i++ {
		run := docParaRun{start: le32(page, 4*i), end: le32(page, 4*(i+1))}
		if off := 2 * int(page[4*(crun+1)+13*i]); off > 0 {
			run.ttp = docHasTtp(docPapxGrpprl(page, off), data)
		}
		runs = append(runs, run)
	}
	return runs
}

// docPapxGrpprl returns the sprms of the PapxInFkp at off, after the style
// index; nil when it does not fit the page.
func docPapxGrpprl(page []byte, off int) []byte {
	if off+2 > docPage-1 {
		return nil
	}
	start, size := off+1, 2*int(page[off])-1
	if page[off] == 0 {
		start, size = off+2, 2*int(page[off+1])
	}
	if size < 2 || start+size > docPage-1 {
		return nil
	}
	return page[start+2 : start+size]
}

// docHasTtp walks a grpprl looking for sprmPFTtp with a non-zero operand,
// following sprmPHugePapx into the Data stream (data is nil there, so the
// indirection is followed once).
func docHasTtp(g, data []byte) bool {
	for i := 0; i+2 <= len(g); {
		sprm := le16(g, i)
		i += 2
		size := docSprmSize(sprm, g[i:])
		if size < 0 || i+size > len(g) {
			return false
		}
		if sprm == sprmPFTtp && size == 1 && g[i] != 0 {
			return true
		}
		if sprm == sprmPHugePapx && size == 4 && data != nil {
			off := int(le32(g, i))
			if off+2 <= len(data) && off+2+int(le16(data, off)) <= len(data) && docHasTtp(data[off+2:off+2+int(le16(data, off))], nil) {
				return true
			}
		}
		i += size
	}
	return false
}

// docSprmSize is the operand length of a sprm, from its spra bits; -1 when
// the operand runs past b.
func docSprmSize(sprm uint16, b []byte) int {
	switch sprm >> 13 {
	case 0, 1:
		return 1
	case 2, 4, 5:
		return 2
	case 3:
		return 4
	case 7:
		return 3
	}
	// Variable length: sprmTDefTable counts with 2 bytes (plus one), the
	// rest with one leading byte.
	if sprm == 0xD608 {
		if len(b) < 2 {
			return -1
		}
		return 2 + int(le16(b, 0)) - 1
	}
	if len(b) < 1 {
		return -1
	}
	return 1 + int(b[0])
}
