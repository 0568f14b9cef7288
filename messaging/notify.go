package messaging

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
)

// NotifyStore is what the notifier needs of the database.
type NotifyStore interface {
	Store
	FinishedAttemptsSince(ctx context.Context, since time.Time, n int) ([]store.Attempt, error)
	DueOutbound(ctx context.Context, now time.Time, n int) ([]store.OutboundMessage, error)
	GetCampaign(ctx context.Context, id int64) (*store.Campaign, error)
	GetContact(ctx context.Context, id int64) (*store.Contact, error)
}

// Notifier sends result notifications (R14): each Tick turns newly
// finished attempts that match a campaign's rules into queued messages
// (one per rule and attempt, whatever the number of instances), then sends
// the queued messages that are due, retrying temporary failures with a
// growing delay up to MaxTries.
type Notifier struct {
	store   NotifyStore
	senders map[store.NotifyChannel]Sender
	log     *slog.Logger
	since   time.Time
	// MaxTries before a notification is given up (failed); default 5.
	MaxTries int
}

// NewNotifier starts looking at attempts finished from since on.
func NewNotifier(st NotifyStore, email, sms Sender, since time.Time, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	senders := map[store.NotifyChannel]Sender{}
	if email != nil {
		senders[store.NotifyEmail] = email
	}
	if sms != nil {
		senders[store.NotifySMS] = sms
	}
	return &Notifier{store: st, senders: senders, log: log, since: since, MaxTries: 5}
}

// Tick queues the notifications of newly finished attempts and sends the due ones.
func (n *Notifier) Tick(ctx context.Context, now time.Time) error {
	if err := n.queue(ctx); err != nil {
		return err
	}
	return n.sendDue(ctx, now)
}

func (n *Notifier) queue(ctx context.Context) error {
	atts, err := n.store.FinishedAttemptsSince(ctx, n.since, 500)
	if err != nil {
		return err
	}
	camps := map[int64]*store.Campaign{}
	for i := range atts {
		a := &atts[i]
		camp := camps[a.CampaignID]
		if camp == nil {
			if camp, err = n.store.GetCampaign(ctx, a.CampaignID); err != nil {
				return err
			}
			camps[a.CampaignID] = camp
		}
		if err := n.queueAttempt(ctx, camp, a); err != nil {
			return err
		}
		if a.FinishedAt != nil && a.FinishedAt.After(n.since) {
			n.since = *a.FinishedAt
		}
	}
	return nil
}

// results are the names an attempt's result goes by: the agent's
// disposition and the dialer's class.
func results(a *store.Attempt) []string { return []string{a.Disposition, string(a.Outcome)} }

func (r ruleMatch) matches(a *store.Attempt) bool {
	for _, want := range r.On {
		for _, got := range results(a) {
			if got != "" && got == want {
				return true
			}
		}
	}
	return false
}

type ruleMatch struct{ store.NotifyRule }

func (n *Notifier) queueAttempt(ctx context.Context, camp *store.Campaign, a *store.Attempt) error {
	var contact *store.Contact
	for i, rule := range camp.Notify {
		if !(ruleMatch{rule}).matches(a) {
			continue
		}
		if contact == nil {
			var err error
			if contact, err = n.store.GetContact(ctx, a.ContactID); err != nil {
				return fmt.Errorf("messaging: notify attempt %s: %w", a.CallUUID, err)
			}
		}
		if _, err := n.store.LogOutbound(ctx, notification(camp, i, rule, a, contact)); err != nil {
			return err
		}
	}
	return nil
}

// notification renders a rule for one attempt. Without the rule's PII
// flag, the customer's phones, ID number and the campaign's sensitive
// attributes are masked as for a role without pii_view: an account manager
// sees what that role may.
func notification(camp *store.Campaign, i int, rule store.NotifyRule, a *store.Attempt, c *store.Contact) *store.OutboundMessage {
	m := Masking{}
	if !rule.PII {
		m = Masking{Phones: true, IDNumber: true, Sensitive: map[string]bool{}}
		for _, k := range camp.SensitiveAttributes {
			m.Sensitive[k] = true
		}
	}
	f := ContactFields(c, m)
	f["campaign"], f["result"], f["disposition"], f["outcome"] = camp.Name, firstNonEmpty(a.Disposition, string(a.Outcome)),
		a.Disposition, string(a.Outcome)
	if a.FinishedAt != nil {
		f["time"] = a.FinishedAt.Format(time.RFC3339)
	}
	key := fmt.Sprintf("notify:%d:%d:%s", camp.ID, i, a.CallUUID)
	row := &store.OutboundMessage{Purpose: store.PurposeNotification, Channel: string(rule.Channel), Provider: "pending",
		CampaignID: camp.ID, ContactID: c.ID, AttemptUUID: a.CallUUID, DedupKey: &key, To: recipient(rule.To, c),
		Subject: Render(rule.Subject, f), Body: Render(rule.Text, f), Status: store.OutboundQueued}
	if row.To == "" {
		row.Status, row.Error = store.OutboundFailed, "no recipient: the contact has no "+rule.To
	}
	return row
}

func recipient(to string, c *store.Contact) string {
	if to == "manager_email" {
		return c.ManagerEmail
	}
	k, v, _ := strings.Cut(to, ":")
	if k == "address" {
		return v
	}
	return contactAttributes(c)[v]
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func (n *Notifier) sendDue(ctx context.Context, now time.Time) error {
	due, err := n.store.DueOutbound(ctx, now, 100)
	if err != nil {
		return err
	}
	for _, m := range due {
		snd := n.senders[store.NotifyChannel(m.Channel)]
		if snd == nil {
			continue // this instance cannot send it; another may
		}
		sent, err := snd.Send(ctx, Outgoing{Key: fmt.Sprintf("n%d", m.ID), To: m.To, Subject: m.Subject, Text: m.Body})
		res := settle(snd.Name(), sent, err)
		if err != nil && !IsPermanent(err) && m.Tries+1 < n.MaxTries {
			retry := now.Add(time.Duration(1<<m.Tries) * time.Minute) // 1, 2, 4, 8 minutes
			res.Status, res.RetryAt = store.OutboundQueued, &retry
		}
		if sent.Simulated {
			res.Status = store.OutboundDelivered
		}
		if err != nil {
			n.log.Warn("messaging: notification not sent", "campaign_id", m.CampaignID, "contact_id", m.ContactID,
				"tries", m.Tries+1, "err", err)
		}
		if err := n.store.SettleOutbound(ctx, m.ID, res, now); err != nil {
			return err
		}
	}
	return nil
}
