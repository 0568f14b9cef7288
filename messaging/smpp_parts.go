package messaging

import (
	"fmt"
	"strings"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// smsText is what the handset shows: the sign name in 【】 first, as
// Chinese operators require of business messages.
func smsText(m Outgoing) string {
	if m.SignName == "" || strings.HasPrefix(m.Text, "【") {
		return m.Text
	}
	return "【" + m.SignName + "】" + m.Text
}

// smsEncoding: GSM 7-bit when every character has a code, else UCS-2
// (Chinese): 70 UCS-2 characters fit one message, 67 a part of a long one.
func smsEncoding(text string) data.Encoding {
	if len(data.ValidateGSM7String(text)) == 0 {
		return data.GSM7BIT
	}
	return data.UCS2
}

// parts builds the submit_sm of a message: one, or one per part with the
// concatenation UDH (IE 0x00: reference, count, index) and esm_class UDHI.
// Each part gets its own sequence number.
func (s *SMPP) parts(m Outgoing) ([]*pdu.SubmitSM, error) {
	text := smsText(m)
	if m.To == "" || text == "" {
		return nil, fmt.Errorf("%w: an sms needs a number and a text", ErrBadMessage)
	}
	enc := smsEncoding(text)
	msgs, err := pdu.NewLongMessageWithEncoding(text, enc)
	if err != nil {
		return nil, fmt.Errorf("%w: encode sms: %v", ErrBadMessage, err)
	}
	src, err := pdu.NewAddressWithTonNpiAddr(0, 1, s.cfg.SourceAddr)
	if err != nil {
		return nil, fmt.Errorf("%w: sms.smpp.source_addr %q: %v", ErrBadMessage, s.cfg.SourceAddr, err)
	}
	dst, err := pdu.NewAddressWithTonNpiAddr(0, 1, m.To)
	if err != nil {
		return nil, &Failure{Permanent: true, Code: "address", Text: fmt.Sprintf("number %q: %v", m.To, err)}
	}
	out := make([]*pdu.SubmitSM, len(msgs))
	for i, sm := range msgs {
		p := pdu.NewSubmitSM().(*pdu.SubmitSM)
		p.SourceAddr, p.DestAddr, p.Message = src, dst, *sm
		p.RegisteredDelivery = data.SM_SMSC_RECEIPT_REQUESTED
		if len(msgs) > 1 {
			p.EsmClass |= data.SM_UDH_GSM
		}
		out[i] = p
	}
	return out, nil
}

// ParseReceipt reads an SMSC delivery receipt's text (SMPP 3.4 appendix B:
// "id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:000
// text:…"). Only DELIVRD counts as delivered; ENROUTE and ACCEPTD are not
// final and are ignored.
func ParseReceipt(text string) (Receipt, bool) {
	field := func(name string) string {
		i := strings.Index(text, name+":")
		if i < 0 {
			return ""
		}
		v := text[i+len(name)+1:]
		if j := strings.IndexByte(v, ' '); j >= 0 {
			v = v[:j]
		}
		return v
	}
	r := Receipt{ProviderID: field("id"), Code: field("err")}
	switch field("stat") {
	case "DELIVRD":
		r.Status = ReceiptDelivered
	case "UNDELIV", "EXPIRED", "REJECTD", "DELETED", "UNKNOWN":
		r.Status = ReceiptFailed
		r.Code = field("stat") + ":" + r.Code
	default:
		return Receipt{}, false
	}
	return r, r.ProviderID != ""
}
