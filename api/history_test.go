package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// TestCustomerHistory finds a customer by phone and by note words, with the
// attempts and notes of every campaign; an agent sees phones masked.
func TestCustomerHistory(t *testing.T) {
	h := newHarness(t)
	sup, agent := h.tokens[store.RoleSupervisor], h.tokens[store.RoleAgent]
	d := newDialSetup(h, "历史活动", 2, nil)
	h.do("POST", d.path+"/start", sup, nil, 200, nil)
	dialed(t, h, d, store.ResultHuman, store.ResultBusy)
	var hist store.CustomerHistory
	admin := h.tokens[store.RoleAdmin]
	h.do("GET", "/api/v1/history?campaign_id="+itoa(d.camp.ID), admin, nil, 200, &hist)
	if len(hist.Contacts) != 2 || len(hist.Attempts) != 2 {
		t.Fatalf("history of the campaign: %d contacts, %d attempts", len(hist.Contacts), len(hist.Attempts))
	}
	ct := hist.Contacts[0]
	var note store.ContactNote
	h.do("POST", "/api/v1/contacts/"+itoa(ct.ID)+"/notes", agent, noteRequest{Text: "客户承诺月底还款 13800138000"}, 201, &note)
	if strings.Contains(note.Text, "13800138000") {
		t.Errorf("note echoed unmasked to an agent: %q", note.Text)
	}
	h.do("GET", "/api/v1/history?q="+ct.Phone[3:], sup, nil, 200, &hist) // the full number as dialed nationally
	if len(hist.Contacts) != 1 || hist.Contacts[0].ID != ct.ID || len(hist.Notes) != 1 || hist.Contacts[0].Phone == ct.Phone {
		t.Fatalf("by phone: %+v", hist)
	}
	h.do("GET", "/api/v1/history?note=月底", agent, nil, 200, &hist)
	if len(hist.Contacts) != 1 || hist.Contacts[0].Phone == ct.Phone || strings.Contains(hist.Notes[0].Text, "13800138000") {
		t.Errorf("agent's history by note not masked: %+v", hist)
	}
	// By the contact (the desktop knows only its masked numbers): the
	// contact with its attempt and note, numbers masked for the agent.
	h.do("GET", "/api/v1/history?contact_id="+itoa(ct.ID), agent, nil, 200, &hist)
	if len(hist.Contacts) != 1 || hist.Contacts[0].ID != ct.ID || len(hist.Attempts) != 1 || len(hist.Notes) != 1 || hist.Contacts[0].Phone == ct.Phone {
		t.Errorf("agent's history by contact: %+v", hist)
	}
	// The IVR survey the customer keyed on that attempt's call shows with
	// the attempt; another call's IVR result does not.
	att := hist.Attempts[0]
	for _, uuid := range []string{att.CallUUID, "someone-else"} {
		_, err := h.srv.store.RecordIVRCall(context.Background(), store.IVRCallRecord{
			IVRCall: store.IVRCall{CallUUID: uuid, Flow: "survey", CampaignID: d.camp.ID, Outcome: "completed", StartedAt: time.Now()},
			Entries: []store.IVRAnswer{{Var: "satisfaction", Digits: "5"}, {Var: "recommend", Digits: "1"}}})
		must(t, err)
	}
	h.do("GET", "/api/v1/history?contact_id="+itoa(ct.ID), agent, nil, 200, &hist)
	if len(hist.IVR) != 1 || hist.IVR[0].AttemptID != att.ID || hist.IVR[0].Flow != "survey" || len(hist.IVR[0].Answers) != 2 ||
		hist.IVR[0].Answers[0].Var != "satisfaction" || hist.IVR[0].Answers[0].Digits != "5" || hist.IVR[0].Answers[1].Digits != "1" {
		t.Errorf("IVR survey of the attempt in the history: %+v", hist.IVR)
	}
	h.do("GET", "/api/v1/history?contact_id=999999", agent, nil, 404, nil)
	h.do("GET", "/api/v1/history?contact_id=x", agent, nil, 400, nil)
	h.do("GET", "/api/v1/history", sup, nil, 400, nil)
	h.do("POST", "/api/v1/contacts/"+itoa(ct.ID)+"/notes", agent, noteRequest{Text: " "}, 400, nil)
}
