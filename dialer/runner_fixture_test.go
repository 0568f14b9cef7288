package dialer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// patience bounds every wait of these tests; they wait on conditions.
const patience = 90 * time.Second

var allOpen = []store.CalendarWindow{{DayKind: "workday", Start: "00:00", End: "24:00"},
	{DayKind: "weekend", Start: "00:00", End: "24:00"}, {DayKind: "holiday", Start: "00:00", End: "24:00"}}

var seq atomic.Int64

// campaignFixture is a running campaign in a fresh store.
type campaignFixture struct {
	t    *testing.T
	ctx  context.Context
	s    *store.Store
	camp *store.Campaign
}

// newCampaign makes a campaign with the given numbers as contacts and
// starts it; edit may change the strategy and campaign first.
func newCampaign(t *testing.T, s *store.Store, phones []string, edit func(*store.Strategy, *store.Campaign)) *campaignFixture {
	t.Helper()
	f := &campaignFixture{t: t, ctx: context.Background(), s: s}
	name := fmt.Sprintf("%s-%d", t.Name(), seq.Add(1))
	cal := &store.Calendar{Name: "cal-" + name, Windows: allOpen}
	must(t, s.CreateCalendar(f.ctx, cal))
	st := store.NewStrategy()
	st.Name, st.CalendarID = "st-"+name, cal.ID
	g := &store.Group{Name: "g-" + name, Kind: store.GroupAgent}
	must(t, s.CreateGroup(f.ctx, g))
	camp := &store.Campaign{Name: "camp-" + name, Kind: store.KindCollection, Media: store.MediaVoice,
		DialMode: store.DialProgressive, Priority: 3, GroupID: &g.ID, CallerIDs: []string{"02161230001", "02161230002"},
		MaxAbandonRate: 0.03, Gateway: "gw1"}
	if edit != nil {
		edit(st, camp)
	}
	must(t, s.CreateStrategy(f.ctx, st))
	camp.StrategyID = &st.ID
	must(t, s.CreateCampaign(f.ctx, camp))
	job := &store.ImportJob{CampaignID: camp.ID, Source: "api", Format: "json"}
	must(t, s.CreateImportJob(f.ctx, job))
	batch := make([]store.Contact, len(phones))
	for i, p := range phones {
		batch[i] = store.Contact{CampaignID: camp.ID, Name: fmt.Sprintf("客户%d", i+1), Phone: p, Status: store.ContactPending}
	}
	if _, err := s.ImportBatch(f.ctx, job.ID, camp.ID, batch, 0, 0); err != nil {
		t.Fatalf("import: %v", err)
	}
	var err error
	if f.camp, err = s.StartCampaign(f.ctx, camp.ID); err != nil {
		t.Fatalf("start campaign: %v", err)
	}
	return f
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// contacts returns the campaign's contacts by phone.
func (f *campaignFixture) contacts() map[string]store.Contact {
	f.t.Helper()
	rows, _, err := f.s.ListContacts(f.ctx, store.ContactFilter{CampaignID: f.camp.ID})
	must(f.t, err)
	out := map[string]store.Contact{}
	for _, c := range rows {
		out[c.Phone] = c
	}
	return out
}

// attempt is the attempt of a call.
func (f *campaignFixture) attempt(uuid string) *store.Attempt {
	f.t.Helper()
	a, err := f.s.GetAttemptByUUID(f.ctx, uuid)
	must(f.t, err)
	return a
}

func (f *campaignFixture) status() store.CampaignStatus {
	c, err := f.s.GetCampaign(f.ctx, f.camp.ID)
	must(f.t, err)
	return c.Status
}

// eventually waits for cond, failing the test after patience.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startManager runs a manager over sw and s until the test ends.
func startManager(t *testing.T, o Options) *Manager {
	t.Helper()
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	if o.Holder == "" {
		o.Holder = "test-" + t.Name()
	}
	m, err := NewManager(o)
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = m.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(patience):
			t.Error("manager did not stop")
		}
	})
	return m
}

// farEnd plays the customers of originated legs: play(cmd) runs once per
// originate, on its own goroutine.
func farEnd(t *testing.T, sw *switchtest.Switch, play func(c switchtest.Command)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	wg.Go(func() {
		seen := 0
		for ctx.Err() == nil {
			cmds := sw.CommandsOf(switchtest.OpOriginate)
			for _, c := range cmds[seen:] {
				if c.Err == nil {
					wg.Go(func() { play(c) })
				}
			}
			seen = len(cmds)
			time.Sleep(2 * time.Millisecond)
		}
	})
}

// fakeDesk is the agent desk as the runner sees it: ready agents wait in a
// channel; Connect does what the test says.
type fakeDesk struct {
	ready    chan Reservation
	changes  chan AgentChange
	connect  func(req ConnectRequest) (Connection, error)
	mu       sync.Mutex
	released []string
	connects []ConnectRequest
	reserves []ReserveRequest
	reminded []Reminder
}

func newFakeDesk(agents ...Reservation) *fakeDesk {
	d := &fakeDesk{ready: make(chan Reservation, 16), changes: make(chan AgentChange, 64)}
	for _, a := range agents {
		d.ready <- a
	}
	return d
}

func (d *fakeDesk) Staffing(int64) Staffing { return Staffing{} }
func (d *fakeDesk) Watch(ctx context.Context, _ AgentPool) <-chan AgentChange {
	out := make(chan AgentChange)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case c := <-d.changes:
				select {
				case out <- c:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

func (d *fakeDesk) Reserve(ctx context.Context, req ReserveRequest) (Reservation, error) {
	d.mu.Lock()
	d.reserves = append(d.reserves, req)
	d.mu.Unlock()
	select {
	case r := <-d.ready:
		return r, nil
	case <-ctx.Done():
		return Reservation{}, ctx.Err()
	}
}

func (d *fakeDesk) Release(_ context.Context, r Reservation, reason string) {
	d.mu.Lock()
	d.released = append(d.released, reason)
	d.mu.Unlock()
	d.ready <- r
}

func (d *fakeDesk) Preview(context.Context, Reservation, PreviewOffer) (PreviewChoice, error) {
	return PreviewChoice{Dial: true}, nil
}

func (d *fakeDesk) Connect(_ context.Context, req ConnectRequest) (Connection, error) {
	d.mu.Lock()
	d.connects = append(d.connects, req)
	d.mu.Unlock()
	return d.connect(req)
}

func (d *fakeDesk) Remind(_ context.Context, _ int64, r Reminder) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reminded = append(d.reminded, r)
	return nil
}

func (d *fakeDesk) connectsSoFar() []ConnectRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]ConnectRequest(nil), d.connects...)
}

// fakeMessenger accepts every message but those to refuse.
type fakeMessenger struct {
	mu     sync.Mutex
	sent   []string
	refuse map[string]bool
}

func (m *fakeMessenger) Deliver(_ context.Context, key string, _ *store.Campaign, _ *store.Contact, phone string) messaging.Delivery {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, phone)
	if m.refuse[phone] {
		return messaging.Delivery{Class: store.ResultInvalidNumber, Detail: "fake: unknown subscriber"}
	}
	return messaging.Delivery{Class: store.ResultAnswered, Detail: "fake: accepted " + key}
}

func newStore(t *testing.T) *store.Store { return storetest.New(t) }

// hangupCauseOf is the cause of an ended leg.
func hangupCauseOf(sw *switchtest.Switch, uuid string) string {
	l := sw.Leg(uuid)
	if l == nil {
		return ""
	}
	return l.Record().HangupCause
}

var _ controller.Switch = (*switchtest.Switch)(nil)
