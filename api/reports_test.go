package api

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/xuri/excelize/v2"
)

// TestReportsAPI dials a few calls through the dialer's store API and reads
// the outbound report as JSON, csv and xlsx: figures, Chinese headers,
// numbers as numbers and talk time as a time; agents may not read reports.
func TestReportsAPI(t *testing.T) {
	h := newHarness(t)
	d := newDialSetup(h, "报表活动", 4, nil)
	h.do("POST", d.path+"/start", h.tokens[store.RoleSupervisor], nil, 200, nil)
	dialed(t, h, d, store.ResultHuman, store.ResultBusy, store.ResultAbandoned, store.ResultNoAnswer)
	now := time.Now()
	q := url.Values{"from": {now.Add(-2 * time.Hour).Format(time.RFC3339)}, "to": {now.Add(2 * time.Hour).Format(time.RFC3339)},
		"group_by": {"campaign"}}
	var rep store.Report
	h.do("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleSupervisor], nil, 200, &rep)
	if len(rep.Rows) != 1 {
		t.Fatalf("rows %+v, want one campaign", rep.Rows)
	}
	r := rep.Rows[0]
	for k, want := range map[string]float64{"campaign_id": float64(d.camp.ID), "dials": 4, "answered": 2, "human": 2, "abandoned": 1,
		"busy": 1, "no_answer": 1, "connected": 1, "reached": 1, "abandon_rate": 0.5, "answer_rate": 0.5} {
		if got, _ := r[k].(float64); got != want {
			t.Errorf("%s = %v, want %v", k, r[k], want)
		}
	}
	h.do("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleAgent], nil, 403, nil)
	h.do("GET", "/api/v1/reports/outbound?group_by=channel", h.tokens[store.RoleSupervisor], nil, 400, nil)
	h.do("GET", "/api/v1/reports/nosuch", h.tokens[store.RoleSupervisor], nil, 400, nil)

	q.Set("format", "csv")
	w := h.raw("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleSupervisor], nil)
	if w.Code != 200 {
		t.Fatalf("csv: %d %s", w.Code, w.Body.String())
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(w.Body.String(), "\uFEFF"))).ReadAll()
	must(t, err)
	if len(recs) != 3 || recs[0][0] != "活动编号" || recs[0][1] != "拨打次数" || recs[1][1] != "4" || recs[2][0] != "合计/Total" {
		t.Errorf("csv %q", recs)
	}

	q.Set("format", "xlsx")
	w = h.raw("GET", "/api/v1/reports/outbound?"+q.Encode(), h.tokens[store.RoleSupervisor], nil)
	if w.Code != 200 {
		t.Fatalf("xlsx: %d %s", w.Code, w.Body.String())
	}
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	must(t, err)
	header, _ := f.GetCellValue("Sheet1", "B1")
	if header != "拨打次数" {
		t.Errorf("B1 = %q, want 拨打次数", header)
	}
	cols, _ := f.GetRows("Sheet1")
	talk := -1
	for i, hd := range cols[0] {
		if hd == "通话时长" {
			talk = i
		}
	}
	if talk < 0 {
		t.Fatalf("no 通话时长 column in %q", cols[0])
	}
	dials, _ := excelize.CoordinatesToCellName(2, 2)
	if ty, _ := f.GetCellType("Sheet1", dials); ty != excelize.CellTypeNumber && ty != excelize.CellTypeUnset {
		t.Errorf("dials cell type %v, want a number", ty)
	}
	talkCell, _ := excelize.CoordinatesToCellName(talk+1, 2)
	style, _ := f.GetCellStyle("Sheet1", talkCell)
	st, _ := f.GetStyle(style)
	if st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "[h]:mm:ss" {
		t.Errorf("talk time cell %s style %+v, want [h]:mm:ss", talkCell, st)
	}
	raw, _ := f.GetCellValue("Sheet1", talkCell, excelize.Options{RawCellValue: true})
	if raw == "" || strings.Contains(raw, ":") {
		t.Errorf("talk time raw value %q, want a day fraction", raw)
	}

	// A custom report: today's outbound by campaign, two measures, shared with a group.
	g := h.srv.store
	grp := &store.Group{Name: "报表组", Kind: store.GroupAgent}
	must(t, g.CreateGroup(t.Context(), grp))
	var saved store.SavedReport
	h.do("POST", "/api/v1/saved-reports", h.tokens[store.RoleSupervisor], savedReportRequest{Name: "今日外呼", Report: store.ReportOutbound,
		GroupBy: []store.Dimension{store.DimCampaign}, Measures: []string{"dials", "abandon_rate"}, Period: store.PeriodToday, SharedWith: &grp.ID}, 201, &saved)
	h.do("POST", "/api/v1/saved-reports", h.tokens[store.RoleSupervisor], savedReportRequest{Name: "坏", Report: store.ReportOutbound,
		Measures: []string{"nosuch"}, Period: store.PeriodToday}, 400, nil)
	var run store.Report
	h.do("GET", "/api/v1/saved-reports/"+itoa(saved.ID)+"/run", h.tokens[store.RoleSupervisor], nil, 200, &run)
	if len(run.Columns) != 3 || len(run.Rows) != 1 || run.Rows[0]["dials"].(float64) != 4 {
		t.Errorf("custom report %+v %+v", run.Columns, run.Rows)
	}
	var mine list[store.SavedReport]
	h.do("GET", "/api/v1/saved-reports", h.tokens[store.RoleQA], nil, 200, &mine)
	if mine.Total != 0 {
		t.Errorf("qa outside the group sees %+v", mine.Items)
	}
	h.do("GET", "/api/v1/saved-reports/"+itoa(saved.ID)+"/run", h.tokens[store.RoleQA], nil, 404, nil)
	h.do("GET", "/api/v1/saved-reports", h.tokens[store.RoleAgent], nil, 403, nil)
}
