package acd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// Voicemail (R34): a queued customer whose group has voicemail on, after
// the group's maximum wait or with nobody of the group signed in, hears the
// greeting and a beep and is recorded (uuid_record on the customer's leg
// into Config.RecordingsDir/voicemail/...) until they hang up or the
// group's maximum length passes (then a goodbye and the hangup). The file's
// size and SHA-256 are stored as a store.Voicemail, the group's agents and
// the supervisors get a "voicemail" event and, when the group has a
// notify_email, an e-mail is queued for the notifier (messaging's e-mail
// sender, with its retries and delivery log).

// ErrVoicemail says the customer was sent to voicemail instead of an agent
// (Connect wraps it with dialer.ErrNoAgent).
var ErrVoicemail = errors.New("acd: the customer was offered voicemail")

// VoicemailError is Connect's error for a customer sent to voicemail: it
// is dialer.ErrNoAgent and ErrVoicemail, and says when the queue wait
// ended (Connect returns only when the message is over).
type VoicemailError struct {
	At     time.Time
	Reason store.VoicemailReason
}

func (e *VoicemailError) Error() string {
	return fmt.Sprintf("%v (%s): %v", ErrVoicemail, e.Reason, dialer.ErrNoAgent)
}

// Unwrap makes the error both ErrNoAgent and ErrVoicemail.
func (e *VoicemailError) Unwrap() []error { return []error{dialer.ErrNoAgent, ErrVoicemail} }

// EventVoicemail is the name of the stream event of a new voicemail.
const EventVoicemail = "voicemail"

// VoicemailEvent is the data of a "voicemail" event. The caller is masked:
// the stream goes to every agent of the group; the list
// (GET /api/v1/voicemails) shows whole numbers to those with pii_view.
type VoicemailEvent struct {
	ID         int64                 `json:"id"`
	GroupID    int64                 `json:"group_id"`
	Caller     string                `json:"caller"`
	CampaignID int64                 `json:"campaign_id,omitempty"`
	DurationMS int64                 `json:"duration_ms"`
	Reason     store.VoicemailReason `json:"reason"`
	At         time.Time             `json:"at"`
}

// voicemailBeepWait bounds the wait for the greeting and beep to finish
// (their execute_complete events), should the switch never report it.
const voicemailBeepWait = 60 * time.Second

// toVoicemail takes the customer to voicemail and returns Connect's error
// for a customer who was not connected.
func (d *Desk) toVoicemail(ctx context.Context, req dialer.ConnectRequest, q store.GroupQueue, reason store.VoicemailReason) error {
	at := d.clock.Now()
	vm, err := d.recordVoicemail(ctx, req, q, reason)
	if err != nil {
		d.log.Error("acd: voicemail", "call", req.Leg.UUID(), "group", req.GroupID, "err", err)
	} else if vm != nil {
		d.notifyVoicemail(ctx, vm, q)
	}
	return &VoicemailError{At: at, Reason: reason}
}

// voicemailName is the file's path under the recordings folder.
func voicemailName(uuid string, at time.Time) string {
	return filepath.Join("voicemail", at.Format("2006"), at.Format("01"), at.Format("02"), uuid+".wav")
}

// recordVoicemail plays the greeting and beep, records until the hangup or
// the limit, and stores the row; nil without error when the customer hung
// up before the beep.
func (d *Desk) recordVoicemail(ctx context.Context, req dialer.ConnectRequest, q store.GroupQueue, reason store.VoicemailReason) (*store.Voicemail, error) {
	leg, sw, p := req.Leg, d.cfg.Switch, d.cfg.Prompts
	uuid := leg.UUID()
	rel := voicemailName(uuid, d.clock.Now())
	abs := filepath.Join(d.cfg.RecordingsDir, rel)
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("voicemail folder: %w", err)
	}
	events := leg.Events()
	beepDone := make(chan struct{})
	go watchApp(events, p.VoicemailBeep, beepDone)
	if err := sw.Break(ctx, uuid, true); err != nil && !ended(leg) {
		return nil, fmt.Errorf("stop the music: %w", err)
	}
	for _, f := range []string{p.VoicemailGreeting, p.VoicemailBeep} {
		if err := sw.Broadcast(ctx, uuid, f, controller.BroadcastALeg); err != nil {
			return nil, fmt.Errorf("play %s: %w", f, err)
		}
	}
	wait := d.clock.NewTimer(voicemailBeepWait)
	defer wait.Stop()
	select {
	case <-beepDone:
	case <-wait.C():
	case <-leg.Done():
		return nil, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := sw.RecordStart(ctx, uuid, abs); err != nil {
		if ended(leg) {
			return nil, nil
		}
		return nil, fmt.Errorf("start recording: %w", err)
	}
	started := d.clock.Now()
	limit := d.clock.NewTimer(time.Duration(q.VoicemailLimitS()) * time.Second)
	defer limit.Stop()
	ended := started
	select {
	case <-leg.Done():
		ended = d.clock.Now()
	case <-limit.C():
		ended = d.clock.Now()
		bctx := context.WithoutCancel(ctx)
		_ = sw.RecordStop(bctx, uuid, abs)
		_ = sw.Broadcast(bctx, uuid, p.VoicemailBye+"!NORMAL_CLEARING", controller.BroadcastALeg)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	size, sum, err := settledFile(abs, recordingPatient)
	if err != nil {
		return nil, fmt.Errorf("voicemail not written (%s): %w", abs, err)
	}
	vm := &store.Voicemail{GroupID: req.GroupID, CallUUID: uuid, Caller: leg.Record().Destination, CampaignID: req.CampaignID,
		AttemptID: req.AttemptID, ContactID: req.ContactID, Reason: reason, Path: rel, Format: "wav", Bytes: size,
		SHA256: sum, DurationMS: ended.Sub(started).Milliseconds(), CreatedAt: started}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.cfg.Store.SaveVoicemail(sctx, vm); err != nil {
		return nil, err
	}
	d.log.Info("acd: voicemail left", "call", uuid, "group", req.GroupID, "voicemail", vm.ID, "reason", reason,
		"duration_ms", vm.DurationMS)
	return vm, nil
}

// watchApp closes done when an application with data path completes on
// the leg, and reads the stream to its end (its reader must be drained).
func watchApp(events <-chan controller.Event, path string, done chan<- struct{}) {
	closed := false
	for e := range events {
		if !closed && e.Kind == controller.EventExecuteComplete && e.App.Data == path {
			close(done)
			closed = true
		}
	}
}

// notifyVoicemail tells the group's agents and the supervisors, and
// queues the group's e-mail.
func (d *Desk) notifyVoicemail(ctx context.Context, vm *store.Voicemail, q store.GroupQueue) {
	d.publish(feed.Event{Name: EventVoicemail, Topics: []feed.Topic{feed.GroupTopic(vm.GroupID), feed.Monitor},
		Data: VoicemailEvent{ID: vm.ID, GroupID: vm.GroupID, Caller: maskPhone(vm.Caller), CampaignID: vm.CampaignID,
			DurationMS: vm.DurationMS, Reason: vm.Reason, At: vm.CreatedAt}})
	if q.NotifyEmail == "" {
		return
	}
	key := fmt.Sprintf("voicemail:%d", vm.ID)
	secs := (vm.DurationMS + 999) / 1000
	msg := &store.OutboundMessage{Purpose: store.PurposeNotification, Channel: "email", Provider: "pending",
		CampaignID: vm.CampaignID, ContactID: vm.ContactID, AttemptUUID: vm.CallUUID, DedupKey: &key, To: q.NotifyEmail,
		Subject: fmt.Sprintf("新留言 / New voicemail #%d", vm.ID),
		Body: fmt.Sprintf("来电 %s 留言 %d 秒（%s）。请在系统中收听并处理：GET /api/v1/voicemails/%d/audio\n"+
			"Caller %s left a %d s voicemail (%s). Listen and mark it handled in the call center.",
			maskPhone(vm.Caller), secs, vm.Reason, vm.ID, maskPhone(vm.Caller), secs, vm.Reason),
		Status: store.OutboundQueued}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := d.cfg.Store.LogOutbound(sctx, msg); err != nil {
		d.log.Error("acd: queue the voicemail e-mail", "voicemail", vm.ID, "err", err)
	}
}
