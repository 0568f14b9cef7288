package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Rollups keep the report figures current as calls and agent states land:
// StartAttempt, FinishAttempt, the lost-call sweep and every agent state
// change add to them in their own transaction, so a report over ten million
// attempts sums a few thousand rows and is never a night behind.
// RebuildRollups recomputes them from the raw rows with the same functions
// (attemptRollup, stateRollup), so both always agree exactly.
//
// Every rollup row is one UTC hour (tables *_hours), and again one day of
// ReportZone (tables *_days, whose hour column is the day's midnight): a
// report over whole days of that zone sums days, any other period hours.

// CampaignHour is one campaign's outbound figures for the attempts that began
// in one UTC hour.
// The primary key leads with the hour: a report's period is one range of
// the clustered index.
type CampaignHour struct {
	Hour           time.Time `gorm:"primaryKey" json:"hour"`
	CampaignID     int64     `gorm:"primaryKey;autoIncrement:false;index" json:"campaign_id"`
	Dials          int64     `gorm:"not null;default:0" json:"dials"`
	Finished       int64     `gorm:"not null;default:0" json:"finished"`
	Answered       int64     `gorm:"not null;default:0" json:"answered"`
	Human          int64     `gorm:"not null;default:0" json:"human"`
	Machine        int64     `gorm:"not null;default:0" json:"machine"`
	Abandoned      int64     `gorm:"not null;default:0" json:"abandoned"`
	Connected      int64     `gorm:"not null;default:0" json:"connected"`
	Reached        int64     `gorm:"not null;default:0" json:"reached"`
	Success        int64     `gorm:"not null;default:0" json:"success"`
	Busy           int64     `gorm:"not null;default:0" json:"busy"`
	NoAnswer       int64     `gorm:"not null;default:0" json:"no_answer"`
	Rejected       int64     `gorm:"not null;default:0" json:"rejected"`
	NetworkFailure int64     `gorm:"not null;default:0" json:"network_failure"`
	InvalidNumber  int64     `gorm:"not null;default:0" json:"invalid_number"`
	Cancelled      int64     `gorm:"not null;default:0" json:"cancelled"`
	Lost           int64     `gorm:"not null;default:0" json:"lost"`
	TalkMS         int64     `gorm:"column:talk_ms;not null;default:0" json:"talk_ms"`
	WaitMS         int64     `gorm:"column:wait_ms;not null;default:0" json:"wait_ms"` // answer to agent, summed
	WaitN          int64     `gorm:"column:wait_n;not null;default:0" json:"wait_n"`
	ACWMS          int64     `gorm:"column:acw_ms;not null;default:0" json:"acw_ms"` // agents' after-call work on these calls
}

// AgentHour is one agent's calls that began in one UTC hour, and the time
// the agent spent in each state within the hour.
type AgentHour struct {
	Hour       time.Time `gorm:"primaryKey" json:"hour"`
	AgentID    int64     `gorm:"primaryKey;autoIncrement:false;index" json:"agent_id"`
	Calls      int64     `gorm:"not null;default:0" json:"calls"`
	TalkMS     int64     `gorm:"column:talk_ms;not null;default:0" json:"talk_ms"`
	ReadyMS    int64     `gorm:"column:ready_ms;not null;default:0" json:"ready_ms"`
	ReservedMS int64     `gorm:"column:reserved_ms;not null;default:0" json:"reserved_ms"`
	OnCallMS   int64     `gorm:"column:on_call_ms;not null;default:0" json:"on_call_ms"`
	HoldMS     int64     `gorm:"column:hold_ms;not null;default:0" json:"hold_ms"`
	ACWMS      int64     `gorm:"column:acw_ms;not null;default:0" json:"acw_ms"`
	BreakMS    int64     `gorm:"column:break_ms;not null;default:0" json:"break_ms"`
}

// AgentStateHour is the time one agent spent on break for one reason within
// one UTC hour, and how many breaks began in it.
type AgentStateHour struct {
	Hour    time.Time  `gorm:"primaryKey" json:"hour"`
	AgentID int64      `gorm:"primaryKey;autoIncrement:false" json:"agent_id"`
	State   AgentState `gorm:"primaryKey;type:varchar(16)" json:"state"`
	Reason  string     `gorm:"primaryKey;type:varchar(32)" json:"reason"`
	MS      int64      `gorm:"column:ms;not null;default:0" json:"ms"`
	Entries int64      `gorm:"not null;default:0" json:"entries"`
}

// CampaignDay, AgentDay and AgentStateDay are the same figures per day of
// ReportZone; Hour is the day's start.
type CampaignDay struct{ CampaignHour }

// AgentDay is AgentHour per day of ReportZone.
type AgentDay struct{ AgentHour }

// AgentStateDay is AgentStateHour per day of ReportZone.
type AgentStateDay struct{ AgentStateHour }

// TableName names the day tables.
func (CampaignDay) TableName() string   { return "campaign_days" }
func (AgentDay) TableName() string      { return "agent_days" }
func (AgentStateDay) TableName() string { return "agent_state_days" }

// ReportZone is the zone of the day rollups: China Standard Time (UTC+8
// all year, so every day is 24 whole hours).
var ReportZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// rollupTables are every rollup table, hours then days.
var rollupTables = []string{"campaign_hours", "agent_hours", "agent_state_hours", "queue_hours", "ivr_hours", "ivr_answer_hours",
	"campaign_days", "agent_days", "agent_state_days", "queue_days", "ivr_days", "ivr_answer_days"}

// dayOf is the start of t's day in ReportZone, in UTC.
func dayOf(t time.Time) time.Time {
	l := t.In(ReportZone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, ReportZone).UTC()
}

// rollupKey names one rollup row: the table, its id column value (campaign,
// agent or queue group), the hour, for agent states the state and reason,
// for IVR flows the flow and for their survey answers the variable and the
// digits.
type rollupKey struct {
	table  string
	id     int64
	hour   time.Time
	state  AgentState
	reason string
	flow   string
	dvar   string
	digits string
}

// rollup is a set of increments, keyed by row and column.
type rollup map[rollupKey]slotCounts

func (r rollup) add(k rollupKey, col string, n int64) {
	if n == 0 {
		return
	}
	c := r[k]
	if c == nil {
		c = slotCounts{}
		r[k] = c
	}
	c[col] += n
}

func hourOf(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// both adds to an hour row and to the row of its day.
func (r rollup) both(k rollupKey, col string, n int64) {
	r.add(k, col, n)
	k.table = strings.Replace(k.table, "_hours", "_days", 1)
	k.hour = dayOf(k.hour)
	r.add(k, col, n)
}

// rollupClassColumns is the column each finished class counts in.
var rollupClassColumns = map[ResultClass]string{ResultMachine: "machine", ResultBusy: "busy", ResultNoAnswer: "no_answer",
	ResultRejected: "rejected", ResultNetworkFailure: "network_failure", ResultInvalidNumber: "invalid_number",
	ResultCancelled: "cancelled", ResultAbandoned: "abandoned", ResultLost: "lost", ResultSuccess: "success"}

// attemptDial is what starting an attempt adds. Attempts of no campaign
// (inbound calls, legs the controller records) are counted by the queue
// rollups, never as campaign 0.
func attemptDial(r rollup, a *Attempt) {
	if a.CampaignID == 0 {
		return
	}
	r.both(rollupKey{table: "campaign_hours", id: a.CampaignID, hour: hourOf(a.CreatedAt)}, "dials", 1)
}

// attemptFinished is what a finished attempt adds, read from its row: the
// columns only the dialer writes (outcome, amd, connected, talk_ms,
// answer_to_agent_ms), never those a late switch record may rewrite.
func attemptFinished(r rollup, a *Attempt) {
	if a.Outcome == "" || a.CampaignID == 0 {
		return
	}
	k := rollupKey{table: "campaign_hours", id: a.CampaignID, hour: hourOf(a.CreatedAt)}
	r.both(k, "finished", 1)
	if col, ok := rollupClassColumns[a.Outcome]; ok {
		r.both(k, col, 1)
	}
	r.both(k, "answered", b2i(a.Outcome.Answered() || a.Connected))
	r.both(k, "human", b2i(humanAnswer(a.Outcome, a.AMD)))
	r.both(k, "reached", b2i(a.Outcome.Reached()))
	r.both(k, "connected", b2i(a.Connected))
	r.both(k, "talk_ms", a.TalkMS)
	if a.AnswerToAgentMS != nil {
		r.both(k, "wait_ms", *a.AnswerToAgentMS)
		r.both(k, "wait_n", 1)
	}
	if a.AgentID != 0 && a.Connected {
		ak := rollupKey{table: "agent_hours", id: a.AgentID, hour: k.hour}
		r.both(ak, "calls", 1)
		r.both(ak, "talk_ms", a.TalkMS)
	}
}

// humanAnswer: a person answered (talked to an agent, was abandoned, or the
// detector said human).
func humanAnswer(c ResultClass, amd AMDVerdict) bool {
	return c == ResultHuman || c == ResultSuccess || c == ResultAbandoned || c == ResultAnswered && amd == AMDHuman
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// callRef is the attempt an agent's after-call work belongs to.
type callRef struct {
	CampaignID int64
	CreatedAt  time.Time
}

// stateClosed is what a closed agent state row adds: its time cut at UTC
// hours to the agent's hours, a break's also to its reason's row with one
// entry in the hour it began, and, for after-call work on a
// campaign call, the time on the call's campaign hour.
func stateClosed(r rollup, e *AgentStateEvent, call *callRef) {
	if e.EndedAt == nil {
		return
	}
	if e.State == AgentSignedOut {
		return
	}
	brk := e.State == AgentBreak
	base := rollupKey{table: "agent_state_hours", id: e.AgentID, state: e.State, reason: e.Reason}
	start, end := e.At.UTC(), e.EndedAt.UTC()
	if brk {
		k := base
		k.hour = hourOf(start)
		r.both(k, "entries", 1)
	}
	for a := start; a.Before(end); {
		cut := minTime(end, hourOf(a).Add(time.Hour))
		ms := cut.Sub(a).Milliseconds()
		r.both(rollupKey{table: "agent_hours", id: e.AgentID, hour: hourOf(a)}, string(e.State)+"_ms", ms)
		if brk {
			k := base
			k.hour = hourOf(a)
			r.both(k, "ms", ms)
		}
		a = cut
	}
	if e.State == AgentACW && call != nil && call.CampaignID != 0 {
		r.both(rollupKey{table: "campaign_hours", id: call.CampaignID, hour: hourOf(call.CreatedAt)}, "acw_ms", e.DurationMS)
	}
}

// apply upserts the increments (portable ON CONFLICT / ON DUPLICATE KEY).
func (r rollup) apply(tx *gorm.DB) error {
	for _, k := range r.keys() {
		if err := upsertRollup(tx, k, r[k]); err != nil {
			return err
		}
	}
	return nil
}

// keys orders the rows so concurrent transactions lock them in one order.
func (r rollup) keys() []rollupKey {
	ks := slices.Collect(maps.Keys(r))
	slices.SortFunc(ks, func(a, b rollupKey) int {
		switch {
		case a.table != b.table:
			return cmp.Compare(a.table, b.table)
		case a.id != b.id:
			return cmp.Compare(a.id, b.id)
		case !a.hour.Equal(b.hour):
			return a.hour.Compare(b.hour)
		case a.state != b.state:
			return cmp.Compare(string(a.state), string(b.state))
		case a.reason != b.reason:
			return cmp.Compare(a.reason, b.reason)
		case a.flow != b.flow:
			return cmp.Compare(a.flow, b.flow)
		case a.dvar != b.dvar:
			return cmp.Compare(a.dvar, b.dvar)
		}
		return cmp.Compare(a.digits, b.digits)
	})
	return ks
}

func (k rollupKey) row() (map[string]any, []clause.Column) {
	row := map[string]any{"hour": k.hour}
	cols := []clause.Column{{Name: "hour"}}
	kind := strings.TrimSuffix(strings.TrimSuffix(k.table, "_hours"), "_days")
	idCol := map[string]string{"campaign": "campaign_id", "queue": "group_id", "ivr": "campaign_id", "ivr_answer": "campaign_id"}[kind]
	if idCol == "" {
		idCol = "agent_id"
	}
	if kind == "ivr" || kind == "ivr_answer" {
		row["flow"] = k.flow
		cols = append(cols, clause.Column{Name: "flow"})
	}
	row[idCol] = k.id
	cols = append(cols, clause.Column{Name: idCol})
	switch kind {
	case "agent_state":
		row["state"], row["reason"] = k.state, k.reason
		cols = append(cols, clause.Column{Name: "state"}, clause.Column{Name: "reason"})
	case "ivr_answer":
		row["dtmf_var"], row["digits"] = k.dvar, k.digits
		cols = append(cols, clause.Column{Name: "dtmf_var"}, clause.Column{Name: "digits"})
	}
	return row, cols
}

func upsertRollup(tx *gorm.DB, k rollupKey, counts slotCounts) error {
	row, cols := k.row()
	set := map[string]any{}
	for col, n := range counts {
		row[col] = n
		set[col] = gorm.Expr(col+" + ?", n)
	}
	err := tx.Table(k.table).Clauses(clause.OnConflict{Columns: cols, DoUpdates: clause.Assignments(set)}).Create(row).Error
	if err != nil {
		return fmt.Errorf("store: rollup %s %d %s: %w", k.table, k.id, k.hour.Format(time.RFC3339), err)
	}
	return nil
}

// rollFinished adds the finished attempts (by id) to the rollups, reading
// their rows as they now stand in the transaction.
func rollFinished(tx *gorm.DB, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []Attempt
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: read finished attempts: %w", err)
	}
	r := rollup{}
	for i := range rows {
		attemptFinished(r, &rows[i])
	}
	return r.apply(tx)
}

// rollClosedStates adds the agent's state rows just closed.
func rollClosedStates(tx *gorm.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []AgentStateEvent
	if err := tx.Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return fmt.Errorf("store: read closed states: %w", err)
	}
	calls, err := acwCalls(tx, rows)
	if err != nil {
		return err
	}
	r := rollup{}
	for i := range rows {
		stateClosed(r, &rows[i], calls[rows[i].CallUUID])
	}
	return r.apply(tx)
}

// acwCalls finds the attempts after-call work rows belong to.
func acwCalls(tx *gorm.DB, rows []AgentStateEvent) (map[string]*callRef, error) {
	var uuids []string
	for _, e := range rows {
		if e.State == AgentACW && e.CallUUID != "" {
			uuids = append(uuids, e.CallUUID)
		}
	}
	out := map[string]*callRef{}
	if len(uuids) == 0 {
		return out, nil
	}
	var refs []struct {
		CallUUID   string
		CampaignID int64
		CreatedAt  time.Time
	}
	if err := tx.Model(&Attempt{}).Select("call_uuid, campaign_id, created_at").Where("call_uuid IN ?", uuids).Find(&refs).Error; err != nil {
		return nil, fmt.Errorf("store: calls of after-call work: %w", err)
	}
	for _, r := range refs {
		out[r.CallUUID] = &callRef{CampaignID: r.CampaignID, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// RollupCounts says what a rebuild read and wrote.
type RollupCounts struct {
	Attempts     int64 `json:"attempts"`
	StateRows    int64 `json:"state_rows"`
	QueueWaits   int64 `json:"queue_waits"`
	IVRCalls     int64 `json:"ivr_calls"`
	RollupRows   int64 `json:"rollup_rows"`
	ElapsedMilli int64 `json:"elapsed_ms"`
}

// rebuildBatch is how many raw rows a rebuild reads at a time.
const rebuildBatch = 20000

// RebuildRollups recomputes every rollup from the raw attempts and agent
// state rows, in one transaction (run it with dialing paused: calls finishing
// meanwhile wait for it).
func (s *Store) RebuildRollups(ctx context.Context) (RollupCounts, error) {
	start := time.Now()
	var out RollupCounts
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = rebuildRollups(tx)
		return err
	})
	out.ElapsedMilli = time.Since(start).Milliseconds()
	if err != nil {
		return out, fmt.Errorf("store: rebuild rollups: %w", err)
	}
	return out, nil
}

// rebuildRollupsTx is the migration that fills the rollups from the rows
// stored before they existed.
func rebuildRollupsTx(tx *gorm.DB) error {
	_, err := rebuildRollups(tx)
	return err
}

func rebuildRollups(tx *gorm.DB) (RollupCounts, error) {
	var out RollupCounts
	for _, t := range rollupTables {
		if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
			return out, fmt.Errorf("store: clear %s: %w", t, err)
		}
	}
	r := rollup{}
	var err error
	if out.Attempts, err = rebuildAttempts(tx, r); err != nil {
		return out, err
	}
	if out.StateRows, err = rebuildStates(tx, r); err != nil {
		return out, err
	}
	if out.QueueWaits, err = rebuildQueues(tx, r); err != nil {
		return out, err
	}
	if out.IVRCalls, err = rebuildIVR(tx, r); err != nil {
		return out, err
	}
	out.RollupRows = int64(len(r))
	return out, insertRollups(tx, r)
}

func rebuildAttempts(tx *gorm.DB, r rollup) (int64, error) {
	var n, last int64
	for {
		var rows []Attempt
		err := tx.Select("id, campaign_id, agent_id, created_at, outcome, amd, connected, talk_ms, answer_to_agent_ms").
			Where("id > ?", last).Order("id").Limit(rebuildBatch).Find(&rows).Error
		if err != nil {
			return n, fmt.Errorf("store: read attempts after %d: %w", last, err)
		}
		for i := range rows {
			attemptDial(r, &rows[i])
			attemptFinished(r, &rows[i])
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
}

func rebuildStates(tx *gorm.DB, r rollup) (int64, error) {
	var n, last int64
	for {
		var rows []AgentStateEvent
		err := tx.Where("id > ? AND ended_at IS NOT NULL", last).Order("id").Limit(rebuildBatch).Find(&rows).Error
		if err != nil {
			return n, fmt.Errorf("store: read agent states after %d: %w", last, err)
		}
		calls, err := acwCalls(tx, rows)
		if err != nil {
			return n, err
		}
		for i := range rows {
			stateClosed(r, &rows[i], calls[rows[i].CallUUID])
		}
		n += int64(len(rows))
		if len(rows) < rebuildBatch {
			return n, nil
		}
		last = rows[len(rows)-1].ID
	}
}

// insertRollups writes fresh rollup rows in bulk (the rows must not exist).
func insertRollups(tx *gorm.DB, r rollup) error {
	byTable := map[string][]map[string]any{}
	for _, k := range r.keys() {
		row, _ := k.row()
		for col, n := range r[k] {
			row[col] = n
		}
		byTable[k.table] = append(byTable[k.table], row)
	}
	for _, rows := range byTable {
		cols := map[string]bool{}
		for _, row := range rows {
			for c := range row {
				cols[c] = true
			}
		}
		for _, row := range rows { // one shape per table: one multi-row insert
			for c := range cols {
				if _, ok := row[c]; !ok {
					row[c] = int64(0)
				}
			}
		}
	}
	for t, rows := range byTable {
		for _, group := range byShape(rows) {
			if err := tx.Table(t).CreateInBatches(group, 500).Error; err != nil {
				return fmt.Errorf("store: write %s: %w", t, err)
			}
		}
	}
	return nil
}

// byShape groups rows by their set of columns (a multi-row insert needs one).
func byShape(rows []map[string]any) [][]map[string]any {
	idx := map[string]int{}
	var out [][]map[string]any
	for _, row := range rows {
		cols := slices.Sorted(maps.Keys(row))
		key := fmt.Sprint(cols)
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], row)
	}
	return out
}

// BulkLoader loads generated traffic (bench reports) or another system's
// history fast: rows go in with multi-row inserts and their rollups are
// summed in memory, written by Flush, with the same functions as the live
// path and the rebuild.
type BulkLoader struct {
	s *Store
	r rollup
}

// NewBulkLoader starts a load.
func (s *Store) NewBulkLoader() *BulkLoader { return &BulkLoader{s: s, r: rollup{}} }

// Attempts inserts attempts (ids assigned by the database).
func (b *BulkLoader) Attempts(ctx context.Context, rows []Attempt) error {
	if err := b.s.conn(ctx).CreateInBatches(rows, 500).Error; err != nil { // SQLite takes 32766 variables
		return fmt.Errorf("store: bulk load attempts: %w", err)
	}
	for i := range rows {
		attemptDial(b.r, &rows[i])
		attemptFinished(b.r, &rows[i])
	}
	return nil
}

// States inserts closed agent state rows; after-call work refers to
// attempts already loaded by call UUID.
func (b *BulkLoader) States(ctx context.Context, rows []AgentStateEvent) error {
	calls, err := acwCalls(b.s.conn(ctx), rows)
	if err != nil {
		return err
	}
	if err := b.s.conn(ctx).CreateInBatches(rows, 1000).Error; err != nil {
		return fmt.Errorf("store: bulk load agent states: %w", err)
	}
	for i := range rows {
		stateClosed(b.r, &rows[i], calls[rows[i].CallUUID])
	}
	return nil
}

// QueueWaits inserts inbound callers' queue wait rows.
func (b *BulkLoader) QueueWaits(ctx context.Context, rows []QueueWait) error {
	if err := b.s.conn(ctx).CreateInBatches(rows, 1000).Error; err != nil {
		return fmt.Errorf("store: bulk load queue waits: %w", err)
	}
	for i := range rows {
		queueEntered(b.r, &rows[i])
		queueLeft(b.r, &rows[i])
	}
	return nil
}

// IVRCalls inserts IVR results with their survey answers.
func (b *BulkLoader) IVRCalls(ctx context.Context, recs []IVRCallRecord) error {
	calls := make([]IVRCall, len(recs))
	for i := range recs {
		calls[i] = recs[i].IVRCall
	}
	if err := b.s.conn(ctx).CreateInBatches(calls, 1000).Error; err != nil {
		return fmt.Errorf("store: bulk load ivr calls: %w", err)
	}
	var answers []IVRAnswer
	for i := range recs {
		first := len(answers)
		for _, e := range recs[i].Entries {
			answers = append(answers, IVRAnswer{IVRCallID: calls[i].ID, Var: e.Var, Digits: e.Digits})
		}
		ivrCallRolled(b.r, &calls[i], answers[first:])
	}
	if len(answers) > 0 {
		if err := b.s.conn(ctx).CreateInBatches(answers, 1000).Error; err != nil {
			return fmt.Errorf("store: bulk load ivr answers: %w", err)
		}
	}
	return nil
}

// Flush writes the summed rollups: multi-row inserts into the rollup
// tables that are empty, upserts that add to those that are not.
func (b *BulkLoader) Flush(ctx context.Context) error {
	err := b.s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		empty := map[string]bool{}
		for _, t := range rollupTables {
			var n int64
			if err := tx.Table(t).Limit(1).Count(&n).Error; err != nil {
				return err
			}
			empty[t] = n == 0
		}
		fresh, more := rollup{}, rollup{}
		for k, c := range b.r {
			if empty[k.table] {
				fresh[k] = c
			} else {
				more[k] = c
			}
		}
		if err := insertRollups(tx, fresh); err != nil {
			return err
		}
		return more.apply(tx)
	})
	if err != nil {
		return fmt.Errorf("store: bulk load rollups: %w", err)
	}
	b.r = rollup{}
	return nil
}

// RollupSnapshot is every rollup row, in key order.
type RollupSnapshot struct {
	CampaignHours []CampaignHour
	AgentHours    []AgentHour
	StateHours    []AgentStateHour
	CampaignDays  []CampaignDay
	AgentDays     []AgentDay
	StateDays     []AgentStateDay
	QueueHours    []QueueHour
	QueueDays     []QueueDay
	IVRHours      []IVRHour
	IVRDays       []IVRDay
	AnswerHours   []IVRAnswerHour
	AnswerDays    []IVRAnswerDay
}

// Rollups reads every rollup row (tests and checks of a rebuild).
func (s *Store) Rollups(ctx context.Context) (*RollupSnapshot, error) {
	var out RollupSnapshot
	db := s.conn(ctx)
	for _, q := range []struct {
		dst   any
		order string
	}{{&out.CampaignHours, "hour, campaign_id"}, {&out.AgentHours, "hour, agent_id"}, {&out.StateHours, "hour, agent_id, state, reason"},
		{&out.CampaignDays, "hour, campaign_id"}, {&out.AgentDays, "hour, agent_id"}, {&out.StateDays, "hour, agent_id, state, reason"},
		{&out.QueueHours, "hour, group_id"}, {&out.QueueDays, "hour, group_id"}, {&out.IVRHours, "hour, flow, campaign_id"},
		{&out.IVRDays, "hour, flow, campaign_id"}, {&out.AnswerHours, "hour, flow, campaign_id, dtmf_var, digits"},
		{&out.AnswerDays, "hour, flow, campaign_id, dtmf_var, digits"}} {
		if err := db.Order(q.order).Find(q.dst).Error; err != nil {
			return nil, fmt.Errorf("store: read rollups: %w", err)
		}
	}
	for i := range out.CampaignHours {
		out.CampaignHours[i].Hour = out.CampaignHours[i].Hour.UTC()
	}
	for i := range out.AgentHours {
		out.AgentHours[i].Hour = out.AgentHours[i].Hour.UTC()
	}
	for i := range out.StateHours {
		out.StateHours[i].Hour = out.StateHours[i].Hour.UTC()
	}
	for i := range out.CampaignDays {
		out.CampaignDays[i].Hour = out.CampaignDays[i].Hour.UTC()
	}
	for i := range out.AgentDays {
		out.AgentDays[i].Hour = out.AgentDays[i].Hour.UTC()
	}
	for i := range out.StateDays {
		out.StateDays[i].Hour = out.StateDays[i].Hour.UTC()
	}
	for i := range out.QueueHours {
		out.QueueHours[i].Hour = out.QueueHours[i].Hour.UTC()
	}
	for i := range out.QueueDays {
		out.QueueDays[i].Hour = out.QueueDays[i].Hour.UTC()
	}
	for i := range out.IVRHours {
		out.IVRHours[i].Hour = out.IVRHours[i].Hour.UTC()
	}
	for i := range out.IVRDays {
		out.IVRDays[i].Hour = out.IVRDays[i].Hour.UTC()
	}
	for i := range out.AnswerHours {
		out.AnswerHours[i].Hour = out.AnswerHours[i].Hour.UTC()
	}
	for i := range out.AnswerDays {
		out.AnswerDays[i].Hour = out.AnswerDays[i].Hour.UTC()
	}
	return &out, nil
}

// AttemptFilter selects attempts for history and checks.
type AttemptFilter struct {
	CampaignID int64
	ContactIDs []int64
	From, To   time.Time // created_at in [From, To); zero = open
	Limit      int       // 0 = 10,000
}

// Attempts lists attempts, newest first.
func (s *Store) Attempts(ctx context.Context, f AttemptFilter) ([]Attempt, error) {
	q := s.conn(ctx).Order("created_at DESC, id DESC")
	if f.CampaignID != 0 {
		q = q.Where("campaign_id = ?", f.CampaignID)
	}
	if len(f.ContactIDs) > 0 {
		q = q.Where("contact_id IN ?", f.ContactIDs)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.Limit <= 0 {
		f.Limit = 10000
	}
	var out []Attempt
	if err := q.Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: attempts: %w", err)
	}
	return out, nil
}
