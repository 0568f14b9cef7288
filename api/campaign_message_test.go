package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
)

// Campaigns take the message, follow-up and notification fields; bad ones
// are 400s naming the field, and only a user with pii_view may write a
// notification that shows customers' identifiers.
func TestCampaignMessageFields(t *testing.T) {
	h := newHarness(t)
	admin, sup := h.tokens[store.RoleAdmin], h.tokens[store.RoleSupervisor]
	email := map[string]any{"name": "账单邮件", "kind": "notification", "media": "email", "dial_mode": "broadcast",
		"message": map[string]any{"subject": "{{name}}，您的账单", "text": "应还{{balance}}元", "html": "<p>{{name}}</p>"}}
	var mail store.Campaign
	h.do("POST", "/api/v1/campaigns", sup, email, 201, &mail)
	sms := map[string]any{"name": "还款短信", "kind": "collection", "media": "sms", "dial_mode": "broadcast",
		"message": map[string]any{"text": "尊敬的{{name}}，请于月底前还款。", "sign_name": "某银行", "template_id": "1234567",
			"template_params": []string{"name"}},
		"follow_up": map[string]any{"campaign_id": mail.ID, "after_s": 172800},
		"notify": []map[string]any{{"on": []string{"同意还款", "投诉"}, "channel": "email", "to": "manager_email",
			"subject": "{{name}}", "text": "客户{{name}}（{{phone}}）：{{result}}"}}}
	var c store.Campaign
	h.do("POST", "/api/v1/campaigns", sup, sms, 201, &c)
	if c.Message.SignName != "某银行" || c.FollowUp == nil || c.FollowUp.CampaignID != mail.ID || len(c.Notify) != 1 ||
		c.Notify[0].Channel != store.NotifyEmail {
		t.Fatalf("stored %+v", c)
	}
	var got store.Campaign
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, nil, 200, &got)
	if got.Message.TemplateID != "1234567" || len(got.Notify) != 1 {
		t.Fatalf("read back %+v", got)
	}
	var cleared store.Campaign
	h.do("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, map[string]any{"follow_up": map[string]any{"campaign_id": 0}}, 200, nil)
	h.do("GET", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, nil, 200, &cleared)
	if cleared.FollowUp != nil {
		t.Fatalf("follow_up not removed: %+v", cleared.FollowUp)
	}
	tests := []struct {
		name  string
		token string
		patch map[string]any
		code  int
		field string
	}{
		{"email without subject", sup, map[string]any{"media": "email", "message": map[string]any{"text": "x"}}, 400, "message.subject"},
		{"sms without text", sup, map[string]any{"message": map[string]any{"subject": "x"}}, 400, "message.text"},
		{"unknown notify channel", sup, map[string]any{"notify": []map[string]any{{"on": []string{"投诉"}, "channel": "fax", "to": "manager_email", "text": "x"}}}, 400, "notify[0].channel"},
		{"bad notify target", sup, map[string]any{"notify": []map[string]any{{"on": []string{"投诉"}, "channel": "sms", "to": "boss", "text": "x"}}}, 400, "notify[0].to"},
		{"no follow-up campaign", sup, map[string]any{"follow_up": map[string]any{"campaign_id": 9999, "after_s": 60}}, 400, "follow_up.campaign_id"},
		{"follow-up to itself", sup, map[string]any{"follow_up": map[string]any{"campaign_id": c.ID, "after_s": 60}}, 400, "follow_up.campaign_id"},
		{"no document", sup, map[string]any{"document_id": 777}, 400, "document_id"},
		{"pii without pii_view", sup, map[string]any{"notify": []map[string]any{{"on": []string{"投诉"}, "channel": "email", "to": "address:risk@bank.example", "text": "{{id_number}}", "pii": true}}}, 403, ""},
	}
	for _, tt := range tests {
		rec := h.raw("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), tt.token, tt.patch)
		if rec.Code != tt.code {
			t.Errorf("%s: %d %s", tt.name, rec.Code, rec.Body)
			continue
		}
		if e := errorOf(t, rec); tt.field != "" && !strings.Contains(e.Message, tt.field) {
			t.Errorf("%s: message %q does not name %s", tt.name, e.Message, tt.field)
		}
	}
	pii := map[string]any{"notify": []map[string]any{{"on": []string{"投诉"}, "channel": "email", "to": "address:risk@bank.example", "text": "{{id_number}}", "pii": true}}}
	h.do("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), admin, pii, 200, &got)
	if !got.Notify[0].PII {
		t.Fatal("an admin's pii rule was not stored")
	}
}

// A medium with no sender is a 422 saying so, never a 500.
func TestNotConfiguredIsClientError(t *testing.T) {
	e := toAPIError(fmt.Errorf("send: %w", fmt.Errorf("%w: no sender for fax", messaging.ErrNotConfigured)))
	if e.Status != 422 || !strings.Contains(e.Message, "not configured: no sender for fax") {
		t.Fatalf("%d %q", e.Status, e.Message)
	}
}

// The delivery log shows customers' numbers, addresses and texts only to
// users with pii_view; staff recipients (notifications, tests) stay readable.
func TestOutboundLogMasksCustomers(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, m := range []store.OutboundMessage{
		{Purpose: store.PurposeCampaign, Channel: "sms", Provider: "capture", To: "+8613800138000", Body: "尊敬的张伟", Status: store.OutboundSent},
		{Purpose: store.PurposeCampaign, Channel: "email", Provider: "capture", To: "zhangwei@example.com", Body: "账单", Status: store.OutboundSent},
		{Purpose: store.PurposeNotification, Channel: "email", Provider: "capture", To: "mgr@bank.example", Body: "客户结果", Status: store.OutboundSent},
	} {
		if _, err := h.srv.store.LogOutbound(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	u := &store.User{Username: "ops", Role: store.RoleAgent, DisplayName: "ops"}
	u.SetExtraPermissions([]store.Permission{store.PermSettingsManage})
	if err := u.SetPassword(testPassword, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.store.CreateUser(ctx, u, nil); err != nil {
		t.Fatal(err)
	}
	var login loginResponse
	h.do("POST", "/api/v1/auth/login", "", loginRequest{u.Username, testPassword}, 200, &login)
	rec := h.do("GET", "/api/v1/outbound-messages", login.Token, nil, 200, nil)
	for _, secret := range []string{"13800138000", "zhangwei@", "尊敬的张伟"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("a user without pii_view sees %q: %s", secret, rec.Body)
		}
	}
	for _, shown := range []string{"138****8000", "z***@example.com", "mgr@bank.example", "客户结果"} {
		if !strings.Contains(rec.Body.String(), shown) {
			t.Errorf("%q missing: %s", shown, rec.Body)
		}
	}
	if rec := h.do("GET", "/api/v1/outbound-messages", h.tokens[store.RoleAdmin], nil, 200, nil); !strings.Contains(rec.Body.String(), "+8613800138000") {
		t.Errorf("the admin (pii_view) sees the number masked: %s", rec.Body)
	}
}
