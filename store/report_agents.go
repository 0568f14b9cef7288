package store

import (
	"cmp"
	"context"
	"slices"

	"gorm.io/gorm"
)

// stateSeconds are the agent state columns of the agents report.
var stateSeconds = []AgentState{AgentReady, AgentReserved, AgentOnCall, AgentHold, AgentACW, AgentBreak}

// agentSums are the agent_hours columns the agents report sums, in the
// order of agentCol.
var agentSums = func() []string {
	cols := []string{"calls", "inbound_calls", "talk_ms", "inbound_talk_ms"}
	for _, st := range stateSeconds {
		cols = append(cols, string(st)+"_ms")
	}
	return cols
}()

// agentCol indexes agentSums.
const (
	agCalls = iota
	agInboundCalls
	agTalk
	agInboundTalk
	agReady
	agReserved
	agOnCall
	agHold
	agACW
	agBreak
)

// agentsReport: per agent / day / hour: calls (campaign, inbound and
// manual; inbound apart) and talk from agent_hours, time in each state and
// breaks by reason from agent_state_hours. The two sums run at once and the
// rows stay typed until each becomes its map once: reports of thousands of
// rows spent most of their time in map lookups.
func (s *Store) agentsReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimAgent, DimDay, DimHour); err != nil {
		return nil, err
	}
	dims := s.dims(&q, "hour", map[Dimension]string{DimAgent: "agent_id"})
	sdims := append(slices.Clone(dims), dimSQL{key: "reason", expr: "reason", kind: KindText})
	var calls, breaks []sumRow
	var parts int
	err := parallel(2, func(i int) error {
		var err error
		if i == 0 {
			calls, parts, err = s.rollupSums(ctx, "agent", &q, func(db *gorm.DB) *gorm.DB {
				return s.agentFilter(ctx, db, "agent_id", &q)
			}, dims, plainSums(agentSums))
			return wrapErr("store: agents report calls", err)
		}
		breaks, _, err = s.rollupSums(ctx, "agent_state", &q, func(db *gorm.DB) *gorm.DB {
			return s.agentFilter(ctx, db, "agent_id", &q).Where("state = ?", AgentBreak)
		}, sdims, plainSums([]string{"ms"}))
		return wrapErr("store: agents report breaks", err)
	})
	if err != nil {
		return nil, err
	}
	calls = mergeSumRows(calls, parts)
	sortSumRows(calls)
	reasons, byReason := breaksByReason(calls, breaks, len(dims))

	rep := &Report{Rows: make([]map[string]any, len(calls))}
	total := make([]int64, len(agentSums))
	totalBreaks := make([]int64, len(reasons))
	for i, r := range calls {
		row := make(map[string]any, len(dims)+16+len(reasons))
		for j, d := range dims {
			row[d.key] = r.vals[j]
		}
		agentFigures(row, r.nums, byReason[i], reasons)
		rep.Rows[i] = row
		for j, n := range r.nums {
			total[j] += n
		}
		for j, n := range byReason[i] {
			totalBreaks[j] += n
		}
	}
	rep.Totals = make(map[string]any, 16+len(reasons))
	agentFigures(rep.Totals, total, totalBreaks, reasons)
	rep.Columns = append(dimColumns(dims), ReportColumn{"calls", KindCount}, ReportColumn{"inbound_calls", KindCount},
		ReportColumn{"outbound_calls", KindCount})
	for _, c := range agentSecondCols {
		rep.Columns = append(rep.Columns, ReportColumn{c, KindSeconds})
	}
	for _, r := range reasons {
		rep.Columns = append(rep.Columns, ReportColumn{breakColumn(r), KindSeconds})
	}
	rep.Columns = append(rep.Columns, ReportColumn{"occupancy", KindRatio}, ReportColumn{"calls_per_hour", KindDecimal})
	return rep, nil
}

// agentSecondCols are the agents report's durations, in seconds, before
// the break reasons.
var agentSecondCols = func() []string {
	cols := []string{"talk_s", "inbound_talk_s", "signed_in_s"}
	for _, st := range stateSeconds {
		cols = append(cols, string(st)+"_s")
	}
	return cols
}()

func breakColumn(reason string) string { return "break_" + reason + "_s" }

// breaksByReason adds each break row to its agent row (same dimension
// values; the reason follows them): the reasons in order and, per row of
// calls, the milliseconds of each.
func breaksByReason(calls, breaks []sumRow, nd int) ([]string, [][]int64) {
	at := make(map[string]int, len(calls))
	for i, r := range calls {
		at[valsKey(r.vals)] = i
	}
	reasonAt := map[string]int{}
	var reasons []string
	for _, b := range breaks {
		reason := b.vals[nd].(string)
		if _, ok := reasonAt[reason]; !ok {
			reasonAt[reason] = len(reasons)
			reasons = append(reasons, reason)
		}
	}
	sorted := slices.Clone(reasons)
	slices.SortFunc(sorted, func(a, b string) int { return cmp.Compare(breakColumn(a), breakColumn(b)) })
	for i, r := range sorted {
		reasonAt[r] = i
	}
	byReason := make([][]int64, len(calls))
	for i := range byReason {
		byReason[i] = make([]int64, len(sorted))
	}
	for _, b := range breaks {
		i, ok := at[valsKey(b.vals[:nd])]
		if !ok {
			continue // a break row always has its agent hour
		}
		byReason[i][reasonAt[b.vals[nd].(string)]] += b.nums[0]
	}
	return sorted, byReason
}

// agentFigures writes one row's (or the totals') figures from its sums
// (agentSums order) and break milliseconds by reason.
func agentFigures(row map[string]any, n, breaks []int64, reasons []string) {
	var signedIn int64
	for _, c := range []int{agReady, agReserved, agOnCall, agHold, agACW, agBreak} {
		signedIn += n[c]
	}
	row["calls"] = n[agCalls]
	row["inbound_calls"] = n[agInboundCalls]
	row["outbound_calls"] = n[agCalls] - n[agInboundCalls]
	row["talk_s"] = float64(n[agTalk]) / 1000
	row["inbound_talk_s"] = float64(n[agInboundTalk]) / 1000
	row["signed_in_s"] = float64(signedIn) / 1000
	for i := range stateSeconds { // ready_s ... break_s follow talk, inbound talk and signed in
		row[agentSecondCols[3+i]] = float64(n[agReady+i]) / 1000
	}
	for i, r := range reasons {
		row[breakColumn(r)] = float64(breaks[i]) / 1000
	}
	working := n[agReserved] + n[agOnCall] + n[agHold] + n[agACW]
	row["occupancy"] = ratio(working, working+n[agReady])
	row["calls_per_hour"] = ratio(n[agCalls], signedIn-n[agBreak]) * 3600e3
}
