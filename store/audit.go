package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records one operator action. Entries are never deleted, and the
// store offers no update but CompleteAudit: the request that wrote an entry
// with its first change fills in, once, its final status, target and detail.
type AuditEntry struct {
	ID         int64     `gorm:"primaryKey" json:"id"`
	At         time.Time `gorm:"index;not null" json:"at"`
	UserID     int64     `gorm:"index" json:"user_id"`
	Username   string    `gorm:"type:varchar(64);index" json:"username"`
	Role       string    `gorm:"type:varchar(16)" json:"role"`
	Action     string    `gorm:"type:varchar(64);index" json:"action"`
	TargetType string    `gorm:"type:varchar(32);index" json:"target_type"`
	TargetID   string    `gorm:"type:varchar(64)" json:"target_id"`
	RequestID  string    `gorm:"type:varchar(64)" json:"request_id"`
	IP         string    `gorm:"type:varchar(64)" json:"ip"`
	Result     string    `gorm:"type:varchar(16)" json:"result"` // ok, denied, failed
	Status     int       `json:"status"`
	Detail     string    `gorm:"type:text" json:"detail"`
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	UserID     int64
	Username   string
	Action     string
	TargetType string
	TargetID   string
	From, To   time.Time
	Page       Page
}

// Audit appends an entry on its own (a refusal, a failure, a sign-in: no
// action of the request committed).
func (s *Store) Audit(ctx context.Context, e *AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.fit()
	if err := s.conn(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// fit cuts every field to its column, so an oversized value (a 500 KB
// username, a long path or user agent) is stored shortened, never refused.
func (e *AuditEntry) fit() {
	e.Username, e.Role, e.Action = truncate(e.Username, 64), truncate(e.Role, 16), truncate(e.Action, 64)
	e.TargetType, e.TargetID = truncate(e.TargetType, 32), truncate(e.TargetID, 64)
	e.RequestID, e.IP, e.Result = truncate(e.RequestID, 64), truncate(e.IP, 64), truncate(e.Result, 16)
	e.Detail = truncate(e.Detail, 4000)
}

// CompleteAudit fills in what an audited request learnt after its first
// change committed the entry (see WithAudit): its final status and result,
// the object it acted on, the detail. Only the entry's own request calls it.
func (s *Store) CompleteAudit(ctx context.Context, e *AuditEntry) error {
	if e.ID == 0 {
		return fmt.Errorf("store: complete audit %s: entry not written", e.Action)
	}
	e.fit()
	res := s.conn(ctx).Model(&AuditEntry{}).Where("id = ?", e.ID).Updates(map[string]any{
		"status": e.Status, "result": e.Result, "target_type": e.TargetType, "target_id": e.TargetID, "detail": e.Detail})
	if res.Error != nil {
		return fmt.Errorf("store: complete audit %s: %w", e.Action, res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	// Nothing changed, or the row is gone: a later statement of the same
	// transaction failed and rolled the change and its entry back. Then the
	// request is a failure like any other and gets its entry now.
	var n int64
	if err := s.conn(ctx).Model(&AuditEntry{}).Where("id = ?", e.ID).Count(&n).Error; err != nil || n == 1 {
		return err
	}
	e.ID = 0
	return s.Audit(ctx, e)
}

// pendingAudit is an audited request's entry, carried in its context until
// the request's first write inserts it in that write's transaction.
type pendingAudit struct {
	entry   *AuditEntry
	written atomic.Bool
}

type auditKey struct{}

// WithAudit returns ctx carrying e, the audit entry of an audited request.
// The first write the store makes under ctx that changes a row inserts e in
// the same transaction, so an action and its entry commit together or not at
// all. AuditWritten tells afterwards whether that happened; if not (a
// refusal, a failure before any change), the caller writes e with Audit.
// Fill e (target, detail, expected status) before the store call.
func WithAudit(ctx context.Context, e *AuditEntry) context.Context {
	return context.WithValue(ctx, auditKey{}, &pendingAudit{entry: e})
}

// AuditWritten reports whether ctx's entry was written with a change.
func AuditWritten(ctx context.Context) bool {
	p, _ := ctx.Value(auditKey{}).(*pendingAudit)
	return p != nil && p.written.Load()
}

// registerAuditHook makes every create, update, delete and raw statement
// write the pending audit entry of its context, inside its transaction
// (GORM wraps each statement in one, or the statement runs in the caller's).
func registerAuditHook(db *gorm.DB) error {
	cb := db.Callback()
	const name, commit = "callcenter:audit", "gorm:commit_or_rollback_transaction"
	errs := []error{
		cb.Create().After("gorm:create").Before(commit).Register(name, writePendingAudit),
		cb.Update().After("gorm:update").Before(commit).Register(name, writePendingAudit),
		cb.Delete().After("gorm:delete").Before(commit).Register(name, writePendingAudit),
		cb.Raw().After("gorm:raw").Register(name, writePendingAudit),
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: register audit hook: %w", err)
	}
	return nil
}

func writePendingAudit(db *gorm.DB) {
	if db.Error != nil || db.RowsAffected == 0 || db.Statement.Context == nil || db.Statement.Table == "audit_entries" {
		return
	}
	p, _ := db.Statement.Context.Value(auditKey{}).(*pendingAudit)
	if p == nil || !p.written.CompareAndSwap(false, true) {
		return
	}
	e := p.entry
	if e.TargetID == "" && strings.HasSuffix(e.Action, ".create") {
		e.TargetID = createdID(db) // the new object is the first row the request creates
	}
	if e.TargetType == "" && e.TargetID != "" {
		e.TargetType, _, _ = strings.Cut(e.Action, ".")
	}
	if e.At.IsZero() {
		e.At = db.NowFunc()
	}
	e.fit()
	if err := db.Session(&gorm.Session{NewDB: true}).Create(e).Error; err != nil {
		p.written.Store(false)
		_ = db.AddError(fmt.Errorf("store: audit %s: %w", e.Action, err)) // rolls the action back
	}
}

// createdID is the primary key of the row a create statement inserted.
func createdID(db *gorm.DB) string {
	if db.Statement.Schema == nil || db.Statement.Schema.PrioritizedPrimaryField == nil {
		return ""
	}
	rv := reflect.Indirect(db.Statement.ReflectValue)
	if rv.Kind() == reflect.Slice {
		if rv.Len() == 0 {
			return ""
		}
		rv = reflect.Indirect(rv.Index(0))
	}
	if rv.Kind() != reflect.Struct {
		return ""
	}
	v, zero := db.Statement.Schema.PrioritizedPrimaryField.ValueOf(db.Statement.Context, rv)
	if zero {
		return ""
	}
	return fmt.Sprint(v)
}

// ListAudit pages through the audit log, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	q := s.conn(ctx).Model(&AuditEntry{})
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
	}
	if f.Username != "" {
		q = q.Where("username = ?", NormalizeUsername(f.Username))
	}
	if f.Action != "" {
		q = q.Where("action LIKE ?"+likeEscape, likeText(f.Action)+"%")
	}
	if f.TargetType != "" {
		q = q.Where("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		q = q.Where("target_id = ?", f.TargetID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count audit: %w", err)
	}
	var out []AuditEntry
	if err := f.Page.apply(q).Order("at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	return out, total, nil
}
