package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// CampaignKind is the business purpose of a campaign.
type CampaignKind string

const (
	KindSurvey       CampaignKind = "survey"
	KindNotification CampaignKind = "notification"
	KindCollection   CampaignKind = "collection"
	KindConfirmation CampaignKind = "confirmation"
	KindSales        CampaignKind = "sales"
)

// Media is how a campaign reaches the customer (R18).
type Media string

const (
	MediaVoice Media = "voice"
	MediaIVR   Media = "ivr"
	MediaSMS   Media = "sms"
	MediaEmail Media = "email"
	MediaFax   Media = "fax"
)

// DialMode is how voice contacts are dialed (R17).
type DialMode string

const (
	DialPreview     DialMode = "preview"
	DialProgressive DialMode = "progressive"
	DialPredictive  DialMode = "predictive"
	DialBroadcast   DialMode = "broadcast"
)

// MachineAction is what a campaign does with a call an answering machine
// took (R17).
type MachineAction string

const (
	MachineDrop         MachineAction = "drop"    // hang up at once
	MachineLeaveMessage MachineAction = "message" // leave the campaign's machine message, then hang up
)

// CampaignStatus is where a campaign is in its life.
type CampaignStatus string

const (
	CampaignDraft     CampaignStatus = "draft"
	CampaignRunning   CampaignStatus = "running"
	CampaignPaused    CampaignStatus = "paused"
	CampaignStopped   CampaignStatus = "stopped"
	CampaignCompleted CampaignStatus = "completed"
)

// campaignTransitions lists the allowed status changes.
var campaignTransitions = map[CampaignStatus][]CampaignStatus{
	CampaignDraft:     {CampaignRunning, CampaignStopped},
	CampaignRunning:   {CampaignPaused, CampaignStopped, CampaignCompleted},
	CampaignPaused:    {CampaignRunning, CampaignStopped},
	CampaignStopped:   {},
	CampaignCompleted: {CampaignRunning}, // new contacts arrived: run again
}

// CanMove reports whether a campaign may go from s to next.
func (s CampaignStatus) CanMove(next CampaignStatus) bool {
	for _, n := range campaignTransitions[s] {
		if n == next {
			return true
		}
	}
	return false
}

// Campaign is one outbound campaign and its settings.
type Campaign struct {
	ID            int64        `gorm:"primaryKey" json:"id"`
	Name          string       `gorm:"type:varchar(128);uniqueIndex;not null" json:"name"`
	Kind          CampaignKind `gorm:"type:varchar(16);not null" json:"kind"`
	Media         Media        `gorm:"type:varchar(16);not null" json:"media"`
	DialMode      DialMode     `gorm:"type:varchar(16);not null" json:"dial_mode"`
	Priority      int          `gorm:"not null" json:"priority"`
	StrategyID    *int64       `gorm:"index" json:"strategy_id"`
	GroupID       *int64       `gorm:"index" json:"group_id"`
	ScriptID      *int64       `json:"script_id"`
	CallerIDsJSON string       `gorm:"column:caller_ids;type:text" json:"-"`
	CallerIDs     []string     `gorm:"-" json:"caller_ids"`
	Gateway       string       `gorm:"type:varchar(64)" json:"gateway"`
	// Skill and MinLevel limit which agents of the group take the
	// campaign's calls (User.Skills, User.Level); "" and 0 let any agent.
	Skill          string  `gorm:"type:varchar(32);not null;default:''" json:"skill"`
	MinLevel       int     `gorm:"not null;default:0" json:"min_level"`
	MaxAbandonRate float64 `json:"max_abandon_rate"`
	IVRFlow        string  `gorm:"type:varchar(64)" json:"ivr_flow"`
	// ComplianceMessage is the sound file a person hears when no agent is
	// connected within 2 s (who called, a number to call back, the opt-out
	// key); "" plays the server's. MachineAction and MachineMessage say
	// what happens on an answering machine.
	ComplianceMessage string        `gorm:"type:varchar(255)" json:"compliance_message"`
	MachineAction     MachineAction `gorm:"type:varchar(16);not null;default:'drop'" json:"machine_action"`
	MachineMessage    string        `gorm:"type:varchar(255)" json:"machine_message"`
	Description       string        `gorm:"type:varchar(1024)" json:"description"`
	SensitiveJSON     string        `gorm:"column:sensitive_attributes;type:text" json:"-"`
	// SensitiveAttributes are the attribute keys holding phone or ID numbers
	// (filled by detection at import, editable): masked like the core fields.
	SensitiveAttributes []string `gorm:"-" json:"sensitive_attributes"`
	// What sms, email and fax campaigns send, the campaign a contact not
	// reached moves on to, and who hears of results (campaign_message.go).
	Message    CampaignMessage `gorm:"serializer:json;type:text" json:"message"`
	DocumentID *int64          `json:"document_id,omitempty"`
	FollowUp   *FollowUp       `gorm:"serializer:json;type:text" json:"follow_up,omitempty"`
	Notify     []NotifyRule    `gorm:"serializer:json;type:text" json:"notify,omitempty"`
	Status     CampaignStatus  `gorm:"type:varchar(16);index;not null" json:"status"`
	Version    int             `gorm:"not null;default:1" json:"version"` // grows on every change (CampaignStamps)
	CreatedBy  int64           `json:"created_by"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// Validate checks a campaign's fields (references are checked by the store).
func (c *Campaign) Validate() error {
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{Field: f, Message: m}) }
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || len(c.Name) > 128 {
		add("name", "is required (at most 128 bytes)")
	}
	errs = checkNames(errs, [2]string{"name", c.Name})
	if !OneOf(c.Kind) {
		add("kind", EnumMessage(c.Kind))
	}
	if !OneOf(c.Media) {
		add("media", EnumMessage(c.Media))
	}
	c.validateMessaging(add)
	if !OneOf(c.DialMode) {
		add("dial_mode", EnumMessage(c.DialMode))
	}
	if c.Media == MediaIVR && c.DialMode != DialBroadcast {
		add("dial_mode", "an ivr campaign dials in broadcast mode")
	}
	if c.Priority < 1 || c.Priority > 10 {
		add("priority", "must be between 1 (lowest) and 10 (highest)")
	}
	c.Skill = strings.ToLower(strings.TrimSpace(c.Skill))
	if c.Skill != "" && !skillRe.MatchString(c.Skill) {
		add("skill", "must be one skill: 1-32 letters, digits, _ or -")
	}
	if c.MinLevel < 0 || c.MinLevel > 10 {
		add("min_level", "must be between 0 and 10 (an agent's level)")
	}
	if c.MaxAbandonRate < 0 || c.MaxAbandonRate > 0.2 {
		add("max_abandon_rate", "must be between 0 and 0.2 (a fraction, e.g. 0.03)")
	}
	for i, id := range c.CallerIDs {
		if !callerIDOK(id) {
			add(fmt.Sprintf("caller_ids[%d]", i), "must be 3-20 digits, optionally with a leading +")
		}
	}
	c.validateMessages(add)
	validateSensitive(c.SensitiveAttributes, add)
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// validateMessages checks the compliance and machine messages: sound file
// paths FreeSWITCH can play (no spaces or control characters), and a
// machine message when the action leaves one.
func (c *Campaign) validateMessages(add func(f, m string)) {
	if c.MachineAction == "" {
		c.MachineAction = MachineDrop
	}
	if !OneOf(c.MachineAction) {
		add("machine_action", EnumMessage(c.MachineAction))
	}
	for _, f := range []struct{ name, v string }{{"compliance_message", c.ComplianceMessage}, {"machine_message", c.MachineMessage}} {
		if len(f.v) > 255 || strings.IndexFunc(f.v, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
			add(f.name, "must be a sound file path of at most 255 bytes without spaces or control characters")
		}
	}
	if c.MachineAction == MachineLeaveMessage && c.MachineMessage == "" {
		add("machine_message", "is required when machine_action is message")
	}
	if strings.ContainsAny(c.MachineMessage, ",'") { // it goes into an inline dialplan (app:arg,app:arg)
		add("machine_message", "must not contain a comma or a quote")
	}
}

func callerIDOK(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 3 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (c *Campaign) encode() {
	if c.CallerIDs == nil {
		c.CallerIDs = []string{}
	}
	b, _ := json.Marshal(c.CallerIDs)
	c.CallerIDsJSON = string(b)
	c.encodeSensitive()
}

func (c *Campaign) decode() {
	c.CallerIDs = []string{}
	if c.CallerIDsJSON != "" {
		_ = json.Unmarshal([]byte(c.CallerIDsJSON), &c.CallerIDs)
	}
	c.decodeSensitive()
}

// checkRefs verifies that referenced rows exist, naming the field when not.
func (s *Store) checkCampaignRefs(ctx context.Context, c *Campaign) error {
	refs := []struct {
		field string
		table string
		id    *int64
	}{{"strategy_id", "strategies", c.StrategyID}, {"group_id", "groups", c.GroupID}, {"document_id", "documents", c.DocumentID}}
	if c.FollowUp != nil && c.FollowUp.CampaignID > 0 {
		refs = append(refs, struct {
			field string
			table string
			id    *int64
		}{"follow_up.campaign_id", "campaigns", &c.FollowUp.CampaignID})
	}
	for _, r := range refs {
		if r.id == nil {
			continue
		}
		var n int64
		if err := s.conn(ctx).Table(r.table).Where("id = ?", *r.id).Count(&n).Error; err != nil {
			return fmt.Errorf("store: check %s: %w", r.field, err)
		}
		if n == 0 {
			return Invalid(r.field, fmt.Sprintf("%d does not exist", *r.id))
		}
	}
	if c.DocumentID != nil {
		if d, err := s.GetDocument(ctx, *c.DocumentID); err != nil {
			return err
		} else if d.Kind == DocumentAttachment {
			return Invalid("document_id", fmt.Sprintf("document %d (%s) is an e-mail attachment, not a fax document: upload the PDF with kind fax", d.ID, d.Name))
		}
	}
	if err := s.CheckAttachments(ctx, c.Media, c.Message.Attachments); err != nil {
		return err
	}
	if c.ScriptID != nil && *c.ScriptID != 0 {
		var n int64
		if err := s.conn(ctx).Model(&Script{}).Where("id = ?", *c.ScriptID).Count(&n).Error; err != nil {
			return fmt.Errorf("store: check script_id: %w", err)
		}
		if n == 0 {
			return Invalid("script_id", fmt.Sprintf("script %d does not exist", *c.ScriptID))
		}
	}
	return nil
}

// CreateCampaign stores a new campaign in draft.
func (s *Store) CreateCampaign(ctx context.Context, c *Campaign) error {
	c.Status = CampaignDraft
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.checkCampaignRefs(ctx, c); err != nil {
		return err
	}
	c.encode()
	if err := s.conn(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("store: create campaign %q: %w", c.Name, translate(err))
	}
	return nil
}

// UpdateCampaign saves a campaign's settings (not its status) and bumps its
// version. A running or paused campaign keeps what it needs to run: an edit
// that removes it (the strategy, the group, the caller IDs...) is refused,
// naming the field.
func (s *Store) UpdateCampaign(ctx context.Context, c *Campaign) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.checkCampaignRefs(ctx, c); err != nil {
		return err
	}
	if c.Status == CampaignRunning || c.Status == CampaignPaused {
		problems, err := s.runProblems(ctx, c, false)
		if err != nil {
			return err
		}
		for i := range problems {
			problems[i].Message += fmt.Sprintf(" (the campaign is %s)", c.Status)
		}
		if len(problems) > 0 {
			return &ValidationError{Fields: problems}
		}
	}
	c.encode()
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("CreatedAt", "Status", "Version").Save(c).Error; err != nil {
			return fmt.Errorf("store: update campaign %d: %w", c.ID, translate(err))
		}
		if c.FollowUp == nil { // Save leaves a nil serialized field as it was
			if err := tx.Model(c).UpdateColumn("follow_up", nil).Error; err != nil {
				return fmt.Errorf("store: update campaign %d: %w", c.ID, err)
			}
		}
		return tx.Model(c).UpdateColumn("version", gorm.Expr("version + 1")).Error
	})
	if err != nil {
		return err
	}
	c.Version++
	return nil
}

// SetCampaignStatus moves a campaign along its life, refusing transitions
// the table does not allow (ErrConflict).
func (s *Store) SetCampaignStatus(ctx context.Context, id int64, next CampaignStatus) (*Campaign, error) {
	c, err := s.GetCampaign(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Status.CanMove(next) {
		return nil, &TransitionError{CampaignID: id, From: c.Status, To: next}
	}
	res := s.conn(ctx).Model(&Campaign{}).Where("id = ? AND status = ?", id, c.Status).
		Updates(map[string]any{"status": next, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return nil, fmt.Errorf("store: set campaign %d status: %w", id, res.Error)
	}
	if res.RowsAffected == 0 { // someone else changed it meanwhile
		return nil, fmt.Errorf("store: campaign %d changed meanwhile: %w", id, ErrConflict)
	}
	c.Status = next
	c.Version++
	return c, nil
}

// GetCampaign loads one campaign.
func (s *Store) GetCampaign(ctx context.Context, id int64) (*Campaign, error) {
	var c Campaign
	if err := s.conn(ctx).First(&c, id).Error; err != nil {
		return nil, fmt.Errorf("store: campaign %d: %w", id, translate(err))
	}
	c.decode()
	return &c, nil
}

// CampaignFilter narrows ListCampaigns.
type CampaignFilter struct {
	Status CampaignStatus
	Kind   CampaignKind
	Media  Media
	Q      string
	Page   Page
}

// ListCampaigns pages through campaigns, highest priority first.
func (s *Store) ListCampaigns(ctx context.Context, f CampaignFilter) ([]Campaign, int64, error) {
	q := s.conn(ctx).Model(&Campaign{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Media != "" {
		q = q.Where("media = ?", f.Media)
	}
	if f.Q != "" {
		q = q.Where("name LIKE ?"+likeEscape, "%"+likeText(f.Q)+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count campaigns: %w", err)
	}
	var out []Campaign
	if err := f.Page.apply(q).Order("priority DESC, id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list campaigns: %w", err)
	}
	for i := range out {
		out[i].decode()
	}
	return out, total, nil
}

// DeleteCampaign removes a campaign that is not running, with its contacts
// and import jobs. Attempts (call history) are kept.
func (s *Store) DeleteCampaign(ctx context.Context, id int64) error {
	c, err := s.GetCampaign(ctx, id)
	if err != nil {
		return err
	}
	if c.Status == CampaignRunning {
		return fmt.Errorf("store: campaign %d is running; stop it first: %w", id, ErrConflict)
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		for _, m := range []any{&Contact{}, &ImportJob{}} {
			if err := tx.Where("campaign_id = ?", id).Delete(m).Error; err != nil {
				return fmt.Errorf("store: delete campaign %d rows: %w", id, err)
			}
		}
		return tx.Delete(&Campaign{}, id).Error
	})
}

func init() {
	strategyUsers = append(strategyUsers, func(s *Store, ctx context.Context, id int64) (bool, error) {
		var n int64
		err := s.conn(ctx).Model(&Campaign{}).Where("strategy_id = ?", id).Count(&n).Error
		return n > 0, err
	})
	groupUsers = append(groupUsers, func(s *Store, ctx context.Context, id int64) (bool, error) {
		var n int64
		err := s.conn(ctx).Model(&Campaign{}).Where("group_id = ?", id).Count(&n).Error
		return n > 0, err
	})
}
