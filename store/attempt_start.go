package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrNotDialable: the claimed contact may not be dialed any more (blocked,
// cancelled or otherwise taken out since the claim); release the claim.
var ErrNotDialable = errors.New("contact may not be dialed")

// AttemptStart is what the runner knows right before it originates a call.
type AttemptStart struct {
	Claim    *Claim
	CallUUID string // the origination_uuid the call will carry
	Phone    string // the number CheckClaim gave
	AgentID  int64  // the agent reserved for the call (preview, progressive, callbacks); 0 if none
	Now      time.Time
	// Check makes the dial-time check (CheckClaim) inside the transaction, on
	// the contact row as it is now, and picks the number (Phone may then be
	// empty; Dial.Phone says which): one round trip instead of three reads
	// and a write per call. Claim.Contact is refreshed from the row. A
	// contact that may not be dialed now is a *NotDialableError.
	Check bool
	// Stamp, when set, is the stamp the caller's rules were loaded with: a
	// campaign, strategy or calendar edited since is ErrStaleRules, so an
	// edit reaches the very next dial without a read before every dial.
	Stamp *CampaignStamp
}

// ErrStaleRules: the campaign, its strategy or calendar changed since the
// caller loaded its rules; reload them and try again.
var ErrStaleRules = errors.New("campaign rules changed")

// NotDialableError says why a checked start did not dial (AttemptStart.Check).
type NotDialableError struct{ Why NotDialable }

func (e *NotDialableError) Error() string { return "contact may not be dialed now: " + e.Why }

// Unwrap makes it an ErrNotDialable.
func (e *NotDialableError) Unwrap() error { return ErrNotDialable }

// Dial is what StartAttempt reserved for one call.
type Dial struct {
	AttemptID int64
	Phone     string        // the number dialed
	CallerID  string        // "" when the campaign has no caller IDs (the gateway's own applies)
	Ring      time.Duration // how long to ring at least: the strategy's minimum ring time, never under 15 s
}

// StartAttempt is the runner's last step before it originates: in one
// transaction, fenced by the lease (current and unexpired), it reserves a
// caller ID within its daily limit, records the attempt (state dialing),
// counts it on the contact (per contact and per number, so the limits hold
// even if this instance dies during the call), marks the contact in progress
// with a provisional next attempt time (the strategy's minimum interval), and
// marks a callback being dialed as offered. ErrNoCallerID means every caller
// ID is used up today; ErrNotRunning (paused or stopped), ErrClaimLost and
// ErrNotDialable mean: do not dial.
func (s *Store) StartAttempt(ctx context.Context, r *DialRules, leaseToken int64, a AttemptStart) (*Dial, error) {
	if a.CallUUID == "" || len(a.CallUUID) > 64 {
		return nil, Invalid("call_uuid", "a call UUID of 1 to 64 bytes is required")
	}
	now := ts(a.Now)
	d := &Dial{Ring: time.Duration(DefaultMinRingS) * time.Second}
	if r.Strategy != nil {
		d.Ring = r.Strategy.MinRing()
	}
	err := s.fenced(ctx, r.Campaign.ID, leaseToken, now, func(tx *gorm.DB) error {
		if err := stillRunning(tx, r.Campaign.ID, a.Stamp); err != nil {
			return err
		}
		c, err := lockClaimed(tx, r.Campaign.ID, a.Claim, ContactPending)
		if err != nil {
			return err
		}
		if a.Check {
			if a.Phone, err = checkLocked(tx, r, a.Claim, c, now); err != nil {
				return err
			}
		}
		d.Phone = a.Phone
		field, err := phoneField(c, a)
		if err != nil {
			return err
		}
		if err := countAttempt(tx, r, c, field, now); err != nil {
			return err
		}
		d.AttemptID, err = insertAttempt(tx, r, a, c.Attempts+1, "", now)
		if err != nil {
			return err
		}
		if a.Claim.Callback != nil {
			err := tx.Model(&Callback{}).Where("id = ? AND status = ?", a.Claim.Callback.ID, CallbackScheduled).
				Updates(map[string]any{"status": CallbackOffered, "offered_at": now}).Error
			if err != nil {
				return fmt.Errorf("store: offer callback %d: %w", a.Claim.Callback.ID, err)
			}
		}
		if err := bumpSlot(tx, r.Campaign.ID, now, slotCounts{"attempts": 1}); err != nil {
			return err
		}
		// The caller ID last: its daily counter is one row for every campaign
		// that dials from the number, so on MySQL its lock is held from here
		// to the commit only, not across the attempt's other writes (with
		// hundreds of campaigns sharing the bank's numbers, the dials
		// queued on that row).
		if d.CallerID, err = reserveCallerID(tx, r, now); err != nil || d.CallerID == "" {
			return err
		}
		if err := tx.Model(&Attempt{}).Where("id = ?", d.AttemptID).Update("caller_id", d.CallerID).Error; err != nil {
			return fmt.Errorf("store: caller ID of attempt %s: %w", a.CallUUID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// stillRunning: a pause or stop takes effect on the very next dial, and so
// does an edit when the caller says which stamp its rules have.
func stillRunning(tx *gorm.DB, campaignID int64, want *CampaignStamp) error {
	var cur []CampaignStamp
	err := tx.Table("campaigns c").Select("c.id, c.status, c.version, COALESCE(st.version, 0) AS strategy_version").
		Joins("LEFT JOIN strategies st ON st.id = c.strategy_id").Where("c.id = ?", campaignID).Scan(&cur).Error
	if err != nil {
		return fmt.Errorf("store: status of campaign %d: %w", campaignID, err)
	}
	if len(cur) == 0 || cur[0].Status != CampaignRunning {
		return fmt.Errorf("store: campaign %d is not running: %w", campaignID, ErrNotRunning)
	}
	if want != nil && (cur[0].Version != want.Version || cur[0].StrategyVersion != want.StrategyVersion) {
		return fmt.Errorf("store: campaign %d: %w", campaignID, ErrStaleRules)
	}
	return nil
}

// checkLocked is CheckClaim on the contact row just locked: the number to
// dial, or a *NotDialableError.
func checkLocked(tx *gorm.DB, r *DialRules, cl *Claim, c *Contact, now time.Time) (string, error) {
	c.decode()
	cl.Contact = *c
	why := r.Reason(c, now)
	if why == "" {
		blocked, err := blacklistedNow(tx, c, now)
		if err != nil {
			return "", err
		}
		if blocked {
			why = ReasonBlacklisted
		}
	}
	phone := ""
	if why == "" {
		if phone = r.PhoneFor(cl); phone == "" {
			why = ReasonNoNumber
		}
	}
	if why == "" && phone != c.Phone && phone != c.AltPhone { // a callback's own number
		var n int64
		err := tx.Model(&DNCEntry{}).Where("kind = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)", DNCPhone, phone, now).
			Count(&n).Error
		if err != nil {
			return "", fmt.Errorf("store: blacklist check of contact %d: %w", c.ID, err)
		}
		if n > 0 {
			why = ReasonBlacklisted
		}
	}
	if why != "" {
		return "", &NotDialableError{Why: why}
	}
	return phone, nil
}

// lockClaimed reads the claimed contact for update and checks that the claim
// still holds and the contact is in the expected status.
func lockClaimed(tx *gorm.DB, campaignID int64, cl *Claim, want ContactStatus) (*Contact, error) {
	if cl == nil {
		return nil, Invalid("claim", "is required")
	}
	var c Contact
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND campaign_id = ?", cl.Contact.ID, campaignID).First(&c).Error
	if err != nil {
		return nil, fmt.Errorf("store: contact %d: %w", cl.Contact.ID, translate(err))
	}
	if c.ClaimToken == "" || c.ClaimToken != cl.Token {
		return nil, fmt.Errorf("store: contact %d: %w", c.ID, ErrClaimLost)
	}
	if c.Status != want {
		return nil, fmt.Errorf("store: contact %d is %s: %w", c.ID, c.Status, ErrNotDialable)
	}
	return &c, nil
}

// phoneField says which of the contact's numbers is dialed ("" for a
// callback's own number); any other number is refused.
func phoneField(c *Contact, a AttemptStart) (string, error) {
	switch {
	case a.Phone == "":
		return "", Invalid("phone", "is required")
	case a.Phone == c.Phone:
		return "phone", nil
	case a.Phone == c.AltPhone:
		return "alt_phone", nil
	case a.Claim.Callback != nil && a.Phone == a.Claim.Callback.Phone:
		return "", nil
	}
	return "", Invalid("phone", fmt.Sprintf("is not a number of contact %d", c.ID))
}

// countAttempt counts the call on the contact and marks it in progress.
func countAttempt(tx *gorm.DB, r *DialRules, c *Contact, field string, now time.Time) error {
	set := map[string]any{"status": ContactInProgress, "attempts": gorm.Expr("attempts + 1"), "last_attempt_at": now}
	switch field {
	case "phone":
		set["phone_attempts"] = gorm.Expr("phone_attempts + 1")
	case "alt_phone":
		set["alt_attempts"] = gorm.Expr("alt_attempts + 1")
	}
	if r.Strategy != nil && r.Strategy.MinRetryIntervalS > 0 {
		set["next_attempt_at"] = now.Add(time.Duration(r.Strategy.MinRetryIntervalS) * time.Second)
	}
	if err := tx.Model(&Contact{}).Where("id = ?", c.ID).Updates(set).Error; err != nil {
		return fmt.Errorf("store: count attempt of contact %d: %w", c.ID, err)
	}
	return nil
}

func insertAttempt(tx *gorm.DB, r *DialRules, a AttemptStart, no int, callerID string, now time.Time) (int64, error) {
	at := &Attempt{CallUUID: a.CallUUID, CampaignID: r.Campaign.ID, ContactID: a.Claim.Contact.ID, AgentID: a.AgentID,
		Destination: a.Phone, State: "dialing", CallerID: callerID, CreatedAt: now, AttemptNo: no}
	if a.Claim.Callback != nil {
		at.CallbackID = &a.Claim.Callback.ID
	}
	if err := tx.Create(at).Error; err != nil {
		return 0, fmt.Errorf("store: record attempt %s: %w", a.CallUUID, translate(err))
	}
	r2 := rollup{}
	attemptDial(r2, at)
	return at.ID, r2.apply(tx)
}
