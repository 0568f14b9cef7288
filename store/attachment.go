package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
)

// E-mail attachment limits: what a bank's mail relay and its customers'
// mailboxes take (base64 makes 10 MB about 13.7 MB on the wire, under the
// 20-25 MB most providers accept).
const (
	MaxEmailAttachments     = 5
	MaxEmailAttachmentBytes = 10 << 20 // one file
	MaxEmailAttachmentTotal = 10 << 20 // all of one message's files
)

// attachmentTypes are the files a campaign may attach, by extension: the
// documents banks send customers (statements, contracts, notices, China's
// OFD e-documents, scans). Executables, archives and scripts are refused:
// mail filters reject them and they are how malware travels.
var attachmentTypes = map[string]string{
	".pdf":  "application/pdf",
	".ofd":  "application/ofd",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".csv":  "text/csv",
	".txt":  "text/plain",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
}

// AttachmentType says whether contentType is one campaigns may attach.
func AttachmentType(contentType string) bool {
	for _, t := range attachmentTypes {
		if t == contentType {
			return true
		}
	}
	return false
}

// AttachmentExtensions lists the accepted extensions, for messages.
func AttachmentExtensions() string {
	var out []string
	for ext := range attachmentTypes {
		out = append(out, ext)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// SniffAttachment names the content type of an attachment from its name
// and its first bytes (512 are enough), or says why it is refused: the
// extension must be one of attachmentTypes and the content must look like
// it (a renamed .exe is no PDF).
func SniffAttachment(name string, head []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	ctype, ok := attachmentTypes[ext]
	if !ok {
		return "", fmt.Errorf("%s: e-mail attachments may be %s", name, AttachmentExtensions())
	}
	sniffed := http.DetectContentType(head)
	var fits bool
	switch ext {
	case ".pdf":
		fits = bytes.Contains(head, []byte("%PDF-"))
	case ".docx", ".xlsx", ".ofd":
		fits = bytes.HasPrefix(head, []byte("PK\x03\x04"))
	case ".doc", ".xls":
		fits = bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) // OLE2 compound file
	case ".jpg", ".jpeg", ".png":
		fits = sniffed == ctype
	case ".txt", ".csv":
		fits = !bytes.ContainsRune(head, 0) // text in UTF-8 or GBK: no NUL bytes
	}
	if !fits {
		return "", fmt.Errorf("%s: the content is not a %s file", name, strings.TrimPrefix(ext, "."))
	}
	return ctype, nil
}

// CheckAttachments checks a campaign's message.attachments: only e-mail
// campaigns carry them, each names an attachable document once, and they
// keep to the limits. Errors name the field (message.attachments[i]).
func (s *Store) CheckAttachments(ctx context.Context, media Media, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var fields []FieldError
	add := func(f, m string) { fields = append(fields, FieldError{Field: f, Message: m}) }
	switch {
	case media != MediaEmail:
		add("message.attachments", "only email campaigns send attachments")
	case len(ids) > MaxEmailAttachments:
		add("message.attachments", fmt.Sprintf("at most %d attachments, not %d", MaxEmailAttachments, len(ids)))
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	var total int64
	for i, id := range ids {
		at := fmt.Sprintf("message.attachments[%d]", i)
		if slices.Index(ids, id) < i {
			add(at, fmt.Sprintf("document %d is attached twice", id))
			continue
		}
		d, err := s.GetDocument(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
			add(at, fmt.Sprintf("document %d does not exist", id))
			continue
		case err != nil:
			return err
		case d.Source == "":
			add(at, fmt.Sprintf("document %d (%s) was uploaded before originals were kept: upload it again", id, d.Name))
			continue
		case !AttachmentType(d.ContentType):
			add(at, fmt.Sprintf("document %d (%s) is %s; attachments may be %s", id, d.Name, d.ContentType, AttachmentExtensions()))
			continue
		case d.SourceBytes > MaxEmailAttachmentBytes:
			add(at, fmt.Sprintf("document %d (%s) is %d bytes, more than %d MB", id, d.Name, d.SourceBytes, MaxEmailAttachmentBytes>>20))
			continue
		}
		total += d.SourceBytes
	}
	if total > MaxEmailAttachmentTotal {
		add("message.attachments", fmt.Sprintf("the attachments are %d bytes together, more than %d MB", total, MaxEmailAttachmentTotal>>20))
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}
