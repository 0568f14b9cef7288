package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// agentFilter limits a query on agent_id to the query's agents or group.
func (s *Store) agentFilter(ctx context.Context, db *gorm.DB, col string, q *ReportQuery) *gorm.DB {
	if len(q.AgentIDs) > 0 {
		db = db.Where(col+" IN ?", q.AgentIDs)
	}
	if q.GroupID != 0 {
		db = db.Where(col+" IN (?)", s.conn(ctx).Table("user_groups").Select("user_id").Where("group_id = ?", q.GroupID))
	}
	return db
}

// campaignsReport: one row per campaign with its settings, contacts by
// status now, and its outbound figures over the period.
func (s *Store) campaignsReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimCampaign); err != nil {
		return nil, err
	}
	q.GroupBy = []Dimension{DimCampaign}
	// The period's figures, the campaigns and their contacts by status
	// (kept by triggers on contacts, contact_counts.go: a GROUP BY over
	// every contact took 1.75 s at 3 M contacts) are read at once.
	var out *Report
	var camps []Campaign
	var contacts map[int64]map[ContactStatus]int64
	err := parallel(3, func(i int) error {
		var err error
		switch i {
		case 0:
			out, err = s.outboundReport(ctx, q)
		case 1:
			cq := s.conn(ctx).Select("id, name, kind, media, dial_mode, status").Order("id")
			if len(q.CampaignIDs) > 0 {
				cq = cq.Where("id IN ?", q.CampaignIDs)
			}
			err = wrapErr("store: campaigns report", cq.Find(&camps).Error)
		default:
			contacts, err = s.ContactCounts(ctx, q.CampaignIDs...)
			err = wrapErr("store: campaigns report", err)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	figures := map[int64]map[string]any{}
	for _, r := range out.Rows {
		figures[r["campaign_id"].(int64)] = r
	}
	figCols := []string{"dials", "answered", "human", "abandoned", "reached", "success", "talk_s", "abandon_rate", "dials_per_completed"}
	rep := &Report{Totals: map[string]any{}}
	rep.Columns = []ReportColumn{{"campaign_id", KindID}, {"name", KindText}, {"kind", KindText}, {"media", KindText},
		{"dial_mode", KindText}, {"status", KindText}, {"contacts_total", KindCount}}
	for _, st := range ContactStatuses {
		rep.Columns = append(rep.Columns, ReportColumn{"contacts_" + string(st), KindCount})
	}
	for _, c := range figCols {
		rep.Columns = append(rep.Columns, columnOf(out.Columns, c))
	}
	for _, c := range camps {
		row := map[string]any{"campaign_id": c.ID, "name": c.Name, "kind": string(c.Kind), "media": string(c.Media),
			"dial_mode": string(c.DialMode), "status": string(c.Status)}
		var total int64
		for _, st := range ContactStatuses {
			n := contacts[c.ID][st]
			row["contacts_"+string(st)] = n
			total += n
		}
		row["contacts_total"] = total
		f := figures[c.ID]
		for _, col := range figCols {
			if f != nil {
				row[col] = f[col]
			} else if columnOf(out.Columns, col).Kind == KindCount {
				row[col] = int64(0)
			} else {
				row[col] = float64(0)
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	sumCols := []string{"contacts_total"}
	for _, st := range ContactStatuses {
		sumCols = append(sumCols, "contacts_"+string(st))
	}
	rep.Totals = totals(rep.Rows, sumCols)
	for _, col := range figCols {
		rep.Totals[col] = out.Totals[col]
	}
	return rep, nil
}

func columnOf(cols []ReportColumn, key string) ReportColumn {
	for _, c := range cols {
		if c.Key == key {
			return c
		}
	}
	return ReportColumn{key, KindText}
}

// messagesReport: sms, email and fax by channel / campaign / day / hour,
// from message_hours (each message in the hour it was created, by its status now).
func (s *Store) messagesReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimChannel, DimCampaign, DimDay, DimHour); err != nil {
		return nil, err
	}
	dims := s.dims(&q, "hour", map[Dimension]string{DimCampaign: "campaign_id", DimChannel: "channel"})
	rows, parts, err := s.rollupSums(ctx, "message", &q, func(db *gorm.DB) *gorm.DB {
		if len(q.CampaignIDs) > 0 {
			db = db.Where("campaign_id IN ?", q.CampaignIDs)
		}
		if q.Channel != "" {
			db = db.Where("channel = ?", q.Channel)
		}
		return db
	}, dims, plainSums(messageSums))
	if err != nil {
		return nil, wrapErr("store: messages report", err)
	}
	out, tot := reportRows(mergeSumRows(rows, parts), dims, messageSums, 1)
	rep := &Report{Rows: out, Totals: tot}
	for _, r := range append(out, rep.Totals) {
		r["delivery_rate"] = rate(r["delivered"], r["sent"])
	}
	rep.Columns = append(dimColumns(dims), countColumns(messageSums)...)
	rep.Columns = append(rep.Columns, ReportColumn{"delivery_rate", KindRatio})
	return rep, nil
}

// messageSums are the message_hours columns the messages report sums.
var messageSums = []string{"messages", "sent", "delivered", "failed", "queued", "parts"}

// workflowSums are the workflow report's columns and the callbacks
// rollup's columns they sum.
var workflowSums = []sumCol{{"callbacks_booked", "booked"}, {"callbacks_kept", "kept"}, {"callbacks_missed", "missed"},
	{"callbacks_cancelled", "cancelled"}, {"callbacks_open", "still_open"}, {"callbacks_handed_to_group", "handed"}}

// workflowReport: callbacks booked in the period by agent / campaign / day
// and what became of them (scheduled or offered: open), from the callbacks
// rollup (rollup_callbacks.go).
//
// It folds the callback deltas first rather than adding the deltas to the
// rollup it reads: the report's parts are summed at once on several
// connections, and a fold committing between the read of the rollup and
// the read of the deltas would count those deltas twice or not at all.
// After the fold every change committed before the report began is in the
// rollup, and each part is one statement, so it is exact; a fold with
// nothing to move is one index lookup, and serve's folder keeps the log
// to a few seconds of changes.
func (s *Store) workflowReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimAgent, DimCampaign, DimDay, DimHour); err != nil {
		return nil, err
	}
	if _, err := s.FoldCallbacks(ctx); err != nil {
		return nil, fmt.Errorf("store: workflow report: %w", err)
	}
	dims := s.dims(&q, "hour", map[Dimension]string{DimCampaign: "campaign_id", DimAgent: "agent_id"})
	rows, parts, err := s.rollupSums(ctx, "callback", &q, func(db *gorm.DB) *gorm.DB {
		db = s.agentFilter(ctx, db, "agent_id", &q)
		if len(q.CampaignIDs) > 0 {
			db = db.Where("campaign_id IN ?", q.CampaignIDs)
		}
		return db
	}, dims, workflowSums)
	if err != nil {
		return nil, fmt.Errorf("store: workflow report: %w", err)
	}
	out, tot := reportRows(mergeSumRows(rows, parts), dims, sumKeys(workflowSums), 1)
	rep := &Report{Rows: out, Totals: tot}
	for _, r := range append(out, rep.Totals) {
		kept, _ := r["callbacks_kept"].(int64)
		missed, _ := r["callbacks_missed"].(int64)
		r["kept_rate"] = rate(kept, kept+missed)
	}
	rep.Columns = append(dimColumns(dims), countColumns(sumKeys(workflowSums))...)
	rep.Columns = append(rep.Columns, ReportColumn{"kept_rate", KindRatio})
	return rep, nil
}

// attendanceReport: sign-in and out against the roster, one row per agent
// and date (the period's local dates).
func (s *Store) attendanceReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimAgent, DimDay); err != nil {
		return nil, err
	}
	q.GroupBy = []Dimension{DimAgent, DimDay}
	f := AttendanceFilter{From: q.From.In(q.Loc).Format(time.DateOnly), To: q.To.Add(-time.Nanosecond).In(q.Loc).Format(time.DateOnly),
		GroupID: q.GroupID, Timezone: q.Loc.String()}
	if len(q.AgentIDs) == 1 {
		f.AgentID = q.AgentIDs[0]
	}
	days, err := s.Attendance(ctx, f)
	if err != nil {
		return nil, err
	}
	clock := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(q.Loc).Format("2006-01-02 15:04")
	}
	rep := &Report{}
	for _, d := range days {
		if len(q.AgentIDs) > 1 && !slices.Contains(q.AgentIDs, d.AgentID) {
			continue
		}
		rep.Rows = append(rep.Rows, map[string]any{"agent_id": d.AgentID, "username": d.Username, "display_name": d.DisplayName,
			"day": d.Date, "shift_name": d.ShiftName, "scheduled_start": clock(d.ScheduledStart), "scheduled_end": clock(d.ScheduledEnd),
			"first_sign_in": clock(d.FirstSignIn), "last_sign_out": clock(d.LastSignOut),
			"signed_in_s": float64(d.SignedInMin * 60), "late_s": float64(d.LateMin * 60), "early_leave_s": float64(d.EarlyLeaveMin * 60),
			"break_s": float64(d.BreakMin * 60), "over_break_s": float64(d.OverBreakMin * 60),
			"late": b2i(d.LateMin > 0), "early_leave": b2i(d.EarlyLeaveMin > 0), "absent": b2i(d.Absent), "day_off": b2i(d.DayOff)})
	}
	rep.Columns = []ReportColumn{{"agent_id", KindID}, {"username", KindText}, {"display_name", KindText}, {"day", KindDate},
		{"shift_name", KindText}, {"scheduled_start", KindText}, {"scheduled_end", KindText}, {"first_sign_in", KindText},
		{"last_sign_out", KindText}, {"signed_in_s", KindSeconds}, {"late_s", KindSeconds}, {"early_leave_s", KindSeconds},
		{"break_s", KindSeconds}, {"over_break_s", KindSeconds}, {"late", KindCount}, {"early_leave", KindCount},
		{"absent", KindCount}, {"day_off", KindCount}}
	rep.Totals = totals(rep.Rows, []string{"late", "early_leave", "absent", "day_off"})
	for _, c := range []string{"signed_in_s", "late_s", "early_leave_s", "break_s", "over_break_s"} {
		var sum float64
		for _, r := range rep.Rows {
			sum += r[c].(float64)
		}
		rep.Totals[c] = sum
	}
	return rep, nil
}

// qaReport: QA scores given in the period by agent / scorer / campaign /
// day: how many, the average total, critical failures and appeals. From
// the QA rollup (rollup_qa.go), or by scorer from the scores themselves
// (through ix_qa_report, which covers the query).
func (s *Store) qaReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimAgent, DimScorer, DimCampaign, DimDay, DimHour); err != nil {
		return nil, err
	}
	var rows []sumRow
	var dims []dimSQL
	if slices.Contains(q.GroupBy, DimScorer) {
		dims = s.dims(&q, "created_at", map[Dimension]string{DimCampaign: "campaign_id", DimAgent: "agent_id", DimScorer: "scorer_id"})
		db := s.conn(ctx).Model(&QAScore{}).Where("created_at >= ? AND created_at < ?", q.From.UTC(), q.To.UTC())
		db = s.agentFilter(ctx, db, "agent_id", &q)
		if len(q.CampaignIDs) > 0 {
			db = db.Where("campaign_id IN ?", q.CampaignIDs)
		}
		sums := []sumCol{{"scores", "1"}, {"total_x100", "total_x100"}, {"critical_failures", "CASE WHEN critical_failed THEN 1 ELSE 0 END"},
			{"appeals", "CASE WHEN appeal <> '' THEN 1 ELSE 0 END"}, {"appeals_upheld", "CASE WHEN appeal = 'upheld' THEN 1 ELSE 0 END"}}
		err := eachSum(db, dims, sums, func(vals []any, nums []int64) {
			rows = append(rows, sumRow{slices.Clone(vals), slices.Clone(nums)})
		})
		if err != nil {
			return nil, fmt.Errorf("store: qa report: %w", err)
		}
	} else {
		dims = s.dims(&q, "hour", map[Dimension]string{DimCampaign: "campaign_id", DimAgent: "agent_id"})
		var parts int
		var err error
		rows, parts, err = s.rollupSums(ctx, "qa", &q, func(db *gorm.DB) *gorm.DB {
			db = s.agentFilter(ctx, db, "agent_id", &q)
			if len(q.CampaignIDs) > 0 {
				db = db.Where("campaign_id IN ?", q.CampaignIDs)
			}
			return db
		}, dims, plainSums(qaSums))
		if err != nil {
			return nil, fmt.Errorf("store: qa report: %w", err)
		}
		rows = mergeSumRows(rows, parts)
	}
	out, tot := reportRows(rows, dims, qaSums, 1)
	rep := &Report{Rows: out, Totals: tot}
	for _, r := range append(out, rep.Totals) {
		r["avg_total"] = rate(r["total_x100"], r["scores"]) / 100
		delete(r, "total_x100")
	}
	rep.Columns = append(dimColumns(dims), countColumns(qaSums, "total_x100")...)
	rep.Columns = append(rep.Columns, ReportColumn{"avg_total", KindDecimal})
	return rep, nil
}
