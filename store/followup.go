package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ForwardUnreached hands the contacts that a campaign with a follow-up did
// not reach (failed: attempts used up; maintenance: no dialable number) to
// the follow-up campaign, due FollowUp.AfterS after their last attempt.
// Blocked (blacklisted) and cancelled contacts are never forwarded, and the
// follow-up campaign applies its own calendar, blacklist and limits when it
// claims them. Each contact is forwarded once (forwarded_at); a contact the
// target already has (same first phone) is not added twice. A follow-up
// campaign that had completed (it ran out of contacts before these came)
// runs again. It answers how many contacts were handed on.
func (s *Store) ForwardUnreached(ctx context.Context, now time.Time, batch int) (int, error) {
	var camps []Campaign
	if err := s.conn(ctx).Where("follow_up IS NOT NULL AND follow_up <> '' AND follow_up <> 'null'").Find(&camps).Error; err != nil {
		return 0, fmt.Errorf("store: campaigns with a follow-up: %w", err)
	}
	total := 0
	for i := range camps {
		n, err := s.forwardFrom(ctx, &camps[i], now, batch)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func (s *Store) forwardFrom(ctx context.Context, c *Campaign, now time.Time, batch int) (int, error) {
	f := c.FollowUp
	if f == nil || f.CampaignID == 0 {
		return 0, nil
	}
	n := 0
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var rows []Contact
		err := tx.Where("campaign_id = ? AND status IN ? AND forwarded_at IS NULL", c.ID,
			[]ContactStatus{ContactFailed, ContactMaintenance}).Order("id").Limit(batch).Find(&rows).Error
		if err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]int64, len(rows))
		copies := make([]Contact, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
			copies[i] = followUpContact(r, f, now)
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&copies)
		if res.Error != nil {
			return res.Error
		}
		n = int(res.RowsAffected)
		if n > 0 {
			// a follow-up campaign that ran out of work before these came
			// runs again (a stopped one stays stopped: the operator's call)
			if err := tx.Model(&Campaign{}).Where("id = ? AND status = ?", f.CampaignID, CampaignCompleted).
				Updates(map[string]any{"status": CampaignRunning, "version": gorm.Expr("version + 1")}).Error; err != nil {
				return err
			}
		}
		return tx.Model(&Contact{}).Where("id IN ?", ids).Update("forwarded_at", now).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: forward campaign %d to %d: %w", c.ID, f.CampaignID, err)
	}
	return n, nil
}

func followUpContact(r Contact, f *FollowUp, now time.Time) Contact {
	due := now
	if r.LastAttemptAt != nil {
		due = r.LastAttemptAt.Add(time.Duration(f.AfterS) * time.Second)
	}
	return Contact{CampaignID: f.CampaignID, Name: r.Name, Phone: r.Phone, AltPhone: r.AltPhone, IDNumber: r.IDNumber,
		CustomerType: r.CustomerType, ManagerEmail: r.ManagerEmail, Email: r.Email, AttrsJSON: r.AttrsJSON,
		Status: ContactPending, NextAttemptAt: &due, DNDUntil: r.DNDUntil}
}
