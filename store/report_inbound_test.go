package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// queueTraffic is known inbound and IVR traffic, laid down through the
// store calls the desk (EnterQueue, LeaveQueue) and the IVR reporter
// (RecordIVRCall) make.
type queueTraffic struct {
	start, end time.Time
	groups     []int64
	calls      int
}

// queuePlans cycle over every way of leaving a queue, with waits on both
// sides of the 20 s service level.
var queuePlans = []struct {
	out  store.QueueOutcome
	wait time.Duration
}{{store.QueueAnswered, 4 * time.Second}, {store.QueueAnswered, 20 * time.Second}, {store.QueueAnswered, 20*time.Second + time.Millisecond},
	{store.QueueAbandoned, 7 * time.Second}, {store.QueueAnswered, 95 * time.Second}, {store.QueueAbandoned, 61 * time.Second},
	{store.QueueVoicemail, 120 * time.Second}, {store.QueueOther, 3 * time.Second}, {"", 0}, // still waiting
}

// ivrPlans cycle over the IVR outcomes, verification and survey answers.
var ivrPlans = []struct {
	flow     string
	outcome  string
	verifyN  int
	verified bool
	entries  []store.IVRAnswer
}{
	{"survey", "completed", 0, false, []store.IVRAnswer{{Var: "q1", Digits: "1"}, {Var: "q2", Digits: "5"}}},
	{"survey", "completed", 0, false, []store.IVRAnswer{{Var: "q1", Digits: "2"}, {Var: "q2", Digits: "10"}}},
	{"survey", "caller_hangup", 0, false, []store.IVRAnswer{{Var: "q1", Digits: "1"}}},
	{"survey", "queued", 0, false, []store.IVRAnswer{{Var: "q1", Digits: "0"}, {Var: "account", Digits: "6222000011112222"}}},
	{"verify_id", "handback", 1, true, nil},
	{"verify_id", "handback", 3, false, nil},
	{"verify_id", "failed", 2, false, nil},
	{"notify", "transferred", 0, false, nil},
	{"notify", "completed", 0, false, []store.IVRAnswer{{Var: "confirm", Digits: "1"}}},
	{"notify", "aborted", 0, false, nil},
}

// genQueueTraffic: one caller every 11 minutes over about seven hours that
// cross a China day boundary, into two groups; IVR calls beside them, some
// of a campaign.
func genQueueTraffic(t *testing.T, s *store.Store) *queueTraffic {
	t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 13, 3, 0, 0, time.UTC) // 21:03 in Shanghai
	tr := &queueTraffic{start: start, groups: []int64{7, 9}}
	at := start
	for i := 0; i < 40; i++ {
		p := queuePlans[i%len(queuePlans)]
		uuid := fmt.Sprintf("in-%d", i)
		a := &store.Attempt{CallUUID: uuid, Node: "fs1", Destination: "13800138000", State: "answered", CreatedAt: at, AnsweredAt: ptrTime(at)}
		w, err := s.EnterQueue(ctx, a, tr.groups[i%2], at)
		must(t, err)
		if a.ID == 0 || w.AttemptID != a.ID {
			t.Fatalf("call %d: attempt id %d, wait's %d", i, a.ID, w.AttemptID)
		}
		if p.out != "" {
			ok, err := s.LeaveQueue(ctx, store.QueueLeave{CallUUID: uuid, Outcome: p.out, AgentID: int64(100 + i%3), At: at.Add(p.wait)})
			must(t, err)
			if !ok {
				t.Fatalf("call %d did not leave its queue", i)
			}
			if ok, err := s.LeaveQueue(ctx, store.QueueLeave{CallUUID: uuid, Outcome: store.QueueAbandoned, At: at.Add(p.wait + time.Second)}); err != nil || ok {
				t.Fatalf("call %d left its queue twice: %v %v", i, ok, err)
			}
		}
		ip := ivrPlans[i%len(ivrPlans)]
		var camp int64
		if ip.flow == "notify" {
			camp = 3
		}
		_, err = s.RecordIVRCall(ctx, store.IVRCallRecord{IVRCall: store.IVRCall{CallUUID: "ivr-" + uuid, Flow: ip.flow, CampaignID: camp,
			Outcome: ip.outcome, VerifyN: ip.verifyN, Verified: ip.verified, StartedAt: at.Add(-30 * time.Second), DurationMS: int64(15000 + i*700)},
			Entries: ip.entries})
		must(t, err)
		tr.calls++
		at = at.Add(11 * time.Minute)
	}
	tr.end = at
	return tr
}

// TestInboundAndIVRReportsAgreeWithRawRows checks every measure of the
// inbound and ivr reports, by hour, by day (hours and whole-day rollups)
// and in total, against sums computed here from the raw wait and IVR rows;
// then a rebuild of the rollups gives back the same rows.
func TestInboundAndIVRReportsAgreeWithRawRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genQueueTraffic(t, s)
		loc, _ := time.LoadLocation("Asia/Shanghai")
		from, to := tr.start.Truncate(time.Hour), tr.end.Truncate(time.Hour).Add(time.Hour)
		dayFrom := time.Date(2026, 11, 24, 0, 0, 0, 0, loc)
		dayTo := dayFrom.AddDate(0, 0, 2)
		waits, err := s.QueueWaits(ctx, from, to)
		must(t, err)
		calls, answers, err := s.IVRCalls(ctx, from.Add(-time.Hour), to)
		must(t, err)
		if len(waits) != tr.calls || len(calls) != tr.calls {
			t.Fatalf("%d waits and %d ivr calls, want %d", len(waits), len(calls), tr.calls)
		}
		// Hours; whole days (day rollups); and a period from 22:00 to a
		// midnight two days on (two hours of hour rows, then day rows).
		mixFrom := dayFrom.Add(22 * time.Hour)
		for _, period := range [][2]time.Time{{from, to}, {dayFrom, dayTo}, {mixFrom, dayTo.AddDate(0, 0, 1)}} {
			pw, pc, pa := inPeriod(waits, calls, answers, period[0], period[1])
			if len(pw) == 0 || len(pw) == len(waits) && period[0].Equal(mixFrom) {
				t.Fatalf("period %v holds %d of %d waits", period, len(pw), len(waits))
			}
			for _, g := range [][]store.Dimension{{store.DimGroup, store.DimHour}, {store.DimDay}, {store.DimGroup, store.DimDay}, nil} {
				rep, err := s.RunReport(ctx, store.ReportInbound, store.ReportQuery{From: period[0], To: period[1], Loc: loc, GroupBy: g})
				must(t, err)
				want := expectInbound(pw, loc, g)
				if len(rep.Rows) != len(want) {
					t.Errorf("inbound %v by %v: %d rows, want %d", period, g, len(rep.Rows), len(want))
				}
				for _, r := range rep.Rows {
					key := dimKey(r, g)
					checkMeasures(t, fmt.Sprintf("inbound %v by %v row %s", period, g, key), r, want[key])
				}
				checkMeasures(t, fmt.Sprintf("inbound %v by %v totals", period, g), rep.Totals, expectInbound(pw, loc, nil)[""])
			}
			for _, g := range [][]store.Dimension{{store.DimFlow, store.DimHour}, {store.DimFlow, store.DimCampaign, store.DimDay}, nil} {
				rep, err := s.RunReport(ctx, store.ReportIVR, store.ReportQuery{From: period[0], To: period[1], Loc: loc, GroupBy: g})
				must(t, err)
				want := expectIVR(pc, pa, loc, g)
				if len(rep.Rows) != len(want) {
					t.Errorf("ivr %v by %v: %d rows, want %d", period, g, len(rep.Rows), len(want))
				}
				for _, r := range rep.Rows {
					key := dimKey(r, g)
					checkMeasures(t, fmt.Sprintf("ivr %v by %v row %s", period, g, key), r, want[key])
				}
				checkMeasures(t, fmt.Sprintf("ivr %v by %v totals", period, g), rep.Totals, expectIVR(pc, pa, loc, nil)[""])
			}
		}
		one, err := s.RunReport(ctx, store.ReportInbound, store.ReportQuery{From: from, To: to, Loc: loc, GroupID: 9, GroupBy: []store.Dimension{store.DimGroup}})
		must(t, err)
		if len(one.Rows) != 1 || one.Rows[0]["group_id"] != int64(9) {
			t.Errorf("inbound of group 9: %v", one.Rows)
		}
		flows, err := s.RunReport(ctx, store.ReportIVR, store.ReportQuery{From: from, To: to, Loc: loc, Flows: []string{"notify"}, CampaignIDs: []int64{3}})
		must(t, err)
		if flows.Totals["entries"] != int64(12) || flows.Totals[store.AnswerColumn("confirm", "1")] != int64(4) {
			t.Errorf("ivr of flow notify: %v", flows.Totals)
		}

		r1, err := s.Rollups(ctx)
		must(t, err)
		if len(r1.QueueHours) < 10 || len(r1.QueueDays) != 4 || len(r1.IVRHours) == 0 || len(r1.AnswerDays) == 0 {
			t.Fatalf("too few rollup rows: %d queue hours, %d queue days, %d ivr hours, %d answer days",
				len(r1.QueueHours), len(r1.QueueDays), len(r1.IVRHours), len(r1.AnswerDays))
		}
		n, err := s.RebuildRollups(ctx)
		must(t, err)
		if n.QueueWaits != int64(tr.calls) || n.IVRCalls != int64(tr.calls) || n.Attempts != int64(tr.calls) {
			t.Errorf("rebuild read %+v, want %d of each", n, tr.calls)
		}
		r2, err := s.Rollups(ctx)
		must(t, err)
		if !reflect.DeepEqual(r1, r2) {
			t.Errorf("rollups differ after rebuild:\nincremental %+v\nrebuilt     %+v", r1, r2)
		}
		if len(r2.CampaignHours) != 0 {
			t.Errorf("inbound calls counted as campaign dials: %+v", r2.CampaignHours)
		}
	})
}

// inPeriod keeps the rows that began in [from, to).
func inPeriod(waits []store.QueueWait, calls []store.IVRCall, answers []store.IVRAnswer, from, to time.Time) ([]store.QueueWait, []store.IVRCall, []store.IVRAnswer) {
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	var pw []store.QueueWait
	for _, w := range waits {
		if in(w.EnteredAt) {
			pw = append(pw, w)
		}
	}
	var pc []store.IVRCall
	kept := map[int64]bool{}
	for _, c := range calls {
		if in(c.StartedAt) {
			pc = append(pc, c)
			kept[c.ID] = true
		}
	}
	var pa []store.IVRAnswer
	for _, a := range answers {
		if kept[a.IVRCallID] {
			pa = append(pa, a)
		}
	}
	return pw, pc, pa
}

func dimKey(r map[string]any, g []store.Dimension) string {
	k := ""
	for _, d := range g {
		switch d {
		case store.DimCampaign:
			k += fmt.Sprint(r["campaign_id"], "|")
		case store.DimGroup:
			k += fmt.Sprint(r["group_id"], "|")
		default:
			k += fmt.Sprint(r[string(d)], "|")
		}
	}
	return k
}

func localKey(t time.Time, loc *time.Location, g []store.Dimension, ids map[store.Dimension]any) string {
	k := ""
	for _, d := range g {
		switch d {
		case store.DimDay:
			k += t.In(loc).Format("2006-01-02") + "|"
		case store.DimHour:
			k += t.In(loc).Format("2006-01-02 15") + ":00|"
		default:
			k += fmt.Sprint(ids[d], "|")
		}
	}
	return k
}

// expectInbound sums the raw wait rows per group, independently of the
// rollup code.
func expectInbound(waits []store.QueueWait, loc *time.Location, g []store.Dimension) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, w := range waits {
		k := localKey(w.EnteredAt, loc, g, map[store.Dimension]any{store.DimGroup: w.GroupID})
		m := out[k]
		if m == nil {
			m = map[string]float64{"answered": 0, "abandoned": 0, "voicemail": 0, "other": 0, "answered_sl": 0}
			out[k] = m
		}
		m["offered"]++
		if w.LeftAt == nil {
			continue
		}
		wait := float64(w.LeftAt.Sub(w.EnteredAt).Milliseconds())
		m[string(w.Outcome)]++
		switch w.Outcome {
		case store.QueueAnswered:
			m["wait"] += wait
			if wait <= 20000 {
				m["answered_sl"]++
			}
		case store.QueueAbandoned:
			m["abandon_wait"] += wait
		}
	}
	for _, m := range out {
		m["answer_rate"] = div(m["answered"], m["offered"])
		m["abandon_rate"] = div(m["abandoned"], m["offered"])
		m["service_level"] = div(m["answered_sl"], m["offered"])
		m["asa_s"] = div(m["wait"], m["answered"]) / 1000
		m["avg_abandon_s"] = div(m["abandon_wait"], m["abandoned"]) / 1000
		delete(m, "wait")
		delete(m, "abandon_wait")
	}
	return out
}

// expectIVR sums the raw IVR rows per flow and campaign.
func expectIVR(calls []store.IVRCall, answers []store.IVRAnswer, loc *time.Location, g []store.Dimension) map[string]map[string]float64 {
	byCall := map[int64]string{}
	out := map[string]map[string]float64{}
	for _, c := range calls {
		k := localKey(c.StartedAt, loc, g, map[store.Dimension]any{store.DimFlow: c.Flow, store.DimCampaign: c.CampaignID})
		byCall[c.ID] = k
		m := out[k]
		if m == nil {
			m = map[string]float64{}
			for _, o := range store.IVROutcomes {
				m[o] = 0
			}
			out[k] = m
		}
		m["entries"]++
		m[c.Outcome]++
		if c.VerifyN > 0 {
			m["verify_tried"]++
		}
		if c.Verified {
			m["verified"]++
		}
		m["answers"] += float64(c.Answers)
		m["duration"] += float64(c.DurationMS)
	}
	for _, a := range answers {
		out[byCall[a.IVRCallID]][store.AnswerColumn(a.Var, a.Digits)]++
	}
	for _, m := range out {
		m["to_agents"] = m["queued"] + m["handback"]
		m["completion_rate"] = div(m["completed"], m["entries"])
		m["verify_rate"] = div(m["verified"], m["verify_tried"])
		m["to_agent_rate"] = div(m["to_agents"], m["entries"])
		m["avg_duration_s"] = div(m["duration"], m["entries"]) / 1000
		delete(m, "duration")
	}
	return out
}

// Bad input to the queue and IVR writes is refused naming the field, and
// changes nothing.
func TestQueueAndIVRWritesRefuseBadInput(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	now := time.Now()
	for _, c := range []struct {
		field string
		err   error
	}{
		{"group_id", func() error {
			_, err := s.EnterQueue(ctx, &store.Attempt{CallUUID: "x", CreatedAt: now}, 0, now)
			return err
		}()},
		{"outcome", func() error {
			_, err := s.LeaveQueue(ctx, store.QueueLeave{CallUUID: "x", Outcome: "gone", At: now})
			return err
		}()},
		{"flow", func() error {
			_, err := s.RecordIVRCall(ctx, store.IVRCallRecord{IVRCall: store.IVRCall{CallUUID: "x", StartedAt: now}})
			return err
		}()},
	} {
		var ve *store.ValidationError
		if !errors.As(c.err, &ve) || len(ve.Fields) == 0 || ve.Fields[0].Field != c.field {
			t.Errorf("%s: %v, want a validation error naming it", c.field, c.err)
		}
	}
	r, err := s.Rollups(ctx)
	must(t, err)
	if len(r.QueueHours)+len(r.IVRHours) != 0 {
		t.Errorf("rollups written: %+v %+v", r.QueueHours, r.IVRHours)
	}
}
