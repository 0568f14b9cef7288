package api

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store"
)

// An e-mail attachment is kept as uploaded (its type checked against its
// content); a campaign's message.attachments are checked at save, a 422
// naming the field.
func TestEmailAttachmentUploadAndCampaignChecks(t *testing.T) {
	h := newHarness(t)
	sup, admin := h.tokens[store.RoleSupervisor], h.tokens[store.RoleAdmin]
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 1000)...)
	attach := func(name string, data []byte) store.Document {
		t.Helper()
		rec := h.upload("/api/v1/documents", sup, name, data, map[string]string{"kind": "attachment"})
		var d store.Document
		decode(t, rec, &d)
		if rec.Code != 201 {
			t.Fatalf("%s: %d %s", name, rec.Code, rec.Body)
		}
		return d
	}
	doc := attach("信用卡对账单.pdf", pdf)
	if doc.Kind != store.DocumentAttachment || doc.ContentType != "application/pdf" || doc.Bytes != int64(len(pdf)) || len(doc.SHA256) != 64 {
		t.Fatalf("document %+v", doc)
	}
	stored, err := h.srv.store.GetDocument(t.Context(), doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(stored.Source); !bytes.Equal(got, pdf) {
		t.Fatal("the kept file differs from the upload")
	}
	for _, tc := range []struct{ name, data, why string }{
		{"setup.exe", "MZ\x90\x00", "may be"},
		{"notice.pdf", "MZ\x90\x00 not a pdf", "not a pdf"},
		{"photo.png", "GIF89a", "not a png"},
		{"list.docx", "plain text", "not a docx"},
	} {
		rec := h.upload("/api/v1/documents", sup, tc.name, []byte(tc.data), map[string]string{"kind": "attachment"})
		if e := errorOf(t, rec); rec.Code != 400 || e.Details[0].Field != "file" || !strings.Contains(e.Message, tc.name) || !strings.Contains(e.Message, tc.why) {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	if rec := h.upload("/api/v1/documents", sup, "a.pdf", pdf, map[string]string{"kind": "poster"}); rec.Code != 400 || errorOf(t, rec).Details[0].Field != "kind" {
		t.Errorf("bad kind: %d %s", rec.Code, rec.Body)
	}
	big := append([]byte("%PDF-1.7\n"), make([]byte, store.MaxEmailAttachmentBytes)...)
	if rec := h.upload("/api/v1/documents", sup, "big.pdf", big, map[string]string{"kind": "attachment"}); rec.Code != 413 {
		t.Errorf("an 11 MB attachment: %d %s", rec.Code, rec.Body)
	}
	txt, png := attach("说明.txt", []byte("请按时还款\n")), attach("logo.png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...))

	camp := func(media string, ids ...int64) map[string]any {
		return map[string]any{"name": fmt.Sprintf("附件-%s-%v", media, ids), "kind": "notification", "media": media, "dial_mode": "broadcast",
			"priority": 5, "message": map[string]any{"subject": "对账单", "text": "您好", "attachments": ids}}
	}
	var c store.Campaign
	h.do("POST", "/api/v1/campaigns", admin, camp("email", doc.ID, txt.ID, png.ID), 201, &c)
	if got := c.Message.Attachments; len(got) != 3 || got[0] != doc.ID {
		t.Fatalf("campaign attachments %v", got)
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{camp("sms", doc.ID), "message.attachments"},
		{camp("email", doc.ID, doc.ID+1000), "message.attachments[1]"},
		{camp("email", doc.ID, txt.ID, doc.ID), "message.attachments[2]"},
		{camp("email", doc.ID, txt.ID, png.ID, doc.ID, txt.ID, png.ID), "message.attachments"},
	} {
		rec := h.raw("POST", "/api/v1/campaigns", admin, tc.body)
		if e := errorOf(t, rec); rec.Code != 422 || e.Details[0].Field != tc.field {
			t.Errorf("%v: %d %s, want 422 naming %s", tc.body["message"], rec.Code, rec.Body, tc.field)
		}
	}
	fax := map[string]any{"name": "传真", "kind": "notification", "media": "fax", "dial_mode": "broadcast", "priority": 5, "document_id": doc.ID}
	if rec := h.raw("POST", "/api/v1/campaigns", admin, fax); rec.Code != 400 || errorOf(t, rec).Details[0].Field != "document_id" {
		t.Errorf("an attachment as a fax document: %d %s", rec.Code, rec.Body)
	}
	// a PATCH that moves the campaign off email keeps the check
	rec := h.raw("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), admin, map[string]any{"media": "sms"})
	if rec.Code != 422 || errorOf(t, rec).Details[0].Field != "message.attachments" {
		t.Errorf("patch to sms: %d %s", rec.Code, rec.Body)
	}
}
