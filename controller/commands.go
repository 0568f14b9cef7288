package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkArgs refuses text that would break the ESL frame or the api
// argument split: a newline would start a new header, a space a new word.
func checkArgs(words ...string) error {
	for _, w := range words {
		if w == "" || strings.ContainsAny(w, " \t\r\n") {
			return fmt.Errorf("%w: argument %q", ErrInvalid, w)
		}
	}
	return nil
}

// onChannel runs `api <cmd> <uuid> <rest>` on the node that owns uuid.
func (p *Pool) onChannel(ctx context.Context, uuid, cmd string, rest ...string) error {
	if err := checkArgs(append([]string{uuid}, rest...)...); err != nil {
		return fmt.Errorf("controller: %s: %w", cmd, err)
	}
	n, err := p.nodeOf(uuid)
	if err != nil {
		return fmt.Errorf("controller: %s: %w", cmd, err)
	}
	args := strings.Join(append([]string{cmd, uuid}, rest...), " ")
	if _, err := n.api(ctx, args); err != nil {
		return fmt.Errorf("controller: %s %s: %w", cmd, uuid, err)
	}
	return nil
}

// Bridge joins two channels of the same node (uuid_bridge).
func (p *Pool) Bridge(ctx context.Context, uuid, otherUUID string) error {
	a, err := p.nodeOf(uuid)
	if err != nil {
		return fmt.Errorf("controller: bridge: %w", err)
	}
	b, err := p.nodeOf(otherUUID)
	if err != nil {
		return fmt.Errorf("controller: bridge: %w", err)
	}
	if a != b {
		return fmt.Errorf("controller: bridge %s to %s: %w", uuid, otherUUID, ErrCrossNode)
	}
	return p.onChannel(ctx, uuid, "uuid_bridge", otherUUID)
}

// Transfer sends a channel (or its partner, or both) to a dialplan extension.
func (p *Pool) Transfer(ctx context.Context, req TransferRequest) error {
	dp, dctx := req.Dialplan, req.Context
	if dp == "" {
		dp = "XML"
	}
	if dctx == "" {
		dctx = "default"
	}
	rest := []string{req.Dest, dp, dctx}
	if req.Leg != TransferThis {
		rest = append([]string{string(req.Leg)}, rest...)
	}
	return p.onChannel(ctx, req.UUID, "uuid_transfer", rest...)
}

// Hold puts a channel's partner on hold music (uuid_hold).
func (p *Pool) Hold(ctx context.Context, uuid string) error {
	return p.holdCmd(ctx, uuid, "")
}

// Unhold takes a channel off hold.
func (p *Pool) Unhold(ctx context.Context, uuid string) error {
	return p.holdCmd(ctx, uuid, "off")
}

// holdCmd puts the mode word before the uuid, as uuid_hold wants it.
func (p *Pool) holdCmd(ctx context.Context, uuid, mode string) error {
	if err := checkArgs(uuid); err != nil {
		return fmt.Errorf("controller: uuid_hold: %w", err)
	}
	n, err := p.nodeOf(uuid)
	if err != nil {
		return fmt.Errorf("controller: uuid_hold: %w", err)
	}
	args := "uuid_hold " + uuid
	if mode != "" {
		args = "uuid_hold " + mode + " " + uuid
	}
	if _, err := n.api(ctx, args); err != nil {
		return fmt.Errorf("controller: uuid_hold %s %s: %w", mode, uuid, err)
	}
	return nil
}

// RecordStart starts recording a channel to path on the switch.
func (p *Pool) RecordStart(ctx context.Context, uuid, path string) error {
	return p.onChannel(ctx, uuid, "uuid_record", "start", path)
}

// RecordStop stops a recording started with RecordStart.
func (p *Pool) RecordStop(ctx context.Context, uuid, path string) error {
	return p.onChannel(ctx, uuid, "uuid_record", "stop", path)
}

// RecordMask silences (masked) or resumes a recording, e.g. while the
// customer keys a card number.
func (p *Pool) RecordMask(ctx context.Context, uuid, path string, masked bool) error {
	op := "unmask"
	if masked {
		op = "mask"
	}
	return p.onChannel(ctx, uuid, "uuid_record", op, path)
}

// Broadcast plays a file (or `app::args`) to a channel (uuid_broadcast).
func (p *Pool) Broadcast(ctx context.Context, uuid, path string, leg BroadcastLeg) error {
	if leg == "" {
		leg = BroadcastALeg
	}
	return p.onChannel(ctx, uuid, "uuid_broadcast", path, string(leg))
}

// StartBeepDetection starts mod_avmd's beep detection on a call that is up
// through its API (avmd <uuid> start), which adds the media bug at once. A
// uuid_broadcast of avmd_start would wait in the channel's queue behind an
// application sent with event-lock (an IVR's long playback), and the beep
// would pass unheard. mod_avmd answers "+ERR ... NOT started" in some
// failures, which is an error too.
func (p *Pool) StartBeepDetection(ctx context.Context, uuid string) error {
	if err := checkArgs(uuid); err != nil {
		return fmt.Errorf("controller: avmd: %w", err)
	}
	n, err := p.nodeOf(uuid)
	if err != nil {
		return fmt.Errorf("controller: avmd: %w", err)
	}
	reply, err := n.api(ctx, "avmd "+uuid+" start")
	if err != nil {
		return fmt.Errorf("controller: avmd %s start: %w", uuid, err)
	}
	if strings.HasPrefix(reply, "+ERR") {
		return fmt.Errorf("controller: avmd %s start: %w: %s", uuid, ErrRejected, strings.TrimSpace(reply))
	}
	return nil
}

// Hangup ends a channel with a cause (default NORMAL_CLEARING).
func (p *Pool) Hangup(ctx context.Context, uuid, cause string) error {
	if cause == "" {
		cause = "NORMAL_CLEARING"
	}
	return p.onChannel(ctx, uuid, "uuid_kill", cause)
}

// SetVar sets a channel variable.
func (p *Pool) SetVar(ctx context.Context, uuid, name, value string) error {
	if strings.ContainsAny(value, "\r\n") {
		return fmt.Errorf("controller: uuid_setvar: %w: value with a line break", ErrInvalid)
	}
	if err := checkArgs(uuid, name); err != nil {
		return fmt.Errorf("controller: uuid_setvar: %w", err)
	}
	n, err := p.nodeOf(uuid)
	if err != nil {
		return fmt.Errorf("controller: uuid_setvar: %w", err)
	}
	if _, err := n.api(ctx, "uuid_setvar "+uuid+" "+name+" "+value); err != nil {
		return fmt.Errorf("controller: uuid_setvar %s %s: %w", uuid, name, err)
	}
	return nil
}

// Answer answers a ringing inbound channel (uuid_answer).
func (p *Pool) Answer(ctx context.Context, uuid string) error {
	return p.onChannel(ctx, uuid, "uuid_answer")
}

// PhoneEvent sends the phone on a channel a remote-control event
// (uuid_phone_event <uuid> talk|hold; mod_commands passes it to the
// endpoint as SWITCH_MESSAGE_INDICATE_PHONE_EVENT, which mod_sofia turns
// into a NOTIFY the phone acts on: talk answers a ringing call).
func (p *Pool) PhoneEvent(ctx context.Context, uuid, event string) error {
	if event != "talk" && event != "hold" {
		return fmt.Errorf("controller: uuid_phone_event: %w: event %q", ErrInvalid, event)
	}
	return p.onChannel(ctx, uuid, "uuid_phone_event", event)
}

// Conference moves a channel into a conference room on its node
// (uuid_transfer to an inline conference application).
func (p *Pool) Conference(ctx context.Context, uuid, room string) error {
	if err := checkArgs(room); err != nil || strings.ContainsAny(room, ",@'") {
		return fmt.Errorf("controller: conference: %w: room %q", ErrInvalid, room)
	}
	return p.onChannel(ctx, uuid, "uuid_transfer", "conference:"+room+"@default", "inline")
}

// Park stops what a channel does and parks it (uuid_park).
func (p *Pool) Park(ctx context.Context, uuid string) error {
	return p.onChannel(ctx, uuid, "uuid_park")
}

// Break stops the running application (playback) of a channel; with all it
// also drops the applications queued behind it (uuid_break).
func (p *Pool) Break(ctx context.Context, uuid string, all bool) error {
	if all {
		return p.onChannel(ctx, uuid, "uuid_break", "all")
	}
	return p.onChannel(ctx, uuid, "uuid_break")
}

// DisplaceStart mixes a file into a channel's audio (uuid_displace start),
// for at most limit, rounded up to whole seconds (0: no limit).
func (p *Pool) DisplaceStart(ctx context.Context, uuid, path string, limit time.Duration) error {
	rest := []string{"start", path}
	if limit > 0 {
		rest = append(rest, strconv.Itoa(int((limit+time.Second-1)/time.Second)))
	}
	return p.onChannel(ctx, uuid, "uuid_displace", rest...)
}

// DisplaceStop ends a displacement started with DisplaceStart.
func (p *Pool) DisplaceStop(ctx context.Context, uuid, path string) error {
	return p.onChannel(ctx, uuid, "uuid_displace", "stop", path)
}

// SetVars sets several channel variables in one command
// (uuid_setvar_multi); names and values may not hold ';', '=' (names),
// spaces (names) or line breaks.
func (p *Pool) SetVars(ctx context.Context, uuid string, vars map[string]string) error {
	if len(vars) == 0 {
		return nil
	}
	pairs := make([]string, 0, len(vars))
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		v := vars[k]
		if checkArgs(k) != nil || strings.ContainsAny(k, ";=") || v == "" || strings.ContainsAny(v, ";\r\n") {
			return fmt.Errorf("controller: uuid_setvar_multi: %w: variable %q", ErrInvalid, k)
		}
		pairs = append(pairs, k+"="+v)
	}
	if err := checkArgs(uuid); err != nil {
		return fmt.Errorf("controller: uuid_setvar_multi: %w", err)
	}
	n, err := p.nodeOf(uuid)
	if err != nil {
		return fmt.Errorf("controller: uuid_setvar_multi: %w", err)
	}
	if _, err := n.api(ctx, "uuid_setvar_multi "+uuid+" "+strings.Join(pairs, ";")); err != nil {
		return fmt.Errorf("controller: uuid_setvar_multi %s: %w", uuid, err)
	}
	return nil
}

// Channels lists the channels of every node that is up; with no node up
// it fails with ErrNodeDown.
func (p *Pool) Channels(ctx context.Context) ([]Channel, error) {
	var out []Channel
	up := 0
	for _, n := range p.nodes {
		if !n.up() {
			continue
		}
		up++
		body, err := n.api(ctx, "show channels as json")
		if err != nil {
			return out, fmt.Errorf("controller: show channels: %w", err)
		}
		rows, err := parseChannels(n.cfg.Name, body)
		if err != nil {
			return out, fmt.Errorf("controller: node %s: %w", n.cfg.Name, err)
		}
		out = append(out, rows...)
	}
	if up == 0 {
		return nil, fmt.Errorf("controller: show channels: %w", ErrNodeDown)
	}
	return out, nil
}

// Eavesdrop rings the supervisor on the target's node; on answer the leg
// listens to, whispers to (heard by the target's own party) or barges
// into (three-way) the target channel.
func (p *Pool) Eavesdrop(ctx context.Context, req EavesdropRequest) (Leg, error) {
	n, err := p.nodeOf(req.TargetUUID)
	if err != nil {
		return nil, fmt.Errorf("controller: eavesdrop: %w", err)
	}
	o := OriginateRequest{Endpoint: req.Endpoint, Node: n.cfg.Name, CallerIDName: req.CallerIDName,
		AgentID: req.AgentID, App: "eavesdrop", AppArgs: req.TargetUUID, Vars: map[string]string{}}
	switch req.Mode {
	case EavesdropListen, "":
	case EavesdropWhisper:
		o.Vars["eavesdrop_whisper_bleg"] = "true"
	case EavesdropBarge:
		o.App = "three_way"
	default:
		return nil, fmt.Errorf("controller: eavesdrop: %w: mode %q", ErrInvalid, req.Mode)
	}
	if req.Endpoint == "" {
		return nil, fmt.Errorf("controller: eavesdrop: %w: no supervisor endpoint", ErrInvalid)
	}
	return p.Originate(ctx, o)
}
