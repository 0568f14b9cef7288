package messaging

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/messaging/faxtest"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// faxSim is the FreeSWITCH simulator with fax machines at fixed numbers,
// and a controller pool connected to it.
func faxSim(t *testing.T) (*esltest.Server, *controller.Pool) {
	t.Helper()
	sc := esltest.DefaultScenario()
	fixed := func(n string, o esltest.Outcome, fax *esltest.Fax) esltest.NumberOverride {
		return esltest.NumberOverride{Number: n, Outcome: o, Ring: time.Second, Talk: time.Second, Fax: fax}
	}
	sc.Overrides = []esltest.NumberOverride{
		fixed("02150001001", esltest.OutcomeAnswer, &esltest.Fax{Result: esltest.FaxOK, StationID: "+86 21 5000 1001"}),
		fixed("02150001002", esltest.OutcomeAnswer, &esltest.Fax{Result: esltest.FaxPartial, Pages: 2}),
		fixed("02150001003", esltest.OutcomeAnswer, &esltest.Fax{Result: esltest.FaxNoFax}),
		fixed("02150001004", esltest.OutcomeBusy, nil),
		fixed("02150001005", esltest.OutcomeInvalid, nil),
		fixed("02150001006", esltest.OutcomeAnswer, &esltest.Fax{Result: esltest.FaxIncompatible}),
	}
	srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: 0.005, HeartbeatInterval: -1})
	must(t, err)
	t.Cleanup(func() { srv.Close() })
	pool, err := controller.NewPool(context.Background(), controller.PoolConfig{Nodes: []controller.NodeConfig{{
		Name: "fs1", Address: srv.Addr(), CommandTimeout: 10 * time.Second}}})
	must(t, err)
	t.Cleanup(func() { pool.Close() })
	eventually(t, "the pool connects", pool.Ready)
	return srv, pool
}

func writeTIFF(t *testing.T, pages int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "statement.tif")
	must(t, os.WriteFile(p, faxtest.TIFF(pages), 0o600))
	return p
}

// TestFaxSender sends a three-page document to fax machines that take it,
// stop after two pages, never answer in T.30, refuse it, are busy or do
// not exist, and checks what mod_spandsp's events and variables say.
func TestFaxSender(t *testing.T) {
	_, pool := faxSim(t)
	f, err := NewFax(pool, FaxConfig{Gateway: "gw1", Ident: "+86 21 9558 8000", Header: "某银行 对账单"})
	must(t, err)
	doc := writeTIFF(t, 3)
	tests := []struct {
		to        string
		doc       string
		pages     int
		code      string
		permanent bool
		ok        bool
	}{
		{to: "02150001001", doc: doc, pages: 3, ok: true},
		{to: "02150001002", doc: doc, pages: 2, code: "21"},
		{to: "02150001003", doc: doc, code: "2"},
		{to: "02150001004", doc: doc, code: "USER_BUSY"},
		{to: "02150001005", doc: doc, code: "UNALLOCATED_NUMBER", permanent: true},
		{to: "02150001006", doc: doc, code: "8", permanent: true},
		{to: "02150001001", doc: filepath.Join(t.TempDir(), "missing.tif"), code: "41", permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.to+"_"+filepath.Base(tt.doc), func(t *testing.T) {
			sent, err := f.Send(context.Background(), Outgoing{To: tt.to, Document: tt.doc})
			if tt.ok {
				if err != nil || sent.Final == nil || sent.Final.Status != ReceiptDelivered || sent.Final.Pages != tt.pages || sent.Parts != tt.pages {
					t.Fatalf("sent %+v final %+v err %v", sent, sent.Final, err)
				}
				return
			}
			if err == nil || FailureCode(err) != tt.code || IsPermanent(err) != tt.permanent || sent.Parts != tt.pages {
				t.Fatalf("sent %+v err %v (code %q permanent %v), want code %s permanent %v pages %d",
					sent, err, FailureCode(err), IsPermanent(err), tt.code, tt.permanent, tt.pages)
			}
		})
	}
}

// TestFaxOriginateArgs: the originate carries mod_spandsp's variables
// (percent-encoded where mod_spandsp URL-decodes) and &txfax(document).
func TestFaxOriginateArgs(t *testing.T) {
	f, err := NewFax(recordSwitch{}, FaxConfig{Gateway: "gw1", Ident: "95588", Header: "默认"})
	must(t, err)
	req := f.request(Outgoing{Key: "k1", To: "02150001001", Document: "/data/fax/1.tif", Header: "某银行, 对账单", CampaignID: 7}, "trunk")
	want := map[string]string{"fax_use_ecm": "true", "fax_enable_t38": "true", "fax_ident": "95588",
		"fax_header": "%E6%9F%90%E9%93%B6%E8%A1%8C%2C%20%E5%AF%B9%E8%B4%A6%E5%8D%95"}
	for k, v := range want {
		if req.Vars[k] != v {
			t.Errorf("%s = %q, want %q", k, req.Vars[k], v)
		}
	}
	if req.App != "txfax" || req.AppArgs != "/data/fax/1.tif" || req.Gateway != "trunk" || req.Number != "02150001001" ||
		req.UUID != "k1" || req.CampaignID != 7 {
		t.Errorf("request %+v", req)
	}
}

type recordSwitch struct{ controller.Switch }

// TestFaxCampaignAgainstSimulator runs a fax campaign the way the runner
// does: pages and results stored per contact.
func TestFaxCampaignAgainstSimulator(t *testing.T) {
	_, pool := faxSim(t)
	fax, err := NewFax(pool, FaxConfig{Gateway: "gw1", Ident: "95588"})
	must(t, err)
	storetest.Run(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		doc := &store.Document{Name: "statement.pdf", Path: writeTIFF(t, 3), Pages: 3, Bytes: 1}
		must(t, s.CreateDocument(ctx, doc))
		d := NewDispatcher(s, map[store.Media]Sender{store.MediaFax: fax}, nil)
		f := newCampaignWith(t, s, store.MediaFax, store.CampaignMessage{FaxHeader: "{{name}} 对账单"}, allDay, []store.Contact{
			{Name: "张伟", Phone: "02150001001"}, {Name: "李娜", Phone: "02150001002"}, {Name: "赵敏", Phone: "02150001006"},
		}, func(c *store.Campaign) { c.DocumentID = &doc.ID; c.Gateway = "gw1" })
		if !f.run(t, d, time.Now()) {
			t.Fatal("the campaign did not complete")
		}
		cs := f.contacts(t)
		for name, want := range map[string]store.ResultClass{"张伟": store.ResultAnswered, "李娜": store.ResultNetworkFailure,
			"赵敏": store.ResultInvalidNumber} {
			if a := f.attempt(t, cs[name]); a.Outcome != want {
				t.Errorf("%s: outcome %s cause %q, want %s", name, a.Outcome, a.HangupCause, want)
			}
		}
		eventually(t, "the fax receipt", func() bool { return f.attempt(t, cs["张伟"]).Delivery == "delivered" })
		log, _, err := s.ListOutbound(ctx, store.OutboundFilter{CampaignID: f.camp.ID})
		must(t, err)
		pages := map[string]string{}
		for _, m := range log {
			pages[m.To] = string(m.Status) + "/" + m.Code + "/" + string(rune('0'+m.Parts))
		}
		want := map[string]string{"02150001001": "delivered/0/3", "02150001002": "failed/21/2", "02150001006": "failed/8/0"}
		for to, w := range want {
			if pages[to] != w {
				t.Errorf("%s: %s, want %s (log %v)", to, pages[to], w, pages)
			}
		}
	})
}

func TestConvertPDF(t *testing.T) {
	if _, err := exec.LookPath("gs"); err != nil {
		t.Skip("ghostscript (gs) is not installed: apt-get install ghostscript (scripts/test.sh installs it)")
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "in.pdf")
	must(t, os.WriteFile(good, faxtest.PDF(3), 0o600))
	out := filepath.Join(dir, "out.tif")
	pages, err := FaxConverter{}.ConvertPDF(context.Background(), "账单.pdf", good, out)
	if err != nil || pages != 3 {
		t.Fatalf("pages %d err %v", pages, err)
	}
	if n, err := TIFFPages(out); n != 3 || err != nil {
		t.Fatalf("TIFF pages %d %v", n, err)
	}
	for name, data := range map[string][]byte{
		"notes.txt": []byte("hello, not a pdf"),
		"broken.pdf": append([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"),
			[]byte(strings.Repeat("garbage ", 50))...),
	} {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, data, 0o600))
		_, err := FaxConverter{}.ConvertPDF(context.Background(), name, p, filepath.Join(dir, name+".tif"))
		if !errors.Is(err, ErrBadDocument) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
		if _, serr := os.Stat(filepath.Join(dir, name+".tif")); serr == nil {
			t.Errorf("%s: a broken conversion left its output", name)
		}
	}
}

// BenchmarkConvertPDF converts a 10-page PDF to a fax TIFF with ghostscript.
func BenchmarkConvertPDF(b *testing.B) {
	if _, err := exec.LookPath("gs"); err != nil {
		b.Skip("ghostscript (gs) is not installed")
	}
	dir := b.TempDir()
	src := filepath.Join(dir, "in.pdf")
	must(b, os.WriteFile(src, faxtest.PDF(10), 0o600))
	for i := 0; b.Loop(); i++ {
		if _, err := (FaxConverter{}).ConvertPDF(context.Background(), "in.pdf", src, filepath.Join(dir, "out.tif")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/10, "ms/page")
}

// A fax that runs past its time is hung up, not left on the line.
func TestFaxMaxDurationHangsUp(t *testing.T) {
	srv, pool := faxSim(t)
	f, err := NewFax(pool, FaxConfig{Gateway: "gw1", MaxDuration: 300 * time.Millisecond})
	must(t, err)
	start := time.Now()
	// 400 pages take 16 s at this time scale; the sender gives up after 0.3 s
	sent, err := f.Send(context.Background(), Outgoing{Key: "fax-too-long", To: "02150001001", Document: writeTIFF(t, 400)})
	if FailureCode(err) != "timeout" || IsPermanent(err) {
		t.Fatalf("sent %+v err %v", sent, err)
	}
	eventually(t, "the fax call hung up", func() bool {
		for _, ch := range srv.Channels() {
			if ch.UUID == "fax-too-long" {
				return false
			}
		}
		return true
	})
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the call ended after %s: it ran to its end instead of being hung up", d)
	}
}
