package controller

import (
	"net/textproto"
	"strconv"
	"testing"
	"time"
)

// ev builds a channel event with headers given as name, value pairs.
func ev(name string, seq uint64, kv ...string) *event {
	h := textproto.MIMEHeader{}
	h.Set("Event-Name", name)
	h.Set("Event-Sequence", strconv.FormatUint(seq, 10))
	h.Set("Event-Date-Timestamp", strconv.FormatInt(time.Unix(1700000000, 0).Add(time.Duration(seq)*time.Second).UnixMicro(), 10))
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return newEvent(h, nil)
}

func TestCallRecordApply(t *testing.T) {
	answered := []*event{
		ev("CHANNEL_CREATE", 1), ev("CHANNEL_PROGRESS", 2), ev("CHANNEL_ANSWER", 3),
		ev("CHANNEL_BRIDGE", 4, "Bridge-A-Unique-ID", "u1", "Bridge-B-Unique-ID", "agent-1"),
		ev("CHANNEL_HOLD", 5), ev("CHANNEL_UNHOLD", 6), ev("CHANNEL_UNBRIDGE", 7),
		ev("CHANNEL_HANGUP", 8, "Hangup-Cause", "NORMAL_CLEARING"),
		ev("CHANNEL_HANGUP_COMPLETE", 9, "Hangup-Cause", "NORMAL_CLEARING", "Hangup-Cause", "NORMAL_CLEARING",
			"variable_sip_term_status", "200", "variable_billsec", "42"),
	}
	tests := []struct {
		name   string
		events []*event
		want   CallRecord
	}{
		{"answered, bridged, hung up", answered, CallRecord{State: StateEnded, Result: ResultAnswered,
			HangupCause: "NORMAL_CLEARING", SIPCode: 200, BillSec: 42, OtherUUIDs: []string{"agent-1"}}},
		{"late answer after hangup does not revive", []*event{
			ev("CHANNEL_CREATE", 1), ev("CHANNEL_HANGUP", 3, "Hangup-Cause", "USER_BUSY"),
			ev("CHANNEL_PROGRESS", 2), ev("CHANNEL_HANGUP_COMPLETE", 4, "Hangup-Cause", "USER_BUSY", "variable_sip_term_status", "486"),
		}, CallRecord{State: StateEnded, Result: ResultBusy, HangupCause: "USER_BUSY", SIPCode: 486}},
		{"no answer", []*event{
			ev("CHANNEL_CREATE", 1), ev("CHANNEL_PROGRESS_MEDIA", 2),
			ev("CHANNEL_HANGUP_COMPLETE", 3, "Hangup-Cause", "NO_ANSWER"),
		}, CallRecord{State: StateEnded, Result: ResultNoAnswer, HangupCause: "NO_ANSWER"}},
		{"machine", []*event{
			ev("CHANNEL_CREATE", 1), ev("CHANNEL_ANSWER", 2),
			ev("CHANNEL_HANGUP_COMPLETE", 3, "Hangup-Cause", "NORMAL_CLEARING", "variable_amd_result", "MACHINE"),
		}, CallRecord{State: StateEnded, Result: ResultMachine, HangupCause: "NORMAL_CLEARING", Machine: true, AMD: AMDMachine}},
		{"amd app verdict human", []*event{
			ev("CHANNEL_CREATE", 1), ev("CHANNEL_ANSWER", 2),
			ev("CHANNEL_EXECUTE_COMPLETE", 3, "Application", "amd", "variable_amd_result", "HUMAN"),
			ev("CHANNEL_HANGUP_COMPLETE", 4, "Hangup-Cause", "NORMAL_CLEARING", "variable_amd_result", "HUMAN"),
		}, CallRecord{State: StateEnded, Result: ResultAnswered, HangupCause: "NORMAL_CLEARING", AMD: AMDHuman}},
		{"amd not sure (fork spelling)", []*event{
			ev("CHANNEL_ANSWER", 2), ev("CHANNEL_EXECUTE_COMPLETE", 3, "Application", "mod_amd", "variable_amd_result", "NOT_SURE"),
			ev("CHANNEL_HANGUP_COMPLETE", 4, "Hangup-Cause", "NORMAL_CLEARING"),
		}, CallRecord{State: StateEnded, Result: ResultAnswered, HangupCause: "NORMAL_CLEARING", AMD: AMDNotSure}},
		{"avmd beep overrides a human verdict", []*event{
			ev("CHANNEL_ANSWER", 2), ev("CHANNEL_EXECUTE_COMPLETE", 3, "variable_amd_result", "HUMAN"),
			ev("CUSTOM", 4, "Event-Subclass", "avmd::beep", "Beep-Status", "DETECTED"),
			ev("CHANNEL_HANGUP_COMPLETE", 5, "Hangup-Cause", "NORMAL_CLEARING", "variable_amd_result", "HUMAN",
				"variable_avmd_detect", "TRUE"),
		}, CallRecord{State: StateEnded, Result: ResultMachine, HangupCause: "NORMAL_CLEARING", Machine: true, AMD: AMDMachine}},
		{"answer seen only in the CDR", []*event{
			ev("CHANNEL_DESTROY", 3, "Hangup-Cause", "NORMAL_CLEARING", "variable_answer_epoch", "1700000002"),
		}, CallRecord{State: StateEnded, Result: ResultNoAnswer, HangupCause: "NORMAL_CLEARING"}},
		{"still ringing", []*event{ev("CHANNEL_CREATE", 1), ev("CHANNEL_PROGRESS", 2)},
			CallRecord{State: StateRinging}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CallRecord{UUID: "u1", State: StateDialing}
			for _, e := range tt.events {
				r.apply(e, time.Unix(1800000000, 0))
			}
			if r.State != tt.want.State || r.Result != tt.want.Result || r.HangupCause != tt.want.HangupCause ||
				r.SIPCode != tt.want.SIPCode || r.BillSec != tt.want.BillSec || r.Machine != tt.want.Machine || r.AMD != tt.want.AMD ||
				len(r.OtherUUIDs) != len(tt.want.OtherUUIDs) || r.Bridged || r.Held {
				t.Errorf("got %+v\nwant %+v", r, tt.want)
			}
		})
	}
}

func TestCallRecordTimes(t *testing.T) {
	r := CallRecord{UUID: "u1", State: StateDialing}
	r.apply(ev("CHANNEL_CREATE", 1), time.Unix(1800000000, 0))
	if ch := r.apply(ev("CHANNEL_ANSWER", 3), time.Unix(1800000000, 0)); !ch.answered {
		t.Error("answer not reported")
	}
	if ch := r.apply(ev("CHANNEL_ANSWER", 4), time.Unix(1800000000, 0)); ch.answered {
		t.Error("second answer reported again")
	}
	ch := r.apply(ev("CHANNEL_BRIDGE", 5, "Other-Leg-Unique-ID", "b"), time.Unix(1800000000, 0))
	if !ch.bridged || !r.Bridged {
		t.Error("bridge not reported")
	}
	base := time.Unix(1700000000, 0)
	if !r.CreatedAt.Equal(base.Add(time.Second)) || !r.AnsweredAt.Equal(base.Add(3*time.Second)) || !r.BridgedAt.Equal(base.Add(5*time.Second)) {
		t.Errorf("times from Event-Date-Timestamp: %v %v %v", r.CreatedAt, r.AnsweredAt, r.BridgedAt)
	}
	r.apply(ev("CHANNEL_HANGUP_COMPLETE", 7, "Hangup-Cause", "NORMAL_CLEARING"), time.Unix(1800000000, 0))
	if ch := r.apply(ev("CHANNEL_BRIDGE", 6), time.Unix(1800000000, 0)); ch.bridged || r.Bridged || r.State != StateEnded {
		t.Errorf("late bridge changed an ended call: %+v", r)
	}
}

func TestCallRecordJob(t *testing.T) {
	tests := []struct {
		body      string
		failed    bool
		wantCause string
	}{
		{"+OK u1\n", false, ""},
		{"-ERR USER_BUSY\n", true, "USER_BUSY"},
		{"-ERR NO_ANSWER", true, "NO_ANSWER"},
		{"-USAGE: originate <url>\n", true, "NORMAL_UNSPECIFIED"},
	}
	for _, tt := range tests {
		r := CallRecord{}
		if got := r.applyJob(tt.body); got != tt.failed || r.HangupCause != tt.wantCause {
			t.Errorf("applyJob(%q) = %v cause %q; want %v %q", tt.body, got, r.HangupCause, tt.failed, tt.wantCause)
		}
	}
}
