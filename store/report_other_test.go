package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestOtherReportsAgreeWithRawRows checks the campaigns report (contacts by
// status now, figures of the period), the messages report (delivery log)
// and the workflow report (callbacks) against rows read back here.
func TestOtherReportsAgreeWithRawRows(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tr := genTraffic(t, s, 20)
		loc, _ := time.LoadLocation("Asia/Shanghai")
		from, to := tr.start.Truncate(time.Hour), tr.end.Truncate(time.Hour).Add(time.Hour)
		id := tr.d.camp.ID

		rep, err := s.RunReport(ctx, store.ReportCampaigns, store.ReportQuery{From: from, To: to, Loc: loc, CampaignIDs: []int64{id}})
		must(t, err)
		cs, _, err := s.ListContacts(ctx, store.ContactFilter{CampaignID: id, Page: store.Page{Size: 500}})
		must(t, err)
		want := map[string]float64{"contacts_total": float64(len(cs)), "dials": float64(tr.dials)}
		for _, st := range store.ContactStatuses {
			want["contacts_"+string(st)] = 0
		}
		for _, c := range cs {
			want["contacts_"+string(c.Status)]++
		}
		if len(rep.Rows) != 1 {
			t.Fatalf("campaigns report rows %+v", rep.Rows)
		}
		checkMeasures(t, "campaigns report", rep.Rows[0], want)

		// Messages: a few logged sends in known states on two channels.
		states := []store.OutboundStatus{store.OutboundDelivered, store.OutboundDelivered, store.OutboundFailed, store.OutboundSent, store.OutboundQueued}
		byChannel := map[string]map[string]float64{}
		for i, st := range states {
			ch := []string{"sms", "email"}[i%2]
			m := &store.OutboundMessage{Purpose: store.PurposeCampaign, Channel: ch, Provider: "capture", CampaignID: id, To: fmt.Sprintf("+861390000%04d", i),
				Status: st, Parts: 1 + i%2, CreatedAt: tr.start.Add(time.Duration(i) * time.Minute)}
			_, err := s.LogOutbound(ctx, m)
			must(t, err)
			w := byChannel[ch]
			if w == nil {
				w = map[string]float64{"messages": 0, "sent": 0, "delivered": 0, "failed": 0, "queued": 0, "parts": 0}
				byChannel[ch] = w
			}
			w["messages"]++
			w["parts"] += float64(m.Parts)
			switch st {
			case store.OutboundDelivered:
				w["delivered"]++
				w["sent"]++
			case store.OutboundSent:
				w["sent"]++
			case store.OutboundFailed:
				w["failed"]++
			case store.OutboundQueued:
				w["queued"]++
			}
		}
		rep, err = s.RunReport(ctx, store.ReportMessages, store.ReportQuery{From: from, To: to, Loc: loc, GroupBy: []store.Dimension{store.DimChannel}})
		must(t, err)
		if len(rep.Rows) != 2 {
			t.Fatalf("messages rows %+v", rep.Rows)
		}
		for _, r := range rep.Rows {
			w := byChannel[r["channel"].(string)]
			w["delivery_rate"] = div(w["delivered"], w["sent"])
			checkMeasures(t, "messages "+r["channel"].(string), r, w)
		}

		// Workflow: the callbacks the traffic booked, by status.
		cbs, _, err := s.ListCallbacks(ctx, store.CallbackFilter{CampaignID: id, Page: store.Page{Size: 500}})
		must(t, err)
		wf := map[string]float64{"callbacks_booked": 0, "callbacks_kept": 0, "callbacks_missed": 0, "callbacks_cancelled": 0, "callbacks_open": 0}
		for _, cb := range cbs {
			if cb.CreatedAt.Before(from) || !cb.CreatedAt.Before(to) {
				continue
			}
			wf["callbacks_booked"]++
			switch cb.Status {
			case store.CallbackDone:
				wf["callbacks_kept"]++
			case store.CallbackMissed:
				wf["callbacks_missed"]++
			case store.CallbackCancelled:
				wf["callbacks_cancelled"]++
			default:
				wf["callbacks_open"]++
			}
		}
		if wf["callbacks_booked"] == 0 {
			t.Errorf("the traffic booked no callback: %v", wf)
		}
		rep, err = s.RunReport(ctx, store.ReportWorkflow, store.ReportQuery{From: from, To: to, Loc: loc})
		must(t, err)
		checkMeasures(t, "workflow totals", rep.Totals, wf)
	})
}
