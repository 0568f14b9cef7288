package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestMessageRollupsFollowEveryChange: messages logged in every status, on
// three channels, over two days, then settled (status and parts change),
// then receipts (delivered, failed, fax pages), a duplicate notification
// refused: after each step the messages report equals sums over the raw
// delivery log, and at the end the rollups kept along the way equal a
// rebuild from the rows.
func TestMessageRollupsFollowEveryChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		day := time.Date(2026, 4, 1, 0, 0, 0, 0, store.ReportZone)
		channels := []string{"sms", "email", "fax"}
		statuses := []store.OutboundStatus{store.OutboundQueued, store.OutboundSent, store.OutboundDelivered, store.OutboundFailed}
		var ids []int64
		for i := range 24 {
			id := fmt.Sprint("prov-", i)
			m := &store.OutboundMessage{Purpose: store.PurposeCampaign, Channel: channels[i%3], Provider: "capture", ProviderID: &id,
				CampaignID: int64(i % 2), To: fmt.Sprintf("+86139000%05d", i), Status: statuses[i%4], Parts: 1 + i%2,
				CreatedAt: day.Add(time.Duration(i) * 105 * time.Minute)} // over two days
			if i == 0 {
				key := "rule-1"
				m.DedupKey = &key
			}
			_, err := s.LogOutbound(ctx, m)
			must(t, err)
			ids = append(ids, m.ID)
		}
		key := "rule-1"
		dup := &store.OutboundMessage{Purpose: store.PurposeNotification, Channel: "sms", Provider: "capture", DedupKey: &key,
			To: "+8613900000999", Status: store.OutboundQueued, CreatedAt: day}
		created, err := s.LogOutbound(ctx, dup)
		must(t, err)
		if created {
			t.Fatal("a second notification with the same key was stored")
		}
		check := func(step string) {
			t.Helper()
			for _, g := range [][]store.Dimension{{store.DimChannel}, {store.DimCampaign, store.DimChannel, store.DimDay}, {store.DimHour}} {
				rep, err := s.RunReport(ctx, store.ReportMessages, store.ReportQuery{From: day, To: day.AddDate(0, 0, 3), Loc: store.ReportZone, GroupBy: g})
				must(t, err)
				got, want := map[string]int64{}, rawMessageSums(t, s, day, g)
				for _, r := range rep.Rows {
					k := outboundKey(r, g) // same keys: campaign id, else the dimension's value
					for _, c := range []string{"messages", "sent", "delivered", "failed", "queued", "parts"} {
						got[k+c] = r[c].(int64)
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, by %v:\n got %v\nwant %v", step, g, got, want)
				}
			}
		}
		check("logged")
		for i, id := range ids {
			if i%4 == 0 { // queued ones are sent, some with more parts
				must(t, s.SettleOutbound(ctx, id, store.OutboundResult{Status: store.OutboundSent, Parts: 3}, day))
			}
		}
		check("settled")
		for i := range ids {
			if i%4 == 0 || i%4 == 1 {
				_, err := s.RecordReceipt(ctx, store.Receipt{Provider: "capture", ProviderID: fmt.Sprint("prov-", i), Delivered: i%8 < 4,
					At: day.AddDate(0, 0, 2), Pages: i % 3})
				must(t, err)
			}
		}
		check("receipts")
		live, err := s.Rollups(ctx)
		must(t, err)
		if len(live.MessageHours) == 0 || len(live.MessageDays) == 0 {
			t.Fatal("no message rollups")
		}
		_, err = s.RebuildRollups(ctx)
		must(t, err)
		rebuilt, err := s.Rollups(ctx)
		must(t, err)
		if !reflect.DeepEqual(live.MessageHours, rebuilt.MessageHours) || !reflect.DeepEqual(live.MessageDays, rebuilt.MessageDays) {
			t.Errorf("message rollups differ from a rebuild:\n%+v\n%+v", live.MessageDays, rebuilt.MessageDays)
		}
	})
}

// rawMessageSums sums the delivery log itself, as the report should.
func rawMessageSums(t *testing.T, s *store.Store, day time.Time, g []store.Dimension) map[string]int64 {
	t.Helper()
	msgs, _, err := s.ListOutbound(context.Background(), store.OutboundFilter{Page: store.Page{Number: 1, Size: store.MaxPageSize}})
	must(t, err)
	out := map[string]int64{}
	for _, m := range msgs {
		local := m.CreatedAt.In(store.ReportZone)
		k := ""
		for _, d := range g {
			switch d {
			case store.DimCampaign:
				k += fmt.Sprint(m.CampaignID, "|")
			case store.DimChannel:
				k += m.Channel + "|"
			case store.DimDay:
				k += local.Format("2006-01-02") + "|"
			case store.DimHour:
				k += local.Format("2006-01-02 15") + ":00|"
			}
		}
		add := func(c string, n int64) { out[k+c] += n }
		add("messages", 1)
		add("sent", b(m.Status == store.OutboundSent || m.Status == store.OutboundDelivered))
		add("delivered", b(m.Status == store.OutboundDelivered))
		add("failed", b(m.Status == store.OutboundFailed))
		add("queued", b(m.Status == store.OutboundQueued))
		add("parts", int64(m.Parts))
	}
	return out
}

func b(ok bool) int64 {
	if ok {
		return 1
	}
	return 0
}
