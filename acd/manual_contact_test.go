package acd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// campaignWith creates a voice campaign for group (nil: none) with the
// contacts, imported as given; it returns the campaign and the contacts'
// ids in order.
func (f *fixture) campaignWith(name string, group *int64, callerID string, contacts ...store.Contact) (int64, []int64) {
	f.t.Helper()
	ctx := context.Background()
	camp := &store.Campaign{Name: name, Kind: store.KindCollection, Media: store.MediaVoice, DialMode: store.DialPreview,
		Priority: 5, GroupID: group, CallerIDs: []string{callerID}}
	if err := f.st.CreateCampaign(ctx, camp); err != nil {
		f.t.Fatal(err)
	}
	job := &store.ImportJob{CampaignID: camp.ID, Source: "api", Format: "json"}
	if err := f.st.CreateImportJob(ctx, job); err != nil {
		f.t.Fatal(err)
	}
	for i := range contacts {
		contacts[i].CampaignID, contacts[i].Status = camp.ID, store.ContactPending
	}
	if _, err := f.st.ImportBatch(ctx, job.ID, camp.ID, contacts, 0, 0); err != nil {
		f.t.Fatal(err)
	}
	list, _, err := f.st.ListContacts(ctx, store.ContactFilter{CampaignID: camp.ID, Page: store.Page{Number: 1, Size: 100}})
	if err != nil || len(list) != len(contacts) {
		f.t.Fatalf("contacts of %s: %d, %v", name, len(list), err)
	}
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return camp.ID, ids
}

// A manual dial to a contact: the agent must own the contact or serve its
// campaign; the campaign is the contact's (its caller-ID pool); the number
// is one of the contact's, or its first dialable one; a contact whose ID
// number is on the blacklist is not dialed.
func TestManualDialContact(t *testing.T) {
	f := newFixture(t, Config{CallerID: "02100000000"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	ctx := context.Background()
	other := &store.Group{Name: "other", Kind: store.GroupAgent}
	if err := f.st.CreateGroup(ctx, other); err != nil {
		t.Fatal(err)
	}
	served, s := f.campaignWith("served", &f.group, "02111111111",
		store.Contact{Name: "两个号码", Phone: "+8613800000001", AltPhone: "+8613800000002"},
		store.Contact{Name: "证件黑名单", Phone: "+8613800000006", IDNumber: "110101199003071234"})
	elsewhere, e := f.campaignWith("elsewhere", &other.ID, "02122222222",
		store.Contact{Name: "分给我的", Phone: "+8613900000001"},
		store.Contact{Name: "别人的", Phone: "+8613900000002"})
	if _, err := f.st.AssignContact(ctx, elsewhere, e[0], a1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.AddDNC(ctx, &store.DNCEntry{Kind: store.DNCIDNumber, Value: "110101199003071234", Reason: "test", Source: store.DNCManual}, store.DNCRefuse); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		req        DialRequest // AgentID a1
		err        error
		dialed     string
		campaignID int64
		callerID   string
	}{
		{name: "served campaign, first phone", req: DialRequest{ContactID: s[0]}, dialed: "+8613800000001", campaignID: served, callerID: "02111111111"},
		{name: "its other phone as keyed", req: DialRequest{ContactID: s[0], Phone: "13800000002"}, dialed: "+8613800000002", campaignID: served, callerID: "02111111111"},
		{name: "campaign given and matching", req: DialRequest{ContactID: s[0], CampaignID: served}, dialed: "+8613800000001", campaignID: served, callerID: "02111111111"},
		{name: "assigned to me elsewhere", req: DialRequest{ContactID: e[0]}, dialed: "+8613900000001", campaignID: elsewhere, callerID: "02122222222"},
		{name: "not a phone of the contact", req: DialRequest{ContactID: s[0], Phone: "13800000009"}, err: ErrNotContactPhone},
		{name: "bad number", req: DialRequest{ContactID: s[0], Phone: "12"}, err: ErrBadTarget},
		{name: "ID number blacklisted", req: DialRequest{ContactID: s[1]}, err: ErrBlocked},
		{name: "someone else's, not my group", req: DialRequest{ContactID: e[1]}, err: ErrNotYourContact},
		{name: "another campaign named", req: DialRequest{ContactID: s[0], CampaignID: elsewhere}, err: ErrNotYourContact},
		{name: "no such contact", req: DialRequest{ContactID: 999999}, err: ErrNoSuchContact},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.AgentID = a1
			res, err := f.d.Dial(ctx, tc.req)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			att, err := f.st.GetAttemptByUUID(ctx, res.CallUUID)
			if err != nil {
				t.Fatal(err)
			}
			if att.ContactID != tc.req.ContactID || att.CampaignID != tc.campaignID || att.Destination != tc.dialed || res.CallerID != tc.callerID {
				t.Fatalf("attempt %+v, caller ID %q", att, res.CallerID)
			}
			var orig *switchtest.Command
			for _, c := range f.sw.CommandsOf(switchtest.OpOriginate) {
				if c.UUID == res.CallUUID {
					orig = &c
				}
			}
			if orig == nil || orig.Originate.Number != tc.dialed || orig.Originate.ContactID != tc.req.ContactID {
				t.Fatalf("originate %+v", orig)
			}
			f.sw.Far(res.CallUUID).HangupSIP("NO_ANSWER", 480)
			waitFor(t, "ready again", func() bool { return f.state(a1) == store.AgentReady })
		})
	}
}

// The disposition of a manual call to a contact books the callback and
// sets do-not-call as a campaign call's does, and leaves the attempt and
// the contact as a campaign call's would; a manual call without a contact
// refuses both (the agent stays in after-call work to send it again).
func TestManualDialContactDisposition(t *testing.T) {
	f := newFixture(t, Config{CallerID: "02100000000"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	ctx := context.Background()
	_, ids := f.campaignWith("served", &f.group, "02111111111",
		store.Contact{Name: "回拨", Phone: "+8613800000011"},
		store.Contact{Name: "勿扰", Phone: "+8613800000012", AltPhone: "+8613800000013"},
		store.Contact{Name: "成功", Phone: "+8613800000014"})
	due := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	// call dials, connects and hangs up a manual call; the agent is in ACW.
	call := func(req DialRequest) string {
		t.Helper()
		req.AgentID = a1
		n := 0
		for _, c := range f.sw.CommandsOf(switchtest.OpOriginate) {
			if c.Originate.Endpoint != "" && c.Err == nil {
				n++
			}
		}
		res, err := f.d.Dial(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		f.sw.Far(res.CallUUID).Answer(controller.AMDUnknown)
		f.sw.Far(f.agentLeg(n + 1)).Answer(controller.AMDUnknown)
		waitFor(t, "on call", func() bool { return f.state(a1) == store.AgentOnCall })
		f.sw.Far(res.CallUUID).Hangup("NORMAL_CLEARING")
		waitFor(t, "acw", func() bool { return f.state(a1) == store.AgentACW })
		return res.CallUUID
	}
	for _, tc := range []struct {
		name    string
		contact int64
		disp    dialer.Disposition
		status  store.ContactStatus
		outcome store.ResultClass
		check   func(t *testing.T, c *store.Contact)
	}{
		{name: "callback", contact: ids[0], disp: dialer.Disposition{Result: "callback", Note: "下午再打", CallbackAt: &due},
			status: store.ContactPending, outcome: store.ResultHuman, check: func(t *testing.T, c *store.Contact) {
				cbs, _, err := f.st.ListCallbacks(ctx, store.CallbackFilter{ContactID: c.ID, Page: store.Page{Number: 1, Size: 10}})
				if err != nil || len(cbs) != 1 || cbs[0].Status != store.CallbackScheduled || !cbs[0].DueAt.Equal(due) ||
					cbs[0].AgentID != a1 || cbs[0].Phone != "+8613800000011" || cbs[0].Note != "下午再打" {
					t.Fatalf("callbacks %+v, %v", cbs, err)
				}
				if c.CallbackAt == nil || !c.CallbackAt.Equal(due) {
					t.Fatalf("contact's callback_at %v", c.CallbackAt)
				}
			}},
		{name: "do not call", contact: ids[1], disp: dialer.Disposition{Result: "refused", DNC: true},
			status: store.ContactBlocked, outcome: store.ResultHuman, check: func(t *testing.T, c *store.Contact) {
				hit, err := f.st.BlockedValues(ctx, []string{"+8613800000012", "+8613800000013"}, nil)
				if err != nil || !hit["+8613800000012"] || hit["+8613800000013"] {
					t.Fatalf("blacklisted %v, %v", hit, err)
				}
			}},
		{name: "success", contact: ids[2], disp: dialer.Disposition{Result: "success"},
			status: store.ContactCompleted, outcome: store.ResultSuccess},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uuid := call(DialRequest{ContactID: tc.contact})
			if err := f.d.Dispose(ctx, a1, uuid, tc.disp); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "ready again", func() bool { return f.state(a1) == store.AgentReady })
			att, err := f.st.GetAttemptByUUID(ctx, uuid)
			if err != nil {
				t.Fatal(err)
			}
			if att.FinishedAt == nil || att.Outcome != tc.outcome || att.Disposition != tc.disp.Result || att.AgentID != a1 || !att.Connected {
				t.Fatalf("attempt %+v", att)
			}
			c, err := f.st.GetContact(ctx, tc.contact)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tc.status {
				t.Fatalf("contact status %s, want %s", c.Status, tc.status)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}

	t.Run("no contact", func(t *testing.T) {
		uuid := call(DialRequest{Phone: "13800000099"})
		for _, disp := range []dialer.Disposition{{Result: "callback", CallbackAt: &due}, {Result: "refused", DNC: true}} {
			err := f.d.Dispose(ctx, a1, uuid, disp)
			if !errors.Is(err, ErrManualNoContact) || !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("%+v: %v", disp, err)
			}
			if st := f.state(a1); st != store.AgentACW {
				t.Fatalf("agent %s after a refused disposition", st)
			}
		}
		if err := f.d.Dispose(ctx, a1, uuid, dialer.Disposition{Result: "refused"}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "ready again", func() bool { return f.state(a1) == store.AgentReady })
		if hit, _ := f.st.BlockedValues(ctx, []string{"+8613800000099"}, nil); hit["+8613800000099"] {
			t.Fatal("the number was blacklisted")
		}
	})
}

// The number dialed when none is keyed: the first of the contact's that is
// not known to be bad.
func TestFirstDialable(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    store.Contact
		want string
	}{
		{"phone", store.Contact{Phone: "+8613800000001", AltPhone: "+8613800000002"}, "+8613800000001"},
		{"phone valid", store.Contact{Phone: "+8613800000001", PhoneStatus: store.NumberValid}, "+8613800000001"},
		{"phone invalid", store.Contact{Phone: "+8613800000001", AltPhone: "+8613800000002", PhoneStatus: store.NumberInvalid}, "+8613800000002"},
		{"phone wrong person", store.Contact{Phone: "+8613800000001", AltPhone: "+8613800000002", PhoneStatus: store.NumberWrong}, "+8613800000002"},
		{"none left", store.Contact{Phone: "+8613800000001", AltPhone: "+8613800000002", PhoneStatus: store.NumberInvalid, AltStatus: store.NumberDisconnected}, ""},
		{"no alt", store.Contact{Phone: "+8613800000001", PhoneStatus: store.NumberDisconnected}, ""},
	} {
		if got := firstDialable(&tc.c); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A contact's customer answered but never joined to the agent (the agent's
// phone refused): the attempt is closed, the contact left as it was (no
// disposition settles it).
func TestManualDialContactNotConnected(t *testing.T) {
	f := newFixture(t, Config{CallerID: "02100000000"})
	a1 := f.agent("a1", "1001", true)
	f.signIn(a1, true)
	ctx := context.Background()
	_, ids := f.campaignWith("served", &f.group, "02111111111", store.Contact{Name: "未接通", Phone: "+8613800000041"})
	res, err := f.d.Dial(ctx, DialRequest{AgentID: a1, ContactID: ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	f.sw.Far(res.CallUUID).Answer(controller.AMDUnknown)
	f.sw.Far(f.agentLeg(1)).HangupSIP("USER_BUSY", 486)
	waitFor(t, "the attempt closed", func() bool {
		a, err := f.st.GetAttemptByUUID(ctx, res.CallUUID)
		return err == nil && a.FinishedAt != nil
	})
	a, _ := f.st.GetAttemptByUUID(ctx, res.CallUUID)
	c, err := f.st.GetContact(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Disposition != "not_connected" || c.Status != store.ContactPending {
		t.Fatalf("attempt %q, contact %s", a.Disposition, c.Status)
	}
}
