package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// TransitionError is a status change the campaign transition table refuses.
type TransitionError struct {
	CampaignID int64
	From, To   CampaignStatus
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("campaign %d is %s and cannot become %s", e.CampaignID, e.From, e.To)
}

func (e *TransitionError) Unwrap() error { return ErrConflict }

// NotReadyError lists why a campaign cannot run; it wraps ErrInvalid.
type NotReadyError struct{ ValidationError }

// agentModes need a group of agents to take the calls.
var agentModes = []DialMode{DialPreview, DialProgressive, DialPredictive}

// StartCampaign moves a draft, paused or completed campaign to running after
// checking it can run (strategy, group for agent modes, caller IDs, IVR flow
// for broadcasts, a contact to dial); a problem is a *NotReadyError naming
// each field, and nothing changes.
func (s *Store) StartCampaign(ctx context.Context, id int64) (*Campaign, error) {
	c, err := s.GetCampaign(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Status.CanMove(CampaignRunning) {
		return nil, &TransitionError{CampaignID: id, From: c.Status, To: CampaignRunning}
	}
	problems, err := s.runProblems(ctx, c, true)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &NotReadyError{ValidationError{Fields: problems}}
	}
	return s.SetCampaignStatus(ctx, id, CampaignRunning)
}

// runProblems lists what keeps a campaign from running; withContacts adds
// "there is a contact to dial" (checked at start, not on every edit).
func (s *Store) runProblems(ctx context.Context, c *Campaign, withContacts bool) ([]FieldError, error) {
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{Field: f, Message: m}) }
	if c.StrategyID == nil {
		add("strategy_id", "is required to run a campaign (the dialing rules)")
	} else {
		st, err := s.GetStrategy(ctx, *c.StrategyID)
		if err != nil {
			return nil, err
		}
		cal, err := s.GetCalendar(ctx, st.CalendarID)
		if err != nil {
			return nil, err
		}
		errs = append(errs, strategyRunProblems(st, cal, s.now(), "strategy_id")...)
	}
	if err := s.groupProblems(ctx, c, add); err != nil {
		return nil, err
	}
	callerIDProblems(c, add)
	if c.Media == MediaFax && c.DocumentID == nil {
		add("document_id", "a fax campaign sends an uploaded document: upload a PDF (POST /api/v1/documents)")
	}
	if c.DialMode == DialBroadcast && c.IVRFlow == "" && !c.Media.Messages() {
		add("ivr_flow", "is required for a broadcast (IVR) campaign: the message or flow the customer hears")
	}
	if withContacts {
		var ids []int64
		err := s.conn(ctx).Model(&Contact{}).Where("campaign_id = ? AND status IN ?", c.ID,
			[]ContactStatus{ContactPending, ContactInProgress}).Limit(1).Pluck("id", &ids).Error
		if err != nil {
			return nil, fmt.Errorf("store: contacts of campaign %d: %w", c.ID, err)
		}
		if len(ids) == 0 {
			// a follow-up step (call, then sms, then email) starts empty:
			// the campaign before it hands on the contacts it does not reach
			var feeders int64
			if err := s.conn(ctx).Model(&Campaign{}).Where("follow_up LIKE ?", fmt.Sprintf(`%%"campaign_id":%d,%%`, c.ID)).
				Count(&feeders).Error; err != nil {
				return nil, fmt.Errorf("store: campaigns following up to %d: %w", c.ID, err)
			}
			if feeders == 0 {
				add("contacts", "the campaign has no contact to dial (none pending); import contacts first")
			}
		}
	}
	return errs, nil
}

func (s *Store) groupProblems(ctx context.Context, c *Campaign, add func(f, m string)) error {
	agents := false
	for _, m := range agentModes {
		agents = agents || c.DialMode == m
	}
	if !agents || (c.Media != MediaVoice && c.Media != MediaIVR) {
		return nil
	}
	if c.GroupID == nil {
		add("group_id", fmt.Sprintf("is required in %s mode: the group of agents who take the calls", c.DialMode))
		return nil
	}
	var g Group
	if err := s.conn(ctx).First(&g, *c.GroupID).Error; err != nil {
		add("group_id", fmt.Sprintf("group %d does not exist", *c.GroupID))
		return nil
	}
	if g.Kind == GroupIVR {
		add("group_id", fmt.Sprintf("group %d is an ivr group; %s mode needs an agent or expert group", g.ID, c.DialMode))
	}
	return nil
}

// callerIDProblems: a voice or IVR campaign presents one of its own numbers,
// each valid and listed once.
func callerIDProblems(c *Campaign, add func(f, m string)) {
	if c.Media != MediaVoice && c.Media != MediaIVR {
		return
	}
	if len(c.CallerIDs) == 0 {
		add("caller_ids", "at least one caller ID (a real number of the bank) is required to dial")
		return
	}
	seen := map[string]int{}
	for i, id := range c.CallerIDs {
		field := fmt.Sprintf("caller_ids[%d]", i)
		if !callerIDOK(id) {
			add(field, "must be 3-20 digits, optionally with a leading +")
		} else if j, dup := seen[id]; dup {
			add(field, fmt.Sprintf("repeats caller_ids[%d]", j))
		}
		seen[id] = i
	}
}

// strategyRunProblems lists what makes a strategy unusable for a running
// campaign: its period is over, or its calendar never opens. field names the
// strategy (strategy_id when checking a campaign, the strategy's own fields
// when checking a strategy edit).
func strategyRunProblems(st *Strategy, cal *Calendar, now time.Time, field string) []FieldError {
	var errs []FieldError
	loc := cal.Location()
	today := now.In(loc).Format(time.DateOnly)
	if st.PeriodEnd != "" && st.PeriodEnd < today {
		f := field
		if f == "" {
			f = "period_end"
		}
		errs = append(errs, FieldError{Field: f, Message: fmt.Sprintf("the strategy's period ended on %s (today is %s)", st.PeriodEnd, today)})
	}
	if !calendarEverOpen(cal, now) {
		f := field
		if f == "" {
			f = "calendar_id"
		}
		errs = append(errs, FieldError{Field: f, Message: fmt.Sprintf("calendar %d has no calling window in the coming year", cal.ID)})
	}
	return errs
}

// calendarEverOpen reports whether some customer type can be called within
// the coming year.
func calendarEverOpen(cal *Calendar, now time.Time) bool {
	types := map[string]bool{"": true}
	for _, w := range cal.Windows {
		types[w.CustomerType] = true
	}
	for t := range types {
		if _, ok := cal.NextOpen(now, t); ok {
			return true
		}
	}
	return false
}

// PauseCampaign and StopCampaign move a campaign along the transition table;
// the runner sees the change (CampaignStamps) and stops dialing.
func (s *Store) PauseCampaign(ctx context.Context, id int64) (*Campaign, error) {
	return s.moveCampaign(ctx, id, CampaignPaused)
}

// StopCampaign ends a campaign for good.
func (s *Store) StopCampaign(ctx context.Context, id int64) (*Campaign, error) {
	return s.moveCampaign(ctx, id, CampaignStopped)
}

func (s *Store) moveCampaign(ctx context.Context, id int64, to CampaignStatus) (*Campaign, error) {
	c, err := s.GetCampaign(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Status.CanMove(to) {
		return nil, &TransitionError{CampaignID: id, From: c.Status, To: to}
	}
	return s.SetCampaignStatus(ctx, id, to)
}

// RunnableCampaigns returns the running campaigns, highest priority first:
// what an instance's runner manager tries to hold leases for.
func (s *Store) RunnableCampaigns(ctx context.Context) ([]Campaign, error) {
	var out []Campaign
	if err := s.conn(ctx).Where("status = ?", CampaignRunning).Order("priority DESC, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: running campaigns: %w", err)
	}
	for i := range out {
		out[i].decode()
	}
	return out, nil
}

// CampaignStamp is the cheap "what changed" view of a campaign: a runner
// keeps the stamp it loaded its rules with and reloads when Version (any
// campaign edit or status change) or StrategyVersion (a strategy, calendar or
// holiday edit) differs.
type CampaignStamp struct {
	ID              int64          `json:"id"`
	Status          CampaignStatus `json:"status"`
	Version         int            `json:"version"`
	StrategyVersion int            `json:"strategy_version"`
}

// CampaignStamps reads the stamps of the given campaigns, or, with no ids,
// of every running or paused campaign, in one query.
func (s *Store) CampaignStamps(ctx context.Context, ids ...int64) (map[int64]CampaignStamp, error) {
	q := s.conn(ctx).Table("campaigns c").Select("c.id, c.status, c.version, COALESCE(st.version, 0) AS strategy_version").
		Joins("LEFT JOIN strategies st ON st.id = c.strategy_id")
	if len(ids) > 0 {
		q = q.Where("c.id IN ?", ids)
	} else {
		q = q.Where("c.status IN ?", []CampaignStatus{CampaignRunning, CampaignPaused})
	}
	var rows []CampaignStamp
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: campaign stamps: %w", err)
	}
	out := make(map[int64]CampaignStamp, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// CompleteIfDone completes a running campaign that has nothing left to do, or
// whose strategy period is over; it is fenced like every runner write and
// reports whether the campaign completed. Nothing left means no contact in a
// call, no open callback, and no pending contact that the limits still allow
// to be dialed (time-bound reasons — retry interval, window, do-not-disturb —
// only wait). Pending contacts the limits rule out (after a strategy edit
// lowered them) are settled as failed, or maintenance without a dialable
// number, as the campaign completes.
func (s *Store) CompleteIfDone(ctx context.Context, r *DialRules, leaseToken int64, now time.Time) (bool, error) {
	now = ts(now)
	var done bool
	err := s.fenced(ctx, r.Campaign.ID, leaseToken, time.Time{}, func(tx *gorm.DB) error {
		over := r.Strategy != nil && r.Strategy.PeriodEnd != "" && r.Strategy.PeriodEnd < now.In(r.location()).Format(time.DateOnly)
		if !over {
			left, err := r.workLeft(tx)
			if err != nil || left {
				return err
			}
			if err := r.settleLeftovers(tx); err != nil {
				return err
			}
		}
		res := tx.Model(&Campaign{}).Where("id = ? AND status = ?", r.Campaign.ID, CampaignRunning).
			Updates(map[string]any{"status": CampaignCompleted, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return fmt.Errorf("store: complete campaign %d: %w", r.Campaign.ID, res.Error)
		}
		done = res.RowsAffected == 1
		return nil
	})
	return done, err
}

// workLeft reports whether the campaign still has a call, a callback or a
// dialable contact; each probe stops at the first row it finds.
func (r *DialRules) workLeft(tx *gorm.DB) (bool, error) {
	id := r.Campaign.ID
	probes := []*gorm.DB{
		tx.Model(&Contact{}).Where("campaign_id = ? AND status = ?", id, ContactInProgress),
		tx.Model(&Callback{}).Where("campaign_id = ? AND status IN ?", id, openCallbackStatuses),
		r.withinLimits(tx.Model(&Contact{}).Where("campaign_id = ? AND status = ?", id, ContactPending)),
	}
	for _, q := range probes {
		var hit []int64
		if err := q.Limit(1).Pluck("id", &hit).Error; err != nil {
			return false, fmt.Errorf("store: work left in campaign %d: %w", id, err)
		}
		if len(hit) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// withinLimits: a contact the attempt limits and its numbers still allow.
func (r *DialRules) withinLimits(q *gorm.DB) *gorm.DB {
	q = r.phoneCondition(q)
	if r.Strategy != nil {
		q = q.Where("attempts < ?", r.Strategy.AttemptsPerContact())
	}
	return q
}

// settleLeftovers gives pending contacts the limits rule out a final status.
func (r *DialRules) settleLeftovers(tx *gorm.DB) error {
	pending := func() *gorm.DB {
		return tx.Model(&Contact{}).Where("campaign_id = ? AND status = ?", r.Campaign.ID, ContactPending)
	}
	anyNumber, args := r.phoneSQL(false)
	if err := pending().Where("NOT "+anyNumber, args...).Update("status", ContactMaintenance).Error; err != nil {
		return fmt.Errorf("store: settle contacts of campaign %d: %w", r.Campaign.ID, err)
	}
	if err := pending().Update("status", ContactFailed).Error; err != nil {
		return fmt.Errorf("store: settle contacts of campaign %d: %w", r.Campaign.ID, err)
	}
	return nil
}

// checkRunningUsers refuses a strategy edit that would leave a running or
// paused campaign unable to run, naming the strategy's field and the campaign.
func (s *Store) checkRunningUsers(tx *gorm.DB, st *Strategy, cal *Calendar) error {
	var camps []Campaign
	err := tx.Where("strategy_id = ? AND status IN ?", st.ID, []CampaignStatus{CampaignRunning, CampaignPaused}).
		Order("id").Find(&camps).Error
	if err != nil {
		return fmt.Errorf("store: campaigns of strategy %d: %w", st.ID, err)
	}
	if len(camps) == 0 {
		return nil
	}
	var errs []FieldError
	for _, p := range strategyRunProblems(st, cal, s.now(), "") {
		p.Message = fmt.Sprintf("%s; campaign %d (%s) is %s with this strategy: stop it first or choose another value",
			p.Message, camps[0].ID, camps[0].Name, camps[0].Status)
		errs = append(errs, p)
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// checkCalendarUsers refuses a calendar edit that leaves no calling window
// while a running or paused campaign dials by it.
func (s *Store) checkCalendarUsers(tx *gorm.DB, cal *Calendar) error {
	if calendarEverOpen(cal, s.now()) {
		return nil
	}
	var camps []Campaign
	err := tx.Model(&Campaign{}).Joins("JOIN strategies st ON st.id = campaigns.strategy_id").
		Where("st.calendar_id = ? AND campaigns.status IN ?", cal.ID, []CampaignStatus{CampaignRunning, CampaignPaused}).
		Order("campaigns.id").Limit(1).Find(&camps).Error
	if err != nil {
		return fmt.Errorf("store: campaigns of calendar %d: %w", cal.ID, err)
	}
	if len(camps) == 0 {
		return nil
	}
	return Invalid("windows", fmt.Sprintf("the calendar would have no calling window in the coming year; campaign %d (%s) is %s with it: stop it first",
		camps[0].ID, camps[0].Name, camps[0].Status))
}
