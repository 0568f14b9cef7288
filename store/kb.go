package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ArticleStatus is where a knowledge-base article stands.
type ArticleStatus string

// Article statuses: written, visible to agents, withdrawn.
const (
	ArticleDraft     ArticleStatus = "draft"
	ArticlePublished ArticleStatus = "published"
	ArticleRetired   ArticleStatus = "retired"
)

// ArticleStatuses lists every ArticleStatus.
var ArticleStatuses = []ArticleStatus{ArticleDraft, ArticlePublished, ArticleRetired}

// EnumValues lists the article statuses.
func (ArticleStatus) EnumValues() []string { return enumStrings(ArticleStatuses) }

// Article is a knowledge-base article (R39). Every save stores a new
// ArticleVersion; agents read the published version.
type Article struct {
	ID               int64         `gorm:"primaryKey" json:"id"`
	Title            string        `gorm:"type:varchar(255);not null" json:"title"`
	Category         string        `gorm:"type:varchar(64);index;not null;default:''" json:"category"`
	Tags             []string      `gorm:"serializer:json;type:text" json:"tags"`
	Body             string        `gorm:"type:mediumtext" json:"body"`
	Status           ArticleStatus `gorm:"type:varchar(16);index;not null" json:"status"`
	Version          int           `gorm:"not null" json:"version"`
	PublishedVersion int           `gorm:"not null;default:0" json:"published_version"`
	// The published version's title, body and tags, which agents search.
	PubTitle  string    `gorm:"type:varchar(255);not null;default:''" json:"-"`
	PubBody   string    `gorm:"type:mediumtext" json:"-"`
	PubTags   string    `gorm:"type:text" json:"-"`
	CreatedBy int64     `json:"created_by"`
	UpdatedBy int64     `json:"updated_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ArticleVersion is one saved state of an article.
type ArticleVersion struct {
	ID        int64     `gorm:"primaryKey" json:"-"`
	ArticleID int64     `gorm:"uniqueIndex:ux_article_version,priority:1;not null" json:"article_id"`
	Version   int       `gorm:"uniqueIndex:ux_article_version,priority:2;not null" json:"version"`
	Title     string    `gorm:"type:varchar(255);not null" json:"title"`
	Category  string    `gorm:"type:varchar(64);not null;default:''" json:"category"`
	Tags      []string  `gorm:"serializer:json;type:text" json:"tags"`
	Body      string    `gorm:"type:mediumtext" json:"body"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// ArticleAttachment is a file attached to an article.
type ArticleAttachment struct {
	ID          int64     `gorm:"primaryKey" json:"id"`
	ArticleID   int64     `gorm:"index;not null" json:"article_id"`
	Name        string    `gorm:"type:varchar(255);not null" json:"name"`
	ContentType string    `gorm:"type:varchar(128);not null" json:"content_type"`
	Size        int64     `json:"size"`
	Data        []byte    `gorm:"type:longblob" json:"-"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// MaxAttachmentBytes bounds one attachment.
const MaxAttachmentBytes = 10 << 20

// ArticleInput is what a save sends.
type ArticleInput struct {
	Title    string
	Category string
	Tags     []string
	Body     string
}

func (d *ArticleInput) validate() error {
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{Field: f, Message: m}) }
	d.Title, d.Category = strings.TrimSpace(d.Title), strings.TrimSpace(d.Category)
	if d.Title == "" || len(d.Title) > 255 {
		add("title", "is required (at most 255 bytes)")
	}
	if len(d.Category) > 64 {
		add("category", "is at most 64 bytes")
	}
	if len(d.Body) > 1<<20 {
		add("body", "is at most 1 MiB")
	}
	tags := []string{}
	for i, t := range d.Tags {
		t = strings.TrimSpace(t)
		if t == "" || len(t) > 32 {
			add(fmt.Sprintf("tags[%d]", i), "a tag is 1 to 32 bytes")
		} else if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	if len(tags) > 20 {
		add("tags", "at most 20 tags")
	}
	d.Tags = tags
	errs = checkNames(errs, [2]string{"title", d.Title}, [2]string{"category", d.Category})
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// CreateArticle stores a new article as a draft, version 1.
func (s *Store) CreateArticle(ctx context.Context, d *ArticleInput, by int64) (*Article, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	a := &Article{Title: d.Title, Category: d.Category, Tags: d.Tags, Body: d.Body, Status: ArticleDraft, Version: 1, CreatedBy: by, UpdatedBy: by}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(a).Error; err != nil {
			return fmt.Errorf("store: create article: %w", translate(err))
		}
		return tx.Create(&ArticleVersion{ArticleID: a.ID, Version: 1, Title: d.Title, Category: d.Category, Tags: d.Tags, Body: d.Body, CreatedBy: by}).Error
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// SaveArticle stores d as the article's next version; agents keep reading
// the published one until it is published.
func (s *Store) SaveArticle(ctx context.Context, id int64, d *ArticleInput, by int64) (*Article, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	var a Article
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, id).Error; err != nil {
			return fmt.Errorf("store: article %d: %w", id, translate(err))
		}
		a.Version++
		a.Title, a.Category, a.Tags, a.Body, a.UpdatedBy = d.Title, d.Category, d.Tags, d.Body, by
		if err := tx.Save(&a).Error; err != nil {
			return fmt.Errorf("store: save article %d: %w", id, err)
		}
		return tx.Create(&ArticleVersion{ArticleID: id, Version: a.Version, Title: d.Title, Category: d.Category, Tags: d.Tags, Body: d.Body, CreatedBy: by}).Error
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// SetArticleStatus publishes (version 0: the newest), retires or returns an
// article to draft.
func (s *Store) SetArticleStatus(ctx context.Context, id int64, status ArticleStatus, version int) (*Article, error) {
	if !OneOf(status) {
		return nil, &ValidationError{Fields: []FieldError{EnumError("status", status)}}
	}
	var a Article
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, id).Error; err != nil {
			return fmt.Errorf("store: article %d: %w", id, translate(err))
		}
		a.Status = status
		if status == ArticlePublished {
			if version == 0 {
				version = a.Version
			}
			var v ArticleVersion
			if err := tx.Where("article_id = ? AND version = ?", id, version).First(&v).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return Invalid("version", fmt.Sprintf("article %d has no version %d", id, version))
				}
				return err
			}
			a.PublishedVersion, a.PubTitle, a.PubBody, a.PubTags = version, v.Title, v.Body, strings.Join(v.Tags, " ")
		}
		return tx.Save(&a).Error
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// GetArticle loads an article; published only hides drafts and retired ones.
func (s *Store) GetArticle(ctx context.Context, id int64) (*Article, error) {
	var a Article
	if err := s.conn(ctx).First(&a, id).Error; err != nil {
		return nil, fmt.Errorf("store: article %d: %w", id, translate(err))
	}
	return &a, nil
}

// PublishedArticle is what an agent reads: the published version.
func (s *Store) PublishedArticle(ctx context.Context, id int64) (*ArticleVersion, error) {
	a, err := s.GetArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Status != ArticlePublished {
		return nil, fmt.Errorf("store: article %d is not published: %w", id, ErrNotFound)
	}
	var v ArticleVersion
	if err := s.conn(ctx).Where("article_id = ? AND version = ?", id, a.PublishedVersion).First(&v).Error; err != nil {
		return nil, fmt.Errorf("store: article %d version %d: %w", id, a.PublishedVersion, translate(err))
	}
	return &v, nil
}

// ListArticleVersions lists an article's versions, newest first.
func (s *Store) ListArticleVersions(ctx context.Context, id int64) ([]ArticleVersion, error) {
	if _, err := s.GetArticle(ctx, id); err != nil {
		return nil, err
	}
	var vs []ArticleVersion
	if err := s.conn(ctx).Where("article_id = ?", id).Order("version DESC").Find(&vs).Error; err != nil {
		return nil, fmt.Errorf("store: article %d versions: %w", id, err)
	}
	return vs, nil
}

// ArticleFilter narrows ListArticles.
type ArticleFilter struct {
	Query    string // substring of title, tags or body (Chinese too)
	Category string
	Tag      string
	Status   ArticleStatus
	// Agent searches the published versions only, ranked title, then tags,
	// then body matches.
	Agent bool
	Page  Page
}

// ListArticles lists or searches articles.
func (s *Store) ListArticles(ctx context.Context, f ArticleFilter) ([]Article, int64, error) {
	q := s.conn(ctx).Model(&Article{})
	title, tags, body := "title", "tags", "body"
	if f.Agent {
		q = q.Where("status = ?", ArticlePublished)
		title, tags, body = "pub_title", "pub_tags", "pub_body"
	} else if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Tag != "" {
		q = q.Where(tags+" LIKE ? ESCAPE '!'", "%"+likeLiteral(f.Tag)+"%")
	}
	var order any = "updated_at DESC, id DESC"
	if qs := strings.TrimSpace(f.Query); qs != "" {
		like := "%" + likeLiteral(qs) + "%"
		q = q.Where("("+title+" LIKE ? ESCAPE '!' OR "+tags+" LIKE ? ESCAPE '!' OR "+body+" LIKE ? ESCAPE '!')", like, like, like)
		order = clause.OrderBy{Expression: clause.Expr{SQL: "CASE WHEN " + title + " LIKE ? ESCAPE '!' THEN 0 WHEN " + tags +
			" LIKE ? ESCAPE '!' THEN 1 ELSE 2 END, updated_at DESC, id DESC", Vars: []any{like, like}, WithoutParentheses: true}}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count articles: %w", err)
	}
	var out []Article
	if err := f.Page.apply(q).Order(order).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list articles: %w", err)
	}
	if f.Agent {
		for i := range out {
			a := &out[i]
			a.Title, a.Body = a.PubTitle, a.PubBody
			a.Tags = strings.Fields(a.PubTags)
		}
	}
	return out, total, nil
}

// ArticleCategories lists the categories in use, with article counts.
func (s *Store) ArticleCategories(ctx context.Context) ([]CategoryCount, error) {
	var out []CategoryCount
	err := s.conn(ctx).Model(&Article{}).Select("category, COUNT(*) AS count").Where("status <> ?", ArticleRetired).
		Group("category").Order("category").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: article categories: %w", err)
	}
	return out, nil
}

// CategoryCount is a category and how many articles it holds.
type CategoryCount struct {
	Category string `json:"category"`
	Count    int    `json:"count"`
}

// AddArticleAttachment stores a file on an article.
func (s *Store) AddArticleAttachment(ctx context.Context, at *ArticleAttachment) error {
	at.Name = strings.TrimSpace(at.Name)
	if at.Name == "" || len(at.Name) > 255 {
		return Invalid("file", "needs a file name (at most 255 bytes)")
	}
	if len(at.Data) == 0 || len(at.Data) > MaxAttachmentBytes {
		return Invalid("file", fmt.Sprintf("must hold 1 byte to %d MiB", MaxAttachmentBytes>>20))
	}
	if _, err := s.GetArticle(ctx, at.ArticleID); err != nil {
		return err
	}
	at.Size = int64(len(at.Data))
	if err := s.conn(ctx).Create(at).Error; err != nil {
		return fmt.Errorf("store: attachment of article %d: %w", at.ArticleID, err)
	}
	return nil
}

// ArticleAttachments lists an article's files without their content.
func (s *Store) ArticleAttachments(ctx context.Context, articleID int64) ([]ArticleAttachment, error) {
	var out []ArticleAttachment
	if err := s.conn(ctx).Omit("data").Where("article_id = ?", articleID).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: attachments of article %d: %w", articleID, err)
	}
	return out, nil
}

// GetArticleAttachment loads one file with its content.
func (s *Store) GetArticleAttachment(ctx context.Context, articleID, id int64) (*ArticleAttachment, error) {
	var at ArticleAttachment
	if err := s.conn(ctx).Where("article_id = ? AND id = ?", articleID, id).First(&at).Error; err != nil {
		return nil, fmt.Errorf("store: attachment %d: %w", id, translate(err))
	}
	return &at, nil
}

// DeleteArticleAttachment removes a file.
func (s *Store) DeleteArticleAttachment(ctx context.Context, articleID, id int64) error {
	res := s.conn(ctx).Where("article_id = ? AND id = ?", articleID, id).Delete(&ArticleAttachment{})
	if res.Error != nil {
		return fmt.Errorf("store: delete attachment %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: attachment %d: %w", id, ErrNotFound)
	}
	return nil
}
