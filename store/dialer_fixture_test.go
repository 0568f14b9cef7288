package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// dialer is a running campaign with contacts, its rules and a lease: what a
// runner has in hand.
type dialer struct {
	t     testing.TB
	s     *store.Store
	ctx   context.Context
	cal   *store.Calendar
	st    *store.Strategy
	camp  *store.Campaign
	rules *store.DialRules
	lease store.Lease
	now   time.Time
}

// fixtureSeq keeps fixture names unique within a test.
var fixtureSeq atomic.Int64

// alwaysOpen windows every day kind for every customer type.
var alwaysOpen = []store.CalendarWindow{{DayKind: "workday", Start: "00:00", End: "24:00"},
	{DayKind: "weekend", Start: "00:00", End: "24:00"}, {DayKind: "holiday", Start: "00:00", End: "24:00"}}

// newDialer creates an always-open calendar, a strategy, a running campaign
// with n contacts (+8613900000001...; every other one with an alt phone) and
// a lease held by "runner-a". edit may change the strategy and campaign
// before they are stored.
func newDialer(t testing.TB, s *store.Store, n int, edit func(*store.Strategy, *store.Campaign)) *dialer {
	t.Helper()
	d := &dialer{t: t, s: s, ctx: context.Background(), now: time.Now().UTC().Truncate(time.Millisecond)}
	name := fmt.Sprintf("%s-%d", t.Name(), fixtureSeq.Add(1))
	d.cal = &store.Calendar{Name: "open-" + name, Windows: alwaysOpen}
	must(t, s.CreateCalendar(d.ctx, d.cal))
	d.st = store.NewStrategy()
	d.st.Name, d.st.CalendarID = "st-"+name, d.cal.ID
	g := &store.Group{Name: "g-" + name, Kind: store.GroupAgent}
	must(t, s.CreateGroup(d.ctx, g))
	d.camp = &store.Campaign{Name: "camp-" + name, Kind: store.KindCollection, Media: store.MediaVoice,
		DialMode: store.DialProgressive, Priority: 5, GroupID: &g.ID, CallerIDs: []string{"02161230001", "02161230002"},
		MaxAbandonRate: 0.03}
	if edit != nil {
		edit(d.st, d.camp)
	}
	must(t, s.CreateStrategy(d.ctx, d.st))
	d.camp.StrategyID = &d.st.ID
	must(t, s.CreateCampaign(d.ctx, d.camp))
	d.addContacts(n, 0)
	if n > 0 {
		var err error
		if d.camp, err = s.StartCampaign(d.ctx, d.camp.ID); err != nil {
			t.Fatalf("start campaign: %v", err)
		}
	}
	d.reload()
	var err error
	if d.lease, err = s.AcquireLease(d.ctx, d.camp.ID, "runner-a", time.Minute, d.now); err != nil {
		t.Fatalf("acquire lease: %v", err)
	}
	return d
}

// addContacts imports n contacts numbered from first+1 through the import path.
func (d *dialer) addContacts(n, first int) {
	d.t.Helper()
	if n == 0 {
		return
	}
	job := &store.ImportJob{CampaignID: d.camp.ID, Source: "api", Format: "json"}
	must(d.t, d.s.CreateImportJob(d.ctx, job))
	batch := make([]store.Contact, n)
	for i := range batch {
		k := first + i + 1
		batch[i] = store.Contact{CampaignID: d.camp.ID, Name: fmt.Sprintf("客户%d", k), Phone: phoneN(k), Status: store.ContactPending}
		if k%2 == 0 {
			batch[i].AltPhone = fmt.Sprintf("+86105%07d", k)
		}
	}
	if _, err := d.s.ImportBatch(d.ctx, job.ID, d.camp.ID, batch, 0, 0); err != nil {
		d.t.Fatalf("import: %v", err)
	}
}

func phoneN(k int) string { return fmt.Sprintf("+86139%08d", k) }

// reload reads the campaign's rules again, as a runner does after an edit.
func (d *dialer) reload() {
	d.t.Helper()
	camp, err := d.s.GetCampaign(d.ctx, d.camp.ID)
	must(d.t, err)
	d.camp = camp
	d.rules, err = d.s.DialRules(d.ctx, camp)
	must(d.t, err)
}

func (d *dialer) claim(n int, now time.Time) []store.Claim {
	d.t.Helper()
	cls, err := d.s.ClaimBatch(d.ctx, d.camp.ID, d.lease.Token, n, now)
	if err != nil {
		d.t.Fatalf("claim: %v", err)
	}
	return cls
}

// dial starts an attempt on a claim with the number CheckClaim gives.
func (d *dialer) dial(cl *store.Claim, uuid string, now time.Time) *store.Dial {
	d.t.Helper()
	phone, why, err := d.s.CheckClaim(d.ctx, d.rules, cl, now)
	if err != nil || why != "" {
		d.t.Fatalf("check contact %d: %q %v", cl.Contact.ID, why, err)
	}
	dl, err := d.s.StartAttempt(d.ctx, d.rules, d.lease.Token, store.AttemptStart{Claim: cl, CallUUID: uuid, Phone: phone, Now: now})
	if err != nil {
		d.t.Fatalf("start attempt on contact %d: %v", cl.Contact.ID, err)
	}
	return dl
}

func (d *dialer) finish(f store.Finish) {
	d.t.Helper()
	if err := d.s.FinishAttempt(d.ctx, d.rules, d.lease.Token, f); err != nil {
		d.t.Fatalf("finish %s: %v", f.CallUUID, err)
	}
}

func (d *dialer) contact(id int64) *store.Contact {
	d.t.Helper()
	c, err := d.s.GetContact(d.ctx, id)
	must(d.t, err)
	return c
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func ids(cls []store.Claim) []int64 {
	out := make([]int64, len(cls))
	for i, c := range cls {
		out[i] = c.Contact.ID
	}
	return out
}

// newAgent creates an agent user and returns its id.
func newAgent(t *testing.T, s *store.Store, name string) int64 {
	t.Helper()
	u := &store.User{Username: name, Role: store.RoleAgent, DisplayName: name}
	must(t, u.SetPassword("Test-Pass-2026", time.Now()))
	must(t, s.CreateUser(context.Background(), u, nil))
	return u.ID
}
