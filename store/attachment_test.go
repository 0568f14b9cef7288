package store_test

import (
	"errors"
	"testing"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

func TestCheckAttachments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		mk := func(name, source, ctype string, size int64) int64 {
			d := &store.Document{Name: name, Kind: store.DocumentAttachment, Path: "/x", Source: source, ContentType: ctype, SourceBytes: size}
			if err := s.CreateDocument(ctx, d); err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		small := mk("a.pdf", "/a.pdf", "application/pdf", 1000)
		six := mk("b.pdf", "/b.pdf", "application/pdf", 6<<20)
		six2 := mk("c.pdf", "/c.pdf", "application/pdf", 6<<20)
		old := mk("old.pdf", "", "", 1000) // a fax upload from before originals were kept
		odd := mk("x.bin", "/x.bin", "application/x-msdownload", 10)
		huge := mk("h.pdf", "/h.pdf", "application/pdf", store.MaxEmailAttachmentBytes+1)
		for _, tc := range []struct {
			name  string
			media store.Media
			ids   []int64
			field string // "" = accepted
		}{
			{"none", store.MediaSMS, nil, ""},
			{"one", store.MediaEmail, []int64{small}, ""},
			{"two under the total", store.MediaEmail, []int64{small, six}, ""},
			{"sms", store.MediaSMS, []int64{small}, "message.attachments"},
			{"too many", store.MediaEmail, []int64{1, 2, 3, 4, 5, 6}, "message.attachments"},
			{"missing", store.MediaEmail, []int64{small, 99999}, "message.attachments[1]"},
			{"twice", store.MediaEmail, []int64{small, small}, "message.attachments[1]"},
			{"no original", store.MediaEmail, []int64{old}, "message.attachments[0]"},
			{"type", store.MediaEmail, []int64{odd}, "message.attachments[0]"},
			{"one too big", store.MediaEmail, []int64{huge}, "message.attachments[0]"},
			{"over the total", store.MediaEmail, []int64{six, six2}, "message.attachments"},
		} {
			err := s.CheckAttachments(ctx, tc.media, tc.ids)
			var ve *store.ValidationError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("%s: %v", tc.name, err)
			case tc.field != "" && (!errors.As(err, &ve) || ve.Fields[0].Field != tc.field):
				t.Errorf("%s: %v, want a validation error naming %s", tc.name, err, tc.field)
			}
		}
	})
}

func TestSniffAttachment(t *testing.T) {
	for _, tc := range []struct {
		name, head, want string
	}{
		{"对账单.PDF", "%PDF-1.4", "application/pdf"},
		{"a.docx", "PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"a.doc", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "application/msword"},
		{"a.ofd", "PK\x03\x04", "application/ofd"},
		{"a.jpg", "\xFF\xD8\xFF\xE0", "image/jpeg"},
		{"a.csv", "姓名,金额\n", "text/csv"},
		{"a.txt", "a\x00b", ""},
		{"a.exe", "MZ", ""},
		{"a.zip", "PK\x03\x04", ""},
		{"a.doc", "PK\x03\x04", ""},
	} {
		got, err := store.SniffAttachment(tc.name, []byte(tc.head))
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("%s: %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
}
