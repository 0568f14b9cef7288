package esltest

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/messaging/faxtest"
)

// execute sends a sendmsg execute and checks the +OK.
func (c *rawClient) execute(id, app, arg, appUUID string) {
	c.t.Helper()
	c.cmd("sendmsg "+id+"\ncall-command: execute\nexecute-app-name: "+app+"\nexecute-app-arg: "+arg+
		"\nEvent-UUID: "+appUUID, "+OK")
}

func (c *rawClient) waitComplete(appUUID string) []header {
	c.t.Helper()
	f := c.waitEvent("complete "+appUUID, func(hs []header) bool {
		return hget(hs, "Event-Name") == "CHANNEL_EXECUTE_COMPLETE" && hget(hs, "Application-UUID") == appUUID
	})
	return eventHeaders(f.body)
}

func TestEavesdropModes(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "agent", "cust")
	c.api("uuid_bridge agent cust")
	if got := c.api("originate {origination_uuid=sup,eavesdrop_whisper_bleg=true}user/1001 &eavesdrop(agent)"); got != "+OK sup\n" {
		t.Fatalf("originate supervisor %q", got)
	}
	eventually(t, func() bool { ci, _ := chanInfo(s, "sup"); return ci.Eavesdrop == "whisper" })
	if err := s.SendDTMF("sup", "3"); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { ci, _ := chanInfo(s, "sup"); return ci.Eavesdrop == "barge" })
	if err := s.SendDTMF("sup", "0"); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { ci, _ := chanInfo(s, "sup"); return ci.Eavesdrop == "listen" })
	// the eavesdropped call ends: eavesdrop returns, the &app dialplan
	// ends and the supervisor leg hangs up.
	c.api("uuid_kill agent")
	eventually(t, func() bool { _, ok := chanInfo(s, "sup"); return !ok })
}

func TestThreeWayConferenceFaxVoicemail(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "x1", "x2")
	c.cmd("event plain CHANNEL_EXECUTE_COMPLETE CUSTOM spandsp::txfaxresult spandsp::txfaxpageresult spandsp::txfaxnegociateresult",
		"+OK event listener enabled plain")
	doc := filepath.Join(t.TempDir(), "doc.tiff")
	if err := os.WriteFile(doc, faxtest.TIFF(2), 0o600); err != nil {
		t.Fatal(err)
	}
	c.api("originate {origination_uuid=x3}loopback/park &park()")
	c.execute("x3", "three_way", "x1", "tw-1")
	eventually(t, func() bool { ci, _ := chanInfo(s, "x3"); return ci.Eavesdrop == "barge" })
	// an execute would queue behind three_way; call-command hangup acts now.
	c.cmd("sendmsg x3\ncall-command: hangup\nhangup-cause: NORMAL_CLEARING", "+OK")
	hs := c.waitComplete("tw-1")
	if hget(hs, "Application") != "three_way" || hget(hs, "Application-Data") != "x1" {
		t.Errorf("three_way complete %v", hs[len(hs)-5:])
	}
	c.execute("x1", "conference", "sales@default", "conf-1")
	c.execute("x2", "conference", "sales@default", "conf-2")
	eventually(t, func() bool {
		a, _ := chanInfo(s, "x1")
		b, _ := chanInfo(s, "x2")
		return a.Application == "conference" && b.Application == "conference"
	})
	c.api("uuid_kill x1")
	c.waitComplete("conf-1")

	c.execute("x2", "hangup", "", "h2")
	c.api("originate {origination_uuid=fax}loopback/park &park()")
	c.execute("fax", "txfax", doc, "fax-1")
	// mod_spandsp's order: phase B, phase D per page, phase E
	var order []string
	ev := c.waitEvent("fax result", func(hs []header) bool {
		sub, _ := url.PathUnescape(hget(hs, "Event-Subclass"))
		if strings.HasPrefix(sub, "spandsp::") {
			order = append(order, strings.TrimPrefix(sub, "spandsp::")+"/"+hget(hs, "fax-document-transferred-pages"))
		}
		return sub == "spandsp::txfaxresult"
	})
	if got := strings.Join(order, " "); got != "txfaxnegociateresult/ txfaxpageresult/1 txfaxpageresult/2 txfaxresult/2" {
		t.Errorf("spandsp events %s", got)
	}
	for _, want := range []string{"fax-success: 1\n", "fax-result-code: 0\n", "fax-result-text: OK\n", "fax-document-total-pages: 2\n"} {
		if !strings.Contains(ev.body, want) {
			t.Errorf("fax result lacks %q: %s", want, ev.body)
		}
	}
	// the channel data comes first, mod_spandsp's own headers after it
	if strings.Index(ev.body, "variable_fax_success") > strings.Index(ev.body, "fax-success:") {
		t.Error("fax headers before the channel variables")
	}
	hs = c.waitComplete("fax-1")
	if hget(hs, "variable_fax_success") != "1" || hget(hs, "variable_fax_document_transferred_pages") != "2" {
		t.Error("fax_success or fax_document_transferred_pages not set")
	}
	c.execute("fax", "voicemail", "default 127.0.0.1 1001", "vm-1")
	if hs := c.waitComplete("vm-1"); hget(hs, "variable_voicemail_message_len") == "" {
		t.Error("voicemail did not record")
	}
}

// TestInboundMyevents: myevents <uuid> binds the connection to the channel;
// it gets only that channel's events and is closed when it hangs up.
func TestInboundMyevents(t *testing.T) {
	s := startSim(t, nil)
	c := parkedPair(t, s, "m1", "m2")
	c.cmd("myevents m1", "+OK Events Enabled")
	c.api("uuid_kill m2")
	c.api("uuid_kill m1")
	sawM1 := false
	for {
		f, err := c.tryRead(patience)
		if err != nil {
			t.Fatalf("no disconnect notice: %v", err)
		}
		if f.get("Content-Type") == "text/disconnect-notice" {
			if f.get("Controlled-Session-UUID") != "m1" {
				t.Errorf("notice %q", f.raw)
			}
			break
		}
		if f.get("Content-Type") == "text/event-plain" {
			id := hget(eventHeaders(f.body), "Unique-ID")
			if id != "m1" {
				t.Errorf("event for %s leaked", id)
			}
			sawM1 = true
		}
	}
	if !sawM1 {
		t.Error("no m1 events")
	}
}
