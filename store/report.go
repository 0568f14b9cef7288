package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ReportName names a standard report (GET /api/v1/reports/{name}).
type ReportName string

// Standard reports.
const (
	ReportOutbound   ReportName = "outbound"
	ReportAgents     ReportName = "agents"
	ReportCampaigns  ReportName = "campaigns"
	ReportMessages   ReportName = "messages"
	ReportWorkflow   ReportName = "workflow"
	ReportAttendance ReportName = "attendance"
	ReportQA         ReportName = "qa"
	ReportInbound    ReportName = "inbound"
	ReportIVR        ReportName = "ivr"
)

// ReportNames lists the standard reports.
var ReportNames = []ReportName{ReportOutbound, ReportAgents, ReportInbound, ReportIVR, ReportCampaigns, ReportMessages, ReportWorkflow, ReportAttendance, ReportQA}

// EnumValues lists the report names.
func (ReportName) EnumValues() []string { return enumStrings(ReportNames) }

// Dimension is a report's grouping.
type Dimension string

// Dimensions: day and hour are local to the report's zone.
const (
	DimCampaign Dimension = "campaign"
	DimAgent    Dimension = "agent"
	DimDay      Dimension = "day"
	DimHour     Dimension = "hour"
	DimChannel  Dimension = "channel"
	DimScorer   Dimension = "scorer"
	DimGroup    Dimension = "group" // an inbound queue's agent group
	DimFlow     Dimension = "flow"  // an IVR flow
)

// Dimensions lists every dimension.
var Dimensions = []Dimension{DimCampaign, DimAgent, DimDay, DimHour, DimChannel, DimScorer, DimGroup, DimFlow}

// EnumValues lists the dimensions.
func (Dimension) EnumValues() []string { return enumStrings(Dimensions) }

// ColumnKind says how a column is written: counts and ids as numbers,
// ratios as fractions, durations in seconds (a time in a spreadsheet).
type ColumnKind string

const (
	KindText     ColumnKind = "text"
	KindID       ColumnKind = "id"
	KindCount    ColumnKind = "count"
	KindRatio    ColumnKind = "ratio"
	KindSeconds  ColumnKind = "seconds"
	KindDecimal  ColumnKind = "decimal"
	KindDate     ColumnKind = "date"
	KindDateHour ColumnKind = "date_hour"
)

// ReportColumn is one column of a report, in order.
type ReportColumn struct {
	Key  string     `json:"key"`
	Kind ColumnKind `json:"kind"`
}

// Report is a report's rows (grouped) and totals (over every row).
type Report struct {
	Name    ReportName       `json:"name"`
	From    time.Time        `json:"from"`
	To      time.Time        `json:"to"`
	GroupBy []Dimension      `json:"group_by"`
	Columns []ReportColumn   `json:"columns"`
	Rows    []map[string]any `json:"rows"`
	Totals  map[string]any   `json:"totals"`
}

// ReportQuery selects a report's period, grouping and filters.
type ReportQuery struct {
	From, To    time.Time // [From, To); whole hours for rollup reports
	Loc         *time.Location
	GroupBy     []Dimension
	CampaignIDs []int64
	AgentIDs    []int64
	GroupID     int64 // agents of this group; inbound: this group's queue
	Channel     string
	Flows       []string // ivr: these flows
}

// MaxReportSpan bounds one report's period.
const MaxReportSpan = 400 * 24 * time.Hour

func (q *ReportQuery) validate(allowed ...Dimension) error {
	switch {
	case q.From.IsZero() || q.To.IsZero():
		return Invalid("from", "from and to are required")
	case !q.From.Before(q.To):
		return Invalid("to", "must be after from")
	case q.To.Sub(q.From) > MaxReportSpan:
		return Invalid("to", "a report covers at most 400 days")
	}
	if q.Loc == nil {
		q.Loc = time.UTC
	}
	for _, d := range q.GroupBy {
		if !slices.Contains(allowed, d) {
			return Invalid("group_by", fmt.Sprintf("%q: this report groups by %s", d, joinDims(allowed)))
		}
	}
	return nil
}

func joinDims(ds []Dimension) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

// RunReport computes a standard report.
func (s *Store) RunReport(ctx context.Context, name ReportName, q ReportQuery) (*Report, error) {
	var rep *Report
	var err error
	switch name {
	case ReportOutbound:
		rep, err = s.outboundReport(ctx, q)
	case ReportAgents:
		rep, err = s.agentsReport(ctx, q)
	case ReportCampaigns:
		rep, err = s.campaignsReport(ctx, q)
	case ReportMessages:
		rep, err = s.messagesReport(ctx, q)
	case ReportWorkflow:
		rep, err = s.workflowReport(ctx, q)
	case ReportAttendance:
		rep, err = s.attendanceReport(ctx, q)
	case ReportQA:
		rep, err = s.qaReport(ctx, q)
	case ReportInbound:
		rep, err = s.inboundReport(ctx, q)
	case ReportIVR:
		rep, err = s.ivrReport(ctx, q)
	default:
		return nil, Invalid("name", EnumMessage(name))
	}
	if err != nil {
		return nil, err
	}
	rep.Name, rep.From, rep.To, rep.GroupBy = name, q.From, q.To, q.GroupBy
	if rep.Rows == nil {
		rep.Rows = []map[string]any{}
	}
	return rep, nil
}

// localOffset is the zone's offset in seconds at t (China keeps one all year).
func localOffset(loc *time.Location, t time.Time) int {
	_, off := t.In(loc).Zone()
	return off
}

// timeBucket is the SQL for a UTC time column shifted into the report zone
// and cut to a day or an hour, per driver.
func (s *Store) timeBucket(col string, d Dimension, offset int) string {
	if s.driver == "mysql" {
		f := "%Y-%m-%d"
		if d == DimHour {
			f = "%Y-%m-%d %H:00"
		}
		return fmt.Sprintf("DATE_FORMAT(DATE_ADD(%s, INTERVAL %d SECOND), '%s')", col, offset, f)
	}
	f := "%Y-%m-%d"
	if d == DimHour {
		f = "%Y-%m-%d %H:00"
	}
	return fmt.Sprintf("strftime('%s', %s, '%+d seconds')", f, col, offset)
}

// dimSQL maps the query's dimensions to select expressions with their keys.
type dimSQL struct {
	key  string
	expr string
	kind ColumnKind
	// raw: expr is a rollup's bucket column, grouped as stored (in the
	// clustered key's order, no temporary table) and written in loc here.
	raw bool
	loc *time.Location
}

func (s *Store) dims(q *ReportQuery, timeCol string, cols map[Dimension]string) []dimSQL {
	var out []dimSQL
	off := localOffset(q.Loc, q.From)
	rollup := timeCol == "hour" && off%3600 == 0
	for _, d := range q.GroupBy {
		switch {
		case d == DimHour && rollup, d == DimDay && rollup && q.wholeDays():
			kind := KindDateHour
			if d == DimDay {
				kind = KindDate
			}
			out = append(out, dimSQL{key: string(d), expr: "hour", kind: kind, raw: true, loc: q.Loc})
		case d == DimDay:
			out = append(out, dimSQL{key: "day", expr: s.timeBucket(timeCol, DimDay, off), kind: KindDate})
		case d == DimHour:
			out = append(out, dimSQL{key: "hour", expr: s.timeBucket(timeCol, DimHour, off), kind: KindDateHour})
		default:
			kind := KindID
			if d == DimChannel || d == DimFlow {
				kind = KindText
			}
			out = append(out, dimSQL{key: cols[d], expr: cols[d], kind: kind})
		}
	}
	return out
}

// sumCol is a summed column: its key and the SQL summed.
type sumCol struct{ key, expr string }

func plainSums(cols []string) []sumCol {
	out := make([]sumCol, len(cols))
	for i, c := range cols {
		out[i] = sumCol{c, c}
	}
	return out
}

func sumKeys(sums []sumCol) []string {
	out := make([]string, len(sums))
	for i, c := range sums {
		out[i] = c.key
	}
	return out
}

// sumQuery runs SELECT dims, SUM(cols) ... GROUP BY dims and returns rows
// keyed by dimension key and column, numbers as int64.
func sumQuery(db *gorm.DB, dims []dimSQL, sums []sumCol) ([]map[string]any, error) {
	var out []map[string]any
	err := eachSum(db, dims, sums, func(vals []any, nums []int64) {
		// Room for the derived columns too: a map that grows rehashes,
		// and reports of thousands of rows spent most of their time there.
		row := make(map[string]any, 2*(len(dims)+len(sums))+24)
		for i, d := range dims {
			row[d.key] = vals[i]
		}
		for i, c := range sums {
			row[c.key] = nums[i]
		}
		out = append(out, row)
	})
	return out, err
}

// eachSum runs SELECT dims, SUM(cols) ... GROUP BY dims and calls fn with
// each row's dimension values (converted by dimSQL.value) and sums; fn
// must not keep the slices. Rows merged into others (breaks, survey
// answers) are read this way, without a map each.
func eachSum(db *gorm.DB, dims []dimSQL, sums []sumCol, fn func(vals []any, nums []int64)) error {
	sel := make([]string, 0, len(dims)+len(sums))
	var group []string
	for _, d := range dims {
		sel = append(sel, d.expr+" AS "+d.key)
		if d.raw { // the bucket leads the clustered key: group by it first
			group = append([]string{d.expr}, group...)
		} else {
			group = append(group, d.expr)
		}
	}
	for _, c := range sums {
		sel = append(sel, "COALESCE(SUM("+c.expr+"), 0) AS "+c.key)
	}
	q := db.Select(strings.Join(sel, ", "))
	if len(group) > 0 {
		q = q.Group(strings.Join(group, ", "))
		if db.Dialector.Name() == "mysql" {
			q = q.Order("NULL") // MariaDB sorts a GROUP BY unless told not to; the rows are sorted here
		}
	}
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	ptrs := make([]any, len(sel))
	raw := make([]any, len(dims))
	vals := make([]any, len(dims))
	nums := make([]int64, len(sums))
	for i := range dims {
		ptrs[i] = &raw[i]
	}
	for i := range sums {
		ptrs[len(dims)+i] = &nums[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, d := range dims {
			if vals[i], err = d.value(raw[i]); err != nil {
				return err
			}
		}
		fn(vals, nums)
	}
	return rows.Err()
}

// value converts a scanned dimension: ids to int64, a raw bucket to its
// local date or date-hour, the rest to text.
func (d dimSQL) value(v any) (any, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if d.raw {
		t, ok := v.(time.Time)
		if !ok {
			var err error
			if t, err = parseStoredTime(fmt.Sprint(v)); err != nil {
				return nil, err
			}
		}
		if d.kind == KindDate {
			return t.In(d.loc).Format(time.DateOnly), nil
		}
		return t.In(d.loc).Format("2006-01-02 15:04"), nil
	}
	if d.kind != KindID {
		return fmt.Sprint(v), nil
	}
	switch n := v.(type) {
	case int64:
		return n, nil
	case string:
		id, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("store: report id %q: %w", n, err)
		}
		return id, nil
	}
	var n int64
	fmt.Sscan(fmt.Sprint(v), &n)
	return n, nil
}

// parseStoredTime reads a time as the drivers return it in text (UTC).
func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("store: report bucket %q is not a time", s)
}

// rowKey is a row's dimension values joined (ids zero-padded so keys sort
// as the values do), to merge and sort rows.
func rowKey(row map[string]any, dims []dimSQL) string {
	b := make([]byte, 0, 32)
	for _, d := range dims {
		b = appendKey(b, row[d.key])
	}
	return string(b)
}

// valsKey is rowKey of dimension values as eachSum passes them.
func valsKey(vals []any) string {
	b := make([]byte, 0, 32)
	for _, v := range vals {
		b = appendKey(b, v)
	}
	return string(b)
}

func appendKey(b []byte, v any) []byte {
	switch v := v.(type) {
	case int64:
		n := strconv.FormatInt(v, 10)
		for i := len(n); i < 20; i++ {
			b = append(b, '0')
		}
		b = append(b, n...)
	case string:
		b = append(b, v...)
	default:
		b = append(b, fmt.Sprint(v)...)
	}
	return append(b, '|')
}

func sortRows(rows []map[string]any, dims []dimSQL) {
	type keyed struct {
		key string
		row map[string]any
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		ks[i] = keyed{rowKey(r, dims), r}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Compare(a.key, b.key) })
	for i := range ks {
		rows[i] = ks[i].row
	}
}

// totals sums every count and duration column over the rows.
func totals(rows []map[string]any, sums []string) map[string]any {
	t := map[string]any{}
	for _, c := range sums {
		var n int64
		for _, r := range rows {
			if v, ok := r[c].(int64); ok {
				n += v
			}
		}
		t[c] = n
	}
	return t
}

func dimColumns(dims []dimSQL) []ReportColumn {
	out := make([]ReportColumn, len(dims))
	for i, d := range dims {
		out[i] = ReportColumn{d.key, d.kind}
	}
	return out
}

func rate(a, b any) float64 {
	x, _ := a.(int64)
	y, _ := b.(int64)
	if y == 0 {
		return 0
	}
	return float64(x) / float64(y)
}

func msToS(v any) float64 {
	n, _ := v.(int64)
	return float64(n) / 1000
}

// rollupModels are each kind's hour row.
var rollupModels = map[string]any{"campaign": &CampaignHour{}, "agent": &AgentHour{}, "agent_state": &AgentStateHour{},
	"queue": &QueueHour{}, "ivr": &IVRHour{}, "ivr_answer": &IVRAnswerHour{}, "message": &MessageHour{}, "qa": &QAHour{}}

// rollupColumns are a kind's columns, as its model declares them.
func (s *Store) rollupColumns(kind string) []string {
	if v, ok := s.rollupCols.Load(kind); ok {
		return v.([]string)
	}
	stmt := &gorm.Statement{DB: s.db}
	if err := stmt.Parse(rollupModels[kind]); err != nil {
		panic(fmt.Sprintf("store: rollup model %s: %v", kind, err)) // a model of this package: a programming error
	}
	cols := slices.Clone(stmt.Schema.DBNames)
	s.rollupCols.Store(kind, cols)
	return cols
}

// dayCore is the whole days of ReportZone inside a period that starts or
// ends within a day, when its rows are no finer than days in the same
// offset.
func (q *ReportQuery) dayCore() (time.Time, time.Time, bool) {
	if slices.Contains(q.GroupBy, DimHour) || localOffset(q.Loc, q.From) != localOffset(ReportZone, q.From) {
		return time.Time{}, time.Time{}, false
	}
	d1, d2 := dayOf(q.From), dayOf(q.To)
	if d1.Before(q.From.UTC()) {
		d1 = d1.Add(24 * time.Hour) // ReportZone's days are 24 h
	}
	return d1, d2, d1.Before(d2)
}

// wholeDays: the period starts and ends at midnights of ReportZone, days
// are counted in a zone of the same offset, and no row is an hour.
func (q *ReportQuery) wholeDays() bool {
	if slices.Contains(q.GroupBy, DimHour) || localOffset(q.Loc, q.From) != localOffset(ReportZone, q.From) {
		return false
	}
	return dayOf(q.From).Equal(q.From.UTC()) && dayOf(q.To).Equal(q.To.UTC())
}

// outboundSums are the campaign_hours columns the outbound report sums.
var outboundSums = []string{"dials", "finished", "answered", "human", "machine", "abandoned", "connected", "reached", "success",
	"busy", "no_answer", "rejected", "network_failure", "invalid_number", "cancelled", "lost", "talk_ms", "acw_ms", "wait_ms", "wait_n"}

// outboundDerived are computed from the sums, per row and on the totals.
var outboundDerived = []ReportColumn{{"answer_rate", KindRatio}, {"abandon_rate", KindRatio}, {"talk_s", KindSeconds},
	{"acw_s", KindSeconds}, {"avg_talk_s", KindSeconds}, {"asa_s", KindSeconds}, {"dials_per_completed", KindDecimal}}

func deriveOutbound(r map[string]any) {
	r["answer_rate"] = rate(r["answered"], r["dials"])
	r["abandon_rate"] = rate(r["abandoned"], r["human"])
	r["talk_s"] = msToS(r["talk_ms"])
	r["acw_s"] = msToS(r["acw_ms"])
	r["avg_talk_s"] = rate(r["talk_ms"], r["connected"]) / 1000
	r["asa_s"] = rate(r["wait_ms"], r["wait_n"]) / 1000
	r["dials_per_completed"] = rate(r["dials"], r["reached"])
}

// outboundReport: per campaign / day / hour, from campaign_hours.
func (s *Store) outboundReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimCampaign, DimDay, DimHour); err != nil {
		return nil, err
	}
	dims := s.dims(&q, "hour", map[Dimension]string{DimCampaign: "campaign_id"})
	sums, parts, err := s.rollupSums(ctx, "campaign", &q, func(db *gorm.DB) *gorm.DB {
		if len(q.CampaignIDs) > 0 {
			db = db.Where("campaign_id IN ?", q.CampaignIDs)
		}
		return db
	}, dims, plainSums(outboundSums))
	if err != nil {
		return nil, wrapErr("store: outbound report", err)
	}
	rows, tot := reportRows(mergeSumRows(sums, parts), dims, outboundSums, len(outboundDerived))
	rep := &Report{Rows: rows, Totals: tot}
	for _, r := range append(rows, rep.Totals) {
		deriveOutbound(r)
	}
	rep.Columns = append(dimColumns(dims), countColumns(outboundSums, "talk_ms", "acw_ms", "wait_ms", "wait_n")...)
	rep.Columns = append(rep.Columns, outboundDerived...)
	return rep, nil
}

func countColumns(sums []string, skip ...string) []ReportColumn {
	var out []ReportColumn
	for _, c := range sums {
		if !slices.Contains(skip, c) {
			out = append(out, ReportColumn{c, KindCount})
		}
	}
	return out
}

// wrapErr adds context to err, nil staying nil.
func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
