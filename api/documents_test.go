package api

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/messaging/faxtest"
	"github.com/bankcc/callcenter/store"
)

// A PDF becomes a fax TIFF with its pages counted; a file that is no PDF,
// or a PDF ghostscript cannot render, is a 400 naming the file.
func TestDocumentUpload(t *testing.T) {
	if _, err := exec.LookPath("gs"); err != nil {
		t.Skip("ghostscript (gs) is not installed: apt-get install ghostscript (scripts/test.sh installs it)")
	}
	h := newHarness(t)
	sup := h.tokens[store.RoleSupervisor]
	rec := h.upload("/api/v1/documents", sup, "对账单.pdf", faxtest.PDF(2), nil)
	var doc store.Document
	decode(t, rec, &doc)
	if rec.Code != 201 || doc.Pages != 2 || doc.Name != "对账单.pdf" || doc.Bytes == 0 {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	stored, err := h.srv.store.GetDocument(t.Context(), doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := messaging.TIFFPages(stored.Path); n != 2 || err != nil {
		t.Fatalf("stored TIFF %s: %d pages, %v", stored.Path, n, err)
	}
	if strings.Contains(rec.Body.String(), stored.Path) {
		t.Error("the reply shows the server's file path")
	}
	var l list[store.Document]
	h.do("GET", "/api/v1/documents", sup, nil, 200, &l)
	if l.Total != 1 || l.Items[0].ID != doc.ID {
		t.Fatalf("list %+v", l)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"minutes.docx", []byte("PK\x03\x04 not a pdf")},
		{"broken.pdf", []byte("%PDF-1.4\n" + strings.Repeat("rubbish ", 100))},
	} {
		rec := h.upload("/api/v1/documents", sup, tc.name, tc.data, nil)
		if rec.Code != 400 || !strings.Contains(errorOf(t, rec).Message, tc.name) || errorOf(t, rec).Details[0].Field != "file" {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	if rec := h.upload("/api/v1/documents", sup, "", nil, nil); rec.Code != 400 {
		t.Errorf("no file: %d %s", rec.Code, rec.Body)
	}
	if rec := h.upload("/api/v1/documents", h.tokens[store.RoleAgent], "a.pdf", faxtest.PDF(1), nil); rec.Code != 403 {
		t.Errorf("agent upload: %d", rec.Code)
	}
	entries, _ := os.ReadDir(h.srv.cfg.DataDir + "/fax")
	if len(entries) != 1 {
		t.Errorf("fax folder holds %d files, want the one converted document", len(entries))
	}
	// a fax campaign takes the document
	camp := map[string]any{"name": "传真对账单", "kind": "notification", "media": "fax", "dial_mode": "broadcast", "priority": 5,
		"document_id": doc.ID, "message": map[string]any{"fax_header": "某银行 对账单", "fax_ident": "95588"}}
	var c store.Campaign
	h.do("POST", "/api/v1/campaigns", h.tokens[store.RoleAdmin], camp, 201, &c)
	if c.DocumentID == nil || *c.DocumentID != doc.ID || c.Message.FaxIdent != "95588" {
		t.Fatalf("campaign %+v", c)
	}
	camp["document_id"] = doc.ID + 100
	rec = h.raw("POST", "/api/v1/campaigns", h.tokens[store.RoleAdmin], camp)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "document_id") {
		t.Errorf("unknown document: %d %s", rec.Code, rec.Body)
	}
	_ = fmt.Sprint()
}
