package controller

import "testing"

// TestParkCarriesCallInfo: a leg the dialplan parks for the controller
// brings its queue (cc_queue) and where it came from on the park event, so
// the agent desk can take it over from the pool stream.
func TestParkCarriesCallInfo(t *testing.T) {
	park := ev("CHANNEL_PARK", 7, "Unique-ID", "in-1", "Call-Direction", "inbound",
		"Caller-Context", "queue", "Caller-Destination-Number", "3", "Caller-Caller-ID-Number", "13800138000",
		"Caller-Caller-ID-Name", "%E5%BC%A0%E4%BC%9F", "variable_cc_queue", "3", "variable_cc_inbound", "true",
		"variable_sip_call_id", "abc@10.0.0.1")
	got, ok := typedEvent(park, "fs1")
	if !ok || got.Kind != EventPark || got.Call == nil {
		t.Fatalf("park: %+v", got)
	}
	c := got.Call
	if c.Direction != "inbound" || c.Context != "queue" || c.DestinationNumber != "3" || c.CallerIDNumber != "13800138000" || c.CallerIDName != "张伟" {
		t.Fatalf("call info %+v", c)
	}
	if len(c.Vars) != 2 || c.Vars["cc_queue"] != "3" || c.Vars["cc_inbound"] != "true" {
		t.Fatalf("cc vars %v, want exactly cc_queue and cc_inbound", c.Vars)
	}
	if other, _ := typedEvent(ev("CHANNEL_HOLD", 8, "Unique-ID", "in-1"), "fs1"); other.Call != nil {
		t.Fatalf("hold carries call info %+v", other.Call)
	}
}
