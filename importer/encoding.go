package importer

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/bankcc/callcenter/store"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// textEncoding is a detected or chosen text encoding; bom is the number of
// leading bytes to skip.
type textEncoding struct {
	name string
	enc  encoding.Encoding // nil for UTF-8
	bom  int
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// detectEncoding follows the order users' files need: a BOM wins, then the
// user's choice, then UTF-8 if the sample is valid UTF-8, else GB18030 (the
// superset of GBK that old Chinese core systems export). cut says the sample
// is a prefix of the file, so a rune split at its end is not an error.
func detectEncoding(sample []byte, cut bool, choice string) (textEncoding, error) {
	switch {
	case bytes.HasPrefix(sample, bomUTF8):
		return textEncoding{name: "utf-8", bom: 3}, nil
	case bytes.HasPrefix(sample, bomUTF16LE):
		return textEncoding{name: "utf-16le", enc: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), bom: 2}, nil
	case bytes.HasPrefix(sample, bomUTF16BE):
		return textEncoding{name: "utf-16be", enc: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), bom: 2}, nil
	}
	name, ok := Encoding(choice).Canonical()
	switch {
	case !ok:
		return textEncoding{}, fmt.Errorf("unknown encoding %q: %s", choice, store.EnumMessage(name))
	case name == "utf-8":
		return textEncoding{name: "utf-8"}, nil
	case name == "gbk":
		return textEncoding{name: "gbk", enc: simplifiedchinese.GBK}, nil
	case name == "gb18030":
		return textEncoding{name: "gb18030", enc: simplifiedchinese.GB18030}, nil
	}
	if cut {
		sample = trimPartialRune(sample)
	}
	if utf8.Valid(sample) {
		return textEncoding{name: "utf-8"}, nil
	}
	return textEncoding{name: "gb18030", enc: simplifiedchinese.GB18030}, nil
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// decodeSample decodes the sample (without BOM) for sniffing; a multi-byte
// sequence cut at the end of the sample is ignored.
func (e textEncoding) decodeSample(sample []byte) (string, error) {
	body := sample[e.bom:]
	if e.enc == nil {
		return string(trimPartialRune(body)), nil
	}
	out, _, err := transform.Bytes(e.enc.NewDecoder(), body)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

func (e textEncoding) reader(r io.Reader) io.Reader {
	if e.enc == nil {
		return r
	}
	return transform.NewReader(r, e.enc.NewDecoder())
}

// DecodeText decodes a whole small text file (an outline, a note) the way
// contact files are read: a BOM wins, then choice ("" detects), then UTF-8
// when valid, else GB18030 (a superset of GBK). It returns the encoding used.
func DecodeText(b []byte, choice string) (text, encodingName string, err error) {
	enc, err := detectEncoding(b, false, choice)
	if err != nil {
		return "", "", fmt.Errorf("importer: %w", err)
	}
	body := b[enc.bom:]
	if enc.enc == nil {
		if !utf8.Valid(body) {
			return "", "", fmt.Errorf("%w: the text is not valid UTF-8; choose encoding gbk or gb18030", ErrUnknownFormat)
		}
		return string(body), enc.name, nil
	}
	out, _, err := transform.Bytes(enc.enc.NewDecoder(), body)
	if err != nil {
		return "", "", fmt.Errorf("%w: the text is not valid %s: %v", ErrUnknownFormat, enc.name, err)
	}
	return string(out), enc.name, nil
}
