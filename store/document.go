package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Document is a fax document: an uploaded PDF converted to a fax TIFF
// (tiffg3, 204x196 dpi) that a fax campaign sends.
type Document struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Name      string    `gorm:"type:varchar(255);not null" json:"name"`
	Path      string    `gorm:"type:varchar(1024);not null" json:"-"` // the TIFF, under data.dir
	Pages     int       `gorm:"not null" json:"pages"`
	Bytes     int64     `gorm:"not null" json:"bytes"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

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
