package store

import (
	"context"
	"fmt"
	"time"
)

// ExportFormat is the file type of an export.
type ExportFormat string

// Export formats (ExportFormats).
const (
	ExportXLSX ExportFormat = "xlsx"
	ExportCSV  ExportFormat = "csv"
)

// ExportStatus chooses contacts to export: a class of ExportClass or one
// contact status.
type ExportStatus string

// ExportTemplate is a saved choice of fields, headers and statuses (R3).
type ExportTemplate struct {
	ID        int64     `gorm:"primaryKey" json:"id"`
	Name      string    `gorm:"type:varchar(128);uniqueIndex;not null" json:"name"`
	Fields    []string  `gorm:"serializer:json;type:text" json:"fields"`
	Headers   []string  `gorm:"serializer:json;type:text" json:"headers"`
	Statuses  []string  `gorm:"serializer:json;type:text" json:"statuses"`
	Format    string    `gorm:"type:varchar(8)" json:"format"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// EachContact calls fn for every contact of a campaign with one of the
// statuses (all when empty), in id order, reading in pages so a million-row
// export never holds more than one page in memory.
func (s *Store) EachContact(ctx context.Context, campaignID int64, statuses []ContactStatus, fn func(*Contact) error) error {
	const page = 2000
	var last int64
	for {
		q := s.conn(ctx).Where("campaign_id = ? AND id > ?", campaignID, last)
		if len(statuses) > 0 {
			q = q.Where("status IN ?", statuses)
		}
		var rows []Contact
		if err := q.Order("id").Limit(page).Find(&rows).Error; err != nil {
			return fmt.Errorf("store: read contacts of campaign %d: %w", campaignID, err)
		}
		for i := range rows {
			rows[i].decode()
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
		last = rows[len(rows)-1].ID
	}
}

// CreateExportTemplate saves a template.
func (s *Store) CreateExportTemplate(ctx context.Context, t *ExportTemplate) error {
	if err := s.conn(ctx).Create(t).Error; err != nil {
		return fmt.Errorf("store: create export template %q: %w", t.Name, translate(err))
	}
	return nil
}

// ListExportTemplates lists saved templates.
func (s *Store) ListExportTemplates(ctx context.Context) ([]ExportTemplate, error) {
	var out []ExportTemplate
	err := s.conn(ctx).Order("name").Find(&out).Error
	return out, err
}

// GetExportTemplate loads one template.
func (s *Store) GetExportTemplate(ctx context.Context, id int64) (*ExportTemplate, error) {
	var t ExportTemplate
	if err := s.conn(ctx).First(&t, id).Error; err != nil {
		return nil, fmt.Errorf("store: export template %d: %w", id, translate(err))
	}
	return &t, nil
}

// DeleteExportTemplate removes one template.
func (s *Store) DeleteExportTemplate(ctx context.Context, id int64) error {
	res := s.conn(ctx).Delete(&ExportTemplate{}, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return fmt.Errorf("store: export template %d: %w", id, ErrNotFound)
	}
	return res.Error
}
