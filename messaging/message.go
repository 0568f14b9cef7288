package messaging

import (
	"context"
	"time"
)

// Channel is how a message travels.
type Channel string

const (
	ChannelSMS   Channel = "sms"
	ChannelEmail Channel = "email"
	ChannelFax   Channel = "fax"
)

// Outgoing is one message to one recipient, already rendered.
type Outgoing struct {
	// Key is unique per send (the attempt's uuid): senders pass it to the
	// provider where it takes one, so a retried request is not sent twice.
	Key        string
	To         string // an e-mail address or a phone number
	Subject    string // email
	Text       string
	HTML       string // email, optional
	SignName   string // sms: the sign name Chinese providers require (【某银行】)
	TemplateID string // sms: the provider's template (tencent, http)
	// TemplateParams are the values of the provider's template, in order.
	TemplateParams []string
	Attachments    []Attachment // email
	Document       string       // fax: the TIFF file to send
	Header         string       // fax: the page header line
	Ident          string       // fax: the sending station id
	Gateway        string       // fax: the SIP trunk (empty: the sender's default)
	CallerID       string       // fax: the calling number (empty: the sender's default)
	// CampaignID and ContactID travel with a fax call (its originate lane
	// and call record).
	CampaignID, ContactID int64
}

// Attachment is a file sent with an e-mail.
type Attachment struct {
	Name        string // shown to the recipient; any script (Chinese names are encoded for every mail client)
	ContentType string // empty: from the name's extension
	Data        []byte
}

// Sent is what the provider answered to an accepted message.
type Sent struct {
	ProviderID string // the provider's message id (SMTP Message-ID, SMPP message_id)
	Parts      int    // sms segments, fax pages
	Simulated  bool   // captured in process, nothing left this machine
	// Final is set when the send itself is the outcome (fax: the pages went
	// through or not); otherwise a receipt may follow.
	Final *Receipt
}

// Sender sends one message.
type Sender interface {
	Send(ctx context.Context, m Outgoing) (Sent, error)
	// Name names the provider in logs and the delivery log ("smtp", "smpp",
	// "tencent", "http", "capture", "fax").
	Name() string
}

// ReceiptStatus is what a delivery receipt says.
type ReceiptStatus string

const (
	ReceiptDelivered ReceiptStatus = "delivered"
	ReceiptFailed    ReceiptStatus = "failed"
)

// Receipt is a delivery receipt: the provider's id of the message and its fate.
type Receipt struct {
	Provider   string
	ProviderID string
	Status     ReceiptStatus
	Code       string // the operator's code (SMPP err:, a gateway's code)
	At         time.Time
	Pages      int // fax
}

// Receipts hears of delivery receipts; it must not block for long.
type Receipts func(Receipt)
