package freeswitchconf

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/dialplan"
)

func TestInternalProfileServesAgents(t *testing.T) {
	const file = "sip_profiles/internal.xml"
	s := settings(t, file)
	for name, want := range map[string]string{
		"context":     dialplan.AgentContext,
		"wss-binding": ":$${internal_wss_port}",
		"ws-binding":  ":$${internal_ws_port}",
		"auth-calls":  "$${internal_auth_calls}",
	} {
		if got := one(t, s, file, name); got != want {
			t.Errorf("%s: %s = %q, want %q", file, name, got, want)
		}
	}
	if v, _ := varsFile(t); v["internal_auth_calls"] != "true" {
		t.Errorf("internal_auth_calls = %q: agents' calls must be authenticated", v["internal_auth_calls"])
	}
	// sofia picks the first candidate matching the first list that matches
	// any: a remote browser's private host candidate must not win over its
	// public one, so the lists go from this network, to public, to private.
	want := []string{"localnet.auto", "wan_v4.auto", "rfc1918.auto"}
	if got := s["apply-candidate-acl"]; !slices.Equal(got, want) {
		t.Errorf("apply-candidate-acl %q, want %q in this order", got, want)
	}
}

// TestExternalAddressesNotPrivate: SDP and Contact for peers outside the
// private networks carry the address found by STUN or configured, never
// the private local_ip_v4; peers on private networks get the local one.
func TestExternalAddressesNotPrivate(t *testing.T) {
	for _, file := range []string{"sip_profiles/internal.xml", "sip_profiles/external.xml"} {
		s := settings(t, file)
		for name, want := range map[string]string{
			"ext-rtp-ip":        "$${external_rtp_ip}",
			"ext-sip-ip":        "$${external_sip_ip}",
			"local-network-acl": "rfc1918.auto",
		} {
			if got := one(t, s, file, name); got != want {
				t.Errorf("%s: %s = %q, want %q", file, name, got, want)
			}
		}
	}
	lines := preprocessLines(t, "vars.xml")
	for _, name := range []string{"external_rtp_ip", "external_sip_ip"} {
		var last preprocess
		for _, l := range lines {
			if strings.HasPrefix(l.Data, name+"=") {
				last = l
			}
		}
		value := strings.TrimPrefix(last.Data, name+"=")
		_, err := netip.ParseAddr(value)
		switch {
		case last.Cmd == "stun-set" && strings.HasPrefix(value, "stun:"):
		case last.Cmd == "set" && err == nil:
		default:
			t.Errorf("vars.xml: %s ends as %s %q; want stun-set stun:<server> or set <address>", name, last.Cmd, last.Data)
		}
	}
}
