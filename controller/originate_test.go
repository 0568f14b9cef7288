package controller

import (
	"testing"
	"time"
)

func TestOriginateArgsFromRequest(t *testing.T) {
	got, err := originateArgs(OriginateRequest{UUID: "u1", Gateway: "gw", Number: "155", CampaignID: 7,
		CallerIDNumber: "800", Timeout: 25 * time.Second, Vars: map[string]string{"z": "1"}})
	want := "{cc_campaign_id=7,ignore_early_media=true,park_after_bridge=true,z=1,originate_timeout=25,origination_caller_id_number=800}[origination_uuid=u1]sofia/gateway/gw/155 &park()"
	if err != nil || got != want {
		t.Errorf("got  %s, %v\nwant %s", got, err, want)
	}
	got, err = originateArgs(OriginateRequest{UUID: "s1", Endpoint: "user/1009", App: "eavesdrop", AppArgs: "a1"})
	if err != nil || got != "{park_after_bridge=true}[origination_uuid=s1]user/1009 &eavesdrop(a1)" {
		t.Errorf("agent leg: %s, %v", got, err)
	}
	if _, err := originateArgs(OriginateRequest{UUID: "x", Number: "1"}); err == nil {
		t.Error("gateway missing accepted")
	}
}
