package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ContactNote is a wrap-up note on a customer (R15): what an agent wrote
// after a call, searchable from the customer's history.
type ContactNote struct {
	ID         int64     `gorm:"primaryKey" json:"id"`
	ContactID  int64     `gorm:"not null;index" json:"contact_id"`
	CampaignID int64     `gorm:"not null" json:"campaign_id"`
	CallUUID   string    `gorm:"type:varchar(64);not null;default:''" json:"call_uuid,omitempty"`
	AuthorID   int64     `gorm:"not null" json:"author_id"`
	Text       string    `gorm:"type:varchar(2000);not null" json:"text"`
	CreatedAt  time.Time `gorm:"index" json:"created_at"`
}

// AddContactNote stores a note on a contact.
func (s *Store) AddContactNote(ctx context.Context, n *ContactNote) error {
	n.Text = strings.TrimSpace(n.Text)
	switch {
	case n.Text == "":
		return Invalid("text", "is required")
	case len(n.Text) > 2000:
		return Invalid("text", "is at most 2000 bytes")
	case len(n.CallUUID) > 64:
		return Invalid("call_uuid", "is at most 64 bytes")
	}
	c, err := s.GetContact(ctx, n.ContactID)
	if err != nil {
		return err
	}
	n.CampaignID, n.CreatedAt = c.CampaignID, ts(s.now())
	if err := s.conn(ctx).Create(n).Error; err != nil {
		return fmt.Errorf("store: note on contact %d: %w", n.ContactID, err)
	}
	return nil
}

// HistoryQuery finds a customer: by full phone or ID number (Search.Exact),
// name substring, campaign, or words of a note. At least one is needed.
type HistoryQuery struct {
	Search     Search
	CampaignID int64
	Note       string
	// ContactID finds the contact and, by its phones and ID number, the
	// same customer in every campaign (the agent's desktop: its numbers
	// are masked, so it cannot search by them).
	ContactID int64
	Limit     int // contacts; 0 = 50
}

// CustomerHistory is everything stored about the customers found: their
// contact rows in every campaign, every attempt on every channel, callbacks,
// messages (sms, email, fax) and wrap-up notes, newest first.
type CustomerHistory struct {
	Contacts  []Contact         `json:"contacts"`
	Attempts  []Attempt         `json:"attempts"`
	Callbacks []Callback        `json:"callbacks"`
	Messages  []OutboundMessage `json:"messages"`
	Notes     []ContactNote     `json:"notes"`
	// IVR is what the customers did in IVR flows on the attempts' calls
	// (broadcasts, verifications): outcome and survey keys, per attempt.
	IVR []AttemptIVR `json:"ivr"`
	// Scripts are the script runs of their calls, with the answers given.
	Scripts []ScriptRun `json:"scripts"`
}

// AttemptIVR is one IVR call of an attempt, with its survey answers in the
// order keyed.
type AttemptIVR struct {
	AttemptID int64 `json:"attempt_id"`
	IVRCall
	Answers []IVRAnswer `json:"survey_answers"`
}

// ScriptRun is one script session with its answers.
type ScriptRun struct {
	ScriptSession
	Answers []ScriptAnswer `json:"answers"`
}

// FindCustomerHistory runs a history query.
func (s *Store) FindCustomerHistory(ctx context.Context, q HistoryQuery) (*CustomerHistory, error) {
	if q.Search.IsZero() && q.CampaignID == 0 && q.Note == "" && q.ContactID == 0 {
		return nil, Invalid("q", "give a phone, ID number, name, campaign, contact or note text")
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	ids, err := s.historyContacts(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &CustomerHistory{Contacts: []Contact{}, Attempts: []Attempt{}, Callbacks: []Callback{}, Messages: []OutboundMessage{}, Notes: []ContactNote{},
		IVR: []AttemptIVR{}, Scripts: []ScriptRun{}}
	if len(ids) == 0 {
		return out, nil
	}
	db := s.conn(ctx)
	if err := db.Where("id IN ?", ids).Order("id DESC").Find(&out.Contacts).Error; err != nil {
		return nil, fmt.Errorf("store: history contacts: %w", err)
	}
	if out.Attempts, err = s.Attempts(ctx, AttemptFilter{ContactIDs: ids, Limit: 1000}); err != nil {
		return nil, err
	}
	for _, r := range []struct {
		dst   any
		order string
	}{{&out.Callbacks, "due_at DESC, id DESC"}, {&out.Messages, "created_at DESC, id DESC"}, {&out.Notes, "created_at DESC, id DESC"}} {
		if err := db.Where("contact_id IN ?", ids).Order(r.order).Limit(1000).Find(r.dst).Error; err != nil {
			return nil, fmt.Errorf("store: history: %w", err)
		}
	}
	if out.IVR, err = s.attemptsIVR(ctx, out.Attempts); err != nil {
		return nil, err
	}
	if out.Scripts, err = s.scriptRuns(ctx, ids); err != nil {
		return nil, err
	}
	return out, nil
}

// attemptsIVR finds the IVR calls of the attempts (by call uuid: the IVR
// serves the attempt's own leg) and their survey answers.
func (s *Store) attemptsIVR(ctx context.Context, attempts []Attempt) ([]AttemptIVR, error) {
	out := []AttemptIVR{}
	byUUID := make(map[string]int64, len(attempts))
	uuids := make([]string, 0, len(attempts))
	for _, a := range attempts {
		if a.CallUUID != "" {
			byUUID[a.CallUUID] = a.ID
			uuids = append(uuids, a.CallUUID)
		}
	}
	if len(uuids) == 0 {
		return out, nil
	}
	db := s.conn(ctx)
	var calls []IVRCall
	if err := db.Where("call_uuid IN ?", uuids).Order("started_at DESC, id DESC").Find(&calls).Error; err != nil {
		return nil, fmt.Errorf("store: history IVR calls: %w", err)
	}
	if len(calls) == 0 {
		return out, nil
	}
	ids := make([]int64, len(calls))
	for i, c := range calls {
		ids[i] = c.ID
	}
	var answers []IVRAnswer
	if err := db.Where("ivr_call_id IN ?", ids).Order("id").Find(&answers).Error; err != nil {
		return nil, fmt.Errorf("store: history IVR answers: %w", err)
	}
	per := map[int64][]IVRAnswer{}
	for _, a := range answers {
		per[a.IVRCallID] = append(per[a.IVRCallID], a)
	}
	for _, c := range calls {
		out = append(out, AttemptIVR{AttemptID: byUUID[c.CallUUID], IVRCall: c, Answers: append([]IVRAnswer{}, per[c.ID]...)})
	}
	return out, nil
}

// scriptRuns finds the contacts' script sessions and their answers.
func (s *Store) scriptRuns(ctx context.Context, contactIDs []int64) ([]ScriptRun, error) {
	out := []ScriptRun{}
	db := s.conn(ctx)
	var sessions []ScriptSession
	if err := db.Where("contact_id IN ?", contactIDs).Order("started_at DESC, id DESC").Limit(1000).Find(&sessions).Error; err != nil {
		return nil, fmt.Errorf("store: history script sessions: %w", err)
	}
	if len(sessions) == 0 {
		return out, nil
	}
	ids := make([]int64, len(sessions))
	for i, ss := range sessions {
		ids[i] = ss.ID
	}
	var answers []ScriptAnswer
	if err := db.Where("session_id IN ?", ids).Order("answered_at, id").Find(&answers).Error; err != nil {
		return nil, fmt.Errorf("store: history script answers: %w", err)
	}
	per := map[int64][]ScriptAnswer{}
	for _, a := range answers {
		per[a.SessionID] = append(per[a.SessionID], a)
	}
	for _, ss := range sessions {
		out = append(out, ScriptRun{ScriptSession: ss, Answers: append([]ScriptAnswer{}, per[ss.ID]...)})
	}
	return out, nil
}

// historyContacts finds the contact ids: full phones through the per
// campaign phone index (every campaign listed), alternate phones and ID
// numbers through theirs, names by substring, notes by words.
func (s *Store) historyContacts(ctx context.Context, q HistoryQuery) ([]int64, error) {
	db := s.conn(ctx)
	seen := map[int64]bool{}
	var out []int64
	add := func(ids []int64) {
		for _, id := range ids {
			if !seen[id] && len(out) < q.Limit {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	if q.ContactID != 0 {
		c, err := s.GetContact(ctx, q.ContactID)
		if err != nil {
			return nil, fmt.Errorf("store: history of contact %d: %w", q.ContactID, err)
		}
		add([]int64{c.ID})
		q.Search.Exact = append(q.Search.Exact, numbersOf(c)...)
	}
	campaigns := []int64{q.CampaignID}
	if q.CampaignID == 0 {
		if err := db.Model(&Campaign{}).Pluck("id", &campaigns).Error; err != nil {
			return nil, fmt.Errorf("store: campaigns: %w", err)
		}
	}
	run := func(where string, args ...any) error {
		var ids []int64
		tx := db.Model(&Contact{}).Where(where, args...)
		if q.CampaignID != 0 {
			tx = tx.Where("campaign_id = ?", q.CampaignID)
		}
		if err := tx.Order("id DESC").Limit(q.Limit).Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("store: find customer: %w", err)
		}
		add(ids)
		return nil
	}
	if len(q.Search.Exact) > 0 && len(campaigns) > 0 {
		if err := run("campaign_id IN ? AND phone IN ?", campaigns, q.Search.Exact); err != nil {
			return nil, err
		}
		if err := run("alt_phone IN ?", q.Search.Exact); err != nil {
			return nil, err
		}
		if err := run("id_number IN ?", q.Search.Exact); err != nil {
			return nil, err
		}
	}
	if q.Search.Text != "" {
		if err := run("name LIKE ? ESCAPE '!'", "%"+likeLiteral(q.Search.Text)+"%"); err != nil {
			return nil, err
		}
	}
	if q.Search.Prefix != "" {
		p := likeLiteral(q.Search.Prefix) + "%"
		if err := run("phone LIKE ? ESCAPE '!' OR phone LIKE ? ESCAPE '!' OR id_number LIKE ? ESCAPE '!'", p, "+86"+p, p); err != nil {
			return nil, err
		}
	}
	if q.Note != "" {
		var ids []int64
		tx := db.Model(&ContactNote{}).Where("text LIKE ? ESCAPE '!'", "%"+likeLiteral(q.Note)+"%")
		if q.CampaignID != 0 {
			tx = tx.Where("campaign_id = ?", q.CampaignID)
		}
		if err := tx.Distinct().Limit(q.Limit).Pluck("contact_id", &ids).Error; err != nil {
			return nil, fmt.Errorf("store: search notes: %w", err)
		}
		add(ids)
	}
	if q.Search.IsZero() && q.Note == "" {
		if err := run("1 = 1"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// numbersOf are a contact's phones and ID number, as stored.
func numbersOf(c *Contact) []string {
	var out []string
	for _, v := range []string{c.Phone, c.AltPhone, c.IDNumber} {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
