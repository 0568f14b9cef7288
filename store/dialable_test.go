package store

import (
	"testing"
	"time"
)

func TestDialRulesReason(t *testing.T) {
	cal := &Calendar{Name: "c", Timezone: "Asia/Shanghai", UseOfficialHolidays: false, Windows: []CalendarWindow{
		{DayKind: DayWorkday, Start: "09:00", End: "20:00"},
		{DayKind: DayWorkday, CustomerType: "VIP客户", Start: "10:00", End: "18:00"},
	}}
	if err := cal.Validate(); err != nil {
		t.Fatal(err)
	}
	st := NewStrategy()
	st.MaxAttempts, st.MaxAttemptsPerContact = 2, 3
	st.PeriodStart, st.PeriodEnd = "2026-11-01", "2026-12-31"
	rules := &DialRules{Strategy: st, Calendar: cal}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	tue0930 := time.Date(2026, 11, 24, 9, 30, 0, 0, loc)
	later := tue0930.Add(time.Hour)
	ptr := func(t time.Time) *time.Time { return &t }

	cases := []struct {
		name string
		c    Contact
		now  time.Time
		want NotDialable
	}{
		{"fresh", Contact{Status: ContactPending, Phone: "+8613800138000"}, tue0930, ""},
		{"blocked", Contact{Status: ContactBlocked, Phone: "+8613800138000"}, tue0930, ReasonBlacklisted},
		{"completed", Contact{Status: ContactCompleted, Phone: "+8613800138000"}, tue0930, ReasonCompleted},
		{"vip before 10", Contact{Status: ContactPending, Phone: "+8613800138000", CustomerType: "VIP客户"}, tue0930, ReasonOutsideHours},
		{"saturday", Contact{Status: ContactPending, Phone: "+8613800138000"}, time.Date(2026, 11, 28, 11, 0, 0, 0, loc), ReasonOutsideHours},
		{"after period", Contact{Status: ContactPending, Phone: "+8613800138000"}, time.Date(2027, 1, 5, 11, 0, 0, 0, loc), ReasonOutsidePer},
		{"retry later", Contact{Status: ContactPending, Phone: "+8613800138000", NextAttemptAt: ptr(later)}, tue0930, ReasonRetryNotDue},
		{"dnd", Contact{Status: ContactPending, Phone: "+8613800138000", DNDUntil: ptr(later)}, tue0930, ReasonDND},
		{"per contact used", Contact{Status: ContactPending, Phone: "+8613800138000", AltPhone: "+861012345678", Attempts: 3}, tue0930, ReasonAttemptsUsed},
		{"main number used, alt left", Contact{Status: ContactPending, Phone: "+8613800138000", AltPhone: "+861012345678", Attempts: 2, PhoneAttempts: 2}, tue0930, ""},
		{"only number used", Contact{Status: ContactPending, Phone: "+8613800138000", Attempts: 2, PhoneAttempts: 2}, tue0930, ReasonAttemptsUsed},
	}
	for _, c := range cases {
		if got := rules.Reason(&c.c, c.now); got != c.want {
			t.Errorf("%s: Reason = %q, want %q", c.name, got, c.want)
		}
	}
	c := Contact{Phone: "+8613800138000", AltPhone: "+861012345678", PhoneAttempts: 2}
	if got := rules.NextPhone(&c); got != "+861012345678" {
		t.Errorf("NextPhone = %q, want the alt phone", got)
	}
	st.PhoneOrder = []string{"alt_phone", "phone"}
	c.PhoneAttempts = 0
	if got := rules.NextPhone(&c); got != "+861012345678" {
		t.Errorf("NextPhone with alt first = %q", got)
	}
}
