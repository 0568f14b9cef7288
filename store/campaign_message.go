package store

import (
	"fmt"
	"strings"
)

// CampaignMessage is what an sms, email or fax campaign sends (api.md
// "message"): contact fields merge in as {{name}}, {{phone}},
// {{attributes.balance}} or {{balance}}.
type CampaignMessage struct {
	Subject    string `json:"subject,omitempty"`
	Text       string `json:"text,omitempty"`
	HTML       string `json:"html,omitempty"`
	SignName   string `json:"sign_name,omitempty"`   // sms: the sign Chinese providers require
	TemplateID string `json:"template_id,omitempty"` // sms: the provider's template (tencent, http)
	// TemplateParams are the fields filling the provider's template, in
	// order ("name", "attributes.balance").
	TemplateParams []string `json:"template_params,omitempty"`
	// FaxHeader is the header line on each fax page; FaxIdent the sending
	// station id.
	FaxHeader string `json:"fax_header,omitempty"`
	FaxIdent  string `json:"fax_ident,omitempty"`
	// Attachments are documents (POST /api/v1/documents) an email
	// campaign attaches to every message, in order.
	Attachments []int64 `json:"attachments,omitempty"`
}

// FollowUp hands a contact that the campaign did not reach (failed, or
// needing maintenance) to another campaign after a delay: "call up to 3
// times; if not reached send an SMS; after 2 days an email" is a voice
// campaign following up to an sms campaign following up to an email one.
// Each step runs with its own campaign's calendar, blacklist and limits.
type FollowUp struct {
	CampaignID int64 `json:"campaign_id"`
	AfterS     int64 `json:"after_s"` // wait after the contact's last attempt
}

// NotifyRule is a result notification (R14): when an attempt of the
// campaign ends with one of On (the agent's disposition, the IVR outcome or
// the result class), send the template to To by Channel.
type NotifyRule struct {
	On      []string      `json:"on"`
	Channel NotifyChannel `json:"channel"`
	// To: "manager_email" (the contact's account manager), "attribute:KEY"
	// (an address or number in the contact's attributes, e.g. the
	// manager's phone), or a fixed "address:VALUE" (a support group's
	// mailbox or duty phone).
	To      string `json:"to"`
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text"`
	// PII lets the template show the customer's phone and ID number in
	// full; otherwise they are masked as for a role without pii_view.
	PII bool `json:"pii,omitempty"`
}

// NotifyChannel is how a notification travels.
type NotifyChannel string

const (
	NotifyEmail NotifyChannel = "email"
	NotifySMS   NotifyChannel = "sms"
)

// NotifyChannels lists every NotifyChannel.
var NotifyChannels = []NotifyChannel{NotifyEmail, NotifySMS}

// EnumValues lists the notification channels.
func (NotifyChannel) EnumValues() []string { return enumStrings(NotifyChannels) }

// messageMedia are the media whose campaigns send messages.
func (m Media) Messages() bool { return m == MediaSMS || m == MediaEmail || m == MediaFax }

func (c *Campaign) validateMessaging(add func(field, msg string)) {
	msg := &c.Message
	switch c.Media {
	case MediaSMS:
		if strings.TrimSpace(msg.Text) == "" && msg.TemplateID == "" {
			add("message.text", "an sms campaign needs a text or a template_id")
		}
	case MediaEmail:
		if strings.TrimSpace(msg.Subject) == "" {
			add("message.subject", "an email campaign needs a subject")
		}
		if strings.TrimSpace(msg.Text) == "" && strings.TrimSpace(msg.HTML) == "" {
			add("message.text", "an email campaign needs a text or html body")
		}
	}
	if len(msg.Text) > 8000 || len(msg.HTML) > 200000 || len(msg.Subject) > 255 {
		add("message", "subject at most 255 bytes, text 8000, html 200000")
	}
	if f := c.FollowUp; f != nil {
		if f.CampaignID <= 0 || f.CampaignID == c.ID {
			add("follow_up.campaign_id", "must name another campaign")
		}
		if f.AfterS < 0 || f.AfterS > 90*86400 {
			add("follow_up.after_s", "must be between 0 and 7776000 (90 days)")
		}
	}
	for i, r := range c.Notify {
		r.validate(fmt.Sprintf("notify[%d]", i), add)
	}
}

func (r *NotifyRule) validate(at string, add func(field, msg string)) {
	if len(r.On) == 0 {
		add(at+".on", "names at least one result")
	}
	if !OneOf(r.Channel) {
		add(at+".channel", EnumMessage(r.Channel))
	}
	switch k, v, _ := strings.Cut(r.To, ":"); {
	case r.To == "manager_email":
		if r.Channel != NotifyEmail {
			add(at+".to", "manager_email is an e-mail address: use channel email")
		}
	case (k == "attribute" || k == "address") && v != "":
	default:
		add(at+".to", `must be "manager_email", "attribute:KEY" or "address:VALUE"`)
	}
	if strings.TrimSpace(r.Text) == "" {
		add(at+".text", "is required")
	}
}
