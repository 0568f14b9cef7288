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

// TestNextPhoneTakesTurns: every number gets min_attempts tries in the
// phone order first; then the least tried below max_attempts goes next.
func TestNextPhoneTakesTurns(t *testing.T) {
	const p, a = "+8613800138000", "+861012345678"
	cases := []struct {
		name         string
		minA, maxA   int
		order        []string
		pUsed, aUsed int
		pStat, aStat NumberStatus
		want         string
	}{
		{"fresh", 1, 3, nil, 0, 0, "", "", p},
		{"main had its minimum", 1, 3, nil, 1, 0, "", "", a},
		{"both had one: back to the main", 1, 3, nil, 1, 1, "", "", p},
		{"main ahead", 1, 3, nil, 2, 1, "", "", a},
		{"main at max", 1, 3, nil, 3, 2, "", "", a},
		{"all at max", 1, 3, nil, 3, 3, "", "", ""},
		{"minimum three on the main first", 3, 3, nil, 2, 0, "", "", p},
		{"then the alt", 3, 3, nil, 3, 0, "", "", a},
		{"invalid main is skipped", 1, 3, nil, 0, 0, NumberInvalid, "", a},
		{"wrong alt is skipped", 1, 3, nil, 1, 0, "", NumberWrong, p},
		{"nothing dialable", 1, 3, nil, 0, 0, NumberDisconnected, NumberInvalid, ""},
		{"alt first", 1, 3, []string{"alt_phone", "phone"}, 0, 0, "", "", a},
		{"only the main in the order", 1, 3, []string{"phone"}, 3, 0, "", "", ""},
	}
	for _, c := range cases {
		st := NewStrategy()
		st.MinAttempts, st.MaxAttempts = c.minA, c.maxA
		if c.order != nil {
			st.PhoneOrder = c.order
		}
		r := &DialRules{Strategy: st}
		ct := &Contact{Phone: p, AltPhone: a, PhoneAttempts: c.pUsed, AltAttempts: c.aUsed, PhoneStatus: c.pStat, AltStatus: c.aStat}
		if got := r.NextPhone(ct); got != c.want {
			t.Errorf("%s: NextPhone = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestReasonCallback: a due callback is dialable whatever the limits and the
// window say; one not yet due keeps the contact waiting.
func TestReasonCallback(t *testing.T) {
	closed := &Calendar{Name: "c", Windows: []CalendarWindow{}}
	if err := closed.Validate(); err != nil {
		t.Fatal(err)
	}
	st := NewStrategy()
	st.MaxAttempts, st.MaxAttemptsPerContact = 1, 1
	r := &DialRules{Strategy: st, Calendar: closed}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	due, later := now.Add(-time.Minute), now.Add(time.Hour)
	c := Contact{Status: ContactPending, Phone: "+8613800138000", Attempts: 1, PhoneAttempts: 1, CallbackAt: &due}
	if why := r.Reason(&c, now); why != "" {
		t.Errorf("due callback: %q", why)
	}
	c.CallbackAt = &later
	if why := r.Reason(&c, now); why != ReasonCallback {
		t.Errorf("later callback: %q", why)
	}
	c.CallbackAt, c.Status = &due, ContactBlocked
	if why := r.Reason(&c, now); why != ReasonBlacklisted {
		t.Errorf("blocked contact with a callback: %q", why)
	}
}
