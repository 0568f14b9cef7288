package messaging

import (
	"context"
	"sync"
	"testing"

	"github.com/bankcc/callcenter/messaging/mailtest"
	"github.com/bankcc/callcenter/messaging/smsctest"
)

// BenchmarkSMPPSubmit measures submits per second over one bind with a
// window of 10 against the in-process SMSC (32 senders keep the window full).
func BenchmarkSMPPSubmit(b *testing.B) {
	smsc := smsctest.Start(b)
	s := newSMPP(b, smsc, 10, &receiptLog{})
	if _, err := sendWhenBound(b, s, Outgoing{To: "13800138000", Text: "warm"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	parallelSends(b, 32, func() error {
		_, err := s.Send(context.Background(), Outgoing{To: "13800138000", Text: "您的账单已出"})
		return err
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
}

// BenchmarkEmailSend measures e-mails per second to the local SMTP peer
// over one kept connection (plain SMTP on loopback).
func BenchmarkEmailSend(b *testing.B) {
	peer := mailtest.Start(b, mailtest.Options{})
	e, err := NewEmail(EmailConfig{Host: peer.Host, Port: peer.Port, TLS: TLSNone, From: "n@bank.example"})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ResetTimer()
	parallelSends(b, 4, func() error {
		_, err := e.Send(context.Background(), Outgoing{To: "a@example.com", Subject: "账单", Text: "尊敬的客户"})
		return err
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
}

// BenchmarkEmailSendAttachment is BenchmarkEmailSend with a 1 MB PDF
// attached to each message (base64 on the wire: about 1.37 MB).
func BenchmarkEmailSendAttachment(b *testing.B) {
	peer := mailtest.Start(b, mailtest.Options{})
	e, err := NewEmail(EmailConfig{Host: peer.Host, Port: peer.Port, TLS: TLSNone, From: "n@bank.example"})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	pdf := append([]byte("%PDF-1.7\n"), make([]byte, 1<<20)...)
	att := []Attachment{{Name: "2026年12月对账单.pdf", ContentType: "application/pdf", Data: pdf}}
	b.ResetTimer()
	parallelSends(b, 4, func() error {
		_, err := e.Send(context.Background(), Outgoing{To: "a@example.com", Subject: "账单", Text: "尊敬的客户", Attachments: att})
		return err
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
}

func parallelSends(b *testing.B, workers int, send func() error) {
	var wg sync.WaitGroup
	work := make(chan struct{}, b.N)
	for i := 0; i < b.N; i++ {
		work <- struct{}{}
	}
	close(work)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if err := send(); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkSMPPSubmitNodeSMSC is BenchmarkSMPPSubmit against the second
// SMSC (npm smpp@0.5.1, scripts/smsc-demo), receipts on.
func BenchmarkSMPPSubmitNodeSMSC(b *testing.B) {
	smsc := startNodeSMSC(b)
	s, err := NewSMPP(SMPPConfig{Address: smsc.addr, SystemID: "callcenter", Password: "s3cret", SourceAddr: "95588",
		Window: 10}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := sendWhenBound(b, s, Outgoing{To: "13800138000", Text: "warm"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	parallelSends(b, 32, func() error {
		_, err := s.Send(context.Background(), Outgoing{To: "13800138000", Text: "您的账单已出"})
		return err
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submits/s")
}
