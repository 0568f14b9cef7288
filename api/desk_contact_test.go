package api

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/store"
)

// A manual dial to a contact through the REST API: refused by field when
// the contact is not the agent's or the number not the contact's; dialed
// to the contact's first number otherwise, the call is in the contact's
// history and its disposition books a callback; a manual call without a
// contact refuses the callback with a 422 naming callback_at.
func TestManualDialContactThroughAPI(t *testing.T) {
	r := newDeskRig(t)
	ctx := context.Background()
	a1, tok := r.agent("mc_a1", "1001")
	other := &store.Group{Name: "other", Kind: store.GroupAgent}
	if err := r.srv.store.CreateGroup(ctx, other); err != nil {
		t.Fatal(err)
	}
	campaign := func(name string, group int64, phones ...string) []int64 {
		t.Helper()
		camp := &store.Campaign{Name: name, Kind: store.KindCollection, Media: store.MediaVoice, DialMode: store.DialPreview,
			Priority: 5, GroupID: &group, CallerIDs: []string{"02161234567"}}
		if err := r.srv.store.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		for i, p := range phones {
			rows = append(rows, map[string]any{"name": name + strconv.Itoa(i), "phone": p})
		}
		r.ingest(camp.ID, rows...)
		list, _, err := r.srv.store.ListContacts(ctx, store.ContactFilter{CampaignID: camp.ID, Page: store.Page{Number: 1, Size: 10}})
		if err != nil || len(list) != len(phones) {
			t.Fatalf("contacts of %s: %d %v", name, len(list), err)
		}
		ids := make([]int64, len(list))
		for i, c := range list {
			ids[i] = c.ID
		}
		return ids
	}
	mine := campaign("我的组", r.group, "13800000021")
	theirs := campaign("别的组", other.ID, "13800000022")
	r.do("POST", "/api/v1/me/softphone/login", tok, softphoneLoginRequest{Ready: true}, 200, nil)

	for _, tc := range []struct {
		name  string
		req   dialRequest
		code  int
		field string
	}{
		{"negative contact", dialRequest{ContactID: -1}, 400, "contact_id"},
		{"no such contact", dialRequest{ContactID: 999999}, 404, "contact_id"},
		{"not my group, not assigned", dialRequest{ContactID: theirs[0]}, 403, "contact_id"},
		{"not the contact's phone", dialRequest{ContactID: mine[0], Phone: "13800000029"}, 400, "phone"},
		{"neither phone nor contact", dialRequest{}, 400, "phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := r.raw("POST", "/api/v1/me/calls/new/dial", tok, tc.req)
			e := errorOf(t, rec)
			if rec.Code != tc.code || len(e.Details) != 1 || e.Details[0].Field != tc.field {
				t.Fatalf("%d %+v", rec.Code, e)
			}
		})
	}

	// Dialed to the contact's phone, connected, hung up: the disposition
	// books a callback for the contact.
	var res acd.DialResult
	r.do("POST", "/api/v1/me/calls/new/dial", tok, dialRequest{ContactID: mine[0]}, 200, &res)
	waitUntil(t, "on call", func() bool { return r.stateOf(tok).State == store.AgentOnCall })
	call := "/api/v1/me/calls/" + res.CallUUID
	r.do("POST", call+"/hangup", tok, nil, 200, nil)
	waitUntil(t, "acw", func() bool { return r.stateOf(tok).State == store.AgentACW })
	due := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	at := due.Format(time.RFC3339)
	r.do("POST", call+"/disposition", tok, dispositionRequest{Result: "callback", Note: "明天下午", CallbackAt: &at}, 200, nil)
	waitUntil(t, "ready", func() bool { return r.stateOf(tok).State == store.AgentReady })
	var h store.CustomerHistory
	r.do("GET", "/api/v1/history?contact_id="+strconv.FormatInt(mine[0], 10), tok, nil, 200, &h)
	if len(h.Attempts) != 1 || h.Attempts[0].CallUUID != res.CallUUID || h.Attempts[0].Disposition != "callback" ||
		len(h.Callbacks) != 1 || !h.Callbacks[0].DueAt.Equal(due) || h.Callbacks[0].AgentID != a1.ID || h.Callbacks[0].Status != store.CallbackScheduled {
		t.Fatalf("history %+v", h)
	}

	// A manual call without a contact: the callback is refused by name
	// (422) and the agent stays in after-call work.
	r.do("POST", "/api/v1/me/calls/new/dial", tok, dialRequest{Phone: "13800000023"}, 200, &res)
	waitUntil(t, "on call", func() bool { return r.stateOf(tok).State == store.AgentOnCall })
	call = "/api/v1/me/calls/" + res.CallUUID
	r.do("POST", call+"/hangup", tok, nil, 200, nil)
	waitUntil(t, "acw", func() bool { return r.stateOf(tok).State == store.AgentACW })
	for _, tc := range []struct {
		req   dispositionRequest
		field string
	}{
		{dispositionRequest{Result: "callback", CallbackAt: &at}, "callback_at"},
		{dispositionRequest{Result: "refused", DNC: true}, "dnc"},
	} {
		rec := r.raw("POST", call+"/disposition", tok, tc.req)
		if e := errorOf(t, rec); rec.Code != 422 || len(e.Details) != 1 || e.Details[0].Field != tc.field {
			t.Fatalf("%s without a contact: %d %+v", tc.field, rec.Code, e)
		}
	}
	if s := r.stateOf(tok); s.State != store.AgentACW {
		t.Fatalf("after the refusals %+v", s)
	}
	r.do("POST", call+"/disposition", tok, dispositionRequest{Result: "refused"}, 200, nil)
}
