package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CampaignLease says which controller instance runs a campaign. Token is the
// fencing token: it grows by one on every acquisition and is never reused
// (a released lease keeps its row), so a write carrying an older token is
// recognisably stale.
type CampaignLease struct {
	CampaignID int64     `gorm:"primaryKey;autoIncrement:false" json:"campaign_id"`
	Holder     string    `gorm:"type:varchar(64);not null" json:"holder"`
	Token      int64     `gorm:"not null" json:"token"`
	ExpiresAt  time.Time `gorm:"not null" json:"expires_at"`
	AcquiredAt time.Time `gorm:"not null" json:"acquired_at"`
	RenewedAt  time.Time `gorm:"not null" json:"renewed_at"`
}

// Lease is what a runner holds while it runs a campaign: it passes
// CampaignID and Token with every write.
type Lease struct {
	CampaignID int64
	Holder     string
	Token      int64
	ExpiresAt  time.Time
}

// ClaimGrace is how long a claim outlives its holder's lease: a contact whose
// call was started by an instance that then died stays claimed that much
// longer than the lease, so its call (still up on the switch) has ended
// before the reaper frees the contact.
const ClaimGrace = 2 * time.Minute

// maxHolderLen bounds an instance id (the column's width).
const maxHolderLen = 64

// ts is how the store writes and compares times: UTC, millisecond precision
// (MySQL DATETIME(3)), so SQLite's text times compare in the same order.
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// AcquireLease makes holder the runner of a campaign for ttl: it succeeds
// when nobody holds the lease, when the lease has expired, or when holder
// already holds it; every success takes a new, larger fencing token. A lease
// another holder still holds is ErrLeaseHeld.
func (s *Store) AcquireLease(ctx context.Context, campaignID int64, holder string, ttl time.Duration, now time.Time) (Lease, error) {
	if holder == "" || len(holder) > maxHolderLen {
		return Lease{}, Invalid("holder", fmt.Sprintf("an instance id of 1 to %d bytes is required", maxHolderLen))
	}
	if ttl <= 0 {
		return Lease{}, Invalid("ttl", "must be positive")
	}
	now = ts(now)
	l := Lease{CampaignID: campaignID, Holder: holder, ExpiresAt: ts(now.Add(ttl))}
	err := s.retryDeadlock(func() error {
		return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
			row := CampaignLease{CampaignID: campaignID, Holder: holder, Token: 1, ExpiresAt: l.ExpiresAt, AcquiredAt: now, RenewedAt: now}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return fmt.Errorf("store: acquire lease of campaign %d: %w", campaignID, res.Error)
			}
			if res.RowsAffected == 1 {
				l.Token = 1
				return nil
			}
			res = tx.Model(&CampaignLease{}).Where("campaign_id = ? AND (expires_at <= ? OR holder = ?)", campaignID, now, holder).
				Updates(map[string]any{"holder": holder, "token": gorm.Expr("token + 1"), "expires_at": l.ExpiresAt,
					"acquired_at": now, "renewed_at": now})
			if res.Error != nil {
				return fmt.Errorf("store: take over lease of campaign %d: %w", campaignID, res.Error)
			}
			var cur CampaignLease
			if err := tx.First(&cur, "campaign_id = ?", campaignID).Error; err != nil {
				return fmt.Errorf("store: read lease of campaign %d: %w", campaignID, err)
			}
			if res.RowsAffected == 0 {
				return fmt.Errorf("store: campaign %d is run by %s until %s: %w", campaignID, cur.Holder,
					cur.ExpiresAt.Format(time.RFC3339), ErrLeaseHeld)
			}
			l.Token = cur.Token
			return nil
		})
	})
	if err != nil {
		return Lease{}, err
	}
	return l, nil
}

// RenewLease extends one lease the caller still holds; see RenewLeases. A
// stale token is ErrLeaseLost: another instance took over, and this one
// must stop.
func (s *Store) RenewLease(ctx context.Context, l Lease, ttl time.Duration, now time.Time) (Lease, error) {
	got, err := s.RenewLeases(ctx, l.Holder, []Lease{l}, ttl, now)
	if err != nil {
		return l, err
	}
	if len(got) == 0 {
		return l, fmt.Errorf("store: renew lease of campaign %d (token %d): %w", l.CampaignID, l.Token, ErrLeaseLost)
	}
	return got[0], nil
}

// RenewLeases extends every lease of one instance (holder) at once, and the
// claims held under them, in one transaction of two statements whatever the
// number of campaigns: one instance running hundreds of campaigns renews
// them all in one write (R16), not one transaction per campaign. A lease
// may have expired meanwhile if nobody took over. It returns the leases
// renewed; one missing from the answer is lost (another instance took
// over, or its token is stale), and its runner must stop.
func (s *Store) RenewLeases(ctx context.Context, holder string, ls []Lease, ttl time.Duration, now time.Time) ([]Lease, error) {
	if len(ls) == 0 {
		return nil, nil
	}
	now = ts(now)
	until := ts(now.Add(ttl))
	ids, match := leaseMatch(ls)
	var out []Lease
	err := s.writeTx(ctx, func(tx *gorm.DB) error {
		out = out[:0]
		err := tx.Exec("UPDATE campaign_leases SET expires_at = ?, renewed_at = ? WHERE holder = ? AND campaign_id IN ? AND token = "+match.sql,
			append([]any{until, now, holder, ids}, match.args...)...).Error
		if err != nil {
			return fmt.Errorf("store: renew %d leases of %s: %w", len(ls), holder, err)
		}
		// MySQL counts changed rows only: read back which are ours.
		var cur []CampaignLease
		err = tx.Raw("SELECT campaign_id, token FROM campaign_leases WHERE holder = ? AND campaign_id IN ?", holder, ids).Scan(&cur).Error
		if err != nil {
			return fmt.Errorf("store: read renewed leases of %s: %w", holder, err)
		}
		tokens := make(map[int64]int64, len(cur))
		for _, c := range cur {
			tokens[c.CampaignID] = c.Token
		}
		for _, l := range ls {
			if tok, ok := tokens[l.CampaignID]; ok && tok == l.Token {
				l.ExpiresAt = until
				out = append(out, l)
			}
		}
		// The claims of every lease just renewed: a fixed statement (prepared
		// once), reaching the few contacts claimed at this moment through
		// the claim index.
		err = tx.Exec(`UPDATE contacts SET claimed_until = ? WHERE claimed_until IS NOT NULL AND claimed_by = ? AND EXISTS
			(SELECT 1 FROM campaign_leases l WHERE l.campaign_id = contacts.campaign_id AND l.token = contacts.claim_lease
			AND l.holder = ? AND l.renewed_at = ? AND l.expires_at = ?)`, until.Add(ClaimGrace), holder, holder, now, until).Error
		if err != nil {
			return fmt.Errorf("store: extend claims of %s: %w", holder, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// caseSQL is a CASE expression and its arguments.
type caseSQL struct {
	sql  string
	args []any
}

// leaseMatch is the campaign ids of ls and "CASE campaign_id WHEN id THEN
// token ... END", both padded (the last lease repeated) to a power of two
// in length, so the statement's text takes a few shapes whatever the number
// of campaigns and stays in the prepared-statement cache.
func leaseMatch(ls []Lease) ([]int64, caseSQL) {
	n := 1
	for n < len(ls) {
		n *= 2
	}
	ids := make([]int64, 0, n)
	var b strings.Builder
	args := make([]any, 0, 2*n)
	b.WriteString("CASE campaign_id")
	for i := range n {
		l := ls[min(i, len(ls)-1)]
		ids = append(ids, l.CampaignID)
		b.WriteString(" WHEN ? THEN ?")
		args = append(args, l.CampaignID, l.Token)
	}
	b.WriteString(" END")
	return ids, caseSQL{sql: b.String(), args: args}
}

// ReleaseLease ends a lease on a clean stop: the lease expires now (the row
// and its token stay, so tokens never repeat) and the holder's claims on
// contacts it has not started dialing are released. Claims of calls still in
// progress are kept until they expire, so finish calls before releasing.
func (s *Store) ReleaseLease(ctx context.Context, l Lease, now time.Time) error {
	now = ts(now)
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.checkLease(tx, l.CampaignID, l.Token, time.Time{}); err != nil {
			return err
		}
		if err := tx.Model(&CampaignLease{}).Where("campaign_id = ? AND token = ?", l.CampaignID, l.Token).
			Update("expires_at", now).Error; err != nil {
			return fmt.Errorf("store: release lease of campaign %d: %w", l.CampaignID, err)
		}
		err := tx.Model(&Contact{}).Where("claimed_until IS NOT NULL AND campaign_id = ? AND claim_lease = ? AND status = ?",
			l.CampaignID, l.Token, ContactPending).Updates(clearClaim())
		if err.Error != nil {
			return fmt.Errorf("store: release claims of campaign %d: %w", l.CampaignID, err.Error)
		}
		return nil
	})
}

// ListLeases returns every campaign lease (live or expired), by campaign.
func (s *Store) ListLeases(ctx context.Context) ([]CampaignLease, error) {
	var out []CampaignLease
	if err := s.conn(ctx).Order("campaign_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: list leases: %w", err)
	}
	return out, nil
}

// checkLease is the fencing check every runner write makes inside its
// transaction: token must be the campaign's current one, and, when live is
// not zero, unexpired at live. On MySQL the lease row is read with a shared
// lock, so a takeover (which updates the row) waits for writes under the old
// token to commit and every later write sees the new token. SQLite runs one
// write transaction at a time, which gives the same order.
func (s *Store) checkLease(tx *gorm.DB, campaignID, token int64, live time.Time) error {
	q := "SELECT token, holder, expires_at FROM campaign_leases WHERE campaign_id = ?"
	if s.driver == "mysql" {
		q += " LOCK IN SHARE MODE"
	}
	var cur []CampaignLease
	if err := tx.Raw(q, campaignID).Scan(&cur).Error; err != nil {
		return fmt.Errorf("store: check lease of campaign %d: %w", campaignID, err)
	}
	switch {
	case len(cur) == 0:
		return fmt.Errorf("store: campaign %d has no lease: %w", campaignID, ErrLeaseLost)
	case cur[0].Token != token:
		return fmt.Errorf("store: campaign %d lease token %d is stale (now %d, held by %s): %w",
			campaignID, token, cur[0].Token, cur[0].Holder, ErrLeaseLost)
	case !live.IsZero() && !cur[0].ExpiresAt.After(ts(live)):
		return fmt.Errorf("store: campaign %d lease expired at %s; renew it first: %w",
			campaignID, cur[0].ExpiresAt.Format(time.RFC3339), ErrLeaseLost)
	}
	return nil
}

// fenced runs fn in a transaction after the fencing check (on SQLite a
// transaction shared with other runners' writes, see txGroup); on MySQL a
// deadlock (which InnoDB resolves by rolling one transaction back) is retried
// a few times, since row locks taken in different orders by a claim and a
// blacklist update can meet.
func (s *Store) fenced(ctx context.Context, campaignID, token int64, live time.Time, fn func(tx *gorm.DB) error) error {
	if s.driver != "mysql" { // one writer at a time: commit the runners' writes in groups
		return s.grouped(ctx, func(tx *gorm.DB) error {
			if err := s.checkLease(tx, campaignID, token, live); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	return s.retryDeadlock(func() error {
		return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
			if err := s.checkLease(tx, campaignID, token, live); err != nil {
				return err
			}
			return fn(tx)
		})
	})
}

// writeTx runs fn in a write transaction: on SQLite one shared with the
// runners' other writes (txGroup), so hundreds of campaigns renewing their
// leases cost a few transactions, not one each.
func (s *Store) writeTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.driver != "mysql" {
		return s.grouped(ctx, fn)
	}
	return s.conn(ctx).Transaction(fn)
}

// retryDeadlock runs a transaction again when InnoDB chose it as a deadlock
// victim, or when a value it blacklists was listed concurrently (it was
// rolled back whole, so running it again is safe).
func (s *Store) retryDeadlock(tx func() error) error {
	var err error
	for try := 0; try < 4; try++ {
		if err = tx(); !isDeadlock(err) {
			return err
		}
	}
	return err
}

func isDeadlock(err error) bool {
	if errors.Is(err, errDNCRaced) { // a blacklist value listed concurrently: judge again
		return true
	}
	if err == nil || errors.Is(err, ErrLeaseLost) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "Error 1213") || strings.Contains(msg, "Error 1205")
}
