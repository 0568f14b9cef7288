package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"gorm.io/gorm"
)

// inboundSums are the queue_hours columns the inbound report sums.
var inboundSums = []string{"offered", "answered", "abandoned", "voicemail", "other", "answered_sl", "answer_wait_ms", "abandon_wait_ms"}

// inboundDerived are computed from the sums, per row and on the totals.
var inboundDerived = []ReportColumn{{"answer_rate", KindRatio}, {"abandon_rate", KindRatio}, {"service_level", KindRatio},
	{"asa_s", KindSeconds}, {"avg_abandon_s", KindSeconds}}

// deriveInbound: the service level is answered within 20 s ÷ offered, the
// average speed of answer the answered callers' mean wait.
func deriveInbound(r map[string]any) {
	r["answer_rate"] = rate(r["answered"], r["offered"])
	r["abandon_rate"] = rate(r["abandoned"], r["offered"])
	r["service_level"] = rate(r["answered_sl"], r["offered"])
	r["asa_s"] = rate(r["answer_wait_ms"], r["answered"]) / 1000
	r["avg_abandon_s"] = rate(r["abandon_wait_ms"], r["abandoned"]) / 1000
}

// inboundReport: per queue group / day / hour, from queue_hours (callers
// counted in the hour they joined the queue).
func (s *Store) inboundReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimGroup, DimDay, DimHour); err != nil {
		return nil, err
	}
	dims := s.dims(&q, "hour", map[Dimension]string{DimGroup: "group_id"})
	rows, err := s.sumRollup(ctx, "queue", &q, func(db *gorm.DB) *gorm.DB {
		if q.GroupID != 0 {
			db = db.Where("group_id = ?", q.GroupID)
		}
		return db
	}, dims, plainSums(inboundSums))
	if err != nil {
		return nil, fmt.Errorf("store: inbound report: %w", err)
	}
	sortRows(rows, dims)
	rep := &Report{Rows: rows, Totals: totals(rows, inboundSums)}
	for _, r := range append(rows, rep.Totals) {
		deriveInbound(r)
	}
	rep.Columns = append(dimColumns(dims), countColumns(inboundSums, "answer_wait_ms", "abandon_wait_ms")...)
	rep.Columns = append(rep.Columns, inboundDerived...)
	return rep, nil
}

// ivrSums are the ivr_hours columns the ivr report sums.
var ivrSums = append(append([]string{"entries"}, IVROutcomes...), "verify_tried", "verified", "answers", "duration_ms")

// ivrDerived are computed from the sums.
var ivrDerived = []ReportColumn{{"to_agents", KindCount}, {"completion_rate", KindRatio}, {"verify_rate", KindRatio},
	{"to_agent_rate", KindRatio}, {"avg_duration_s", KindSeconds}}

// deriveIVR: transfers to agents are callers queued for a group or handed
// back to the agent who sent them in.
func deriveIVR(r map[string]any) {
	toAgents := r["queued"].(int64) + r["handback"].(int64)
	r["to_agents"] = toAgents
	r["completion_rate"] = rate(r["completed"], r["entries"])
	r["verify_rate"] = rate(r["verified"], r["verify_tried"])
	r["to_agent_rate"] = rate(toAgents, r["entries"])
	r["avg_duration_s"] = rate(r["duration_ms"], r["entries"]) / 1000
}

// AnswerColumn is the report column of one survey answer: how many callers
// keyed digits at the flow variable var.
func AnswerColumn(dvar, digits string) string { return "dtmf." + dvar + "=" + digits }

// ivrReport: per flow / campaign / day / hour from ivr_hours, with a column
// per survey answer (variable and digits) from ivr_answer_hours.
func (s *Store) ivrReport(ctx context.Context, q ReportQuery) (*Report, error) {
	if err := q.validate(DimFlow, DimCampaign, DimDay, DimHour); err != nil {
		return nil, err
	}
	dims := s.dims(&q, "hour", map[Dimension]string{DimFlow: "flow", DimCampaign: "campaign_id"})
	filter := func(db *gorm.DB) *gorm.DB {
		if len(q.CampaignIDs) > 0 {
			db = db.Where("campaign_id IN ?", q.CampaignIDs)
		}
		if len(q.Flows) > 0 {
			db = db.Where("flow IN ?", q.Flows)
		}
		return db
	}
	adims := append(slices.Clone(dims), dimSQL{key: "dtmf_var", expr: "dtmf_var", kind: KindText}, dimSQL{key: "digits", expr: "digits", kind: KindText})
	var rows []map[string]any
	var answers []sumRow
	err := parallel(2, func(i int) error {
		var err error
		if i == 0 {
			rows, err = s.sumRollup(ctx, "ivr", &q, filter, dims, plainSums(ivrSums))
			return wrapErr("store: ivr report", err)
		}
		answers, _, err = s.rollupSums(ctx, "ivr_answer", &q, filter, adims, plainSums([]string{"n"}))
		return wrapErr("store: ivr report answers", err)
	})
	if err != nil {
		return nil, err
	}
	byKey := map[string]map[string]any{}
	for _, r := range rows {
		byKey[rowKey(r, dims)] = r
	}
	cols := map[string]bool{}
	for _, a := range answers {
		r := byKey[valsKey(a.vals[:len(dims)])]
		if r == nil {
			continue // an answer row always has its flow hour
		}
		c := AnswerColumn(a.vals[len(dims)].(string), a.vals[len(dims)+1].(string))
		cols[c] = true
		v, _ := r[c].(int64)
		r[c] = v + a.nums[0]
	}
	answerCols := slices.Sorted(maps.Keys(cols))
	for _, r := range rows {
		for _, c := range answerCols {
			if _, ok := r[c]; !ok {
				r[c] = int64(0)
			}
		}
	}
	sortRows(rows, dims)
	rep := &Report{Rows: rows, Totals: totals(rows, append(slices.Clone(ivrSums), answerCols...))}
	for _, r := range append(rows, rep.Totals) {
		deriveIVR(r)
	}
	rep.Columns = append(dimColumns(dims), countColumns(ivrSums, "duration_ms")...)
	rep.Columns = append(rep.Columns, ivrDerived...)
	for _, c := range answerCols {
		rep.Columns = append(rep.Columns, ReportColumn{c, KindCount})
	}
	return rep, nil
}
