package acd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/clock"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

type capturedFeed struct {
	mu     sync.Mutex
	events []feed.Event
}

func (c *capturedFeed) Publish(_ context.Context, e feed.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
	return nil
}

func (c *capturedFeed) named(name string) []feed.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []feed.Event
	for _, e := range c.events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// queueFixture is a desk on a fake clock whose group has queue settings.
func queueFixture(t *testing.T, q store.GroupQueue) (*fixture, *clock.Fake, *capturedFeed) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	pub := &capturedFeed{}
	f := newFixture(t, Config{Clock: clk, Feed: pub, RecordingsDir: t.TempDir(), InboundGroup: "collections"})
	g, err := f.st.GetGroup(context.Background(), f.group)
	if err != nil {
		t.Fatal(err)
	}
	g.GroupQueue = q
	if err := f.st.UpdateGroup(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	return f, clk, pub
}

// broadcasts lists the files played to a leg, in order.
func (f *fixture) broadcasts(uuid string) []string {
	var out []string
	for _, c := range f.sw.CommandsOf(switchtest.OpBroadcast) {
		if c.UUID == uuid {
			out = append(out, c.Args[0])
		}
	}
	return out
}

// advanceUntil moves the fake clock on in small steps until cond holds. A
// step is taken only when every goroutine a timer woke has stopped or
// re-armed it (clock.Fake.Woken), so a loaded machine cannot let the clock
// run past the code it drives (an announcer left behind skipped an
// announcement within the maximum wait).
func advanceUntil(t *testing.T, clk *clock.Fake, what string, cond func() bool) {
	t.Helper()
	waitFor(t, what, func() bool {
		if cond() {
			return true
		}
		if clk.Woken() > 0 {
			return false // a woken goroutine is still at work
		}
		clk.Advance(250 * time.Millisecond)
		return false
	})
}

func hasSeq(list []string, seq ...string) bool {
	for i := range list {
		if len(list)-i >= len(seq) && slices.Equal(list[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

// Two callers wait while the group's only agent is on a break: each hears
// its position between the music every 10 s; after the maximum wait the
// first leaves a voicemail (greeting, beep, recording until the hangup),
// which is stored with its checksum, put on the group's and the
// supervisors' streams and queued as an e-mail; the second hangs up during
// the greeting and leaves nothing.
func TestQueueAnnouncesPositionThenVoicemail(t *testing.T) {
	f, clk, pub := queueFixture(t, store.GroupQueue{AnnounceEveryS: 10, AnnouncePosition: true, MaxWaitS: 30,
		Voicemail: true, NotifyEmail: "cards@bank.cn"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, false) // signed in, on a break: nobody answers
	// Each caller is queued (its maximum wait and announcer armed) before
	// the next one calls: the queue's order is the order of queueing.
	armed := clk.Pending()
	id1 := f.sw.Inbound("13912345678", "95555")
	waitFor(t, "music for the first caller", func() bool { return len(f.broadcasts(id1)) == 1 })
	waitFor(t, "the first caller queued", func() bool { return clk.Pending() >= armed+2 })
	id2 := f.sw.Inbound("13800001111", "95555")
	waitFor(t, "music for the second caller", func() bool { return len(f.broadcasts(id2)) == 1 })
	waitFor(t, "the second caller queued", func() bool { return clk.Pending() >= armed+4 })
	moh := "local_stream://moh"
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("at %v, %d timers armed, %d woken; first caller heard %q; second %q", clk.Now(), clk.Pending(), clk.Woken(), f.broadcasts(id1), f.broadcasts(id2))
		}
	})
	advanceUntil(t, clk, "position announcements", func() bool {
		return hasSeq(f.broadcasts(id1), "ivr/ivr-you_are_number.wav", "digits/1.wav", "ivr/ivr-in_line.wav", moh) &&
			hasSeq(f.broadcasts(id2), "ivr/ivr-you_are_number.wav", "digits/2.wav", "ivr/ivr-in_line.wav", moh)
	})
	greeting, beep := DefaultPrompts.VoicemailGreeting, DefaultPrompts.VoicemailBeep
	advanceUntil(t, clk, "voicemail offered", func() bool {
		return hasSeq(f.broadcasts(id1), greeting, beep) && hasSeq(f.broadcasts(id2), greeting, beep)
	})
	if n := strings.Count(strings.Join(f.broadcasts(id1), " "), "digits/1.wav"); n < 2 {
		t.Errorf("%d position announcements in 30 s, want 2 or more", n)
	}
	f.sw.Far(id2).Hangup("NORMAL_CLEARING") // gone before the beep
	f.sw.Far(id1).Complete("FILE PLAYED")   // the beep ends: recording starts
	var path string
	waitFor(t, "recording the voicemail", func() bool {
		for _, c := range f.sw.CommandsOf(switchtest.OpRecordStart) {
			if c.UUID == id1 {
				path = c.Args[0]
			}
		}
		return path != ""
	})
	audio := []byte("RIFF....WAVEfmt voicemail")
	if err := os.WriteFile(path, audio, 0o644); err != nil {
		t.Fatal(err)
	}
	clk.Advance(20 * time.Second)
	f.sw.Far(id1).Hangup("NORMAL_CLEARING")
	var vms []store.Voicemail
	waitFor(t, "the voicemail stored", func() bool {
		vms, _, _ = f.st.ListVoicemails(context.Background(), store.VoicemailFilter{})
		return len(vms) == 1
	})
	sum := sha256.Sum256(audio)
	vm := vms[0]
	if vm.GroupID != f.group || vm.CallUUID != id1 || vm.Caller != "13912345678" || vm.Reason != store.VoicemailMaxWait ||
		vm.SHA256 != hex.EncodeToString(sum[:]) || vm.Bytes != int64(len(audio)) || vm.DurationMS != 20000 || vm.AttemptID == 0 ||
		!strings.HasSuffix(path, vm.Path) {
		t.Fatalf("voicemail %+v (file %s)", vm, path)
	}
	waitFor(t, "the voicemail event", func() bool { return len(pub.named(EventVoicemail)) == 1 })
	ev := pub.named(EventVoicemail)[0]
	if !slices.Contains(ev.Topics, feed.GroupTopic(f.group)) || !slices.Contains(ev.Topics, feed.Monitor) ||
		ev.Data.(VoicemailEvent).Caller != "*******5678" {
		t.Errorf("event %+v", ev)
	}
	waitFor(t, "both waits closed as voicemail", func() bool {
		ws, err := f.st.QueueWaits(context.Background(), clk.Now().Add(-time.Hour), clk.Now().Add(time.Hour))
		return err == nil && len(ws) == 2 && ws[0].Outcome == store.QueueVoicemail && ws[1].Outcome == store.QueueVoicemail
	})
	msgs, _, err := f.st.ListOutbound(context.Background(), store.OutboundFilter{})
	if err != nil || len(msgs) != 1 || msgs[0].To != "cards@bank.cn" || msgs[0].Status != store.OutboundQueued ||
		msgs[0].Purpose != store.PurposeNotification || strings.Contains(msgs[0].Body, "13912345678") {
		t.Fatalf("e-mail %+v %v", msgs, err)
	}
}

// With nobody of the group signed in, a caller is offered voicemail at
// once; the maximum length ends the recording with a goodbye and hangup.
func TestVoicemailWithNobodySignedInEndsAtTheLimit(t *testing.T) {
	f, clk, _ := queueFixture(t, store.GroupQueue{Voicemail: true, VoicemailMaxS: 5})
	_, _ = f.d.Agent(context.Background(), 0) // the desk runs
	id := f.sw.Inbound("13912345678", "95555")
	waitFor(t, "the beep", func() bool { return hasSeq(f.broadcasts(id), DefaultPrompts.VoicemailBeep) })
	f.sw.Far(id).Complete("FILE PLAYED")
	var path string
	waitFor(t, "recording", func() bool {
		for _, c := range f.sw.CommandsOf(switchtest.OpRecordStart) {
			path = c.Args[0]
		}
		return path != ""
	})
	if err := os.WriteFile(path, []byte("RIFF....WAVEfmt "), 0o644); err != nil {
		t.Fatal(err)
	}
	bye := DefaultPrompts.VoicemailBye + "!NORMAL_CLEARING"
	advanceUntil(t, clk, "goodbye at the limit", func() bool { return hasSeq(f.broadcasts(id), bye) })
	if n := len(f.sw.CommandsOf(switchtest.OpRecordStop)); n != 1 {
		t.Errorf("%d record stops", n)
	}
	f.sw.Far(id).Hangup("NORMAL_CLEARING")
	waitFor(t, "the voicemail stored", func() bool {
		vms, _, _ := f.st.ListVoicemails(context.Background(), store.VoicemailFilter{})
		return len(vms) == 1 && vms[0].Reason == store.VoicemailNoAgent && vms[0].DurationMS == 5000
	})
}

func TestSayNumber(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "d/0.wav"}, {7, "d/7.wav"}, {13, "d/13.wav"}, {20, "d/20.wav"}, {42, "d/40.wav d/2.wav"},
		{100, "d/1.wav d/hundred.wav"}, {305, "d/3.wav d/hundred.wav d/5.wav"}, {1500, "d/9.wav d/hundred.wav d/90.wav d/9.wav"},
	}
	for _, tt := range tests {
		if got := strings.Join(sayNumber("d", tt.n), " "); got != tt.want {
			t.Errorf("%d: %s, want %s", tt.n, got, tt.want)
		}
	}
}

// The position counts the group's waiting customers ahead (not other
// groups' nor the dialer's reservations); the expected wait is the
// position times the mean gap between the group's recent grants.
func TestQueueSpotAndAnnouncement(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	d := New(Config{})
	r := newRouter(&Desk{clock: clock.NewFake(t0)})
	w := func(group int64, uuid string) *waiter { return &waiter{group: group, callUUID: uuid} }
	mine := w(1, "c")
	r.waiting = []*waiter{w(1, "a"), w(2, "x"), {group: 1, purpose: "progressive"}, {group: 1, purpose: "consult", callUUID: "y"},
		w(1, "b"), mine, w(1, "d")}
	r.agents[7] = &agent{id: 7, groups: []int64{1}}
	s := r.spot(mine)
	if s.position != 3 || s.expected != 0 || s.signedIn != 1 {
		t.Fatalf("spot %+v, want third, no estimate yet, one agent", s)
	}
	r.grants[1] = []time.Time{t0.Add(-4 * time.Minute), t0.Add(-3 * time.Minute), t0.Add(-time.Minute)}
	if s = r.spot(mine); s.expected != 3*90*time.Second {
		t.Fatalf("expected wait %s, want 3 × 90 s", s.expected)
	}
	if s := r.spot(w(1, "gone")); s.position != 0 {
		t.Fatalf("a waiter no longer queued: %+v", s)
	}
	tests := []struct {
		q    store.GroupQueue
		want string
	}{
		{store.GroupQueue{AnnouncePosition: true}, "ivr/ivr-you_are_number.wav digits/3.wav ivr/ivr-in_line.wav"},
		{store.GroupQueue{AnnounceWait: true}, "callcenter/queue-expected_wait.wav digits/5.wav callcenter/queue-minutes.wav"},
		{store.GroupQueue{AnnounceWait: true, AnnouncePosition: true}, "ivr/ivr-you_are_number.wav digits/3.wav ivr/ivr-in_line.wav " +
			"callcenter/queue-expected_wait.wav digits/5.wav callcenter/queue-minutes.wav"},
		{store.GroupQueue{}, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(d.announcementFiles(tt.q, s), " "); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.q, got, tt.want)
		}
	}
	if got := d.announcementFiles(store.GroupQueue{AnnounceWait: true}, queueSpot{position: 1}); len(got) != 0 {
		t.Errorf("a wait not known yet is not said: %v", got)
	}
}
