package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// Finish is the outcome of one call, as the runner settles it when the call
// is over (for a call that reached an agent, after the agent's disposition).
type Finish struct {
	Claim       *Claim
	CallUUID    string // as given to StartAttempt
	Class       ResultClass
	Cause       string // FreeSWITCH hangup cause
	SIPCode     int
	AnsweredAt  *time.Time
	ConnectedAt *time.Time // the customer was joined to an agent
	HungupAt    *time.Time
	AgentID     int64
	AMD         AMDVerdict
	// NumberStatus is what the agent found out about the number dialed
	// (wrong person, disconnected, invalid); "" lets the class decide.
	NumberStatus NumberStatus
	Disposition  string // the agent's business result, e.g. promise_to_pay
	// Retry: the customer was reached but is to be called again after the
	// retry interval (the agent's choice); else a reached contact is completed.
	Retry    bool
	DNC      *DNCRequest // the customer asked not to be called again (R5)
	Callback *Callback   // a callback the agent booked (contact, campaign filled in here)
	Now      time.Time
}

// DNCRequest blacklists, with the attempt, the number dialed and, when
// IDNumber is set, the contact's resident ID number (every number of the person).
type DNCRequest struct {
	IDNumber bool
	Reason   string
}

func (f *Finish) validate() error {
	switch {
	case f.Claim == nil:
		return Invalid("claim", "is required")
	case !f.Class.Valid():
		return Invalid("class", EnumMessage(f.Class))
	case !validAMD(f.AMD):
		return Invalid("amd", EnumMessage(f.AMD)+" (or empty)")
	case !validNumberStatus(f.NumberStatus):
		return Invalid("number_status", EnumMessage(f.NumberStatus)+" (or empty)")
	case len(f.Disposition) > 64:
		return Invalid("disposition", "is at most 64 bytes")
	}
	return nil
}

// FinishAttempt settles one call in one transaction, fenced by the lease
// token (a stale token is ErrLeaseLost and changes nothing): the attempt row
// (class, times, cause, agent, AMD verdict, abandoned flag, answer-to-agent
// latency), the number's status, the contact's status and next attempt time
// from the strategy's interval for the class, the claim released, the
// campaign's figures, and, as the agent asked, the blacklist (through the same
// entries and blocking as POST /dnc) and a new callback.
//
// The contact's next status: blacklisted → blocked; an open or new callback →
// pending for it; reached (answered, human, success) → completed unless Retry;
// no dialable number left → maintenance; attempts used up → failed; else
// pending at now + RetryDelay(class).
func (s *Store) FinishAttempt(ctx context.Context, r *DialRules, leaseToken int64, f Finish) error {
	if err := f.validate(); err != nil {
		return err
	}
	now := ts(f.Now)
	if err := s.validateBooked(ctx, &f, now); err != nil {
		return err
	}
	return s.fenced(ctx, r.Campaign.ID, leaseToken, time.Time{}, func(tx *gorm.DB) error {
		c, err := lockClaimed(tx, r.Campaign.ID, f.Claim, ContactInProgress)
		if err != nil {
			return err
		}
		at, err := startedAttempt(tx, c, f.CallUUID)
		if err != nil {
			return err
		}
		o := outcome{phone: at.Destination, dialedCallback: at.CallbackID}
		if o.blocked, err = blacklistedNow(tx, c, now); err != nil {
			return err
		}
		// The callback this call was for is closed first: booking cancels
		// the contact's open callbacks, and a customer reached on a callback
		// who asks for another was called back (done), not cancelled.
		if err := s.closeDialedCallback(tx, c, &f, at, now); err != nil {
			return err
		}
		if err := bookAfterCall(tx, f.Callback, c.ID, at.Destination, now); err != nil {
			return err
		}
		set := r.settle(c, &f, o, now)
		if err := tx.Model(&Contact{}).Where("id = ?", c.ID).Updates(set).Error; err != nil {
			return fmt.Errorf("store: settle contact %d: %w", c.ID, err)
		}
		if err := finishAttemptRow(tx, at, &f, now); err != nil {
			return err
		}
		if f.DNC != nil {
			if err := s.agentDNC(tx, c, at.Destination, f, now); err != nil {
				return err
			}
		}
		if err := countOutcome(tx, r.Campaign.ID, &f, now); err != nil {
			return err
		}
		return rollFinished(tx, at.ID)
	})
}

// validateBooked checks a callback booked with the finish (the number
// defaults to the one dialed, the agent to the call's agent).
func (s *Store) validateBooked(ctx context.Context, f *Finish, now time.Time) error {
	cb := f.Callback
	if cb == nil {
		return nil
	}
	if cb.AgentID == 0 {
		cb.AgentID = f.AgentID
	}
	if err := validateDue(cb, now); err != nil {
		return err
	}
	if cb.Phone != "" {
		if err := s.validateCallbackPhone(ctx, cb.Phone); err != nil {
			return err
		}
	}
	return s.checkAgents(ctx, "callback.agent_id", cb.AgentID)
}

// outcome is what FinishAttempt learned in the transaction, for settle.
type outcome struct {
	phone          string // the number dialed
	blocked        bool   // a blacklist entry matches the contact now
	dialedCallback *int64 // the callback this call was for
}

func startedAttempt(tx *gorm.DB, c *Contact, uuid string) (*Attempt, error) {
	var at Attempt
	if err := tx.Where("call_uuid = ?", uuid).First(&at).Error; err != nil {
		return nil, Invalid("call_uuid", "no attempt was started with this call UUID")
	}
	if at.ContactID != c.ID {
		return nil, Invalid("call_uuid", fmt.Sprintf("the attempt is for contact %d, not %d", at.ContactID, c.ID))
	}
	if at.Outcome != "" {
		return nil, fmt.Errorf("store: attempt %s is already finished: %w", uuid, ErrConflict)
	}
	return &at, nil
}

// blacklistedNow looks the contact up on the blacklist inside the
// transaction: an entry added while the call was up (when blocking skips
// contacts in progress) still blocks the contact when it is settled.
func blacklistedNow(tx *gorm.DB, c *Contact, now time.Time) (bool, error) {
	phones := []string{c.Phone}
	if c.AltPhone != "" {
		phones = append(phones, c.AltPhone)
	}
	q := tx.Model(&DNCEntry{}).Where("(expires_at IS NULL OR expires_at > ?)", now)
	if c.IDNumber != "" {
		q = q.Where("(kind = ? AND value IN ?) OR (kind = ? AND value = ?)", DNCPhone, phones, DNCIDNumber, c.IDNumber)
	} else {
		q = q.Where("kind = ? AND value IN ?", DNCPhone, phones)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: blacklist check of contact %d: %w", c.ID, err)
	}
	return n > 0, nil
}

// closeDialedCallback closes the callback this call was for: done when the
// customer was reached, missed otherwise.
func (s *Store) closeDialedCallback(tx *gorm.DB, c *Contact, f *Finish, at *Attempt, now time.Time) error {
	if at.CallbackID == nil {
		return nil
	}
	to := CallbackMissed
	if f.Class.Reached() {
		to = CallbackDone
	}
	err := closeCallbackTx(tx, *at.CallbackID, c.ID, to, &at.ID, now)
	if err != nil && !isConflict(err) { // cancelled meanwhile: nothing to close
		return err
	}
	var cur Contact
	if err := tx.Select("callback_at").First(&cur, c.ID).Error; err != nil {
		return fmt.Errorf("store: reread contact %d: %w", c.ID, err)
	}
	c.CallbackAt = cur.CallbackAt
	return nil
}

func isConflict(err error) bool { return errors.Is(err, ErrConflict) }

// settle computes the contact's columns after a call (pure but for the
// values it is given), and releases the claim.
func (r *DialRules) settle(c *Contact, f *Finish, o outcome, now time.Time) map[string]any {
	set := clearClaim()
	set["last_result"] = string(f.Class)
	next := *c
	field := numberField(c, o.phone)
	ns, known := numberStatusOf(f.Class)
	if f.NumberStatus != "" {
		ns, known = f.NumberStatus, true
	}
	if known && field == "phone" {
		next.PhoneStatus, set["phone_status"] = ns, ns
	} else if known && field == "alt_phone" {
		next.AltStatus, set["alt_status"] = ns, ns
	}
	if f.Class == ResultAbandoned {
		set["abandoned_at"] = now
	}
	if f.Callback != nil {
		next.CallbackAt = &f.Callback.DueAt
	}
	status, at := r.nextStatus(&next, f, o, now)
	set["status"], set["next_attempt_at"] = status, at
	if status == ContactBlocked {
		set["block_reason"] = blockReasonDNC
	}
	return set
}

func (r *DialRules) nextStatus(c *Contact, f *Finish, o outcome, now time.Time) (ContactStatus, any) {
	switch {
	case f.DNC != nil || o.blocked:
		return ContactBlocked, c.NextAttemptAt
	case c.CallbackAt != nil:
		return ContactPending, *c.CallbackAt
	case f.Class.Reached() && !f.Retry:
		return ContactCompleted, nil
	case len(r.dialablePhones(c)) == 0:
		return ContactMaintenance, nil
	case r.Strategy != nil && c.Attempts >= r.Strategy.AttemptsPerContact(), r.NextPhone(c) == "":
		return ContactFailed, nil
	}
	tries := c.Attempts
	switch numberField(c, o.phone) {
	case "phone":
		tries = c.PhoneAttempts
	case "alt_phone":
		tries = c.AltAttempts
	}
	delay := time.Duration(600) * time.Second
	if r.Strategy != nil {
		delay = r.Strategy.RetryDelay(string(f.Class), tries, retryRand(f.CallUUID, c.ID))
	}
	return ContactPending, ts(now.Add(delay))
}

// retryRand seeds the spread of the retry delay from the call, so the delay
// is random across calls yet the same when a settle is recomputed.
func retryRand(uuid string, contactID int64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(uuid))
	return rand.New(rand.NewPCG(h.Sum64(), uint64(contactID)))
}

// numberField says which of the contact's numbers phone is.
func numberField(c *Contact, phone string) string {
	switch {
	case phone == "":
		return ""
	case phone == c.Phone:
		return "phone"
	case phone == c.AltPhone:
		return "alt_phone"
	}
	return ""
}

// finishAttemptRow writes the dialer's view of the call on its attempt row;
// the switch-level result is kept when the controller already wrote one.
func finishAttemptRow(tx *gorm.DB, at *Attempt, f *Finish, now time.Time) error {
	set := map[string]any{"outcome": f.Class, "abandoned": f.Class == ResultAbandoned, "amd": f.AMD,
		"disposition": f.Disposition, "finished_at": now, "state": "ended"}
	if f.AgentID != 0 {
		set["agent_id"] = f.AgentID
	}
	if f.Cause != "" {
		set["hangup_cause"], set["sip_code"] = f.Cause, f.SIPCode
	}
	for col, t := range map[string]*time.Time{"answered_at": f.AnsweredAt, "bridged_at": f.ConnectedAt, "hungup_at": f.HungupAt} {
		if t != nil {
			set[col] = ts(*t)
		}
	}
	if f.ConnectedAt != nil && f.Class != ResultAbandoned {
		set["connected"] = true
		if f.HungupAt != nil {
			set["talk_ms"] = max(f.HungupAt.Sub(*f.ConnectedAt).Milliseconds(), 0)
		}
	}
	if f.AnsweredAt != nil && f.ConnectedAt != nil && f.Class != ResultAbandoned {
		set["answer_to_agent_ms"] = max(f.ConnectedAt.Sub(*f.AnsweredAt).Milliseconds(), 0)
	}
	if at.Result == "" { // no switch record yet: write what the switch would have
		set["result"] = switchResult(f.Class)
	}
	if f.Class == ResultMachine || f.AMD == AMDMachine {
		set["machine"] = true
	}
	if err := tx.Model(&Attempt{}).Where("id = ?", at.ID).Updates(set).Error; err != nil {
		return fmt.Errorf("store: finish attempt %s: %w", at.CallUUID, err)
	}
	return nil
}

// switchResult is the switch-level class (controller.ResultClass values, as
// the controller's own record and the pacing rates use them) of a dialer
// class: every answered call is "answered", with the machine flag apart.
func switchResult(c ResultClass) string {
	if c.Answered() {
		return string(ResultAnswered)
	}
	return string(c)
}

// agentDNC blacklists what the customer asked, through the blacklist's own
// steps inside the finishing transaction: a value already listed keeps its
// entry and gets this reason added to its history (nothing is overwritten),
// and every matching contact in every campaign is blocked.
func (s *Store) agentDNC(tx *gorm.DB, c *Contact, phone string, f Finish, now time.Time) error {
	reason := f.DNC.Reason
	if reason == "" {
		reason = "customer asked not to be called (agent disposition)"
	}
	entries := []DNCEntry{{Kind: DNCPhone, Value: phone, Reason: reason, Source: DNCAgent, CreatedBy: f.AgentID, CreatedAt: now}}
	if f.DNC.IDNumber && c.IDNumber != "" {
		entries = append(entries, DNCEntry{Kind: DNCIDNumber, Value: c.IDNumber, Reason: reason, Source: DNCAgent, CreatedBy: f.AgentID, CreatedAt: now})
	}
	for i := range entries {
		e := &entries[i]
		old, err := s.listedEntry(tx, e.Kind, e.Value)
		switch {
		case err != nil:
			return err
		case old == nil:
			if err := tx.Create(e).Error; err != nil {
				if isDuplicate(err) {
					return errDNCRaced // listed a moment ago: the whole finish runs again
				}
				return fmt.Errorf("store: blacklist for contact %d: %w", c.ID, err)
			}
		default:
			if err := s.relist(tx, old, e, now); err != nil {
				return err
			}
		}
		if err := blockMatching(tx, e.Kind, []string{e.Value}).Error; err != nil {
			return fmt.Errorf("store: block contacts for contact %d: %w", c.ID, err)
		}
	}
	return nil
}
