package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Document is an uploaded file a campaign sends: a fax document (a PDF
// converted to a fax TIFF, tiffg3 204x196 dpi, whose PDF is kept too and
// may also be attached to e-mails) or an e-mail attachment kept as sent.
type Document struct {
	ID   int64        `gorm:"primaryKey" json:"id"`
	Name string       `gorm:"type:varchar(255);not null" json:"name"`
	Kind DocumentKind `gorm:"type:varchar(16);not null;default:fax" json:"kind"`
	Path string       `gorm:"type:varchar(1024);not null" json:"-"` // fax: the TIFF; attachment: the file, under data.dir
	// Source is the file as uploaded; empty for fax documents uploaded
	// before originals were kept (they cannot be attached).
	Source      string    `gorm:"type:varchar(1024)" json:"-"`
	ContentType string    `gorm:"type:varchar(128)" json:"content_type,omitempty"`
	SourceBytes int64     `json:"source_bytes,omitempty"`                   // the uploaded file's size
	SHA256      string    `gorm:"type:varchar(64)" json:"sha256,omitempty"` // of the uploaded file
	Pages       int       `gorm:"not null" json:"pages"`                    // fax pages
	Bytes       int64     `gorm:"not null" json:"bytes"`                    // fax: the TIFF's size; attachment: the file's
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// DocumentKind says what a document was uploaded for.
type DocumentKind string

const (
	DocumentFax        DocumentKind = "fax"        // a PDF converted for fax campaigns (attachable too)
	DocumentAttachment DocumentKind = "attachment" // an e-mail attachment, kept as uploaded
)

// DocumentKinds lists every DocumentKind.
var DocumentKinds = []DocumentKind{DocumentFax, DocumentAttachment}

// EnumValues lists the document kinds.
func (DocumentKind) EnumValues() []string { return enumStrings(DocumentKinds) }

// Attachable says whether the document can go out as an e-mail attachment.
func (d *Document) Attachable() bool { return d.Source != "" && AttachmentType(d.ContentType) }

// CreateDocument stores a converted document.
func (s *Store) CreateDocument(ctx context.Context, d *Document) error {
	if err := s.conn(ctx).Create(d).Error; err != nil {
		return fmt.Errorf("store: create document %q: %w", d.Name, err)
	}
	return nil
}

// GetDocument reads one document.
func (s *Store) GetDocument(ctx context.Context, id int64) (*Document, error) {
	var d Document
	err := s.conn(ctx).Where("id = ?", id).First(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: document %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: document %d: %w", id, err)
	}
	return &d, nil
}

// ListDocuments lists documents, newest first.
func (s *Store) ListDocuments(ctx context.Context, p Page) ([]Document, int64, error) {
	var out []Document
	var n int64
	q := s.conn(ctx).Model(&Document{})
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count documents: %w", err)
	}
	if err := p.apply(q.Order("id DESC")).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list documents: %w", err)
	}
	return out, n, nil
}
