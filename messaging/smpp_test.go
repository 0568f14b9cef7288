package messaging

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/bankcc/callcenter/messaging/smsctest"
)

type receiptLog struct {
	mu sync.Mutex
	rs []Receipt
}

func (l *receiptLog) add(r Receipt) { l.mu.Lock(); l.rs = append(l.rs, r); l.mu.Unlock() }
func (l *receiptLog) find(id string) (Receipt, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.rs {
		if r.ProviderID == id {
			return r, true
		}
	}
	return Receipt{}, false
}

func newSMPP(t testing.TB, smsc *smsctest.Server, window int, log *receiptLog) *SMPP {
	t.Helper()
	s, err := NewSMPP(SMPPConfig{Address: smsc.Addr, SystemID: smsctest.SystemID, Password: smsctest.Password,
		SourceAddr: "95588", Window: window, Rebind: 50 * time.Millisecond, EnquireLink: 200 * time.Millisecond}, log.add, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// sendWhenBound retries while the first bind is being made.
func sendWhenBound(t testing.TB, s *SMPP, m Outgoing) (Sent, error) {
	t.Helper()
	var sent Sent
	var err error
	eventually(t, "bound", func() bool {
		sent, err = s.Send(context.Background(), m)
		return FailureCode(err) != "unbound" && FailureCode(err) != "bind"
	})
	return sent, err
}

func ucs2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

func TestSMPPSubmitsAndReceipts(t *testing.T) {
	smsc := smsctest.Start(t)
	var log receiptLog
	s := newSMPP(t, smsc, 10, &log)
	long := strings.Repeat("您的信用卡本期账单已出，请按时还款。", 5) // 90 characters with the sign: two parts
	for _, tc := range []struct {
		name, to, text, sign string
		parts                int
		coding               byte
		receipt              ReceiptStatus
		code                 string
	}{
		{"latin", "13800138000", "Your bill is due", "", 1, 0x00, ReceiptDelivered, "000"},
		{"chinese", "13800138001", "尊敬的张先生，您好", "某银行", 1, 0x08, ReceiptDelivered, "000"},
		{"long chinese", "13800138002", long, "某银行", 2, 0x08, ReceiptDelivered, "000"},
		{"undelivered", "13800134444", "您好", "某银行", 1, 0x08, ReceiptFailed, "UNDELIV:011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(smsc.Submits())
			sent, err := sendWhenBound(t, s, Outgoing{To: tc.to, Text: tc.text, SignName: tc.sign})
			if err != nil {
				t.Fatal(err)
			}
			subs := smsc.Submits()[before:]
			if sent.Parts != tc.parts || len(subs) != tc.parts {
				t.Fatalf("parts %d, smsc got %d, want %d", sent.Parts, len(subs), tc.parts)
			}
			var text string
			for i, sub := range subs {
				if sub.DataCoding != tc.coding || sub.Dest != tc.to || sub.Source != "95588" || !sub.Registered {
					t.Fatalf("part %d: %+v", i, sub)
				}
				if tc.parts > 1 && (sub.Total != byte(tc.parts) || sub.Part != byte(i+1) || sub.Ref != subs[0].Ref ||
					sub.ESMClass&0x40 == 0) {
					t.Fatalf("part %d: concatenation UDH %+v", i, sub)
				}
				if tc.coding == 0x08 {
					text += ucs2(sub.Text)
				} else {
					text += string(sub.Text)
				}
			}
			want := tc.text
			if tc.sign != "" {
				want = "【" + tc.sign + "】" + tc.text
			}
			if text != want {
				t.Fatalf("text %q, want %q", text, want)
			}
			if sent.ProviderID != subs[0].MessageID {
				t.Fatalf("provider id %q, smsc %q", sent.ProviderID, subs[0].MessageID)
			}
			var r Receipt
			eventually(t, "receipt", func() bool { var ok bool; r, ok = log.find(sent.ProviderID); return ok })
			if r.Status != tc.receipt || r.Code != tc.code {
				t.Fatalf("receipt %+v", r)
			}
		})
	}
}

func TestSMPPRefusedDestinationIsPermanent(t *testing.T) {
	smsc := smsctest.Start(t)
	s := newSMPP(t, smsc, 10, &receiptLog{})
	_, err := sendWhenBound(t, s, Outgoing{To: "0001234", Text: "hi"})
	if !IsPermanent(err) || FailureCode(err) != "0x0000000B" {
		t.Fatalf("err %v code %q", err, FailureCode(err))
	}
}

func TestSMPPKeepsTheWindow(t *testing.T) {
	smsc := smsctest.Start(t)
	s := newSMPP(t, smsc, 10, &receiptLog{})
	if _, err := sendWhenBound(t, s, Outgoing{To: "13800138000", Text: "warm"}); err != nil {
		t.Fatal(err)
	}
	smsc.Hold()
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Send(context.Background(), Outgoing{To: "13800138000", Text: "x"})
			errs <- err
		}()
	}
	eventually(t, "a full window at the smsc", func() bool { return smsc.Held() == 10 })
	// Nothing more goes out while the window is full.
	for i := 0; i < 20; i++ {
		if n := smsc.Held(); n != 10 {
			t.Fatalf("%d submits in flight with a window of 10", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for smsc.Held() > 0 || len(smsc.Submits()) < 31 {
		smsc.Release()
		smsc.Hold()
		time.Sleep(5 * time.Millisecond)
	}
	smsc.Release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestSMPPEnquireLinkAndReconnect(t *testing.T) {
	smsc := smsctest.Start(t)
	s := newSMPP(t, smsc, 10, &receiptLog{})
	if _, err := sendWhenBound(t, s, Outgoing{To: "13800138000", Text: "one"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "enquire_link", func() bool { return smsc.EnquireLinks() >= 2 })
	smsc.Drop()
	// Until the sender sees the drop and binds again, a send fails as a
	// temporary failure (the runner retries those per strategy); it goes
	// through once the new bind is up.
	var err error
	eventually(t, "sent after the reconnect", func() bool {
		_, err = s.Send(context.Background(), Outgoing{To: "13800138000", Text: "after the drop"})
		return err == nil || IsPermanent(err)
	})
	if err != nil {
		t.Fatal(err)
	}
	last := smsc.Submits()[len(smsc.Submits())-1]
	if string(last.Text) != "after the drop" {
		t.Fatalf("last submit %q", last.Text)
	}
}
