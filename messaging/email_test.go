package messaging

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/messaging/mailtest"
)

func emailTo(t *testing.T, peer *mailtest.Server, mode TLSMode, user, pass string) *Email {
	t.Helper()
	e, err := NewEmail(EmailConfig{Host: peer.Host, Port: peer.Port, TLS: mode, Username: user, Password: pass,
		From: "notice@bank.example", TLSConfig: peer.ClientTLS})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func TestEmailSendsOverEachTLSModeWithAuth(t *testing.T) {
	for _, tc := range []struct {
		peer string
		mode TLSMode
		user string
	}{
		{"", TLSNone, ""},
		{"", TLSNone, "relay"},
		{"starttls", TLSStartTLS, "relay"},
		{"tls", TLSImplicit, "relay"},
	} {
		t.Run(string(tc.mode)+"/"+tc.user, func(t *testing.T) {
			peer := mailtest.Start(t, mailtest.Options{Username: tc.user, Password: "s3cret", TLS: tc.peer})
			e := emailTo(t, peer, tc.mode, tc.user, "s3cret")
			sent, err := e.Send(context.Background(), Outgoing{To: "zhang@example.com", Subject: "还款提醒 张*",
				Text: "尊敬的张*，请还款。", HTML: "<p>尊敬的张*</p>",
				Attachments: []Attachment{{Name: "notice.txt", Data: []byte("attached")}}})
			if err != nil {
				t.Fatal(err)
			}
			got := peer.Wait(t, 30*time.Second)
			if got.Auth != tc.user || got.To[0] != "zhang@example.com" {
				t.Fatalf("auth %q to %v", got.Auth, got.To)
			}
			msg, err := got.Parsed()
			if err != nil {
				t.Fatal(err)
			}
			if id := strings.Trim(msg.Header.Get("Message-Id"), "<>"); id != sent.ProviderID || id == "" {
				t.Fatalf("message id %q, sender said %q", id, sent.ProviderID)
			}
			subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if subj != "还款提醒 张*" {
				t.Fatalf("subject %q", subj)
			}
			parts := mimeParts(t, msg.Header.Get("Content-Type"), msg.Body)
			for _, want := range []string{"text/plain", "text/html", "notice.txt"} {
				if !strings.Contains(parts, want) {
					t.Fatalf("parts %s: no %s", parts, want)
				}
			}
		})
	}
}

// mimeParts lists the content types and file names of every part, nested.
func mimeParts(t *testing.T, ctype string, body io.Reader) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return mt
	}
	var out []string
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		out = append(out, mimeParts(t, p.Header.Get("Content-Type"), p)+" "+p.FileName())
	}
	return strings.Join(out, ",")
}

func TestEmailClassifiesRefusals(t *testing.T) {
	peer := mailtest.Start(t, mailtest.Options{})
	e := emailTo(t, peer, TLSNone, "", "")
	for _, tc := range []struct {
		to        string
		permanent bool
		code      string
	}{
		{mailtest.RefuseLocal + "@example.com", true, "550"},
		{mailtest.DeferLocal + "@example.com", false, "451"},
		{"not an address", true, "address"},
	} {
		_, err := e.Send(context.Background(), Outgoing{To: tc.to, Text: "x"})
		if err == nil || IsPermanent(err) != tc.permanent || FailureCode(err) != tc.code {
			t.Fatalf("%s: err %v (permanent %v, code %q)", tc.to, err, IsPermanent(err), FailureCode(err))
		}
		if !tc.permanent && !errors.Is(err, ErrTemporary) {
			t.Fatalf("%s: %v is not temporary", tc.to, err)
		}
	}
	// The connection still works after the refusals.
	if _, err := e.Send(context.Background(), Outgoing{To: "ok@example.com", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := peer.Wait(t, 30*time.Second); got.To[0] != "ok@example.com" {
		t.Fatalf("got %v", got.To)
	}
}

func TestEmailWrongPasswordIsNotSent(t *testing.T) {
	peer := mailtest.Start(t, mailtest.Options{Username: "relay", Password: "right", TLS: "starttls"})
	e := emailTo(t, peer, TLSStartTLS, "relay", "wrong")
	_, err := e.Send(context.Background(), Outgoing{To: "a@example.com", Text: "x"})
	if err == nil || IsPermanent(err) {
		t.Fatalf("err %v: a bad relay password is our fault, not the address's", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatalf("the password leaks into the error: %v", err)
	}
}

func TestEmailConfigNamesTheBadKey(t *testing.T) {
	for _, tc := range []struct {
		cfg  EmailConfig
		want string
	}{
		{EmailConfig{Port: 25, From: "a@b.c"}, "email.smtp.host"},
		{EmailConfig{Host: "h", From: "a@b.c"}, "email.smtp.port"},
		{EmailConfig{Host: "h", Port: 25}, "email.from"},
		{EmailConfig{Host: "h", Port: 25, From: "a@b.c", TLS: "ssl"}, "email.smtp.tls"},
	} {
		if _, err := NewEmail(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%+v: %v, want %s", tc.cfg, err, tc.want)
		}
	}
}
