package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ContactStatus is where a contact is in a campaign.
type ContactStatus string

const (
	ContactPending     ContactStatus = "pending"     // to be dialed (now or at next_attempt_at)
	ContactInProgress  ContactStatus = "in_progress" // claimed by a dialer, a call is up
	ContactCompleted   ContactStatus = "completed"   // reached, result recorded
	ContactFailed      ContactStatus = "failed"      // attempts used up without success
	ContactMaintenance ContactStatus = "maintenance" // numbers invalid: needs data fixing
	ContactBlocked     ContactStatus = "blocked"     // on the do-not-call list (the blocked group)
	ContactCancelled   ContactStatus = "cancelled"   // taken out by a supervisor
)

// ExportClass groups statuses the way the business asks for them (R3).
var ExportClass = map[string][]ContactStatus{
	"completed":   {ContactCompleted},
	"uncompleted": {ContactPending, ContactInProgress, ContactFailed},
	"maintenance": {ContactMaintenance},
	"blocked":     {ContactBlocked},
	"cancelled":   {ContactCancelled},
}

// Contact is one customer to reach in one campaign. Each dial try is an
// Attempt; the contact keeps only the counters the dialer needs.
type Contact struct {
	ID           int64  `gorm:"primaryKey" json:"id"`
	CampaignID   int64  `gorm:"not null;uniqueIndex:ux_contact_phone,priority:1;index:ix_contact_queue,priority:1" json:"campaign_id"`
	Name         string `gorm:"type:varchar(128)" json:"name"`
	Phone        string `gorm:"type:varchar(20);not null;uniqueIndex:ux_contact_phone,priority:2" json:"phone"`
	AltPhone     string `gorm:"type:varchar(20);index" json:"alt_phone"`
	IDNumber     string `gorm:"type:varchar(18);index" json:"id_number"`
	CustomerType string `gorm:"type:varchar(64)" json:"customer_type"`
	ManagerEmail string `gorm:"type:varchar(255)" json:"manager_email"`
	Email        string `gorm:"type:varchar(255)" json:"email"` // the customer's own, for email campaigns
	// ForwardedAt: when the contact, not reached, was handed to the
	// campaign's follow-up campaign (sequences).
	ForwardedAt   *time.Time    `json:"forwarded_at,omitempty"`
	AttrsJSON     string        `gorm:"column:attributes;type:text" json:"-"`
	Attributes    Attributes    `gorm:"-" json:"attributes"`
	Status        ContactStatus `gorm:"type:varchar(16);not null;index:ix_contact_queue,priority:2" json:"status"`
	BlockReason   string        `gorm:"type:varchar(64)" json:"block_reason,omitempty"`
	Attempts      int           `gorm:"not null;default:0" json:"attempts"`
	PhoneAttempts int           `gorm:"not null;default:0" json:"phone_attempts"`
	AltAttempts   int           `gorm:"not null;default:0" json:"alt_attempts"`
	LastResult    string        `gorm:"type:varchar(32)" json:"last_result,omitempty"`
	LastAttemptAt *time.Time    `json:"last_attempt_at,omitempty"`
	NextAttemptAt *time.Time    `gorm:"index:ix_contact_queue,priority:3" json:"next_attempt_at,omitempty"`
	DNDUntil      *time.Time    `json:"dnd_until,omitempty"`
	OwnerAgentID  *int64        `gorm:"index" json:"owner_agent_id,omitempty"`
	AssignedAt    *time.Time    `json:"assigned_at,omitempty"`
	ImportJobID   *int64        `json:"import_job_id,omitempty"` // no index: every secondary index slows imports
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`

	// What the dialer knows of the numbers (R12), the last abandoned call
	// (no redial within 72 h without an agent) and the open callback.
	PhoneStatus NumberStatus `gorm:"type:varchar(16);not null;default:''" json:"phone_status"`
	AltStatus   NumberStatus `gorm:"type:varchar(16);not null;default:''" json:"alt_phone_status"`
	AbandonedAt *time.Time   `json:"abandoned_at,omitempty"`
	CallbackAt  *time.Time   `json:"callback_at,omitempty"` // due time of the contact's open callback

	// Claim: a runner holding the campaign's lease (ClaimLease is its fencing
	// token) reserved the contact until ClaimedUntil; ClaimToken names the
	// batch, and every later write for the contact must present it.
	ClaimToken   string     `gorm:"type:varchar(32);not null;default:''" json:"-"`
	ClaimedBy    string     `gorm:"type:varchar(64);not null;default:''" json:"claimed_by,omitempty"`
	ClaimLease   int64      `gorm:"not null;default:0" json:"-"`
	ClaimedUntil *time.Time `gorm:"index:ix_contact_claim" json:"claimed_until,omitempty"`
}

// Attributes are the extra columns of an import, kept as they came.
type Attributes map[string]string

func (c *Contact) encode() {
	if len(c.Attributes) == 0 {
		c.AttrsJSON = ""
		return
	}
	b, _ := json.Marshal(c.Attributes)
	c.AttrsJSON = string(b)
}

func (c *Contact) decode() {
	c.Attributes = Attributes{}
	if c.AttrsJSON != "" {
		_ = json.Unmarshal([]byte(c.AttrsJSON), &c.Attributes)
	}
}

// Phones returns the contact's numbers in the given order of fields
// ("phone", "alt_phone"), skipping empty ones.
func (c *Contact) Phones(order []string) []string {
	if len(order) == 0 {
		order = []string{"phone", "alt_phone"}
	}
	var out []string
	for _, f := range order {
		switch f {
		case "phone":
			if c.Phone != "" {
				out = append(out, c.Phone)
			}
		case "alt_phone":
			if c.AltPhone != "" {
				out = append(out, c.AltPhone)
			}
		}
	}
	return out
}

// ContactFilter narrows ListContacts.
type ContactFilter struct {
	CampaignID   int64
	Statuses     []ContactStatus
	OwnerAgentID int64
	Unassigned   bool
	Search       Search // name, phone or ID number (see Search for the rules)
	Page         Page
}

// ListContacts pages through a campaign's contacts.
func (s *Store) ListContacts(ctx context.Context, f ContactFilter) ([]Contact, int64, error) {
	q := s.conn(ctx).Model(&Contact{}).Where("campaign_id = ?", f.CampaignID)
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", f.Statuses)
	}
	if f.OwnerAgentID != 0 {
		q = q.Where("owner_agent_id = ?", f.OwnerAgentID)
	}
	if f.Unassigned {
		q = q.Where("owner_agent_id IS NULL")
	}
	q = f.Search.where(q, "name", "phone", "alt_phone", "id_number")
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count contacts: %w", err)
	}
	var out []Contact
	if err := f.Page.apply(q).Order("id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("store: list contacts: %w", err)
	}
	for i := range out {
		out[i].decode()
	}
	return out, total, nil
}

// GetContact loads one contact.
func (s *Store) GetContact(ctx context.Context, id int64) (*Contact, error) {
	var c Contact
	if err := s.conn(ctx).First(&c, id).Error; err != nil {
		return nil, fmt.Errorf("store: contact %d: %w", id, translate(err))
	}
	c.decode()
	return &c, nil
}

// CountContactsByStatus returns a campaign's contact counts per status
// (from the counts the triggers keep: see ContactCounts).
func (s *Store) CountContactsByStatus(ctx context.Context, campaignID int64) (map[ContactStatus]int64, error) {
	all, err := s.ContactCounts(ctx, campaignID)
	if err != nil {
		return nil, fmt.Errorf("store: count contacts of campaign %d: %w", campaignID, err)
	}
	out := all[campaignID]
	if out == nil {
		out = map[ContactStatus]int64{}
	}
	return out, nil
}
