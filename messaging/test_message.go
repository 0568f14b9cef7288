package messaging

import (
	"context"
	"fmt"
	"time"

	"github.com/bankcc/callcenter/store"
)

// Test is an admin's test message; Attachments (email) are document ids,
// sent as a campaign sends them.
type Test struct {
	Channel, To, Subject, Text string
	Attachments                []int64
	By                         int64 // the admin
}

// SendTest sends an admin's test message through snd and logs it (purpose
// test); a refusal is logged too and answered as the log entry, so the
// admin sees the provider's code. Credentials never appear: errors carry
// the server's answer, not the configuration.
func SendTest(ctx context.Context, st Store, snd Sender, t Test) (*store.OutboundMessage, error) {
	channel, to, subject, text, by := t.Channel, t.To, t.Subject, t.Text, t.By
	if to == "" {
		return nil, fmt.Errorf("%w: no recipient", ErrBadMessage)
	}
	row := &store.OutboundMessage{Purpose: store.PurposeTest, Channel: channel, Provider: snd.Name(), To: to, Subject: subject,
		Body: text, Status: store.OutboundQueued, CreatedBy: by}
	if _, err := st.LogOutbound(ctx, row); err != nil {
		return nil, err
	}
	out := Outgoing{Key: fmt.Sprintf("t%d", row.ID), To: to, Subject: subject, Text: text}
	var err error
	for _, id := range t.Attachments {
		var a Attachment
		if a, err = LoadAttachment(ctx, st, id); err != nil {
			break
		}
		out.Attachments = append(out.Attachments, a)
	}
	var sent Sent
	if err == nil {
		sent, err = snd.Send(ctx, out)
	}
	res := settle(snd.Name(), sent, err)
	if sent.Simulated {
		res.Status = store.OutboundDelivered
	}
	if err := st.SettleOutbound(ctx, row.ID, res, time.Now()); err != nil {
		return nil, err
	}
	row.Status, row.Code, row.Error, row.Simulated = res.Status, res.Code, res.Error, res.Simulated
	if res.ProviderID != "" {
		row.ProviderID = &res.ProviderID
	}
	return row, nil
}
