package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/bankcc/callcenter/store"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// Store is what the dispatcher needs of the database.
type Store interface {
	LogOutbound(ctx context.Context, m *store.OutboundMessage) (bool, error)
	SettleOutbound(ctx context.Context, id int64, r store.OutboundResult, now time.Time) error
	RecordReceipt(ctx context.Context, r store.Receipt) (bool, error)
	GetDocument(ctx context.Context, id int64) (*store.Document, error)
}

// Dispatcher sends one campaign message per attempt through the medium's
// sender, logs it (the delivery log, and the provider id a receipt will
// name), and tells the runner the attempt's result class.
type Dispatcher struct {
	senders map[store.Media]Sender
	store   Store
	log     *slog.Logger

	// early holds receipts that arrived before their message's provider id
	// was stored (an SMSC may send the receipt right behind its
	// submit_sm_resp); each stored send looks its id up here.
	// settled holds the ids stored lately, so that a receipt whose lookup
	// ran just before its id was stored looks again instead of waiting
	// here for a send that has already passed.
	mu      sync.Mutex
	early   map[string]Receipt
	settled map[string]time.Time
	pruned  time.Time

	files attachmentCache
}

// earlyKeep bounds how long a receipt waits for its message.
const earlyKeep = 10 * time.Minute

// settledKeep is how long a stored id is remembered for a receipt that
// looked it up just before it was stored.
const settledKeep = 10 * time.Second

// NewDispatcher wires the senders by medium (sms, email, fax).
func NewDispatcher(st Store, senders map[store.Media]Sender, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{senders: senders, store: st, log: log, early: map[string]Receipt{},
		settled: map[string]time.Time{}}
}

// Sender is the medium's sender, or nil.
func (d *Dispatcher) Sender(m store.Media) Sender { return d.senders[m] }

// Delivery is the outcome of one campaign send, as the runner settles it.
type Delivery struct {
	Class  store.ResultClass // answered (accepted), invalid_number (refused for good), network_failure (retry)
	Detail string            // provider and code, kept as the attempt's cause
}

// Deliver sends camp's message to the contact for the attempt key (its
// call uuid); phone is the number the rules chose (sms, fax). It returns
// when the provider has answered: for sms and email in well under a
// second, for a fax when the call ends (minutes: run sends concurrently).
func (d *Dispatcher) Deliver(ctx context.Context, key string, camp *store.Campaign, c *store.Contact, phone string) Delivery {
	snd := d.senders[camp.Media]
	if snd == nil {
		return Delivery{Class: store.ResultNetworkFailure, Detail: "no sender for " + string(camp.Media)}
	}
	out, err := d.outgoing(ctx, key, camp, c, phone)
	row := &store.OutboundMessage{Purpose: store.PurposeCampaign, Channel: string(camp.Media), Provider: snd.Name(),
		CampaignID: camp.ID, ContactID: c.ID, AttemptUUID: key, To: out.To, Subject: out.Subject, Status: store.OutboundQueued}
	if _, isCapture := snd.(*Capture); isCapture {
		row.Body = out.Text // a simulated message is shown in the admin pages
	}
	if _, lerr := d.store.LogOutbound(ctx, row); lerr != nil {
		return Delivery{Class: store.ResultNetworkFailure, Detail: "log: " + lerr.Error()}
	}
	var sent Sent
	if err == nil {
		sent, err = snd.Send(ctx, out)
	}
	res := settle(snd.Name(), sent, err)
	if serr := d.store.SettleOutbound(context.WithoutCancel(ctx), row.ID, res, time.Now()); serr != nil {
		d.log.Error("messaging: settle outbound", "campaign_id", camp.ID, "contact_id", c.ID, "err", serr)
	}
	if sent.Final != nil {
		d.Receipt(*sent.Final)
	}
	if r, ok := d.takeEarly(snd.Name(), sent.ProviderID); ok {
		d.Receipt(r)
	}
	return deliveryOf(snd.Name(), err)
}

func settle(provider string, sent Sent, err error) store.OutboundResult {
	r := store.OutboundResult{Status: store.OutboundSent, Provider: provider, ProviderID: sent.ProviderID,
		Simulated: sent.Simulated, Parts: sent.Parts}
	if err != nil {
		r.Status, r.Code, r.Error = store.OutboundFailed, FailureCode(err), err.Error()
	}
	return r
}

func deliveryOf(provider string, err error) Delivery {
	switch {
	case err == nil:
		return Delivery{Class: store.ResultAnswered, Detail: provider + " accepted"}
	case IsPermanent(err):
		return Delivery{Class: store.ResultInvalidNumber, Detail: provider + " " + FailureCode(err)}
	}
	return Delivery{Class: store.ResultNetworkFailure, Detail: provider + " " + FailureCode(err)}
}

// outgoing renders the campaign's message for the contact. Identity
// numbers and the campaign's sensitive attributes are masked in messages
// to customers: a bank never sends one in full over SMS, e-mail or fax.
func (d *Dispatcher) outgoing(ctx context.Context, key string, camp *store.Campaign, c *store.Contact, phone string) (Outgoing, error) {
	mask := Masking{IDNumber: true, Sensitive: map[string]bool{}}
	for _, k := range camp.SensitiveAttributes {
		mask.Sensitive[k] = true
	}
	f := ContactFields(c, mask)
	m := camp.Message
	out := Outgoing{Key: key, To: phone, Subject: Render(m.Subject, f), Text: Render(m.Text, f), HTML: RenderHTML(m.HTML, f),
		SignName: m.SignName, TemplateID: m.TemplateID, Header: Render(m.FaxHeader, f), Ident: m.FaxIdent,
		Gateway: camp.Gateway, CampaignID: camp.ID, ContactID: c.ID}
	if len(camp.CallerIDs) > 0 {
		out.CallerID = camp.CallerIDs[0]
	}
	for _, p := range m.TemplateParams {
		out.TemplateParams = append(out.TemplateParams, f[p])
	}
	switch camp.Media {
	case store.MediaEmail:
		out.To = c.Email
		if out.To == "" {
			return out, &Failure{Permanent: true, Code: "no_email", Text: fmt.Sprintf("contact %d has no e-mail address", c.ID)}
		}
		atts, err := d.files.load(ctx, d.store, m.Attachments)
		if err != nil {
			return out, fmt.Errorf("messaging: campaign %d: %w", camp.ID, err)
		}
		out.Attachments = atts
	case store.MediaFax:
		if camp.DocumentID == nil {
			return out, fmt.Errorf("%w: campaign %d has no document_id", ErrBadMessage, camp.ID)
		}
		doc, err := d.store.GetDocument(ctx, *camp.DocumentID)
		if err != nil {
			return out, fmt.Errorf("messaging: fax document %d: %w", *camp.DocumentID, err)
		}
		out.Document = doc.Path
		if out.Header == "" {
			out.Header = filepath.Base(doc.Name)
		}
	}
	return out, nil
}

// Receipt records a delivery receipt; unknown ones are logged at debug.
func (d *Dispatcher) Receipt(r Receipt) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if r.At.IsZero() {
		r.At = time.Now()
	}
	found, err := d.store.RecordReceipt(ctx, store.Receipt{Provider: r.Provider, ProviderID: r.ProviderID,
		Delivered: r.Status == ReceiptDelivered, Code: r.Code, At: r.At, Pages: r.Pages})
	switch {
	case err != nil:
		d.log.Error("messaging: record receipt", "provider", r.Provider, "message_id", r.ProviderID, "err", err)
	case !found && !d.keepEarly(r):
		// Its id was stored between the lookup and now: look again.
		if _, err := d.store.RecordReceipt(ctx, store.Receipt{Provider: r.Provider, ProviderID: r.ProviderID,
			Delivered: r.Status == ReceiptDelivered, Code: r.Code, At: r.At, Pages: r.Pages}); err != nil {
			d.log.Error("messaging: record receipt", "provider", r.Provider, "message_id", r.ProviderID, "err", err)
		}
	}
}

// keepEarly keeps a receipt for a send whose id is not stored yet; false
// when the id has been stored meanwhile (then nobody would take it).
func (d *Dispatcher) keepEarly(r Receipt) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, old := range d.early {
		if time.Since(old.At) > earlyKeep {
			d.log.Debug("messaging: receipt of an unknown message", "provider", old.Provider, "message_id", old.ProviderID)
			delete(d.early, k)
		}
	}
	k := r.Provider + "\x00" + r.ProviderID
	if _, ok := d.settled[k]; ok {
		return false
	}
	d.early[k] = r
	return true
}

func (d *Dispatcher) takeEarly(provider, id string) (Receipt, bool) {
	if id == "" {
		return Receipt{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if now.Sub(d.pruned) > time.Second { // the race it covers lasts milliseconds
		for k, at := range d.settled {
			if now.Sub(at) > settledKeep {
				delete(d.settled, k)
			}
		}
		d.pruned = now
	}
	k := provider + "\x00" + id
	d.settled[k] = now
	r, ok := d.early[k]
	delete(d.early, k)
	return r, ok
}
