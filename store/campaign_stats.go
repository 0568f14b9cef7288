package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// slotWidth is the resolution of a campaign's running figures: the abandon
// rate over 24 h counts at most one slot more than 24 h.
const slotWidth = 10 * time.Minute

// CampaignSlot holds a campaign's call figures for one 10-minute slot. Start
// and finish add to it in their own transactions, so figures over any window
// are a sum over a few hundred rows instead of a scan of the attempts (a
// campaign of a million calls answers its stats in milliseconds).
type CampaignSlot struct {
	CampaignID     int64     `gorm:"primaryKey;autoIncrement:false" json:"campaign_id"`
	Slot           time.Time `gorm:"primaryKey" json:"slot"` // slot start, UTC
	Attempts       int64     `gorm:"not null;default:0" json:"attempts"`
	Answered       int64     `gorm:"not null;default:0" json:"answered"`
	Human          int64     `gorm:"not null;default:0" json:"human"` // answered by a person: connected, abandoned, or AMD said human
	Connected      int64     `gorm:"not null;default:0" json:"connected"`
	Abandoned      int64     `gorm:"not null;default:0" json:"abandoned"`
	Reached        int64     `gorm:"not null;default:0" json:"reached"`
	Machine        int64     `gorm:"not null;default:0" json:"machine"`
	Busy           int64     `gorm:"not null;default:0" json:"busy"`
	NoAnswer       int64     `gorm:"not null;default:0" json:"no_answer"`
	Rejected       int64     `gorm:"not null;default:0" json:"rejected"`
	NetworkFailure int64     `gorm:"not null;default:0" json:"network_failure"`
	InvalidNumber  int64     `gorm:"not null;default:0" json:"invalid_number"`
	Cancelled      int64     `gorm:"not null;default:0" json:"cancelled"`
}

// LatencyBucket counts a campaign's answer-to-agent latencies in one slot and
// one bucket (BucketMS is the bucket's lower bound), for percentiles.
type LatencyBucket struct {
	CampaignID int64     `gorm:"primaryKey;autoIncrement:false"`
	Slot       time.Time `gorm:"primaryKey"`
	BucketMS   int64     `gorm:"column:bucket_ms;primaryKey;autoIncrement:false"`
	N          int64     `gorm:"not null;default:0"`
}

// slotCounts are column increments of a CampaignSlot.
type slotCounts map[string]int64

// bumpSlot adds counts to the campaign's slot for at (through the rollup
// upserts, so a group transaction writes each slot once).
func bumpSlot(tx *gorm.DB, campaignID int64, at time.Time, counts slotCounts) error {
	r := rollup{}
	k := rollupKey{table: "campaign_slots", id: campaignID, hour: at.UTC().Truncate(slotWidth)}
	for col, n := range counts {
		r.add(k, col, n)
	}
	if err := r.apply(tx); err != nil {
		return fmt.Errorf("store: campaign %d figures: %w", campaignID, err)
	}
	return nil
}

// classColumns is the slot column each class counts in.
var classColumns = map[ResultClass]string{ResultMachine: "machine", ResultBusy: "busy", ResultNoAnswer: "no_answer",
	ResultRejected: "rejected", ResultNetworkFailure: "network_failure", ResultInvalidNumber: "invalid_number",
	ResultCancelled: "cancelled", ResultAbandoned: "abandoned"}

// countOutcome adds a finished call to the campaign's figures.
func countOutcome(tx *gorm.DB, campaignID int64, f *Finish, now time.Time) error {
	c := slotCounts{}
	if col, ok := classColumns[f.Class]; ok {
		c[col] = 1
	}
	if f.Class.Answered() || f.AnsweredAt != nil && f.Class != ResultNetworkFailure && f.Class != ResultCancelled {
		c["answered"] = 1
	}
	human := f.Class == ResultHuman || f.Class == ResultSuccess || f.Class == ResultAbandoned ||
		f.Class == ResultAnswered && f.AMD == AMDHuman
	if human {
		c["human"] = 1
	}
	if f.Class.Reached() {
		c["reached"] = 1
	}
	if f.ConnectedAt != nil {
		c["connected"] = 1
	}
	if err := bumpSlot(tx, campaignID, now, c); err != nil {
		return err
	}
	if f.AnsweredAt == nil || f.ConnectedAt == nil || f.Class == ResultAbandoned {
		return nil
	}
	ms := max(f.ConnectedAt.Sub(*f.AnsweredAt).Milliseconds(), 0)
	row := LatencyBucket{CampaignID: campaignID, Slot: now.UTC().Truncate(slotWidth), BucketMS: latencyBucket(ms), N: 1}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "campaign_id"}, {Name: "slot"}, {Name: "bucket_ms"}},
		DoUpdates: clause.Assignments(map[string]any{"n": gorm.Expr("n + 1")}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: campaign %d latency: %w", campaignID, err)
	}
	return nil
}

// latencyBucket is the lower bound of ms's bucket: 50 ms wide up to 3 s
// (where the 2-second rule lives), 250 ms up to 10 s, then one bucket.
func latencyBucket(ms int64) int64 {
	switch {
	case ms < 3000:
		return ms / 50 * 50
	case ms < 10000:
		return ms / 250 * 250
	}
	return 10000
}

// latencyUpper is the upper bound of the bucket starting at b.
func latencyUpper(b int64) int64 {
	switch {
	case b < 3000:
		return b + 50
	case b < 10000:
		return b + 250
	}
	return b
}

// Percentiles are answer-to-agent latencies in milliseconds, each reported as
// the upper bound of its 50 ms bucket (so never understated).
type Percentiles struct {
	P50 int64 `json:"p50"`
	P99 int64 `json:"p99"`
	N   int64 `json:"n"`
}

// AbandonFigures are the counts behind the abandon rates (abandoned /
// answered by a person) over the windows the rules use.
type AbandonFigures struct {
	Human24h, Abandoned24h int64
	Human30d, Abandoned30d int64
	Human, Abandoned       int64 // whole campaign
}

// Rate24h, Rate30d and Rate are abandoned / answered humans (0 with none).
func (a AbandonFigures) Rate24h() float64 { return ratio(a.Abandoned24h, a.Human24h) }
func (a AbandonFigures) Rate30d() float64 { return ratio(a.Abandoned30d, a.Human30d) }
func (a AbandonFigures) Rate() float64    { return ratio(a.Abandoned, a.Human) }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// AbandonFigures sums the campaign's answered humans and abandoned calls over
// 24 hours, 30 days and its whole life: what pacing holds under the cap.
func (s *Store) AbandonFigures(ctx context.Context, campaignID int64, now time.Time) (AbandonFigures, error) {
	var out AbandonFigures
	row := s.conn(ctx).Model(&CampaignSlot{}).Where("campaign_id = ?", campaignID).Select(
		"COALESCE(SUM(CASE WHEN slot >= ? THEN human END), 0), COALESCE(SUM(CASE WHEN slot >= ? THEN abandoned END), 0), "+
			"COALESCE(SUM(CASE WHEN slot >= ? THEN human END), 0), COALESCE(SUM(CASE WHEN slot >= ? THEN abandoned END), 0), "+
			"COALESCE(SUM(human), 0), COALESCE(SUM(abandoned), 0)",
		windowStart(now, 24*time.Hour), windowStart(now, 24*time.Hour),
		windowStart(now, 30*24*time.Hour), windowStart(now, 30*24*time.Hour)).Row()
	if err := row.Scan(&out.Human24h, &out.Abandoned24h, &out.Human30d, &out.Abandoned30d, &out.Human, &out.Abandoned); err != nil {
		return out, fmt.Errorf("store: abandon figures of campaign %d: %w", campaignID, err)
	}
	return out, nil
}

// windowStart is the first slot of the window of length d ending at now.
func windowStart(now time.Time, d time.Duration) time.Time {
	return now.Add(-d).UTC().Truncate(slotWidth)
}

// CampaignStats are a campaign's live and total figures (GET .../stats).
type CampaignStats struct {
	CampaignID          int64                   `json:"campaign_id"`
	Status              CampaignStatus          `json:"status"`
	Contacts            map[ContactStatus]int64 `json:"contacts"`
	ContactsTotal       int64                   `json:"contacts_total"`
	Attempts            int64                   `json:"attempts"`
	Answered            int64                   `json:"answered"`
	AnsweredHuman       int64                   `json:"answered_human"`
	Connected           int64                   `json:"connected"`
	Reached             int64                   `json:"reached"`
	Abandoned           int64                   `json:"abandoned"`
	Machine             int64                   `json:"machine"`
	Busy                int64                   `json:"busy"`
	NoAnswer            int64                   `json:"no_answer"`
	Rejected            int64                   `json:"rejected"`
	NetworkFailure      int64                   `json:"network_failure"`
	InvalidNumbers      int64                   `json:"invalid_numbers"`
	Cancelled           int64                   `json:"cancelled"`
	AnsweredHuman24h    int64                   `json:"answered_human_24h"`
	Abandoned24h        int64                   `json:"abandoned_24h"`
	AnsweredHuman30d    int64                   `json:"answered_human_30d"`
	Abandoned30d        int64                   `json:"abandoned_30d"`
	AbandonRate24h      float64                 `json:"abandon_rate_24h"`
	AbandonRate30d      float64                 `json:"abandon_rate_30d"`
	AbandonRateCampaign float64                 `json:"abandon_rate_campaign"`
	MaxAbandonRate      float64                 `json:"max_abandon_rate"`
	DialRatePerMin      float64                 `json:"dial_rate_per_min"` // calls started in the last 5 minutes, per minute
	AnswerToAgentMS     Percentiles             `json:"answer_to_agent_ms"`
	AnswerToAgentMS24h  Percentiles             `json:"answer_to_agent_ms_24h"`
	CallbacksDue        int64                   `json:"callbacks_due"`
	CallbacksScheduled  int64                   `json:"callbacks_scheduled"`
	CallerIDsToday      map[string]int          `json:"caller_ids_today"`
	At                  time.Time               `json:"at"`
}

// dialRateWindow is the window the dial rate is measured over.
const dialRateWindow = 5 * time.Minute

// CampaignStats gathers a campaign's figures. Every query reads an index
// range of this campaign only, or a small table: the contact counts (kept
// by triggers, with their short log of deltas), the 10-minute slots, the
// attempts of the last 5 minutes, the callbacks by (campaign, status, due).
func (s *Store) CampaignStats(ctx context.Context, camp *Campaign, now time.Time) (*CampaignStats, error) {
	now = ts(now)
	st := &CampaignStats{CampaignID: camp.ID, Status: camp.Status, MaxAbandonRate: camp.MaxAbandonRate, At: now,
		Contacts: map[ContactStatus]int64{}}
	for _, cs := range []ContactStatus{ContactPending, ContactInProgress, ContactCompleted, ContactFailed, ContactMaintenance, ContactBlocked, ContactCancelled} {
		st.Contacts[cs] = 0
	}
	byStatus, err := s.CountContactsByStatus(ctx, camp.ID)
	if err != nil {
		return nil, err
	}
	for k, n := range byStatus {
		st.Contacts[k] = n
		st.ContactsTotal += n
	}
	if err := s.slotTotals(ctx, st); err != nil {
		return nil, err
	}
	ab, err := s.AbandonFigures(ctx, camp.ID, now)
	if err != nil {
		return nil, err
	}
	st.AnsweredHuman24h, st.Abandoned24h, st.AnsweredHuman30d, st.Abandoned30d = ab.Human24h, ab.Abandoned24h, ab.Human30d, ab.Abandoned30d
	st.AbandonRate24h, st.AbandonRate30d, st.AbandonRateCampaign = ab.Rate24h(), ab.Rate30d(), ab.Rate()
	if err := s.liveFigures(ctx, camp, st, now); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Store) slotTotals(ctx context.Context, st *CampaignStats) error {
	row := s.conn(ctx).Model(&CampaignSlot{}).Where("campaign_id = ?", st.CampaignID).Select(
		"COALESCE(SUM(attempts),0), COALESCE(SUM(answered),0), COALESCE(SUM(human),0), COALESCE(SUM(connected),0), " +
			"COALESCE(SUM(reached),0), COALESCE(SUM(abandoned),0), COALESCE(SUM(machine),0), COALESCE(SUM(busy),0), " +
			"COALESCE(SUM(no_answer),0), COALESCE(SUM(rejected),0), COALESCE(SUM(network_failure),0), " +
			"COALESCE(SUM(invalid_number),0), COALESCE(SUM(cancelled),0)").Row()
	err := row.Scan(&st.Attempts, &st.Answered, &st.AnsweredHuman, &st.Connected, &st.Reached, &st.Abandoned, &st.Machine,
		&st.Busy, &st.NoAnswer, &st.Rejected, &st.NetworkFailure, &st.InvalidNumbers, &st.Cancelled)
	if err != nil {
		return fmt.Errorf("store: figures of campaign %d: %w", st.CampaignID, err)
	}
	return nil
}

func (s *Store) liveFigures(ctx context.Context, camp *Campaign, st *CampaignStats, now time.Time) error {
	var recent int64
	err := s.conn(ctx).Model(&Attempt{}).Where("campaign_id = ? AND created_at >= ?", camp.ID, now.Add(-dialRateWindow)).Count(&recent).Error
	if err != nil {
		return fmt.Errorf("store: dial rate of campaign %d: %w", camp.ID, err)
	}
	st.DialRatePerMin = float64(recent) / dialRateWindow.Minutes()
	if st.AnswerToAgentMS, err = s.latency(ctx, camp.ID, time.Time{}); err != nil {
		return err
	}
	if st.AnswerToAgentMS24h, err = s.latency(ctx, camp.ID, windowStart(now, 24*time.Hour)); err != nil {
		return err
	}
	cb := s.conn(ctx).Model(&Callback{}).Where("campaign_id = ? AND status = ?", camp.ID, CallbackScheduled)
	if err := cb.Count(&st.CallbacksScheduled).Error; err != nil {
		return fmt.Errorf("store: callbacks of campaign %d: %w", camp.ID, err)
	}
	err = s.conn(ctx).Model(&Callback{}).Where("campaign_id = ? AND status = ? AND due_at <= ?", camp.ID, CallbackScheduled, now).
		Count(&st.CallbacksDue).Error
	if err != nil {
		return fmt.Errorf("store: due callbacks of campaign %d: %w", camp.ID, err)
	}
	rules := &DialRules{Campaign: camp}
	if camp.StrategyID != nil {
		if r, err := s.DialRules(ctx, camp); err == nil {
			rules = r
		}
	}
	st.CallerIDsToday, err = s.CallerIDCounts(ctx, rules, now)
	return err
}

// latency computes answer-to-agent percentiles from slots at or after from.
func (s *Store) latency(ctx context.Context, campaignID int64, from time.Time) (Percentiles, error) {
	var rows []struct {
		BucketMS int64
		N        int64
	}
	q := s.conn(ctx).Model(&LatencyBucket{}).Select("bucket_ms, SUM(n) AS n").Where("campaign_id = ?", campaignID)
	if !from.IsZero() {
		q = q.Where("slot >= ?", from)
	}
	if err := q.Group("bucket_ms").Order("bucket_ms").Scan(&rows).Error; err != nil {
		return Percentiles{}, fmt.Errorf("store: latency of campaign %d: %w", campaignID, err)
	}
	var p Percentiles
	for _, r := range rows {
		p.N += r.N
	}
	var seen int64
	for _, r := range rows {
		seen += r.N
		if p.P50 == 0 && seen*2 >= p.N {
			p.P50 = latencyUpper(r.BucketMS)
		}
		if p.P99 == 0 && seen*100 >= p.N*99 {
			p.P99 = latencyUpper(r.BucketMS)
		}
	}
	return p, nil
}

// EachAnsweredAttempt calls fn for every answered call of a campaign dialed
// in [from, to) (zero times leave that end open), in dial order, reading in
// pages along the (campaign_id, created_at) index: the abandonment evidence.
func (s *Store) EachAnsweredAttempt(ctx context.Context, campaignID int64, from, to time.Time, fn func(*Attempt) error) error {
	const page = 2000
	var lastAt time.Time
	var lastID int64
	for first := true; ; first = false {
		q := answeredQuery(s.conn(ctx), campaignID, from, to)
		if !first { // the range start keeps the index seek; the rest skips rows already read
			q = q.Where("created_at >= ? AND (created_at > ? OR id > ?)", lastAt, lastAt, lastID)
		}
		var rows []Attempt
		if err := q.Limit(page).Find(&rows).Error; err != nil {
			return fmt.Errorf("store: answered calls of campaign %d: %w", campaignID, err)
		}
		for i := range rows {
			if err := fn(&rows[i]); err != nil {
				return err
			}
		}
		if len(rows) < page {
			return nil
		}
		lastAt, lastID = rows[len(rows)-1].CreatedAt, rows[len(rows)-1].ID
	}
}

// answeredQuery selects a campaign's answered calls dialed in [from, to) in
// dial order, along the (campaign_id, created_at) index.
func answeredQuery(db *gorm.DB, campaignID int64, from, to time.Time) *gorm.DB {
	q := db.Model(&Attempt{}).Where("campaign_id = ? AND answered_at IS NOT NULL", campaignID)
	if !from.IsZero() {
		q = q.Where("created_at >= ?", ts(from))
	}
	if !to.IsZero() {
		q = q.Where("created_at < ?", ts(to))
	}
	return q.Order("created_at, id")
}

// LiveFigures are a running campaign's figures for the live feed: dials
// started over the last window and its abandonment over 24 hours.
type LiveFigures struct {
	Dials                  int64
	Human24h, Abandoned24h int64
	MaxAbandonRate         float64 // the campaign's cap
}

// CampaignLiveFigures reads LiveFigures of many campaigns in three queries
// (attempts by their campaign index, the 10-minute rollups grouped, the
// caps), so the feed's figures of hundreds of campaigns cost the same three
// reads.
func (s *Store) CampaignLiveFigures(ctx context.Context, ids []int64, now time.Time, window time.Duration) (map[int64]LiveFigures, error) {
	out := make(map[int64]LiveFigures, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var dials []struct {
		CampaignID int64
		N          int64
	}
	err := s.conn(ctx).Model(&Attempt{}).Select("campaign_id, COUNT(*) AS n").
		Where("campaign_id IN ? AND created_at >= ?", ids, ts(now.Add(-window))).Group("campaign_id").Scan(&dials).Error
	if err != nil {
		return nil, fmt.Errorf("store: dials of %d campaigns: %w", len(ids), err)
	}
	var aband []struct {
		CampaignID       int64
		Human, Abandoned int64
	}
	err = s.conn(ctx).Model(&CampaignSlot{}).Select("campaign_id, COALESCE(SUM(human), 0) AS human, COALESCE(SUM(abandoned), 0) AS abandoned").
		Where("campaign_id IN ? AND slot >= ?", ids, windowStart(now, 24*time.Hour)).Group("campaign_id").Scan(&aband).Error
	if err != nil {
		return nil, fmt.Errorf("store: abandonment of %d campaigns: %w", len(ids), err)
	}
	var caps []Campaign
	if err := s.conn(ctx).Select("id, max_abandon_rate").Where("id IN ?", ids).Find(&caps).Error; err != nil {
		return nil, fmt.Errorf("store: abandonment caps of %d campaigns: %w", len(ids), err)
	}
	for _, c := range caps {
		out[c.ID] = LiveFigures{MaxAbandonRate: c.MaxAbandonRate}
	}
	for _, d := range dials {
		f := out[d.CampaignID]
		f.Dials = d.N
		out[d.CampaignID] = f
	}
	for _, a := range aband {
		f := out[a.CampaignID]
		f.Human24h, f.Abandoned24h = a.Human, a.Abandoned
		out[a.CampaignID] = f
	}
	return out, nil
}
