package store_test

import (
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestReportScheduleNext(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, sh) }
	mon := at(2026, 12, 7, 8, 0) // a Monday
	for _, tc := range []struct {
		name  string
		sch   store.ReportSchedule
		after time.Time
		want  time.Time
	}{
		{"daily later today", store.ReportSchedule{Every: store.EveryDay, At: "09:00"}, mon, at(2026, 12, 7, 9, 0)},
		{"daily at the time: tomorrow", store.ReportSchedule{Every: store.EveryDay, At: "08:00"}, mon, at(2026, 12, 8, 8, 0)},
		{"daily past the time", store.ReportSchedule{Every: store.EveryDay, At: "07:30"}, mon, at(2026, 12, 8, 7, 30)},
		{"daily over the year's end", store.ReportSchedule{Every: store.EveryDay, At: "00:00"}, at(2026, 12, 31, 23, 0), at(2027, 1, 1, 0, 0)},
		{"weekly today", store.ReportSchedule{Every: store.EveryWeek, At: "09:00", Weekday: 1}, mon, at(2026, 12, 7, 9, 0)},
		{"weekly Monday past", store.ReportSchedule{Every: store.EveryWeek, At: "07:00", Weekday: 1}, mon, at(2026, 12, 14, 7, 0)},
		{"weekly Sunday", store.ReportSchedule{Every: store.EveryWeek, At: "18:00", Weekday: 7}, mon, at(2026, 12, 13, 18, 0)},
		{"monthly this month", store.ReportSchedule{Every: store.EveryMonth, At: "09:00", MonthDay: 10}, mon, at(2026, 12, 10, 9, 0)},
		{"monthly next month", store.ReportSchedule{Every: store.EveryMonth, At: "09:00", MonthDay: 1}, mon, at(2027, 1, 1, 9, 0)},
		{"monthly 31st in February", store.ReportSchedule{Every: store.EveryMonth, At: "09:00", MonthDay: 31}, at(2027, 2, 1, 0, 0), at(2027, 2, 28, 9, 0)},
		{"monthly 31st after a short month's end", store.ReportSchedule{Every: store.EveryMonth, At: "09:00", MonthDay: 31}, at(2027, 2, 28, 9, 0), at(2027, 3, 31, 9, 0)},
		{"another zone", store.ReportSchedule{Every: store.EveryDay, At: "09:00", Timezone: "Europe/London"}, mon, time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)},
	} {
		if tc.sch.Timezone == "" {
			tc.sch.Timezone = "Asia/Shanghai"
		}
		if got := tc.sch.Next(tc.after); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got.In(sh), tc.want)
		}
	}
}

func TestReportScheduleValidate(t *testing.T) {
	for _, tc := range []struct {
		sch   store.ReportSchedule
		field string
	}{
		{store.ReportSchedule{Every: "hourly", At: "09:00", Emails: []string{"a@b.cn"}}, "every"},
		{store.ReportSchedule{Every: store.EveryDay, At: "9:00", Emails: []string{"a@b.cn"}}, "at"},
		{store.ReportSchedule{Every: store.EveryDay, At: "24:00", Emails: []string{"a@b.cn"}}, "at"},
		{store.ReportSchedule{Every: store.EveryWeek, At: "09:00", Emails: []string{"a@b.cn"}}, "weekday"},
		{store.ReportSchedule{Every: store.EveryMonth, At: "09:00", MonthDay: 32, Emails: []string{"a@b.cn"}}, "month_day"},
		{store.ReportSchedule{Every: store.EveryDay, At: "09:00", Timezone: "Mars/Base", Emails: []string{"a@b.cn"}}, "timezone"},
		{store.ReportSchedule{Every: store.EveryDay, At: "09:00"}, "emails"},
		{store.ReportSchedule{Every: store.EveryDay, At: "09:00", Emails: []string{"a@b.cn", "not an address"}}, "emails[1]"},
		{store.ReportSchedule{Every: store.EveryDay, At: "09:00", Emails: []string{"a@b.cn"}, Lang: "fr"}, "lang"},
		{store.ReportSchedule{Every: store.EveryDay, At: "09:00", Emails: []string{"A@B.cn", "a@b.cn"}}, ""},
	} {
		err := tc.sch.Validate()
		ve, _ := err.(*store.ValidationError)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: %v", tc.sch, err)
		case tc.field != "" && (ve == nil || ve.Fields[0].Field != tc.field):
			t.Errorf("%+v: %v, want an error naming %s", tc.sch, err, tc.field)
		}
	}
}

// Two instances claiming the same due run: one wins; recipients resolve
// users (pii_view or not), group members and outside addresses.
func TestReportScheduleClaimAndRecipients(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		g := &store.Group{Name: "g", Kind: store.GroupAgent}
		must(t, s.CreateGroup(ctx, g))
		admin := &store.User{Username: "adm", Role: store.RoleAdmin, Email: "Adm@Bank.example", PasswordHash: "x"}
		must(t, s.CreateUser(ctx, admin, nil))
		sup := &store.User{Username: "sup", Role: store.RoleSupervisor, Email: "sup@bank.example", PasswordHash: "x"}
		must(t, s.CreateUser(ctx, sup, []int64{g.ID}))
		off := &store.User{Username: "off", Role: store.RoleAgent, Email: "off@bank.example", PasswordHash: "x", Disabled: true}
		must(t, s.CreateUser(ctx, off, []int64{g.ID}))
		r := &store.SavedReport{Name: "r", Report: store.ReportCampaigns, Period: store.PeriodToday, OwnerID: admin.ID}
		must(t, s.CreateSavedReport(ctx, r))
		now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
		sch := &store.ReportSchedule{SavedReportID: r.ID, Every: store.EveryDay, At: "09:00", Emails: []string{"adm@bank.example", "x@outside.example"},
			GroupID: &g.ID, Enabled: true}
		must(t, s.CreateReportSchedule(ctx, sch, now))
		if err := s.CreateReportSchedule(ctx, &store.ReportSchedule{SavedReportID: r.ID, Every: store.EveryDay, At: "10:00",
			Emails: []string{"a@b.cn"}}, now); err == nil {
			t.Fatal("a second schedule of the report was stored")
		}
		if got, _ := s.ClaimDueSchedules(ctx, now, 10); len(got) != 0 {
			t.Fatalf("claimed before its time: %+v", got)
		}
		due := sch.NextRunAt.Add(time.Minute)
		a, err := s.ClaimDueSchedules(ctx, due, 10)
		must(t, err)
		b, err := s.ClaimDueSchedules(ctx, due, 10)
		must(t, err)
		if len(a) != 1 || len(b) != 0 || !a[0].Due.Equal(*sch.NextRunAt) || !a[0].NextRunAt.Equal(sch.NextRunAt.AddDate(0, 0, 1)) {
			t.Fatalf("claims %+v / %+v", a, b)
		}
		rc, err := s.ReportRecipients(ctx, sch.Emails, sch.GroupID)
		must(t, err)
		want := []store.Recipient{{Email: "adm@bank.example", UserID: admin.ID, PIIView: true}, {Email: "x@outside.example"},
			{Email: "sup@bank.example", UserID: sup.ID}}
		if len(rc) != len(want) {
			t.Fatalf("recipients %+v", rc)
		}
		for i := range want {
			if rc[i] != want[i] {
				t.Fatalf("recipient %d: %+v, want %+v", i, rc[i], want[i])
			}
		}
		sch.Enabled = false
		must(t, s.UpdateReportSchedule(ctx, sch, due))
		if got, _ := s.ReportScheduleOf(ctx, r.ID); got.NextRunAt != nil || got.Enabled {
			t.Fatalf("disabled schedule %+v", got)
		}
	})
}
