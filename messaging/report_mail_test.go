package messaging

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/messaging/mailtest"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
	"github.com/xuri/excelize/v2"
)

// A saved report's schedule fires on gocron with an injected clock: the
// SMTP peer receives an xlsx that opens with the report's figures; the
// run is on the schedule, in the delivery log and in the audit log; a
// recipient without pii_view, or an outside address, makes it masked.
func TestScheduledReportMailedAsXLSX(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		start := time.Date(2025, 3, 10, 8, 0, 0, 0, shanghai) // a Monday, long past: real sends never fall in the period
		yesterday := time.Date(2025, 3, 9, 10, 0, 0, 0, shanghai)
		for _, m := range []struct {
			channel string
			status  store.OutboundStatus
		}{{"sms", store.OutboundDelivered}, {"sms", store.OutboundDelivered}, {"sms", store.OutboundFailed},
			{"email", store.OutboundSent}, {"email", store.OutboundSent}} {
			row := &store.OutboundMessage{Purpose: store.PurposeCampaign, Channel: m.channel, Provider: "capture", To: "x",
				Status: m.status, CreatedAt: yesterday}
			_, err := s.LogOutbound(ctx, row)
			must(t, err)
		}
		outside := &store.OutboundMessage{Purpose: store.PurposeCampaign, Channel: "sms", Provider: "capture", To: "x",
			Status: store.OutboundSent, CreatedAt: start} // today: outside "yesterday"
		_, err := s.LogOutbound(ctx, outside)
		must(t, err)

		g := &store.Group{Name: "报表组", Kind: store.GroupAgent}
		must(t, s.CreateGroup(ctx, g))
		boss := &store.User{Username: "boss", Role: store.RoleAdmin, Email: "Boss@Bank.example", PasswordHash: "x"}
		must(t, s.CreateUser(ctx, boss, nil))
		sup := &store.User{Username: "sup", Role: store.RoleSupervisor, Email: "sup@bank.example", PasswordHash: "x"}
		must(t, s.CreateUser(ctx, sup, []int64{g.ID}))
		saved := func(name string) *store.SavedReport {
			r := &store.SavedReport{Name: name, Report: store.ReportMessages, GroupBy: []store.Dimension{store.DimChannel},
				Period: store.PeriodYesterday, OwnerID: boss.ID}
			must(t, s.CreateSavedReport(ctx, r))
			return r
		}
		daily := func(r *store.SavedReport, emails []string, group *int64) *store.ReportSchedule {
			sch := &store.ReportSchedule{SavedReportID: r.ID, Every: store.EveryDay, At: "09:00", Timezone: "Asia/Shanghai",
				Emails: emails, GroupID: group, Enabled: true, CreatedBy: boss.ID}
			must(t, s.CreateReportSchedule(ctx, sch, start))
			return sch
		}
		full := daily(saved("昨日消息"), []string{"boss@bank.example"}, nil)
		masked := daily(saved("昨日消息-外发"), []string{"partner@outside.example"}, &g.ID)

		peer := mailtest.Start(t, mailtest.Options{})
		clk := clockwork.NewFakeClockAt(start)
		sched, err := gocron.NewScheduler(gocron.WithClock(clk))
		must(t, err)
		m := &ReportMailer{Store: s, Sender: emailTo(t, peer, TLSNone, "", ""), Now: clk.Now}
		must(t, m.Schedule(ctx, sched))
		sched.Start()
		defer func() { _ = sched.Shutdown() }()
		must(t, clk.BlockUntilContext(ctx, 1)) // gocron has set its timer
		if len(peer.Messages()) != 0 {
			t.Fatal("sent before its time")
		}
		clk.Advance(61 * time.Minute) // 09:01

		got := map[string]mailtest.Message{}
		for len(got) < 3 {
			msg := peer.Wait(t, 60*time.Second)
			got[msg.To[0]] = msg
		}
		for _, to := range []string{"boss@bank.example", "partner@outside.example", "sup@bank.example"} {
			msg, ok := got[to]
			if !ok {
				t.Fatalf("nothing for %s; got %v", to, got)
			}
			files := attachmentsOf(t, msg)
			if len(files) != 1 || !strings.HasSuffix(files[0].Name, "-2025-03-09.xlsx") ||
				files[0].ContentType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Fatalf("%s: attachments %+v", to, files)
			}
			checkReportXLSX(t, files[0].Data)
		}
		eventually(t, "both runs recorded", func() bool {
			list, err := s.ReportSchedulesFor(ctx, boss.ID)
			return err == nil && len(list) == 2 && list[0].LastRunAt != nil && list[1].LastRunAt != nil
		})
		list, err := s.ReportSchedulesFor(ctx, boss.ID)
		must(t, err)
		for _, sch := range list {
			want := map[int64]struct {
				n      int
				masked bool
			}{full.ID: {1, false}, masked.ID: {2, true}}[sch.ID]
			next := time.Date(2025, 3, 11, 9, 0, 0, 0, shanghai)
			if sch.LastResult != store.ScheduleSent || sch.LastRecipients != want.n || sch.LastMasked != want.masked ||
				sch.NextRunAt == nil || !sch.NextRunAt.Equal(next) {
				t.Errorf("schedule %d: result %s recipients %d masked %t next %v", sch.ID, sch.LastResult, sch.LastRecipients,
					sch.LastMasked, sch.NextRunAt)
			}
		}
		audit, _, err := s.ListAudit(ctx, store.AuditFilter{Action: "report.schedule.send"})
		must(t, err)
		if len(audit) != 2 || audit[0].Username != "system" || audit[0].Result != "ok" {
			t.Fatalf("audit %+v", audit)
		}
		logged, _, err := s.ListOutbound(ctx, store.OutboundFilter{Purpose: store.PurposeReport, Status: store.OutboundSent})
		must(t, err)
		if len(logged) != 3 {
			t.Fatalf("delivery log: %d report e-mails sent, want 3", len(logged))
		}
	})
}

// checkReportXLSX opens the file and checks the messages report by channel
// for yesterday: sms 3 (2 delivered, 1 failed), email 2 sent, totals.
func checkReportXLSX(t *testing.T, data []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	must(t, err)
	defer f.Close()
	rows, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	must(t, err)
	want := [][]string{
		{"渠道", "消息数", "已发送", "已送达", "失败", "排队中", "条数/页数", "送达率"},
		{"email", "2", "2", "0", "0", "0", "0", "0"},
		{"sms", "3", "2", "2", "1", "0", "0", "1"},
		{"合计/Total", "5", "4", "2", "1", "0", "0", "0.5"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatalf("xlsx rows\n%v\nwant\n%v", rows, want)
	}
	typ, err := f.GetCellType("Sheet1", "B3")
	must(t, err)
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("counts are stored as %v, not numbers", typ)
	}
}

// A recipient the relay refuses makes the run partial; a group with no
// address makes it failed; both are on the schedule and in the audit log.
func TestScheduledReportPartialAndFailed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
		g := &store.Group{Name: "空组", Kind: store.GroupAgent}
		must(t, s.CreateGroup(ctx, g))
		var ids []int64
		for i, sch := range []store.ReportSchedule{
			{Emails: []string{"ok@bank.example", mailtest.RefuseLocal + "@bank.example"}},
			{GroupID: &g.ID},
		} {
			r := &store.SavedReport{Name: fmt.Sprint("r", i), Report: store.ReportCampaigns, Period: store.PeriodToday, OwnerID: 1}
			must(t, s.CreateSavedReport(ctx, r))
			sch.SavedReportID, sch.Every, sch.At, sch.Enabled = r.ID, store.EveryDay, "16:30", true // 08:30 UTC
			must(t, s.CreateReportSchedule(ctx, &sch, now.Add(-2*time.Hour)))
			ids = append(ids, sch.ID)
		}
		peer := mailtest.Start(t, mailtest.Options{})
		m := &ReportMailer{Store: s, Sender: emailTo(t, peer, TLSNone, "", ""), Now: func() time.Time { return now }}
		if n := m.RunDue(ctx); n != 2 {
			t.Fatalf("%d runs, want 2", n)
		}
		if n := m.RunDue(ctx); n != 0 {
			t.Fatalf("ran again: %d", n)
		}
		list, err := s.ReportSchedulesFor(ctx, 1)
		must(t, err)
		want := map[int64]store.ScheduleResult{ids[0]: store.SchedulePartial, ids[1]: store.ScheduleFailed}
		for _, sch := range list {
			if sch.LastResult != want[sch.ID] || sch.LastError == "" {
				t.Errorf("schedule %d: %s %q, want %s", sch.ID, sch.LastResult, sch.LastError, want[sch.ID])
			}
		}
		if len(peer.Messages()) != 1 {
			t.Errorf("%d delivered, want 1", len(peer.Messages()))
		}
		audit, _, err := s.ListAudit(ctx, store.AuditFilter{Action: "report.schedule.send"})
		must(t, err)
		if len(audit) != 2 || audit[0].Result != "failed" || audit[1].Result != "failed" {
			t.Fatalf("audit %+v", audit)
		}
	})
}

// The mailer claims schedules from the table on each tick: once a saved
// report is deleted (its schedule with it) it is not mailed again, while
// another report's schedule keeps its rhythm.
func TestDeletedReportIsNotMailed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
		var reports []*store.SavedReport
		for i := range 2 {
			r := &store.SavedReport{Name: fmt.Sprint("r", i), Report: store.ReportCampaigns, Period: store.PeriodToday, OwnerID: 1}
			must(t, s.CreateSavedReport(ctx, r))
			must(t, s.CreateReportSchedule(ctx, &store.ReportSchedule{SavedReportID: r.ID, Every: store.EveryDay, At: "16:30", // 08:30 UTC
				Emails: []string{fmt.Sprintf("r%d@bank.example", i)}, Enabled: true}, now.Add(-2*time.Hour)))
			reports = append(reports, r)
		}
		peer := mailtest.Start(t, mailtest.Options{})
		m := &ReportMailer{Store: s, Sender: emailTo(t, peer, TLSNone, "", ""), Now: func() time.Time { return now }}
		if n := m.RunDue(ctx); n != 2 {
			t.Fatalf("first day: %d runs, want 2", n)
		}
		if _, err := s.DeleteSavedReport(ctx, reports[0].ID); err != nil {
			t.Fatal(err)
		}
		now = now.AddDate(0, 0, 1)
		if n := m.RunDue(ctx); n != 1 {
			t.Fatalf("the day after the delete: %d runs, want 1", n)
		}
		var to []string
		for _, msg := range peer.Messages() {
			to = append(to, msg.To...)
		}
		if strings.Count(strings.Join(to, " "), "r0@") != 1 || strings.Count(strings.Join(to, " "), "r1@") != 2 {
			t.Fatalf("delivered to %v: the deleted report's address once, the other's twice", to)
		}
	})
}
