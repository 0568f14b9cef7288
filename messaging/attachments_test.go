package messaging

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/messaging/mailtest"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// receivedFile is one attachment as the recipient's mail client reads it.
type receivedFile struct {
	Name, ContentType string
	Data              []byte
}

// attachmentsOf walks the received message's MIME tree and decodes every
// attachment (base64, as go-mail writes them).
func attachmentsOf(t *testing.T, m mailtest.Message) []receivedFile {
	t.Helper()
	msg, err := m.Parsed()
	must(t, err)
	var out []receivedFile
	var walk func(ctype string, body io.Reader)
	walk = func(ctype string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		must(t, err)
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return
			}
			must(t, err)
			if p.FileName() == "" {
				walk(p.Header.Get("Content-Type"), p)
				continue
			}
			raw, err := io.ReadAll(p)
			must(t, err)
			if enc := p.Header.Get("Content-Transfer-Encoding"); !strings.EqualFold(enc, "base64") {
				t.Fatalf("%s: transfer encoding %q", p.FileName(), enc)
			}
			data, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
			must(t, err)
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			out = append(out, receivedFile{Name: p.FileName(), ContentType: ct, Data: data})
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return out
}

// An e-mail campaign's attachments reach the SMTP peer byte for byte, with
// their content types and their (Chinese) file names.
func TestEmailCampaignAttachmentsAgainstSMTPPeer(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		peer := mailtest.Start(t, mailtest.Options{Username: "relay", Password: "pw", TLS: "starttls"})
		e := emailTo(t, peer, TLSStartTLS, "relay", "pw")
		d := NewDispatcher(s, map[store.Media]Sender{store.MediaEmail: e}, nil)
		dir := t.TempDir()
		random := func(n int) []byte {
			b := make([]byte, n)
			_, _ = rand.Read(b)
			return b
		}
		files := []struct {
			name, ctype string
			data        []byte
		}{
			{"2026年12月信用卡对账单.pdf", "application/pdf", append([]byte("%PDF-1.7\n"), random(300_000)...)},
			{strings.Repeat("还款计划", 20) + ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				append([]byte("PK\x03\x04"), random(50_000)...)},
			{"notice.txt", "text/plain", []byte("尊敬的客户：\r\n请按时还款。\n")},
		}
		var ids []int64
		for i, f := range files {
			path := filepath.Join(dir, f.name)
			must(t, os.WriteFile(path, f.data, 0o600))
			doc := &store.Document{Name: f.name, Kind: store.DocumentAttachment, Path: path, Source: path, ContentType: f.ctype,
				SourceBytes: int64(len(f.data)), Bytes: int64(len(f.data))}
			must(t, s.CreateDocument(t.Context(), doc))
			ids = append(ids, doc.ID)
			_ = i
		}
		c := newCampaign(t, s, store.MediaEmail, store.CampaignMessage{Subject: "{{name}}，您的对账单", Text: "尊敬的{{name}}，附件是您的对账单。",
			Attachments: ids}, allDay, []store.Contact{
			{Name: "张伟", Phone: "+8613800138001", Email: "zhang@example.com"},
			{Name: "李娜", Phone: "+8613800138002", Email: "li@example.com"},
		})
		if !c.run(t, d, time.Now()) {
			t.Fatal("the campaign did not complete")
		}
		msgs := peer.Messages()
		if len(msgs) != 2 {
			t.Fatalf("%d messages arrived, want 2", len(msgs))
		}
		for _, m := range msgs {
			got := attachmentsOf(t, m)
			if len(got) != len(files) {
				t.Fatalf("to %v: %d attachments, want %d", m.To, len(got), len(files))
			}
			for i, f := range files {
				if got[i].Name != f.name || got[i].ContentType != f.ctype || !bytes.Equal(got[i].Data, f.data) {
					t.Fatalf("to %v attachment %d: %q %s %d bytes, want %q %s %d bytes (equal %v)", m.To, i, got[i].Name,
						got[i].ContentType, len(got[i].Data), f.name, f.ctype, len(f.data), bytes.Equal(got[i].Data, f.data))
				}
			}
			for _, l := range strings.Split(string(m.Data), "\r\n") {
				if len(l) > 998 {
					t.Fatalf("a line of %d bytes (SMTP allows 998)", len(l))
				}
			}
		}
	})
}

// Attachment names are readable both by RFC 2231 readers (the filename*
// parameter) and by those that read an RFC 2047 word in the quoted
// filename (Outlook, webmail), on folded lines under 90 characters.
func TestAttachmentNameEncoding(t *testing.T) {
	for _, name := range []string{"statement.pdf", "对账单.pdf", strings.Repeat("客户还款计划表", 12) + ".xlsx", `a"b\c.txt`,
		"含 空格 的文件名（第1版）.docx"} {
		want := strings.Map(func(r rune) rune {
			if r == '"' || r == '\\' {
				return '_'
			}
			return r
		}, name)
		v := mimeParam("attachment", "filename", name)
		for i, l := range strings.Split("Content-Disposition: "+v, "\r\n") {
			if len(l) >= 90 || (i > 0 && !strings.HasPrefix(l, " ")) {
				t.Errorf("%s: header line of %d characters: %q", name, len(l), l)
			}
		}
		h, err := textproto.NewReader(bufioReader("Content-Disposition: " + v + "\r\n\r\n")).ReadMIMEHeader()
		must(t, err)
		_, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
		if err != nil || params["filename"] != want {
			t.Errorf("%s: RFC 2231 reader gets %q (%v)", name, params["filename"], err)
		}
		// a reader of the quoted RFC 2047 form only
		quoted := h.Get("Content-Disposition")
		start := strings.Index(quoted, `filename="`) + len(`filename="`)
		end := start + strings.Index(quoted[start:], `"`)
		dec, err := new(mime.WordDecoder).DecodeHeader(quoted[start:end])
		if err != nil || dec != want {
			t.Errorf("%s: RFC 2047 reader gets %q (%v)", name, dec, err)
		}
	}
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

// An admin's test message carries attachments the same way.
func TestTestMessageAttachments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		peer := mailtest.Start(t, mailtest.Options{})
		e := emailTo(t, peer, TLSNone, "", "")
		path := filepath.Join(t.TempDir(), "f.pdf")
		data := append([]byte("%PDF-1.4\n"), 0, 1, 2, 3, 0xfe, 0xff)
		must(t, os.WriteFile(path, data, 0o600))
		doc := &store.Document{Name: "测试附件.pdf", Kind: store.DocumentAttachment, Path: path, Source: path,
			ContentType: "application/pdf", SourceBytes: int64(len(data)), Bytes: int64(len(data))}
		must(t, s.CreateDocument(t.Context(), doc))
		row, err := SendTest(t.Context(), s, e, Test{Channel: "email", To: "ops@bank.example", Subject: "测试", Text: "测试",
			Attachments: []int64{doc.ID}, By: 1})
		if err != nil || row.Status != store.OutboundSent {
			t.Fatalf("%+v %v", row, err)
		}
		got := attachmentsOf(t, peer.Wait(t, 30*time.Second))
		if len(got) != 1 || got[0].Name != "测试附件.pdf" || !bytes.Equal(got[0].Data, data) {
			t.Fatalf("received %+v", got)
		}
	})
}
