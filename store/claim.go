package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Claim is one contact a runner claimed: it dials it (or releases it) and
// presents Token with every later write for it.
type Claim struct {
	Contact  Contact
	Token    string
	Callback *Callback // the due callback this claim is for; nil for ordinary dialing
}

// MaxClaimBatch bounds one ClaimBatch.
const MaxClaimBatch = 1000

// ErrNotRunning: the campaign is not running, so nothing may be claimed.
var ErrNotRunning = errors.New("campaign is not running")

// ClaimBatch claims up to n contacts of a running campaign that may be dialed
// now, for the holder of the campaign's lease (leaseToken must be current and
// unexpired at now): first contacts whose callback is due (earliest first),
// then the others by next_attempt_at (never-dialed first) and id. Eligible
// means pending, due, not claimed (or claimed under an older lease, or the
// claim expired), not in a do-not-disturb period, inside the attempt limits
// with a dialable number left, inside the strategy's period and the
// calendar's window for the contact's customer type, and, for predictive
// campaigns, not abandoned within 72 h.
//
// Each pass is a read of candidate ids followed by one conditional UPDATE of
// exactly those ids that re-checks eligibility, so two claimers can never
// both win a contact; the rows that carry the new claim token are then read
// back. Nothing is locked but the updated rows (MySQL) or the database for
// the few milliseconds of the transaction (SQLite).
func (s *Store) ClaimBatch(ctx context.Context, campaignID, leaseToken int64, n int, now time.Time) ([]Claim, error) {
	camp, err := s.GetCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if camp.Status != CampaignRunning {
		return nil, fmt.Errorf("store: claim in campaign %d (%s): %w", campaignID, camp.Status, ErrNotRunning)
	}
	rules, err := s.DialRules(ctx, camp)
	if err != nil {
		return nil, err
	}
	n = min(max(n, 0), MaxClaimBatch)
	now = ts(now)
	if n == 0 || !rules.mayDialNow(now) {
		return nil, nil
	}
	token := newClaimToken()
	var out []Claim
	err = s.fenced(ctx, campaignID, leaseToken, now, func(tx *gorm.DB) error {
		holder, err := leaseHolder(tx, campaignID)
		if err != nil {
			return err
		}
		set := claimColumns(token, holder, leaseToken, now)
		ids, got, err := claimCallbacks(tx, rules, leaseToken, n, now, set)
		if err != nil {
			return err
		}
		if left := n - int(got); left > 0 {
			more, _, err := claimOrdinary(tx, rules, leaseToken, left, now, set)
			if err != nil {
				return err
			}
			ids = append(ids, more...)
		}
		out, err = readClaims(tx, ids, token)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func newClaimToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func leaseHolder(tx *gorm.DB, campaignID int64) (string, error) {
	var holders []string
	err := tx.Model(&CampaignLease{}).Where("campaign_id = ?", campaignID).Pluck("holder", &holders).Error
	if err != nil || len(holders) == 0 {
		return "", fmt.Errorf("store: lease holder of campaign %d: %w", campaignID, errors.Join(err, ErrLeaseLost))
	}
	return holders[0], nil
}

// claimColumns are the values a claim sets. The claim lasts as long as the
// lease plus ClaimGrace; renewing the lease extends it.
func claimColumns(token, holder string, leaseToken int64, now time.Time) map[string]any {
	return map[string]any{"claim_token": token, "claimed_by": holder, "claim_lease": leaseToken,
		"claimed_until": now.Add(ClaimGrace + claimBase)}
}

// claimBase is the lifetime of a claim before the first lease renewal.
const claimBase = time.Minute

// clearClaim are the values that release a claim.
func clearClaim() map[string]any {
	return map[string]any{"claim_token": "", "claimed_by": "", "claim_lease": 0, "claimed_until": nil}
}

// claimable is the condition a contact must meet to be claimed: pending, and
// not claimed under the current lease with a claim that is still running.
func claimable(tx *gorm.DB, leaseToken int64, now time.Time) *gorm.DB {
	return tx.Where("status = ? AND (claimed_until IS NULL OR claimed_until < ? OR claim_lease < ?)",
		ContactPending, now, leaseToken)
}

// mayDialNow is what the campaign-wide rules say: inside the period.
func (r *DialRules) mayDialNow(now time.Time) bool {
	return r.Strategy == nil || r.Strategy.InPeriod(now, r.location())
}

// claimCallbacks claims contacts whose callback is due.
func claimCallbacks(tx *gorm.DB, r *DialRules, leaseToken int64, n int, now time.Time, set map[string]any) ([]int64, int64, error) {
	var cands []int64
	err := tx.Model(&Callback{}).Where("campaign_id = ? AND status = ? AND due_at <= ?", r.Campaign.ID, CallbackScheduled, now).
		Order("due_at, id").Limit(n).Pluck("contact_id", &cands).Error
	if err != nil {
		return nil, 0, fmt.Errorf("store: due callbacks of campaign %d: %w", r.Campaign.ID, err)
	}
	return claimIDs(tx, r, leaseToken, cands, now, set, func(q *gorm.DB) *gorm.DB {
		return q.Where("callback_at IS NOT NULL AND callback_at <= ? AND (dnd_until IS NULL OR dnd_until <= ?)", now, now)
	})
}

// claimOrdinary claims contacts without a callback, in queue order.
func claimOrdinary(tx *gorm.DB, r *DialRules, leaseToken int64, n int, now time.Time, set map[string]any) ([]int64, int64, error) {
	q := r.queue(tx, leaseToken, now)
	if q == nil {
		return nil, 0, nil
	}
	var cands []int64
	if err := q.Limit(n).Pluck("id", &cands).Error; err != nil {
		return nil, 0, fmt.Errorf("store: eligible contacts of campaign %d: %w", r.Campaign.ID, err)
	}
	return claimIDs(tx, r, leaseToken, cands, now, set, func(q *gorm.DB) *gorm.DB { return r.eligible(q, now) })
}

// queue selects the campaign's eligible contacts in claim order, walking the
// (campaign_id, status, next_attempt_at) index; nil when none can be.
func (r *DialRules) queue(tx *gorm.DB, leaseToken int64, now time.Time) *gorm.DB {
	q := r.eligible(claimable(tx.Model(&Contact{}), leaseToken, now).Where("campaign_id = ?", r.Campaign.ID), now)
	if q == nil {
		return nil
	}
	return q.Order("next_attempt_at, id")
}

// claimIDs is the conditional update: it claims those of ids that are still
// claimable and meet cond, and returns the ids tried (the caller reads back
// which ones carry its token) and how many it claimed.
func claimIDs(tx *gorm.DB, r *DialRules, leaseToken int64, ids []int64, now time.Time, set map[string]any,
	cond func(*gorm.DB) *gorm.DB) ([]int64, int64, error) {
	if len(ids) == 0 {
		return nil, 0, nil
	}
	q := cond(claimable(tx.Model(&Contact{}), leaseToken, now).Where("campaign_id = ? AND id IN ?", r.Campaign.ID, ids))
	if q == nil {
		return nil, 0, nil
	}
	res := q.Updates(set)
	if res.Error != nil {
		return nil, 0, fmt.Errorf("store: claim contacts of campaign %d: %w", r.Campaign.ID, res.Error)
	}
	return ids, res.RowsAffected, nil
}

// eligible adds the dialing rules that SQL can check to q; nil means no
// contact can be eligible (the calendar is closed for every customer type).
// It mirrors Reason, which stays the reference: the runner re-checks each
// claimed contact with CheckClaim before dialing.
func (r *DialRules) eligible(q *gorm.DB, now time.Time) *gorm.DB {
	q = q.Where("callback_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (dnd_until IS NULL OR dnd_until <= ?)", now, now)
	q = r.phoneCondition(q)
	if r.Strategy != nil {
		q = q.Where("attempts < ?", r.Strategy.AttemptsPerContact())
	}
	if r.Campaign != nil && r.Campaign.DialMode == DialPredictive {
		q = q.Where("(abandoned_at IS NULL OR abandoned_at <= ?)", now.Add(-AbandonQuiet))
	}
	return r.windowCondition(q, now)
}

// phoneCondition: at least one number in the phone order is present, not
// marked undialable, and below max_attempts.
func (r *DialRules) phoneCondition(q *gorm.DB) *gorm.DB {
	sql, args := r.phoneSQL(true)
	return q.Where(sql, args...)
}

// phoneSQL is phoneCondition's SQL; withMax false leaves out max_attempts
// ("has the contact a dialable number at all").
func (r *DialRules) phoneSQL(withMax bool) (string, []any) {
	maxPer := 0
	if r.Strategy != nil && withMax {
		maxPer = r.Strategy.MaxAttempts
	}
	var sql string
	var args []any
	for i, f := range r.order() {
		status, used := "phone_status", "phone_attempts"
		if f == "alt_phone" {
			status, used = "alt_status", "alt_attempts"
		}
		if i > 0 {
			sql += " OR "
		}
		sql += "(" + f + " <> '' AND " + status + " IN ('', 'valid')"
		if maxPer > 0 {
			sql += " AND " + used + " < ?"
			args = append(args, maxPer)
		}
		sql += ")"
	}
	return "(" + sql + ")", args
}

// windowCondition limits q to customer types whose calling window is open
// now: the calendar's windows name the types that have their own; every other
// type follows the default ("") windows.
func (r *DialRules) windowCondition(q *gorm.DB, now time.Time) *gorm.DB {
	if r.Calendar == nil {
		return q
	}
	var open, closed []string
	seen := map[string]bool{}
	for _, w := range r.Calendar.Windows {
		if w.CustomerType == "" || seen[w.CustomerType] {
			continue
		}
		seen[w.CustomerType] = true
		if r.Calendar.Open(now, w.CustomerType) {
			open = append(open, w.CustomerType)
		} else {
			closed = append(closed, w.CustomerType)
		}
	}
	switch {
	case r.Calendar.Open(now, "") && len(closed) > 0:
		return q.Where("customer_type NOT IN ?", closed)
	case r.Calendar.Open(now, ""):
		return q
	case len(open) > 0:
		return q.Where("customer_type IN ?", open)
	}
	return nil
}

// readClaims reads back the contacts that carry token, with their callbacks.
func readClaims(tx *gorm.DB, ids []int64, token string) ([]Claim, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []Contact
	if err := tx.Where("id IN ? AND claim_token = ?", ids, token).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: read claimed contacts: %w", err)
	}
	byContact, err := openCallbacks(tx, rows)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		if _, dup := pos[id]; !dup {
			pos[id] = i
		}
	}
	out := make([]Claim, len(rows))
	for i := range rows {
		rows[i].decode()
		out[i] = Claim{Contact: rows[i], Token: token, Callback: byContact[rows[i].ID]}
	}
	// Claim order is priority order: callbacks, then the queue.
	sortClaims(out, pos)
	return out, nil
}

func sortClaims(out []Claim, pos map[int64]int) {
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && pos[out[j].Contact.ID] < pos[out[j-1].Contact.ID]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
}

// openCallbacks returns the due, scheduled callback of each contact that has one.
func openCallbacks(tx *gorm.DB, rows []Contact) (map[int64]*Callback, error) {
	var ids []int64
	for _, c := range rows {
		if c.CallbackAt != nil {
			ids = append(ids, c.ID)
		}
	}
	out := map[int64]*Callback{}
	if len(ids) == 0 {
		return out, nil
	}
	var cbs []Callback
	if err := tx.Where("contact_id IN ? AND status = ?", ids, CallbackScheduled).Order("due_at").Find(&cbs).Error; err != nil {
		return nil, fmt.Errorf("store: callbacks of claimed contacts: %w", err)
	}
	for i := range cbs {
		if _, ok := out[cbs[i].ContactID]; !ok {
			out[cbs[i].ContactID] = &cbs[i]
		}
	}
	return out, nil
}

// ReleaseClaim gives back a claimed contact the runner will not dial now,
// saying why (a NotDialable reason, "" for none), so the contact does not come
// straight back in the next batch: blacklisted → blocked, attempts exhausted →
// failed, no number → maintenance, outside its window → not before the window
// opens (at most an hour later, so a calendar edit is seen). A claim already
// gone is not an error.
func (s *Store) ReleaseClaim(ctx context.Context, r *DialRules, leaseToken int64, cl *Claim, why NotDialable, now time.Time) error {
	now = ts(now)
	set := map[string]any{}
	switch why {
	case ReasonBlacklisted:
		set["status"], set["block_reason"] = ContactBlocked, blockReasonDNC
	case ReasonAttemptsUsed:
		set["status"] = ContactFailed
	case ReasonNoNumber:
		set["status"] = ContactMaintenance
	case ReasonOutsideHours:
		next := now.Add(time.Hour)
		if r.Calendar != nil {
			if t, ok := r.Calendar.NextOpen(now, cl.Contact.CustomerType); ok && t.Before(next) {
				next = ts(t)
			}
		}
		set["next_attempt_at"] = next
	}
	return s.fenced(ctx, r.Campaign.ID, leaseToken, time.Time{}, func(tx *gorm.DB) error {
		mine := tx.Model(&Contact{}).Where("id = ? AND campaign_id = ? AND claim_token = ?", cl.Contact.ID, r.Campaign.ID, cl.Token)
		if len(set) > 0 { // only a contact still waiting changes status; one blocked meanwhile stays so
			if err := mine.Where("status = ?", ContactPending).Updates(set).Error; err != nil {
				return fmt.Errorf("store: release contact %d: %w", cl.Contact.ID, err)
			}
		}
		err := tx.Model(&Contact{}).Where("id = ? AND claim_token = ? AND status <> ?", cl.Contact.ID, cl.Token, ContactInProgress).
			Updates(clearClaim()).Error
		if err != nil {
			return fmt.Errorf("store: release contact %d: %w", cl.Contact.ID, err)
		}
		return nil
	})
}

// ReleaseExpiredClaims is the reaper, run on a schedule by any instance: it
// frees claims that outlived their lease by ClaimGrace. A contact merely
// claimed goes back to the queue; a contact whose call was started by a
// runner that died is settled as a lost attempt (its attempt was counted
// when it started), so it is retried after its interval, or failed when its
// attempts are used up. It returns how many contacts it freed.
func (s *Store) ReleaseExpiredClaims(ctx context.Context, now time.Time) (int64, error) {
	now = ts(now)
	res := s.conn(ctx).Model(&Contact{}).Where("claimed_until IS NOT NULL AND claimed_until < ? AND status = ?", now, ContactPending).
		Updates(clearClaim())
	if res.Error != nil {
		return 0, fmt.Errorf("store: release expired claims: %w", res.Error)
	}
	freed := res.RowsAffected
	var stuck []Contact
	err := s.conn(ctx).Where("claimed_until IS NOT NULL AND claimed_until < ? AND status = ?", now, ContactInProgress).
		Order("campaign_id, id").Limit(MaxClaimBatch).Find(&stuck).Error
	if err != nil {
		return freed, fmt.Errorf("store: find expired calls: %w", err)
	}
	rules := map[int64]*DialRules{}
	for i := range stuck {
		c := &stuck[i]
		r, ok := rules[c.CampaignID]
		if !ok {
			if r, err = s.campaignRules(ctx, c.CampaignID); err != nil {
				return freed, err
			}
			rules[c.CampaignID] = r
		}
		ok, err := s.settleLost(ctx, r, c, now)
		if err != nil {
			return freed, err
		}
		if ok {
			freed++
		}
	}
	return freed, nil
}

func (s *Store) campaignRules(ctx context.Context, campaignID int64) (*DialRules, error) {
	camp, err := s.GetCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return s.DialRules(ctx, camp)
}

// settleLost settles a contact whose runner died during its call.
func (s *Store) settleLost(ctx context.Context, r *DialRules, c *Contact, now time.Time) (bool, error) {
	var done bool
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		set := r.settle(c, &Finish{Class: ResultLost, Now: now}, outcome{}, now)
		res := tx.Model(&Contact{}).Where("id = ? AND claim_token = ? AND status = ?", c.ID, c.ClaimToken, ContactInProgress).Updates(set)
		if res.Error != nil {
			return fmt.Errorf("store: settle lost call of contact %d: %w", c.ID, res.Error)
		}
		done = res.RowsAffected == 1
		if !done {
			return nil
		}
		var lost []int64
		if err := tx.Model(&Attempt{}).Where("contact_id = ? AND outcome = ''", c.ID).Pluck("id", &lost).Error; err != nil {
			return fmt.Errorf("store: lost attempts of contact %d: %w", c.ID, err)
		}
		if len(lost) > 0 {
			err := tx.Model(&Attempt{}).Where("id IN ?", lost).
				Updates(map[string]any{"outcome": ResultLost, "finished_at": now}).Error
			if err != nil {
				return fmt.Errorf("store: mark lost attempts of contact %d: %w", c.ID, err)
			}
		}
		if err := rollFinished(tx, lost...); err != nil {
			return err
		}
		// A callback being dialed goes back to waiting for the next runner.
		err := tx.Model(&Callback{}).Where("contact_id = ? AND status = ?", c.ID, CallbackOffered).
			Updates(map[string]any{"status": CallbackScheduled, "offered_at": nil}).Error
		if err != nil {
			return fmt.Errorf("store: reopen callback of contact %d: %w", c.ID, err)
		}
		return nil
	})
	return done, err
}
