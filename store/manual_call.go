package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FinishUnansweredCall closes an attempt the dialer does not own (an
// agent's manual dial) that reached nobody, with the hangup's class, once:
// a finished attempt is left alone.
func (s *Store) FinishUnansweredCall(ctx context.Context, callUUID string, class ResultClass, at time.Time) error {
	if !class.Valid() {
		return fmt.Errorf("store: finish call %s: %w", callUUID, &ValidationError{Fields: []FieldError{{Field: "outcome", Message: "unknown result class " + string(class)}}})
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var id int64
		if err := tx.Model(&Attempt{}).Select("id").Where("call_uuid = ? AND finished_at IS NULL", callUUID).Limit(1).Scan(&id).Error; err != nil || id == 0 {
			return err
		}
		res := tx.Model(&Attempt{}).Where("id = ? AND finished_at IS NULL", id).
			Updates(map[string]any{"outcome": class, "finished_at": at, "updated_at": at})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return rollFinished(tx, id) // its rollups, as a rebuild counts them
	})
	if err != nil {
		return fmt.Errorf("store: finish call %s: %w", callUUID, err)
	}
	return nil
}

// ManualFinish is the agent's disposition of a manual call dialed to a
// contact (the desk's dial with contact_id): what FinishAttempt takes from a
// campaign call's, without the claim and the lease (the dialer does not own
// the call).
type ManualFinish struct {
	CallUUID    string
	Class       ResultClass // human, or success for the success result
	AnsweredAt  *time.Time
	ConnectedAt *time.Time
	HungupAt    *time.Time
	AgentID     int64
	Disposition string
	DNC         *DNCRequest // the customer asked not to be called again
	Callback    *Callback   // a callback the agent booked (contact, campaign filled in here)
	Now         time.Time
}

// settledByManual are the statuses a manual call's disposition settles the
// way a campaign call's would; a contact in progress is the runner's to
// settle, and a blocked or cancelled one stays so.
var settledByManual = []ContactStatus{ContactPending, ContactCompleted, ContactFailed, ContactMaintenance}

// FinishManualCall closes a manual call to a contact with the agent's
// disposition, in one transaction and through the same steps as
// FinishAttempt: the attempt row (class, times, agent, disposition), a
// callback booked (earlier open ones cancelled, the contact pending for it),
// the blacklist through the same entries and blocking as POST /dnc, and the
// contact's status as a campaign call's disposition leaves it (blocked;
// pending for the callback; else completed). It is false when the attempt
// was already finished. The contact's claim, if a runner holds one, is left
// alone; the campaign's live dialing figures do not count the call.
func (s *Store) FinishManualCall(ctx context.Context, f ManualFinish) (bool, error) {
	fin := Finish{Claim: &Claim{}, CallUUID: f.CallUUID, Class: f.Class, AnsweredAt: f.AnsweredAt, ConnectedAt: f.ConnectedAt,
		HungupAt: f.HungupAt, AgentID: f.AgentID, Disposition: f.Disposition, DNC: f.DNC, Callback: f.Callback, Now: f.Now}
	if err := fin.validate(); err != nil {
		return false, err
	}
	now := ts(f.Now)
	if err := s.validateBooked(ctx, &fin, now); err != nil {
		return false, err
	}
	var at Attempt
	if err := s.conn(ctx).Where("call_uuid = ?", f.CallUUID).Limit(1).Find(&at).Error; err != nil {
		return false, fmt.Errorf("store: finish manual call %s: %w", f.CallUUID, err)
	}
	if at.ID == 0 || at.ContactID == 0 {
		return false, Invalid("call_uuid", "no attempt to a contact was started with this call UUID")
	}
	var rules *DialRules
	if at.CampaignID != 0 {
		r, err := s.campaignRules(ctx, at.CampaignID)
		if err != nil {
			return false, fmt.Errorf("store: finish manual call %s: %w", f.CallUUID, err)
		}
		rules = r
	} else {
		rules = &DialRules{}
	}
	closed := false
	err := s.retryDeadlock(func() error {
		closed = false
		fin.Callback = cloneCallback(f.Callback)
		return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
			var cur Attempt
			err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND finished_at IS NULL", at.ID).Limit(1).Find(&cur).Error
			if err != nil || cur.ID == 0 {
				return err
			}
			var c Contact
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&c, cur.ContactID).Error; err != nil {
				return fmt.Errorf("store: contact %d of manual call %s: %w", cur.ContactID, f.CallUUID, translate(err))
			}
			o := outcome{phone: cur.Destination}
			var err2 error
			if o.blocked, err2 = blacklistedNow(tx, &c, now); err2 != nil {
				return err2
			}
			if err := bookAfterCall(tx, fin.Callback, c.ID, cur.Destination, now); err != nil {
				return err
			}
			if slices.Contains(settledByManual, c.Status) {
				set := rules.settle(&c, &fin, o, now)
				for k := range clearClaim() {
					delete(set, k)
				}
				res := tx.Model(&Contact{}).Where("id = ? AND status IN ?", c.ID, settledByManual).Updates(set)
				if res.Error != nil {
					return fmt.Errorf("store: settle contact %d: %w", c.ID, res.Error)
				}
			}
			if err := finishAttemptRow(tx, &cur, &fin, now); err != nil {
				return err
			}
			if fin.DNC != nil {
				if err := s.agentDNC(tx, &c, cur.Destination, fin, now); err != nil {
					return err
				}
			}
			closed = true
			return rollFinished(tx, cur.ID)
		})
	})
	if err != nil {
		return false, fmt.Errorf("store: finish manual call %s: %w", f.CallUUID, err)
	}
	return closed, nil
}

// cloneCallback gives each try of a retried transaction a fresh copy of the
// callback asked (a rolled-back try may have filled in its ID).
func cloneCallback(validated *Callback) *Callback {
	if validated == nil {
		return nil
	}
	cb := *validated
	cb.ID = 0
	return &cb
}
