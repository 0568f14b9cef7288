package acd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// Waiting in a group's queue (issue 10, R34). A customer queued without a
// deadline (inbound calls, IVR callers asking for an agent) hears music;
// every store.GroupQueue.AnnounceEveryS the music stops for their position
// and/or the expected wait, then resumes. After MaxWaitS, or at once when
// nobody of the group is signed in, a group with Voicemail on records a
// message instead (voicemail.go). A call with a dialer deadline (predictive,
// 2 s) is never announced to or sent to voicemail: the dialer's compliance
// message follows its wait.

// grantHistory is how many recent queue grants per group estimate the
// expected wait.
const grantHistory = 10

// noteGrant remembers when a queued customer got an agent.
func (r *router) noteGrant(w *waiter) {
	if w.callUUID == "" || w.purpose != "connect" {
		return
	}
	h := append(r.grants[w.group], r.now())
	if len(h) > grantHistory {
		h = h[len(h)-grantHistory:]
	}
	r.grants[w.group] = h
}

// queueSpot is where a waiting customer stands.
type queueSpot struct {
	position int           // 1: next to be served; 0: no longer waiting
	expected time.Duration // 0: not known yet
	signedIn int           // agents of the group signed in
}

// spot reports w's position among the customers waiting for its group
// and the expected wait: position × the mean gap between the group's
// recent grants (unknown until two customers were served).
func (r *router) spot(w *waiter) queueSpot {
	var s queueSpot
	pos := 0
	for _, o := range r.waiting {
		if o.group == w.group && o.callUUID != "" && o.purpose != "consult" { // customers, not agents' consults
			pos++
		}
		if o == w {
			s.position = pos
			break
		}
	}
	if h := r.grants[w.group]; len(h) >= 2 && s.position > 0 {
		gap := h[len(h)-1].Sub(h[0]) / time.Duration(len(h)-1)
		s.expected = gap * time.Duration(s.position)
	}
	s.signedIn = r.signedIn(w.group)
	return s
}

func (r *router) signedIn(group int64) int {
	n := 0
	for _, a := range r.agents {
		if a.inGroup(group) {
			n++
		}
	}
	return n
}

// errQueueOver ends a queue wait for voicemail.
type errQueueOver struct{ reason store.VoicemailReason }

func (e errQueueOver) Error() string { return "acd: queue wait over: " + string(e.reason) }

// queueSettings loads the group's queue settings; a group that cannot be
// read is waited for plainly (music only), as before.
func (d *Desk) queueSettings(ctx context.Context, groupID int64) store.GroupQueue {
	g, err := d.cfg.Store.GetGroup(ctx, groupID)
	if err != nil {
		d.log.Warn("acd: queue settings", "group", groupID, "err", err)
		return store.GroupQueue{}
	}
	return g.GroupQueue
}

// waitInQueue is Connect's wait for an agent with the group's queue
// treatment: announcements while waiting, voicemail after the maximum wait
// or when nobody can answer. A customer sent to voicemail is recorded and
// hung up here; the error then wraps dialer.ErrNoAgent and ErrVoicemail.
func (d *Desk) waitInQueue(ctx context.Context, req dialer.ConnectRequest, w *waiter) (dialer.Reservation, error) {
	if !req.Deadline.IsZero() {
		return d.wait(ctx, w, req.Leg.Done())
	}
	q := d.queueSettings(ctx, req.GroupID)
	q.Voicemail = q.Voicemail && d.cfg.RecordingsDir != "" // nowhere to record: music only
	if q.AnnounceEveryS == 0 && !q.Voicemail {
		return d.wait(ctx, w, req.Leg.Done())
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if q.Voicemail {
		var n int
		if err := d.do(ctx, func() { n = d.r.signedIn(req.GroupID) }); err != nil {
			return dialer.Reservation{}, err
		}
		if n == 0 {
			return dialer.Reservation{}, d.toVoicemail(ctx, req, q, store.VoicemailNoAgent)
		}
		if q.MaxWaitS > 0 {
			t := d.clock.AfterFunc(time.Duration(q.MaxWaitS)*time.Second, func() { cancel(errQueueOver{store.VoicemailMaxWait}) })
			defer t.Stop()
		}
	}
	// The customer is queued before the announcer starts: it ends when it
	// finds the customer out of the queue. It is stopped and waited for
	// before the wait returns, so no announcement or music command of it
	// reaches a customer already being bridged to an agent.
	if err := d.do(ctx, func() { d.r.enqueue(w) }); err != nil {
		return dialer.Reservation{}, err
	}
	announced := make(chan struct{})
	go func() { defer close(announced); d.announce(wctx, cancel, req.Leg, w, q) }()
	res, err := d.awaitGrant(wctx, w, req.Leg.Done())
	stopped := context.Cause(wctx)
	cancel(nil)
	<-announced
	var over errQueueOver
	if err != nil && errors.As(stopped, &over) && ctx.Err() == nil && !ended(req.Leg) {
		return dialer.Reservation{}, d.toVoicemail(ctx, req, q, over.reason)
	}
	return res, err
}

// announcePoll is how often a waiting customer's queue is looked at when
// no announcement is due (the group's last agent signing out).
const announcePoll = 5 * time.Second

// announce runs beside one queued customer until the wait ends: every
// AnnounceEveryS it plays the position and/or expected wait between the
// music; with voicemail on, the group losing its last signed-in agent ends
// the wait for voicemail.
func (d *Desk) announce(ctx context.Context, over context.CancelCauseFunc, leg controller.Leg, w *waiter, q store.GroupQueue) {
	every := time.Duration(q.AnnounceEveryS) * time.Second
	tick := every
	if q.Voicemail && (tick == 0 || tick > announcePoll) {
		tick = announcePoll
	}
	next := d.clock.Now().Add(every)
	t := d.clock.NewTimer(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-leg.Done():
			return
		case <-t.C():
		}
		var s queueSpot
		if err := d.do(ctx, func() { s = d.r.spot(w) }); err != nil || s.position == 0 {
			return
		}
		if q.Voicemail && s.signedIn == 0 {
			over(errQueueOver{store.VoicemailNoAgent})
			return
		}
		if every > 0 && !d.clock.Now().Before(next) {
			d.playAnnouncement(ctx, leg.UUID(), q, s)
			next = d.clock.Now().Add(every)
		}
		t.Reset(tick)
	}
}

// playAnnouncement stops the music, plays the announcement and starts the
// music again; each file is its own uuid_broadcast, queued in order on the
// channel (a '!' would end a broadcast path, so no file_string://).
func (d *Desk) playAnnouncement(ctx context.Context, uuid string, q store.GroupQueue, s queueSpot) {
	files := d.announcementFiles(q, s)
	if len(files) == 0 {
		return
	}
	sw := d.cfg.Switch
	if err := sw.Break(ctx, uuid, true); err != nil {
		d.log.Warn("acd: stop music for an announcement", "call", uuid, "err", err)
		return
	}
	for _, f := range append(files, d.cfg.MusicOnHold) {
		if ctx.Err() != nil { // the wait ended: an agent takes the customer now
			return
		}
		if err := sw.Broadcast(ctx, uuid, f, controller.BroadcastALeg); err != nil {
			d.log.Warn("acd: queue announcement", "call", uuid, "file", f, "err", err)
			return
		}
	}
}

// announcementFiles is what one announcement plays: "you are number N in
// line" and "the expected wait is M minutes", as the group chose.
func (d *Desk) announcementFiles(q store.GroupQueue, s queueSpot) []string {
	p := d.cfg.Prompts
	var files []string
	if q.AnnouncePosition {
		files = append(files, p.PositionBefore)
		files = append(files, sayNumber(p.Digits, s.position)...)
		files = append(files, p.PositionAfter)
	}
	if q.AnnounceWait && s.expected > 0 {
		mins := int((s.expected + time.Minute - 1) / time.Minute)
		files = append(files, p.WaitBefore)
		files = append(files, sayNumber(p.Digits, mins)...)
		files = append(files, p.WaitAfter)
	}
	out := files[:0]
	for _, f := range files {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// sayNumber is the digit prompts that say n (0-999, larger numbers are
// said as 999) the way FreeSWITCH's sound sets name them: digits/0.wav to
// digits/19.wav, digits/20.wav ... digits/90.wav, digits/hundred.wav.
func sayNumber(dir string, n int) []string {
	n = min(max(n, 0), 999)
	f := func(k int) string { return fmt.Sprintf("%s/%d.wav", dir, k) }
	var out []string
	if h := n / 100; h > 0 {
		out = append(out, f(h), dir+"/hundred.wav")
		n %= 100
		if n == 0 {
			return out
		}
	}
	switch {
	case n < 20:
		out = append(out, f(n))
	case n%10 == 0:
		out = append(out, f(n))
	default:
		out = append(out, f(n-n%10), f(n%10))
	}
	return out
}

// Prompts are the sound files the desk plays to waiting customers, as
// FreeSWITCH finds them (relative to its sounds folder, or absolute).
type Prompts struct {
	// PositionBefore, the position as digits, PositionAfter: "you are
	// number" 3 "in line" (FreeSWITCH's stock ivr/ prompts by default).
	PositionBefore, PositionAfter string
	// WaitBefore, the minutes as digits, WaitAfter: "the expected wait is"
	// 4 "minutes"; no stock prompt says this, so the defaults name files
	// the site records (callcenter.sample.yaml, acd.prompts).
	WaitBefore, WaitAfter string
	// Digits is the folder of digits/N.wav.
	Digits string
	// VoicemailGreeting is played before the beep; VoicemailBeep is the tone.
	VoicemailGreeting, VoicemailBeep string
	// VoicemailBye is played when the maximum length is reached.
	VoicemailBye string
}

// DefaultPrompts are FreeSWITCH's stock sounds where one exists.
var DefaultPrompts = Prompts{
	PositionBefore: "ivr/ivr-you_are_number.wav", PositionAfter: "ivr/ivr-in_line.wav",
	WaitBefore: "callcenter/queue-expected_wait.wav", WaitAfter: "callcenter/queue-minutes.wav",
	Digits:            "digits",
	VoicemailGreeting: "voicemail/vm-record_message.wav", VoicemailBeep: "tone_stream://%(1000,0,640)",
	VoicemailBye: "voicemail/vm-goodbye.wav",
}

func (p *Prompts) orDefaults() {
	d := DefaultPrompts
	for _, f := range []struct {
		dst *string
		def string
	}{
		{&p.PositionBefore, d.PositionBefore}, {&p.PositionAfter, d.PositionAfter}, {&p.WaitBefore, d.WaitBefore},
		{&p.WaitAfter, d.WaitAfter}, {&p.Digits, d.Digits}, {&p.VoicemailGreeting, d.VoicemailGreeting},
		{&p.VoicemailBeep, d.VoicemailBeep}, {&p.VoicemailBye, d.VoicemailBye},
	} {
		if *f.dst == "" {
			*f.dst = f.def
		}
	}
}
