package esltest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// uuid_broadcast on a bridged channel plays inside the bridge: afterwards
// the legs are still bridged and up (FreeSWITCH runs the queued app in the
// bridge thread); a parked channel goes back to park.
func TestBroadcastReturnsToBridgeOrPark(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP", "+OK event listener enabled plain")
	setups := map[string]func(a, b string){
		"uuid_bridge": func(a, b string) {
			for _, id := range []string{a, b} {
				c.api("originate {origination_uuid=" + id + "}loopback/park &park()")
			}
			c.api("uuid_bridge " + a + " " + b)
		},
		"bridge app": func(a, b string) {
			c.api("originate {origination_uuid=" + a + "}loopback/park &bridge({origination_uuid=" + b + "}user/1001)")
		},
	}
	for name, setup := range setups {
		for _, leg := range []string{"aleg", "bleg", "both"} {
			t.Run(name+" "+leg, func(t *testing.T) {
				a, b := name[:4]+"-a-"+leg, name[:4]+"-b-"+leg
				setup(a, b)
				eventually(t, func() bool { ci, _ := chanInfo(s, a); return ci.BridgedTo == b })
				if got := c.api("uuid_broadcast " + a + " silence_stream://300 " + leg); got != "+OK Message sent\n" {
					t.Fatal(got)
				}
				c.waitEvent("playback done", func(hs []header) bool {
					return hget(hs, "Event-Name") == "CHANNEL_EXECUTE_COMPLETE" && hget(hs, "Application") == "playback"
				})
				// Whatever else is queued has run once every leg's app is done.
				eventually(t, func() bool {
					ca, _ := chanInfo(s, a)
					cb, _ := chanInfo(s, b)
					return ca.Application != "playback" && cb.Application != "playback"
				})
				ca, okA := chanInfo(s, a)
				cb, okB := chanInfo(s, b)
				if !okA || !okB || ca.BridgedTo != b || cb.BridgedTo != a {
					t.Fatalf("after the broadcast: a up %v bridged to %q, b up %v bridged to %q", okA, ca.BridgedTo, okB, cb.BridgedTo)
				}
				c.api("uuid_kill " + a)
			})
		}
	}
	c.api("originate {origination_uuid=parked}loopback/park &park()")
	c.api("uuid_broadcast parked silence_stream://300 aleg")
	c.waitEvent("playback done", func(hs []header) bool {
		return hget(hs, "Unique-ID") == "parked" && hget(hs, "Application") == "playback"
	})
	eventually(t, func() bool { ci, ok := chanInfo(s, "parked"); return ok && ci.Parked && ci.Application == "park" })
}

// Answering-machine detection follows the scenario: amd_result and
// amd_cause on the amd app's EXECUTE_COMPLETE, and for a machine a beep
// from avmd with mod_avmd's own headers.
func TestAMDVerdictsPerScenario(t *testing.T) {
	sc := DefaultScenario()
	sc.Overrides = []NumberOverride{
		{Number: "1", Outcome: OutcomeAnswer, Ring: time.Second},
		{Number: "2", Outcome: OutcomeMachine, Ring: time.Second},
		{Number: "3", Outcome: OutcomeAnswer, Ring: time.Second, AMD: AMDNotSure},
	}
	s := startSim(t, sc)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain CHANNEL_EXECUTE_COMPLETE CUSTOM avmd::beep", "+OK event listener enabled plain")
	for _, tt := range []struct{ number, result, cause string }{
		{"1", "HUMAN", "HUMAN"}, {"2", "MACHINE", "MAXWORDS"}, {"3", "NOTSURE", "TOOLONG"},
	} {
		id := "amd-" + tt.number
		c.send("bgapi originate {origination_uuid=" + id + "}sofia/gateway/gw1/" + tt.number + " &amd()\n\n")
		done := c.waitEvent("amd done", func(hs []header) bool {
			return hget(hs, "Unique-ID") == id && hget(hs, "Application") == "amd"
		})
		hs := eventHeaders(done.body)
		if hget(hs, "variable_amd_result") != tt.result || hget(hs, "variable_amd_cause") != tt.cause {
			t.Errorf("%s: amd_result %q amd_cause %q", tt.number, hget(hs, "variable_amd_result"), hget(hs, "variable_amd_cause"))
		}
	}
	// avmd_start returns at once and detects in the background: park after it.
	c.send("bgapi originate {origination_uuid=beep}sofia/gateway/gw1/2 avmd_start,park inline\n\n")
	beep := c.waitEvent("beep", func(hs []header) bool { return hget(hs, "Event-Subclass") == "avmd%3A%3Abeep" })
	var names []string
	for _, h := range eventHeaders(beep.body)[13:] {
		names = append(names, h.name)
	}
	want := "[Event-Subclass Unique-ID Call-command Beep-Status Frequency Frequency-variance Amplitude " +
		"Amplitude-variance Detection-time Detector-resolution Detector-offset Detector-index]"
	if fmt.Sprint(names) != want {
		t.Errorf("avmd::beep headers %v\nwant %s", names, want)
	}
	if ci, _ := chanInfo(s, "beep"); ci.Vars["avmd_detect"] != "TRUE" {
		t.Errorf("avmd_detect = %q", ci.Vars["avmd_detect"])
	}
	// execute_on_answer runs the detector where the answer happens: amd holds
	// the originate's own application until its verdict, avmd_start returns
	// at once and beeps later.
	c.cmd("event plain CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CUSTOM avmd::beep", "+OK event listener enabled plain")
	c.send("bgapi originate {origination_uuid=onans,execute_on_answer=amd}sofia/gateway/gw1/2 &park()\n\n")
	done := c.waitEvent("amd on answer", func(hs []header) bool {
		return hget(hs, "Unique-ID") == "onans" && hget(hs, "Event-Name") == "CHANNEL_EXECUTE_COMPLETE"
	})
	if hs := eventHeaders(done.body); hget(hs, "Application") != "amd" || hget(hs, "variable_amd_result") != "MACHINE" {
		t.Errorf("first application to complete: %s with amd_result %q, want amd's MACHINE", hget(hs, "Application"), hget(hs, "variable_amd_result"))
	}
	c.waitEvent("park after amd", func(hs []header) bool {
		return hget(hs, "Unique-ID") == "onans" && hget(hs, "Event-Name") == "CHANNEL_EXECUTE" && hget(hs, "Application") == "park"
	})
	c.send("bgapi originate {origination_uuid=onans2,execute_on_answer=avmd_start}sofia/gateway/gw1/2 &park()\n\n")
	c.waitEvent("beep on answer", func(hs []header) bool {
		return hget(hs, "Unique-ID") == "onans2" && hget(hs, "Event-Subclass") == "avmd%3A%3Abeep"
	})
	bad := DefaultScenario()
	bad.Overrides = []NumberOverride{{Number: "9", Outcome: OutcomeAnswer, AMD: "MAYBE"}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "amd") {
		t.Errorf("unknown verdict accepted: %v", err)
	}
}

// Registration events carry mod_sofia's headers in sofia_reg.c's order.
func TestRegistrationEvents(t *testing.T) {
	s := startSim(t, nil)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain CUSTOM sofia::register sofia::unregister sofia::expire", "+OK event listener enabled plain")
	tests := []struct {
		do   func() error
		want string
	}{
		{func() error { return s.SetRegistered("1002", false) }, "[profile-name username from-user from-host contact call-id rpid realm network-ip network-port user-agent expires]"},
		{func() error { return s.SetRegistered("1002", true) }, "[profile-name from-user from-host presence-hosts contact call-id rpid status expires to-user to-host network-ip network-port username realm user-agent]"},
		{func() error { return s.ExpireRegistration("1002") }, "[profile-name call-id user username host contact expires user-agent realm network-ip network-port]"},
	}
	for _, tt := range tests {
		if err := tt.do(); err != nil {
			t.Fatal(err)
		}
		f := c.waitEvent("registration", func(hs []header) bool { return strings.HasPrefix(hget(hs, "Event-Subclass"), "sofia") })
		var names []string
		for _, h := range eventHeaders(f.body)[14:] {
			names = append(names, h.name)
		}
		if fmt.Sprint(names) != tt.want {
			t.Errorf("%s headers %v\nwant %s", hget(eventHeaders(f.body), "Event-Subclass"), names, tt.want)
		}
	}
	if got := c.api("sofia_contact 1002"); got != "error/user_not_registered" {
		t.Errorf("sofia_contact after expiry: %q", got)
	}
	if got := c.api("sofia_contact internal/1003@127.0.0.1"); got != "sofia/internal/sip:1003@127.0.0.1:5070" {
		t.Errorf("sofia_contact of a registered user: %q", got)
	}
}

func TestDisplaceAndDTMF(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "d1", "d2")
	c.cmd("event plain DTMF", "+OK event listener enabled plain")
	tests := []struct{ cmd, want string }{
		{"uuid_displace d1 stop /tmp/x.wav", "-ERR Cannot stop displace session!\n"},
		{"uuid_displace nope start /tmp/x.wav", "-ERR Cannot locate session!\n"},
		{"uuid_displace d1 start /tmp/x.wav 30", "+OK Success\n"},
		{"uuid_displace d1 start /tmp/x.wav", "-ERR Cannot displace session!\n"},
		{"uuid_displace d1", "-USAGE: <uuid> [start|stop] <path> [<limit>] [mux]\n"},
	}
	for _, tt := range tests {
		if got := c.api(tt.cmd); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.cmd, got, tt.want)
		}
	}
	if ci, _ := chanInfo(s, "d1"); ci.Displace != "/tmp/x.wav" {
		t.Errorf("displacing %q", ci.Displace)
	}
	if got := c.api("uuid_displace d1 stop /tmp/x.wav"); got != "+OK Success\n" {
		t.Errorf("stop: %q", got)
	}
	// DTMF from the far end of a parked, then a bridged leg.
	for _, step := range []string{"parked", "bridged"} {
		if step == "bridged" {
			c.api("uuid_bridge d1 d2")
		}
		if err := s.SendDTMF("d2", "5"); err != nil {
			t.Fatal(err)
		}
		f := c.waitEvent("dtmf", func(hs []header) bool { return hget(hs, "Event-Name") == "DTMF" })
		hs := eventHeaders(f.body)
		if hget(hs, "Unique-ID") != "d2" || hget(hs, "DTMF-Digit") != "5" || hget(hs, "DTMF-Duration") == "" {
			t.Errorf("%s: DTMF %v", step, hs[13:18])
		}
	}
}

// mod_avmd's API starts the detector at once, while the channel's
// application (an IVR's long playback) runs, and answers as mod_avmd does;
// without mod_avmd the command does not exist.
func TestAvmdAPI(t *testing.T) {
	sc := DefaultScenario()
	sc.Overrides = []NumberOverride{{Number: "2", Outcome: OutcomeMachine, Ring: time.Second}}
	s := startSim(t, sc)
	c := authedRaw(t, s.Addr())
	c.cmd("event plain CUSTOM avmd::beep", "+OK event listener enabled plain")
	c.send("bgapi originate {origination_uuid=tape}sofia/gateway/gw1/2 &playback(silence_stream://600000)\n\n")
	c.nextReply() // the bgapi's Job-UUID
	eventually(t, func() bool { ci, ok := chanInfo(s, "tape"); return ok && ci.Application == "playback" })
	ci, _ := chanInfo(s, "tape")
	for _, tt := range []struct{ args, want string }{
		{"tape start", "+OK\n [tape] [" + ci.Name + "] started!\n\n"},
		{"tape start", "-ERR, avmd for FreeSWITCH session [tape]\n already started\n\n"},
	} {
		if got := c.api("avmd " + tt.args); got != tt.want {
			t.Errorf("avmd %s = %q, want %q", tt.args, got, tt.want)
		}
	}
	c.waitEvent("beep during the playback", func(hs []header) bool {
		return hget(hs, "Unique-ID") == "tape" && hget(hs, "Event-Subclass") == "avmd%3A%3Abeep"
	})
	if ci, _ := chanInfo(s, "tape"); ci.Application != "playback" {
		t.Errorf("application after the beep %q, want the playback still running", ci.Application)
	}
	for _, tt := range []struct{ args, want string }{
		{"tape stop", "+OK\n [tape] [" + ci.Name + "] stopped\n\n"},
		{"tape stop", "+ERR, avmd has not yet been started on\n [tape] [" + ci.Name + "]\n\n"},
		{"tape go", "-ERR, did you mean\n api avmd tape start ?\n-USAGE: " + avmdSyntax + "\n\n"},
		{"nope start", "-ERR, no FreeSWITCH session for uuid [nope]!\n-USAGE: " + avmdSyntax + "\n\n"},
		{"tape", "-ERR, avmd takes [2] min and [3] max parameters!\n-USAGE: " + avmdSyntax + "\n\n"},
	} {
		if got := c.api("avmd " + tt.args); got != tt.want {
			t.Errorf("avmd %s = %q, want %q", tt.args, got, tt.want)
		}
	}
	sc.Modules = []string{"mod_commands"}
	s2 := startSim(t, sc)
	if got := authedRaw(t, s2.Addr()).api("avmd tape start"); got != "-ERR avmd Command not found!\n" {
		t.Errorf("without mod_avmd: %q", got)
	}
}
