package importer

import (
	"bufio"
	"bytes"
	"errors"
	"html"
	"io"
)

// xmlScanner is a minimal tag lexer for the two big spreadsheet parts
// (sheet data and shared strings). encoding/xml allocates per token and
// reads about 35k rows/s through excelize; this reads ten times that. It
// understands only what those parts contain: elements, attributes, text,
// entities, comments, processing instructions and CDATA. Namespace prefixes
// are dropped ("x:row" is "row").
type xmlScanner struct {
	r     *bufio.Reader
	tag   []byte // current tag, reused
	txt   []byte // text before the current tag, reused
	limit int    // most bytes of text or of one tag held; 0 = no limit
}

// xmlTag is the last tag read; its slices are valid until the next call.
type xmlTag struct {
	name  []byte
	attrs []byte
	end   bool // </name>
	empty bool // <name/>
}

// newXMLScanner scans r, refusing text runs and tags over limit bytes (a
// crafted part can hold one gigabyte-long string).
func newXMLScanner(r io.Reader, limit int) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, 64<<10), limit: limit}
}

// errTooLong is what the scanner returns past its limit; callers say which
// cell or part, wrapping ErrLimit.
var errTooLong = errors.New("a text run or tag over the limit")

func (s *xmlScanner) tooLong() error { return errTooLong }

var errXMLSyntax = errors.New("malformed XML")

// next reads up to and including the next tag. When keepText is set the
// character data before the tag is returned (raw, entities not decoded).
// Comments, declarations and CDATA are consumed in a loop, never by
// recursion: a part made of millions of comments must not grow the stack.
func (s *xmlScanner) next(keepText bool) ([]byte, xmlTag, error) {
	s.txt = s.txt[:0]
	for {
		if err := s.readText(keepText); err != nil {
			return nil, xmlTag{}, err
		}
		if err := s.readTag(); err != nil {
			return nil, xmlTag{}, err
		}
		t := s.tag
		switch {
		case bytes.HasPrefix(t, []byte("![CDATA[")):
			if keepText {
				if s.limit > 0 && len(s.txt)+len(t) > s.limit {
					return nil, xmlTag{}, s.tooLong()
				}
				s.txt = append(s.txt, html.EscapeString(string(t[8:len(t)-2]))...)
			}
			continue
		case len(t) > 0 && (t[0] == '?' || t[0] == '!'):
			continue
		}
		return s.txt, parseTag(t), nil
	}
}

// readText reads up to and including the next '<', appending the text
// before it to s.txt when keepText is set.
func (s *xmlScanner) readText(keepText bool) error {
	for {
		chunk, err := s.r.ReadSlice('<')
		if keepText {
			if s.limit > 0 && len(s.txt)+len(chunk) > s.limit+1 {
				return s.tooLong()
			}
			s.txt = append(s.txt, chunk...)
		}
		if err == nil {
			if keepText {
				s.txt = s.txt[:len(s.txt)-1] // drop '<'
			}
			return nil
		}
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// readTag reads the tag body after '<' up to its '>' into s.tag, letting
// '>' appear inside quoted attribute values, comments and CDATA.
func (s *xmlScanner) readTag() error {
	s.tag = s.tag[:0]
	for first := true; ; first = false {
		chunk, err := s.r.ReadSlice('>')
		if first && err == nil && chunk[0] != '!' && quotesBalanced(chunk) {
			// The common case: the whole tag is in the buffer. The slice
			// stays valid until the next read, which is all callers need.
			s.tag = chunk[:len(chunk)-1]
			return nil
		}
		if s.limit > 0 && len(s.tag)+len(chunk) > s.limit {
			return s.tooLong()
		}
		s.tag = append(s.tag, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return errXMLSyntax
		}
		t := s.tag
		switch {
		case bytes.HasPrefix(t, []byte("!--")) && !bytes.HasSuffix(t, []byte("-->")):
			continue
		case bytes.HasPrefix(t, []byte("![CDATA[")) && !bytes.HasSuffix(t, []byte("]]>")):
			continue
		case t[0] != '!' && !quotesBalanced(t):
			continue
		}
		s.tag = t[:len(t)-1] // drop '>'
		return nil
	}
}

func quotesBalanced(t []byte) bool {
	var q byte
	for _, c := range t {
		switch {
		case q != 0 && c == q:
			q = 0
		case q == 0 && (c == '"' || c == '\''):
			q = c
		}
	}
	return q == 0
}

func parseTag(t []byte) xmlTag {
	var tag xmlTag
	if len(t) > 0 && t[0] == '/' {
		tag.end, t = true, t[1:]
	}
	if len(t) > 0 && t[len(t)-1] == '/' {
		tag.empty, t = true, t[:len(t)-1]
	}
	i := 0
	for i < len(t) && t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r' {
		i++
	}
	tag.name, tag.attrs = t[:i], t[i:]
	if c := bytes.IndexByte(tag.name, ':'); c >= 0 {
		tag.name = tag.name[c+1:]
	}
	return tag
}

// is reports whether the tag's local name is name.
func (t xmlTag) is(name string) bool { return string(t.name) == name }

// attr returns the raw value of the attribute with local name key.
func (t xmlTag) attr(key string) []byte {
	a := t.attrs
	for {
		eq := bytes.IndexByte(a, '=')
		if eq < 0 || eq+2 > len(a) {
			return nil
		}
		q := a[eq+1]
		if q != '"' && q != '\'' {
			return nil // spaces around '=' are legal but no spreadsheet writer uses them
		}
		end := bytes.IndexByte(a[eq+2:], q)
		if end < 0 {
			return nil
		}
		name := a[:eq]
		if sp := bytes.LastIndexAny(name, " \t\r\n:"); sp >= 0 {
			name = name[sp+1:]
		}
		if string(name) == key {
			return a[eq+2 : eq+2+end]
		}
		a = a[eq+2+end+1:]
	}
}

// xmlText decodes entities in raw character data.
func xmlText(raw []byte) string {
	if bytes.IndexByte(raw, '&') < 0 {
		return string(raw)
	}
	return html.UnescapeString(string(raw))
}
