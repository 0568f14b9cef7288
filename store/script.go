package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Script is a call script or questionnaire (R23–R26). Every save stores a
// new ScriptVersion; Version is the newest, PublishedVersion the one new
// sessions start on (0 until published). A session keeps the version it
// started with whatever is published later.
type Script struct {
	ID               int64          `gorm:"primaryKey" json:"id"`
	Title            string         `gorm:"type:varchar(255);not null" json:"title"`
	CampaignKinds    []CampaignKind `gorm:"serializer:json;type:text" json:"campaign_kinds"`
	Version          int            `gorm:"not null" json:"version"`
	PublishedVersion int            `gorm:"not null;default:0" json:"published_version"`
	// SearchText is the newest version's title and content, for ?q=.
	SearchText string         `gorm:"type:mediumtext" json:"-"`
	CreatedBy  int64          `json:"created_by"`
	UpdatedBy  int64          `json:"updated_by"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	DeletedAt  gorm.DeletedAt `gorm:"index" json:"-"`
}

// ScriptVersion is one saved state of a script; never changed once stored.
type ScriptVersion struct {
	ID            int64          `gorm:"primaryKey" json:"-"`
	ScriptID      int64          `gorm:"uniqueIndex:ux_script_version,priority:1;not null" json:"id"`
	Version       int            `gorm:"uniqueIndex:ux_script_version,priority:2;not null" json:"version"`
	Title         string         `gorm:"type:varchar(255);not null" json:"title"`
	CampaignKinds []CampaignKind `gorm:"serializer:json;type:text" json:"campaign_kinds"`
	Start         string         `gorm:"type:varchar(64);not null" json:"start"`
	Nodes         []ScriptNode   `gorm:"serializer:json;type:mediumtext" json:"nodes"`
	// Layout is where the designer drew each node (by node id); optional,
	// it never changes what a call does.
	Layout    ScriptLayout `gorm:"serializer:json;type:mediumtext" json:"layout,omitempty"`
	Note      string       `gorm:"type:varchar(255)" json:"note,omitempty"`
	CreatedBy int64        `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
}

// Flow returns the version's flow.
func (v *ScriptVersion) Flow() *ScriptFlow {
	return &ScriptFlow{Start: v.Start, Nodes: v.Nodes}
}

// ScriptDraft is what a save sends: title, kinds and the flow.
type ScriptDraft struct {
	Title         string
	CampaignKinds []CampaignKind
	Flow          ScriptFlow
	Layout        ScriptLayout
	Note          string
}

// ScriptPoint is a node's top-left corner on the designer's canvas.
type ScriptPoint struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// ScriptLayout places the nodes of a flow on the designer's canvas, by
// node id.
type ScriptLayout map[string]ScriptPoint

// maxCanvas bounds a coordinate: far beyond any screen, small enough that
// a typo is caught.
const maxCanvas = 100000

// check drops the places of nodes the flow no longer has (a node deleted
// in the designer, or a save that sends nodes without a layout) and refuses
// coordinates off the canvas.
func (l ScriptLayout) check(f *ScriptFlow) (ScriptLayout, []FieldError) {
	if len(l) == 0 {
		return nil, nil
	}
	var errs []FieldError
	out := ScriptLayout{}
	for _, n := range f.Nodes {
		p, ok := l[n.ID]
		if !ok {
			continue
		}
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.Abs(p.X) > maxCanvas || math.Abs(p.Y) > maxCanvas {
			errs = append(errs, FieldError{Field: "layout." + n.ID, Message: fmt.Sprintf("node %q: x and y are from -%d to %d", n.ID, maxCanvas, maxCanvas)})
			continue
		}
		out[n.ID] = p
	}
	return out, errs
}

// ScriptView is a script with one of its versions' content, as the API
// answers it.
type ScriptView struct {
	Script
	ViewedVersion int          `json:"viewed_version"`
	Start         string       `json:"start"`
	Nodes         []ScriptNode `json:"nodes"`
	Layout        ScriptLayout `json:"layout,omitempty"`
}

func (d *ScriptDraft) validate() error {
	var errs []FieldError
	d.Title = strings.TrimSpace(d.Title)
	if d.Title == "" || len(d.Title) > 255 {
		errs = append(errs, FieldError{Field: "title", Message: "is required (at most 255 bytes)"})
	}
	errs = checkNames(errs, [2]string{"title", d.Title})
	for i, k := range d.CampaignKinds {
		if !OneOf(k) {
			errs = append(errs, EnumError(fmt.Sprintf("campaign_kinds[%d]", i), k))
		}
	}
	if err := d.Flow.Validate(); err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		errs = append(errs, ve.Fields...)
	}
	var layoutErrs []FieldError
	d.Layout, layoutErrs = d.Layout.check(&d.Flow)
	errs = append(errs, layoutErrs...)
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

func (d *ScriptDraft) version(scriptID int64, v int, by int64) *ScriptVersion {
	return &ScriptVersion{ScriptID: scriptID, Version: v, Title: d.Title, CampaignKinds: d.CampaignKinds,
		Start: d.Flow.Start, Nodes: d.Flow.Nodes, Layout: d.Layout, Note: d.Note, CreatedBy: by}
}

func (d *ScriptDraft) searchText() string { return d.Title + "\n" + d.Flow.SearchText() }

// CreateScript validates and stores a new script as version 1 (not yet
// published unless publish is set).
func (s *Store) CreateScript(ctx context.Context, d *ScriptDraft, by int64, publish bool) (*ScriptView, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	if err := s.checkArticleLinks(ctx, &d.Flow); err != nil {
		return nil, err
	}
	sc := &Script{Title: d.Title, CampaignKinds: d.CampaignKinds, Version: 1, SearchText: d.searchText(), CreatedBy: by, UpdatedBy: by}
	if publish {
		sc.PublishedVersion = 1
	}
	var v *ScriptVersion
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(sc).Error; err != nil {
			return fmt.Errorf("store: create script %q: %w", d.Title, translate(err))
		}
		v = d.version(sc.ID, 1, by)
		if err := tx.Create(v).Error; err != nil {
			return fmt.Errorf("store: create script %d version 1: %w", sc.ID, translate(err))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return viewOf(sc, v), nil
}

// SaveScript stores d as the script's next version; baseVersion, when not
// 0, must be the newest version (else ErrConflict: someone saved in
// between). publish makes the new version current at once.
func (s *Store) SaveScript(ctx context.Context, id int64, d *ScriptDraft, baseVersion int, by int64, publish bool) (*ScriptView, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	if err := s.checkArticleLinks(ctx, &d.Flow); err != nil {
		return nil, err
	}
	var sc Script
	var v *ScriptVersion
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&sc, id).Error; err != nil {
			return fmt.Errorf("store: script %d: %w", id, translate(err))
		}
		if baseVersion != 0 && baseVersion != sc.Version {
			return fmt.Errorf("store: script %d: the change is based on version %d but version %d was saved since: %w", id, baseVersion, sc.Version, ErrConflict)
		}
		next := sc.Version + 1
		upd := map[string]any{"title": d.Title, "campaign_kinds": jsonText(d.CampaignKinds), "version": next,
			"search_text": d.searchText(), "updated_by": by, "updated_at": s.now()}
		if publish {
			upd["published_version"] = next
		}
		res := tx.Model(&Script{}).Where("id = ? AND version = ?", id, sc.Version).Updates(upd)
		if res.Error != nil {
			return fmt.Errorf("store: save script %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: script %d was saved by someone else meanwhile: %w", id, ErrConflict)
		}
		v = d.version(id, next, by)
		if err := tx.Create(v).Error; err != nil {
			return fmt.Errorf("store: script %d version %d: %w", id, next, translate(err))
		}
		return tx.First(&sc, id).Error
	})
	if err != nil {
		return nil, err
	}
	return viewOf(&sc, v), nil
}

// PublishScript makes version (0: the newest) current: sessions started from
// now on use it; sessions in progress keep theirs.
func (s *Store) PublishScript(ctx context.Context, id int64, version int) (*ScriptView, error) {
	var sc Script
	var v ScriptVersion
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.First(&sc, id).Error; err != nil {
			return fmt.Errorf("store: script %d: %w", id, translate(err))
		}
		if version == 0 {
			version = sc.Version
		}
		if err := tx.Where("script_id = ? AND version = ?", id, version).First(&v).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return Invalid("version", fmt.Sprintf("script %d has no version %d (newest: %d)", id, version, sc.Version))
			}
			return fmt.Errorf("store: script %d version %d: %w", id, version, err)
		}
		if err := tx.Model(&Script{}).Where("id = ?", id).Update("published_version", version).Error; err != nil {
			return fmt.Errorf("store: publish script %d: %w", id, err)
		}
		sc.PublishedVersion = version
		return nil
	})
	if err != nil {
		return nil, err
	}
	return viewOf(&sc, &v), nil
}

// GetScript loads a script with one version's content: version 0 is the
// newest.
func (s *Store) GetScript(ctx context.Context, id int64, version int) (*ScriptView, error) {
	var sc Script
	if err := s.conn(ctx).First(&sc, id).Error; err != nil {
		return nil, fmt.Errorf("store: script %d: %w", id, translate(err))
	}
	if version == 0 {
		version = sc.Version
	}
	v, err := s.ScriptVersionOf(ctx, id, version)
	if err != nil {
		return nil, err
	}
	return viewOf(&sc, v), nil
}

// ScriptVersionOf loads one version of a script, deleted scripts included
// (sessions that started on one keep reading it).
func (s *Store) ScriptVersionOf(ctx context.Context, id int64, version int) (*ScriptVersion, error) {
	var v ScriptVersion
	if err := s.conn(ctx).Where("script_id = ? AND version = ?", id, version).First(&v).Error; err != nil {
		return nil, fmt.Errorf("store: script %d version %d: %w", id, version, translate(err))
	}
	return &v, nil
}

// ListScriptVersions lists a script's versions, newest first, without
// their nodes.
func (s *Store) ListScriptVersions(ctx context.Context, id int64) ([]ScriptVersion, error) {
	if _, err := s.GetScript(ctx, id, 0); err != nil {
		return nil, err
	}
	var vs []ScriptVersion
	err := s.conn(ctx).Omit("nodes", "layout").Where("script_id = ?", id).Order("version DESC").Find(&vs).Error
	if err != nil {
		return nil, fmt.Errorf("store: script %d versions: %w", id, err)
	}
	return vs, nil
}

// ScriptFilter narrows ListScripts.
type ScriptFilter struct {
	Query        string // substring of the title or the content (Chinese too)
	CampaignKind CampaignKind
	Published    bool
	Page         Page
}

// ListScripts lists scripts, title matches of Query before content ones.
func (s *Store) ListScripts(ctx context.Context, f ScriptFilter) ([]Script, int64, error) {
	q := s.conn(ctx).Model(&Script{})
	var titleFirst any = "id DESC"
	if f.Query != "" {
		like := "%" + likeLiteral(strings.TrimSpace(f.Query)) + "%"
		q = q.Where("(title LIKE ? ESCAPE '!' OR search_text LIKE ? ESCAPE '!')", like, like)
		titleFirst = clause.OrderBy{Expression: clause.Expr{SQL: "CASE WHEN title LIKE ? ESCAPE '!' THEN 0 ELSE 1 END, id DESC",
			Vars: []any{like}, WithoutParentheses: true}}
	}
	if f.CampaignKind != "" {
		q = q.Where("campaign_kinds LIKE ?", "%\""+likeLiteral(string(f.CampaignKind))+"\"%")
	}
	if f.Published {
		q = q.Where("published_version > 0")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count scripts: %w", err)
	}
	var out []Script
	if err := f.Page.apply(q).Omit("search_text").Order(titleFirst).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list scripts: %w", err)
	}
	return out, total, nil
}

// DeleteScript removes a script from lists and from new sessions; its
// versions stay for the sessions and answers that refer to them.
func (s *Store) DeleteScript(ctx context.Context, id int64) error {
	res := s.conn(ctx).Delete(&Script{}, id)
	if res.Error != nil {
		return fmt.Errorf("store: delete script %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: script %d: %w", id, ErrNotFound)
	}
	return nil
}

// viewOf shows version v of sc: its title, kinds and nodes; Version stays
// the newest, ViewedVersion is v's.
func viewOf(sc *Script, v *ScriptVersion) *ScriptView {
	view := &ScriptView{Script: *sc, ViewedVersion: v.Version, Start: v.Start, Nodes: v.Nodes, Layout: v.Layout}
	view.Title, view.CampaignKinds = v.Title, v.CampaignKinds
	return view
}

// jsonText is v as the JSON text a serializer:json column holds (map
// updates bypass the serializer).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// checkArticleLinks refuses a node linking a knowledge-base article that
// does not exist.
func (s *Store) checkArticleLinks(ctx context.Context, f *ScriptFlow) error {
	var ids []int64
	for _, n := range f.Nodes {
		ids = append(ids, n.ArticleIDs...)
	}
	if len(ids) == 0 {
		return nil
	}
	var found []int64
	if err := s.conn(ctx).Model(&Article{}).Where("id IN ?", ids).Pluck("id", &found).Error; err != nil {
		return fmt.Errorf("store: check article links: %w", err)
	}
	var errs []FieldError
	for i, n := range f.Nodes {
		for j, id := range n.ArticleIDs {
			if !slices.Contains(found, id) {
				errs = append(errs, FieldError{Field: fmt.Sprintf("nodes[%d].article_ids[%d]", i, j),
					Message: fmt.Sprintf("node %q: article %d does not exist", n.ID, id)})
			}
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}
