package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/feed"
)

// campaignEvents follows the supervisors' stream (GET /api/v1/monitor/events,
// as the monitor and wallboard pages read it) and passes on its "campaign"
// events.
func campaignEvents(t *testing.T, base, token string) <-chan feed.Campaign {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/monitor/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		cancel()
		t.Fatalf("GET /monitor/events: %v %v", err, resp)
	}
	out := make(chan feed.Campaign, 64)
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		name := ""
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok && name == feed.EventCampaign {
				var c feed.Campaign
				if json.Unmarshal([]byte(v), &c) == nil {
					select {
					case out <- c:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out
}

// waitCampaign waits for the stream to tell campaign id's change.
func waitCampaign(t *testing.T, events <-chan feed.Campaign, id int64, ch feed.CampaignChange) {
	t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case c := <-events:
			if c.CampaignID == id && c.Change == ch {
				if c.Name != "拨号测试广播" {
					t.Errorf("campaign event %+v: want the campaign's name", c)
				}
				return
			}
		case <-timeout:
			t.Fatalf("no %s event for campaign %d on the monitor's stream", ch, id)
		}
	}
}

// A broadcast campaign set up and started through the REST API is dialed
// by the server's own dialer against the built-in simulator, and a pause
// through the API stops its runner; the supervisors' stream tells both.
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
	events := campaignEvents(t, p.base, admin)
	if code := p.call(t, "POST", fmt.Sprintf("/api/v1/campaigns/%d/start", camp.ID), admin, nil, nil); code != 200 {
		t.Fatalf("start: %d", code)
	}
	waitCampaign(t, events, camp.ID, feed.CampaignStarted)
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
	waitCampaign(t, events, camp.ID, feed.CampaignPaused)
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
