package main

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// A broadcast campaign set up and started through the REST API is dialed
// by the server's own dialer against the built-in simulator, and a pause
// through the API stops its runner.
func TestProgramDialsAStartedCampaign(t *testing.T) {
	const adminPW = "Boss-Pass-2026!"
	p := startProgram(t, map[string]string{"CC_ADMIN_PASSWORD": adminPW, "CC_IVR_LISTEN": "127.0.0.1:0", "CC_DATA_DIR": t.TempDir()})
	defer p.stop()
	admin := p.login(t, "admin", adminPW)
	var cal, st, camp struct{ ID int64 }
	allDay := []map[string]string{{"day_kind": "workday", "start": "00:00", "end": "24:00"},
		{"day_kind": "weekend", "start": "00:00", "end": "24:00"}, {"day_kind": "holiday", "start": "00:00", "end": "24:00"}}
	steps := []struct {
		path string
		body any
		out  any
	}{
		{"/api/v1/calendars", map[string]any{"name": "拨号测试日历", "timezone": "Asia/Shanghai", "windows": allDay}, &cal},
		{"/api/v1/strategies", func() any {
			return map[string]any{"name": "拨号测试策略", "calendar_id": cal.ID, "batch_size": 10, "batch_interval_s": 0}
		}, &st},
		{"/api/v1/campaigns", func() any {
			return map[string]any{"name": "拨号测试广播", "kind": "notification", "media": "ivr", "dial_mode": "broadcast",
				"strategy_id": st.ID, "caller_ids": []string{"02161234567"}, "ivr_flow": "notify"}
		}, &camp},
	}
	for _, s := range steps {
		body := s.body
		if f, ok := body.(func() any); ok {
			body = f()
		}
		if code := p.call(t, "POST", s.path, admin, body, s.out); code != 201 {
			t.Fatalf("POST %s: %d", s.path, code)
		}
	}
	contacts := []map[string]string{}
	for i := range 3 {
		contacts = append(contacts, map[string]string{"name": fmt.Sprintf("客户%d", i), "phone": fmt.Sprintf("1390000000%d", i+1)})
	}
	if code := p.call(t, "POST", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), admin, map[string]any{"contacts": contacts}, nil); code != 200 {
		t.Fatalf("ingest: %d", code)
	}
	if code := p.call(t, "POST", fmt.Sprintf("/api/v1/campaigns/%d/start", camp.ID), admin, nil, nil); code != 200 {
		t.Fatalf("start: %d", code)
	}
	var list struct {
		Items []struct {
			Attempts int `json:"attempts"`
		} `json:"items"`
	}
	deadline := time.Now().Add(patience)
	for {
		p.call(t, "GET", fmt.Sprintf("/api/v1/campaigns/%d/contacts", camp.ID), admin, nil, &list)
		dialed := 0
		for _, c := range list.Items {
			if c.Attempts > 0 {
				dialed++
			}
		}
		if len(list.Items) == 3 && dialed == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("contacts not dialed after start: %+v", list.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code := p.call(t, "POST", fmt.Sprintf("/api/v1/campaigns/%d/pause", camp.ID), admin, nil, nil); code != 200 {
		t.Fatalf("pause: %d", code)
	}
	// Every answered broadcast ran the IVR flow: the ivr report counts as
	// many entries of flow notify for the campaign as the outbound report
	// counts answered calls, once all three have finished.
	now := time.Now()
	q := url.Values{"from": {now.Add(-2 * time.Hour).Format(time.RFC3339)}, "to": {now.Add(2 * time.Hour).Format(time.RFC3339)},
		"campaign_id": {fmt.Sprint(camp.ID)}}
	var out, ivr struct{ Totals map[string]float64 }
	deadline = time.Now().Add(patience)
	for {
		p.call(t, "GET", "/api/v1/reports/outbound?"+q.Encode(), admin, nil, &out)
		p.call(t, "GET", "/api/v1/reports/ivr?flow=notify&"+q.Encode(), admin, nil, &ivr)
		if out.Totals["finished"] == 3 && out.Totals["answered"] > 0 && ivr.Totals["entries"] == out.Totals["answered"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbound %v, ivr %v: want every answered call as an IVR entry", out.Totals, ivr.Totals)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
