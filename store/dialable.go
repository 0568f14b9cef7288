package store

import (
	"context"
	"fmt"
	"time"
)

// NotDialable says why a contact may not be dialed now; "" means it may.
// The values are stable codes the UI translates.
type NotDialable = string

const (
	ReasonBlacklisted  NotDialable = "blacklisted"        // phone or ID on the do-not-call list
	ReasonCompleted    NotDialable = "completed"          // already reached
	ReasonFailed       NotDialable = "failed"             // attempts used up earlier
	ReasonMaintenance  NotDialable = "maintenance"        // numbers need fixing
	ReasonCancelled    NotDialable = "cancelled"          // taken out by a supervisor
	ReasonInProgress   NotDialable = "in_progress"        // a call is up now
	ReasonDND          NotDialable = "do_not_disturb"     // customer asked for quiet until a date
	ReasonAttemptsUsed NotDialable = "attempts_exhausted" // per contact or per number limit reached
	ReasonRetryNotDue  NotDialable = "retry_not_due"      // next_attempt_at is later
	ReasonOutsideHours NotDialable = "outside_window"     // the calendar is closed for this customer type now
	ReasonOutsidePer   NotDialable = "outside_period"     // before or after the strategy's period
	ReasonNoNumber     NotDialable = "no_number"          // no number left in the phone order
)

// DialRules holds what the dial-time check needs for one campaign, loaded
// once (per dialer tick, or per page of contacts) and then used without I/O.
type DialRules struct {
	Campaign *Campaign
	Strategy *Strategy // nil: no limits but the contact's status
	Calendar *Calendar // nil: always open
}

// DialRules loads the campaign's strategy and calendar.
func (s *Store) DialRules(ctx context.Context, camp *Campaign) (*DialRules, error) {
	r := &DialRules{Campaign: camp}
	if camp.StrategyID == nil {
		return r, nil
	}
	st, err := s.GetStrategy(ctx, *camp.StrategyID)
	if err != nil {
		return nil, fmt.Errorf("store: dial rules of campaign %d: %w", camp.ID, err)
	}
	r.Strategy = st
	cal, err := s.GetCalendar(ctx, st.CalendarID)
	if err != nil {
		return nil, fmt.Errorf("store: dial rules of campaign %d: %w", camp.ID, err)
	}
	r.Calendar = cal
	return r, nil
}

var statusReasons = map[ContactStatus]NotDialable{
	ContactBlocked: ReasonBlacklisted, ContactCompleted: ReasonCompleted, ContactFailed: ReasonFailed,
	ContactMaintenance: ReasonMaintenance, ContactCancelled: ReasonCancelled, ContactInProgress: ReasonInProgress,
}

// Reason answers "may this contact be dialed now, and if not why" from the
// contact's own fields and the rules; it does no I/O. The blacklist is
// reflected through the blocked status, kept in step when entries are added.
func (r *DialRules) Reason(c *Contact, now time.Time) NotDialable {
	if why, ok := statusReasons[c.Status]; ok {
		return why
	}
	if c.DNDUntil != nil && now.Before(*c.DNDUntil) {
		return ReasonDND
	}
	if st := r.Strategy; st != nil {
		if c.Attempts >= st.AttemptsPerContact() || r.NextPhone(c) == "" {
			return ReasonAttemptsUsed
		}
		var loc *time.Location
		if r.Calendar != nil {
			loc = r.Calendar.Location()
		}
		if !st.InPeriod(now, loc) {
			return ReasonOutsidePer
		}
	}
	if c.NextAttemptAt != nil && now.Before(*c.NextAttemptAt) {
		return ReasonRetryNotDue
	}
	if r.Calendar != nil && !r.Calendar.Open(now, c.CustomerType) {
		return ReasonOutsideHours
	}
	return ""
}

// NextPhone is the number to dial next: the first in the strategy's phone
// order whose per-number attempts are below the maximum ("" if none).
func (r *DialRules) NextPhone(c *Contact) string {
	order := []string{"phone", "alt_phone"}
	maxPer := 0
	if r.Strategy != nil {
		order, maxPer = r.Strategy.PhoneOrder, r.Strategy.MaxAttempts
	}
	for _, f := range order {
		num, used := c.Phone, c.PhoneAttempts
		if f == "alt_phone" {
			num, used = c.AltPhone, c.AltAttempts
		}
		if num != "" && (maxPer == 0 || used < maxPer) {
			return num
		}
	}
	return ""
}

// DialCheck is the check the dialer makes right before dialing: Reason plus
// a fresh blacklist lookup, so a number blacklisted a second ago is never
// dialed even if its contact row has not been updated yet.
func (s *Store) DialCheck(ctx context.Context, r *DialRules, c *Contact, now time.Time) (NotDialable, error) {
	if why := r.Reason(c, now); why != "" {
		return why, nil
	}
	phones := []string{c.Phone}
	if c.AltPhone != "" {
		phones = append(phones, c.AltPhone)
	}
	var ids []string
	if c.IDNumber != "" {
		ids = []string{c.IDNumber}
	}
	hit, err := s.BlockedValues(ctx, phones, ids)
	if err != nil {
		return "", err
	}
	if len(hit) > 0 {
		return ReasonBlacklisted, nil
	}
	return "", nil
}
