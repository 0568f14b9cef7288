package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// LockState is what a workstation's usb-lock script last reported.
type LockState string

const (
	LockUnknown  LockState = ""         // never reported
	LockLocked   LockState = "locked"   // udev rule + modprobe blacklist, or registry + policies, in place
	LockUnlocked LockState = "unlocked" // nothing in place
	LockPartial  LockState = "partial"  // some settings in place, or a storage driver still loaded
)

// LockStates lists the states a usb-lock script may report (LockUnknown is
// only ever the state of a workstation that has not reported yet).
var LockStates = []LockState{LockLocked, LockUnlocked, LockPartial}

// EnumValues lists the states a script may report.
func (LockState) EnumValues() []string { return enumStrings(LockStates) }

// Workstation is an agent PC. Its usb-lock script (scripts/usb-lock) reports
// the USB-storage lock state with a per-workstation token; the agent desktop
// names the workstation it runs on in the X-Workstation header, and softphone
// sign-in can require a locked, freshly reported one.
type Workstation struct {
	ID          int64             `gorm:"primaryKey" json:"id"`
	Name        string            `gorm:"type:varchar(64);uniqueIndex;not null" json:"name"`
	TokenHash   string            `gorm:"type:varchar(64);uniqueIndex;not null" json:"-"`
	Note        string            `gorm:"type:varchar(255)" json:"note"`
	State       LockState         `gorm:"type:varchar(16);index" json:"state"`
	Platform    string            `gorm:"type:varchar(16)" json:"platform"`
	Address     string            `gorm:"type:varchar(64)" json:"address"` // where the last report came from
	DetailsJSON string            `gorm:"column:details;type:text" json:"-"`
	Details     map[string]string `gorm:"-" json:"details"`
	ReportedAt  *time.Time        `json:"reported_at,omitempty"`
	LastAgentID *int64            `json:"last_agent_id,omitempty"`
	LastAgentAt *time.Time        `json:"last_agent_at,omitempty"`
	CreatedBy   int64             `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// WorkstationReport is what a usb-lock script sends.
type WorkstationReport struct {
	State    LockState
	Platform string
	Address  string
	Details  map[string]string
}

// Limits on what a report may carry, so a stolen token cannot fill the table.
const (
	maxReportDetails   = 32
	maxReportDetailLen = 256
)

var workstationNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ErrWorkstationRefused wraps every reason CheckDesk refuses a workstation.
var ErrWorkstationRefused = errors.New("workstation refused")

// NormalizeWorkstationName folds a computer name the way Windows and DNS
// treat it (case-insensitive), so "PC-001" and "pc-001" are one workstation.
func NormalizeWorkstationName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Validate checks a new workstation's fields.
func (w *Workstation) Validate() error {
	var errs []FieldError
	if !workstationNameRe.MatchString(w.Name) {
		errs = append(errs, FieldError{Field: "name", Message: "1-64 letters, digits, '.', '_' or '-' (the computer's host name), starting with a letter or digit"})
	}
	if len(w.Note) > 255 {
		errs = append(errs, FieldError{Field: "note", Message: "at most 255 bytes"})
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// Validate checks a report before it touches the database.
func (r *WorkstationReport) Validate() error {
	if !OneOf(r.State) {
		return Invalid("state", EnumMessage(r.State))
	}
	if len(r.Platform) > 16 {
		return Invalid("platform", "at most 16 bytes")
	}
	if len(r.Details) > maxReportDetails {
		return Invalid("details", fmt.Sprintf("at most %d entries", maxReportDetails))
	}
	for k, v := range r.Details {
		if len(k) > 64 || len(v) > maxReportDetailLen {
			return Invalid("details", fmt.Sprintf("keys at most 64 bytes and values at most %d bytes", maxReportDetailLen))
		}
	}
	return nil
}

func newWorkstationToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("store: workstation token: %w", err)
	}
	return "ws_" + base64.RawURLEncoding.EncodeToString(raw), nil
}

func (w *Workstation) decode() {
	w.Details = map[string]string{}
	if w.DetailsJSON != "" {
		_ = json.Unmarshal([]byte(w.DetailsJSON), &w.Details)
	}
}

// CreateWorkstation registers a workstation and returns its report token,
// shown this once: only its SHA-256 is kept.
func (s *Store) CreateWorkstation(ctx context.Context, w *Workstation) (string, error) {
	w.Name = NormalizeWorkstationName(w.Name)
	w.Note = strings.TrimSpace(w.Note)
	if err := w.Validate(); err != nil {
		return "", err
	}
	token, err := newWorkstationToken()
	if err != nil {
		return "", err
	}
	w.TokenHash = hashToken(token)
	w.State = LockUnknown
	if err := s.conn(ctx).Create(w).Error; err != nil {
		return "", fmt.Errorf("store: create workstation %s: %w", w.Name, translate(err))
	}
	w.decode()
	return token, nil
}

// RotateWorkstationToken issues a new token; the old one stops working at once.
func (s *Store) RotateWorkstationToken(ctx context.Context, id int64) (*Workstation, string, error) {
	w, err := s.GetWorkstation(ctx, id)
	if err != nil {
		return nil, "", err
	}
	token, err := newWorkstationToken()
	if err != nil {
		return nil, "", err
	}
	if err := s.conn(ctx).Model(w).Update("token_hash", hashToken(token)).Error; err != nil {
		return nil, "", fmt.Errorf("store: rotate workstation %d token: %w", id, err)
	}
	return w, token, nil
}

// GetWorkstation loads one workstation.
func (s *Store) GetWorkstation(ctx context.Context, id int64) (*Workstation, error) {
	var w Workstation
	if err := s.conn(ctx).First(&w, id).Error; err != nil {
		return nil, fmt.Errorf("store: workstation %d: %w", id, translate(err))
	}
	w.decode()
	return &w, nil
}

// WorkstationByName loads the workstation with this computer name.
func (s *Store) WorkstationByName(ctx context.Context, name string) (*Workstation, error) {
	var w Workstation
	if err := s.conn(ctx).Where("name = ?", NormalizeWorkstationName(name)).First(&w).Error; err != nil {
		return nil, fmt.Errorf("store: workstation %q: %w", truncate(name, 64), translate(err))
	}
	w.decode()
	return &w, nil
}

// WorkstationByToken resolves a report token; ErrNotFound for any unknown one.
func (s *Store) WorkstationByToken(ctx context.Context, token string) (*Workstation, error) {
	var w Workstation
	if err := s.conn(ctx).Where("token_hash = ?", hashToken(token)).First(&w).Error; err != nil {
		return nil, fmt.Errorf("store: workstation token: %w", translate(err))
	}
	w.decode()
	return &w, nil
}

// WorkstationFilter narrows ListWorkstations.
type WorkstationFilter struct {
	State *LockState // nil: any
	Q     string     // name prefix
	Page  Page
}

// ListWorkstations pages through the workstations by name.
func (s *Store) ListWorkstations(ctx context.Context, f WorkstationFilter) ([]Workstation, int64, error) {
	q := s.conn(ctx).Model(&Workstation{})
	if f.State != nil {
		q = q.Where("state = ?", *f.State)
	}
	if f.Q != "" {
		q = q.Where("name LIKE ?"+likeEscape, likeText(NormalizeWorkstationName(f.Q))+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count workstations: %w", err)
	}
	var out []Workstation
	if err := f.Page.apply(q).Order("name").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list workstations: %w", err)
	}
	for i := range out {
		out[i].decode()
	}
	return out, total, nil
}

// DeleteWorkstation removes a workstation; its token stops working.
func (s *Store) DeleteWorkstation(ctx context.Context, id int64) error {
	res := s.conn(ctx).Delete(&Workstation{}, id)
	if res.Error != nil {
		return fmt.Errorf("store: delete workstation %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: workstation %d: %w", id, ErrNotFound)
	}
	return nil
}

// RecordWorkstationReport stores a report for w (found by its token) and
// updates w to match.
func (s *Store) RecordWorkstationReport(ctx context.Context, w *Workstation, r WorkstationReport) error {
	if err := r.Validate(); err != nil {
		return err
	}
	details, _ := json.Marshal(r.Details)
	now := s.now()
	res := s.conn(ctx).Model(&Workstation{ID: w.ID}).Updates(map[string]any{
		"state": r.State, "platform": r.Platform, "address": truncate(r.Address, 64), "details": string(details), "reported_at": now,
	})
	if res.Error != nil {
		return fmt.Errorf("store: workstation %d report: %w", w.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: workstation %d: %w", w.ID, ErrNotFound)
	}
	w.State, w.Platform, w.Address, w.DetailsJSON, w.ReportedAt = r.State, r.Platform, truncate(r.Address, 64), string(details), &now
	w.decode()
	return nil
}

// NoteWorkstationAgent records the agent last seen signing in on a workstation.
func (s *Store) NoteWorkstationAgent(ctx context.Context, id, agentID int64) error {
	err := s.conn(ctx).Model(&Workstation{ID: id}).Updates(map[string]any{"last_agent_id": agentID, "last_agent_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("store: workstation %d agent: %w", id, err)
	}
	return nil
}

// CheckDesk decides whether an agent desktop calling from addr may use this
// workstation when a locked one is required: the last report must say
// locked, be younger than maxAge, and come from the same address (so a name
// copied from another PC does not pass). The error names the reason.
func (w *Workstation) CheckDesk(addr string, now time.Time, maxAge time.Duration) error {
	switch {
	case w.ReportedAt == nil:
		return fmt.Errorf("%w: workstation %s has never reported its USB lock state; run scripts/usb-lock on it", ErrWorkstationRefused, w.Name)
	case now.Sub(*w.ReportedAt) > maxAge:
		return fmt.Errorf("%w: workstation %s last reported %s ago (more than %s); check its usb-lock schedule", ErrWorkstationRefused, w.Name, now.Sub(*w.ReportedAt).Round(time.Second), maxAge)
	case w.State != LockLocked:
		return fmt.Errorf("%w: workstation %s reports USB storage %s, not locked", ErrWorkstationRefused, w.Name, w.State)
	case w.Address != addr:
		return fmt.Errorf("%w: this request comes from %s but workstation %s reports from %s", ErrWorkstationRefused, addr, w.Name, w.Address)
	}
	return nil
}

// WorkstationLocked is the check for softphone sign-in: the named
// workstation exists and CheckDesk passes for a desktop at addr.
func (s *Store) WorkstationLocked(ctx context.Context, name, addr string, maxAge time.Duration) (*Workstation, error) {
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("%w: the desktop did not name its workstation (X-Workstation header)", ErrWorkstationRefused)
	}
	w, err := s.WorkstationByName(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: workstation %q is not registered", ErrWorkstationRefused, truncate(name, 64))
	}
	if err != nil {
		return nil, err
	}
	return w, w.CheckDesk(addr, s.now(), maxAge)
}
