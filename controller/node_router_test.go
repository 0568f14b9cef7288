package controller

import "testing"

func TestParseGatewaysAndChannels(t *testing.T) {
	body := "    Profile::Gateway-Name\t    Data    \tState\tPing Time\tIB Calls(F/T)\tOB Calls(F/T)\n" +
		"=================================================================================================\n" +
		"external::trunk1\tsip:trunk1@10.0.0.1\tREGED\t0.00\t0/0\t0/12\n" +
		"external::trunk2\tsip:x@10.0.0.2\tFAIL_WAIT\t0.00\t0/0\t3/3\n" +
		"=================================================================================================\n" +
		"2 gateways: Inbound(Failed/Total): 0/0,Outbound(Failed/Total):3/15\n"
	gws := parseGateways(body)
	if len(gws) != 2 || gws[0] != (GatewayStatus{"external::trunk1", "REGED"}) || gws[1].State != "FAIL_WAIT" {
		t.Errorf("parseGateways = %+v", gws)
	}
	chans, err := parseChannels("n1", `{"row_count":1,"rows":[{"uuid":"u1","direction":"outbound","created_epoch":"1700000000","name":"sofia/gateway/gw/1","callstate":"ACTIVE"}]}`)
	if err != nil || len(chans) != 1 || chans[0].UUID != "u1" || chans[0].Node != "n1" || chans[0].Created.Unix() != 1700000000 {
		t.Errorf("parseChannels = %+v, %v", chans, err)
	}
	if chans, err := parseChannels("n1", "{\"row_count\": 0}\n"); err != nil || len(chans) != 0 {
		t.Errorf("empty: %+v, %v", chans, err)
	}
	if _, err := parseChannels("n1", "-ERR nope"); err == nil {
		t.Error("garbage parsed")
	}
}

func TestReconcileSkipsChannelsDestroyedMeanwhile(t *testing.T) {
	n := newNode(NodeConfig{Name: "n1", Address: "x"}, nodeDeps{log: testLogger(), stop: make(chan struct{})})
	gone := &Call{uuid: "gone"}
	gone.mb.sig = make(chan struct{}, 1)
	n.reg.add(gone, "")
	// The new connection (gen 2) sees gone's DESTROY before the list that
	// still shows it is applied.
	n.dispatch(&event{Name: "CHANNEL_CREATE", UUID: "new", gen: 2})
	n.dispatch(&event{Name: "CHANNEL_DESTROY", UUID: "gone", gen: 2})
	n.applyReconcile(reconcileMsg{gen: 2, rows: []Channel{{UUID: "gone", CallState: "ACTIVE"}, {UUID: "live"}}})
	if n.reg.isLive("gone") || !n.reg.isLive("live") || !n.reg.isLive("new") || n.reg.liveCount() != 2 {
		t.Errorf("live set after reconcile: %v", n.reg.live)
	}
	// gone's owner gets its DESTROY and, not being listed, a close (which
	// it ignores once ended); never a resync that would call it live.
	msgs := gone.mb.take()
	if len(msgs) != 2 {
		t.Fatalf("gone got %d messages: %v", len(msgs), msgs)
	}
	if e, ok := msgs[0].(*event); !ok || e.Name != "CHANNEL_DESTROY" {
		t.Errorf("first message %T", msgs[0])
	}
	if _, ok := msgs[1].(closeCall); !ok {
		t.Errorf("second message %T, want closeCall", msgs[1])
	}
	if len(n.destroyedEarly) != 0 {
		t.Error("destroyedEarly not cleared")
	}
}
