package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

// TestInboundAndIVRReportsAPI lays down queue waits and IVR calls through
// the store calls the desk and the IVR reporter make, then reads the
// inbound report as JSON and csv and the ivr report as xlsx (a column per
// survey answer, counts as numbers, rates as percents).
func TestInboundAndIVRReportsAPI(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	st := h.srv.store
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Hour).Add(5 * time.Minute)
	for i, p := range []struct {
		out  store.QueueOutcome
		wait time.Duration
	}{{store.QueueAnswered, 5 * time.Second}, {store.QueueAnswered, 40 * time.Second}, {store.QueueAbandoned, 30 * time.Second}, {store.QueueAnswered, 15 * time.Second}} {
		uuid := fmt.Sprintf("in-api-%d", i)
		at := now.Add(time.Duration(i) * time.Minute)
		_, err := st.EnterQueue(ctx, &store.Attempt{CallUUID: uuid, CreatedAt: at}, 3, at)
		must(t, err)
		_, err = st.LeaveQueue(ctx, store.QueueLeave{CallUUID: uuid, Outcome: p.out, AgentID: 4, At: at.Add(p.wait)})
		must(t, err)
	}
	for i, d := range []string{"1", "1", "2"} {
		_, err := st.RecordIVRCall(ctx, store.IVRCallRecord{IVRCall: store.IVRCall{CallUUID: fmt.Sprintf("ivr-api-%d", i), Flow: "survey",
			Outcome: "completed", StartedAt: now, DurationMS: 30000}, Entries: []store.IVRAnswer{{Var: "q1", Digits: d}}})
		must(t, err)
	}
	q := url.Values{"from": {now.Add(-time.Hour).Format(time.RFC3339)}, "to": {now.Add(2 * time.Hour).Format(time.RFC3339)}, "group_by": {"group"}}
	sup := h.tokens[store.RoleSupervisor]
	var rep store.Report
	h.do("GET", "/api/v1/reports/inbound?"+q.Encode(), sup, nil, 200, &rep)
	if len(rep.Rows) != 1 {
		t.Fatalf("rows %+v, want one group", rep.Rows)
	}
	for k, want := range map[string]float64{"group_id": 3, "offered": 4, "answered": 3, "abandoned": 1, "answered_sl": 2,
		"service_level": 0.5, "asa_s": 20, "avg_abandon_s": 30, "abandon_rate": 0.25} {
		if got, _ := rep.Rows[0][k].(float64); got != want {
			t.Errorf("inbound %s = %v, want %v", k, rep.Rows[0][k], want)
		}
	}
	h.do("GET", "/api/v1/reports/inbound?"+q.Encode(), h.tokens[store.RoleAgent], nil, 403, nil)
	h.do("GET", "/api/v1/reports/inbound?group_by=agent", sup, nil, 400, nil)
	h.do("GET", "/api/v1/reports/ivr?group_by=group", sup, nil, 400, nil)

	q.Set("format", "csv")
	w := h.raw("GET", "/api/v1/reports/inbound?"+q.Encode(), sup, nil)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\uFEFF"))).ReadAll()
	must(t, err)
	if w.Code != 200 || len(recs) != 3 || recs[0][0] != "技能组编号" || recs[0][1] != "进线数" || recs[1][1] != "4" || !strings.Contains(strings.Join(recs[0], ","), "服务水平") {
		t.Errorf("csv %d %q", w.Code, recs)
	}

	q.Set("group_by", "flow")
	q.Set("flow", "survey")
	q.Set("format", "xlsx")
	w = h.raw("GET", "/api/v1/reports/ivr?"+q.Encode(), sup, nil)
	if w.Code != 200 {
		t.Fatalf("xlsx: %d %s", w.Code, w.Body.String())
	}
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	must(t, err)
	rows, _ := f.GetRows("Sheet1")
	col := map[string]int{}
	for i, hd := range rows[0] {
		col[hd] = i
	}
	one, ok := col["按键 q1=1"]
	if !ok || rows[1][0] != "survey" || rows[1][one] != "2" {
		t.Fatalf("ivr xlsx %q", rows)
	}
	cell, _ := excelize.CoordinatesToCellName(one+1, 2)
	if ty, _ := f.GetCellType("Sheet1", cell); ty != excelize.CellTypeNumber && ty != excelize.CellTypeUnset {
		t.Errorf("answer cell type %v, want a number", ty)
	}
	rate, _ := excelize.CoordinatesToCellName(col["完成率"]+1, 2)
	if v, _ := f.GetCellValue("Sheet1", rate); v != "100.00%" {
		t.Errorf("completion rate %q, want 100.00%%", v)
	}
}
