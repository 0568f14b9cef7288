package esltest

import (
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// FaxResult is how the fax machine at a number takes a txfax.
type FaxResult string

// Fax results. The codes and texts are spandsp's (t30_completion_code_to_str),
// as mod_spandsp reports them in fax_result_code and fax_result_text.
const (
	FaxOK FaxResult = "ok" // every page: fax_success 1, code 0 "OK"
	// FaxPartial: the receiver stops answering after Fax.Pages pages,
	// T30_ERR_TX_PHDDEAD (21) "No response after sending a page".
	FaxPartial FaxResult = "partial"
	// FaxNoFax: no fax machine answers (a person or a modem that never
	// speaks T.30): T30_ERR_T0_EXPIRED (2) "Timed out waiting for initial
	// communication", no negotiation, no page.
	FaxNoFax FaxResult = "no_fax"
	// FaxIncompatible: the far machine cannot take the document,
	// T30_ERR_INCOMPATIBLE (8) "Far end is not compatible", after negotiation.
	FaxIncompatible FaxResult = "incompatible"
)

var knownFaxResults = map[FaxResult]bool{"": true, FaxOK: true, FaxPartial: true, FaxNoFax: true, FaxIncompatible: true}

// Fax describes the fax machine at a number (empty Result: FaxOK).
type Fax struct {
	Result FaxResult `yaml:"result"`
	// Pages the receiver takes before a FaxPartial failure (default 1).
	Pages int `yaml:"pages"`
	// StationID is the receiver's CSI (fax-remote-station-id); default the number.
	StationID string `yaml:"station_id"`
}

// spandsp's T.30 completion codes used by the simulator.
const (
	t30OK           = 0
	t30T0Expired    = 2
	t30Incompatible = 8
	t30TxPhDDead    = 21
	t30FileError    = 41
)

var t30Text = map[int]string{
	t30OK:           "OK",
	t30T0Expired:    "Timed out waiting for initial communication",
	t30Incompatible: "Far end is not compatible",
	t30TxPhDDead:    "No response after sending a page",
	t30FileError:    "TIFF/F file cannot be opened",
}

// Simulated T.30 timing: phase B (CED, DIS/DCS, training) and one page at
// 14400 bit/s.
const (
	faxNegotiate = 4 * time.Second
	faxPage      = 8 * time.Second
)

// faxRun is one txfax/rxfax in progress.
type faxRun struct {
	tx          bool
	prefix      string // "tx" or "rx"
	total, sent int
	want        Fax
	local, far  string
	ecm         string
	t38         string
}

// appFax runs txfax (or rxfax) like mod_spandsp: it answers, and fires
// spandsp::txfaxnegociateresult (phase B), one spandsp::txfaxpageresult per
// page (phase D) and spandsp::txfaxresult (phase E), each with the channel
// data first and its own headers after, setting the fax_* variables
// before each event like phase_b/d/e_handler in mod_spandsp_fax.c. The far
// end's behaviour comes from the scenario (NumberRule.Fax, NumberOverride.Fax).
// A txfax document that cannot be read ends at once with
// T30_ERR_FILEERROR, as spandsp does when it cannot open the TIFF.
func appFax(w *world, ch *channel, r *appRun) {
	w.answer(ch)
	f := &faxRun{tx: r.call.name == "txfax", prefix: strings.TrimSuffix(r.call.name, "fax"), ecm: "off", t38: "off"}
	if ch.callee != nil && ch.callee.fax != nil {
		f.want = *ch.callee.fax
	}
	f.local = ch.vars.get("fax_ident")
	if f.local == "" {
		f.local = "SpanDSP Fax Ident" // mod_spandsp's default ident
	}
	f.far = f.want.StationID
	if f.far == "" {
		f.far = ch.prof.dest
	}
	if isTrue(ch.vars.get("fax_use_ecm")) {
		f.ecm = "on"
	}
	if isTrue(ch.vars.get("fax_enable_t38")) {
		f.t38 = "negotiated"
	}
	f.total = 1
	if f.tx {
		n, err := tiffPages(r.call.arg)
		if err != nil {
			w.s.log.Warn("esltest: txfax document", "path", r.call.arg, "err", err)
			w.later(ch, r, time.Second, func() { w.faxResult(ch, r, f, t30FileError) })
			return
		}
		f.total = n
	}
	if f.want.Result == FaxNoFax {
		w.later(ch, r, 3*faxNegotiate, func() { w.faxResult(ch, r, f, t30T0Expired) })
		return
	}
	w.later(ch, r, faxNegotiate, func() {
		w.faxNegotiated(ch, f)
		if f.want.Result == FaxIncompatible {
			w.later(ch, r, time.Second, func() { w.faxResult(ch, r, f, t30Incompatible) })
			return
		}
		w.faxNextPage(ch, r, f)
	})
}

// faxNextPage sends one page and schedules the next, or phase E.
func (w *world) faxNextPage(ch *channel, r *appRun, f *faxRun) {
	limit := f.total
	if f.want.Result == FaxPartial {
		limit = min(max(f.want.Pages, 1), f.total)
		if limit == f.total && f.total > 1 {
			limit = f.total - 1
		}
	}
	w.later(ch, r, faxPage, func() {
		if f.sent >= limit {
			w.faxResult(ch, r, f, t30TxPhDDead)
			return
		}
		f.sent++
		w.faxPageDone(ch, f)
		if f.sent == f.total {
			w.faxResult(ch, r, f, t30OK)
			return
		}
		w.faxNextPage(ch, r, f)
	})
}

// faxEvent is a spandsp CUSTOM event: the channel data, then hs.
func (w *world) faxEvent(subclass string, ch *channel, hs []header) {
	e := w.newEventCap(subclass, 120+len(hs))
	addChannelData(e, ch, true)
	for _, h := range hs {
		e.add(h.name, h.value)
	}
	w.fire(e)
}

func (w *world) setVars(ch *channel, hs []header) {
	for _, h := range hs {
		ch.vars.set(h.name, h.value)
	}
}

// faxNegotiated is phase_b_handler.
func (w *world) faxNegotiated(ch *channel, f *faxRun) {
	w.setVars(ch, []header{{"fax_transfer_rate", "14400"}, {"fax_ecm_used", f.ecm}, {"fax_t38_status", f.t38},
		{"fax_local_station_id", f.local}, {"fax_remote_station_id", f.far}})
	hs := []header{{"uuid", ch.uuid}, {"fax-transfer-rate", "14400"}, {"fax-ecm-used", f.ecm}, {"fax-t38-status", f.t38},
		{"fax-local-station-id", f.local}, {"fax-remote-station-id", f.far}}
	if f.tx {
		hs = append(hs, header{"fax-document-total-pages", strconv.Itoa(f.total)})
	}
	w.faxEvent("spandsp::"+f.prefix+"faxnegociateresult", ch, hs)
}

// faxPageDone is phase_d_handler.
func (w *world) faxPageDone(ch *channel, f *faxRun) {
	pages, total := strconv.Itoa(f.sent), strconv.Itoa(f.total)
	w.setVars(ch, []header{{"fax_image_resolution", "8040x7700"}, {"fax_file_image_resolution", "8040x7700"},
		{"fax_image_pixel_size", "1728x2200"}, {"fax_file_image_pixel_size", "1728x2200"}, {"fax_image_size", "38120"},
		{"fax_bad_rows", "0"}, {"fax_longest_bad_row_run", "0"}, {"fax_encoding", "2"}, {"fax_encoding_name", "T.4 2-D"},
		{"fax_document_transferred_pages", pages}})
	hs := []header{{"uuid", ch.uuid}, {"fax-document-transferred-pages", pages}}
	if f.tx {
		ch.vars.set("fax_document_total_pages", total)
		hs = append(hs, header{"fax-document-total-pages", total})
	}
	hs = append(hs, header{"fax-image-resolution", "8040x7700"}, header{"fax-file-image-resolution", "8040x7700"},
		header{"fax-image-size", "38120"}, header{"fax-image-pixel-size", "1728x2200"},
		header{"fax-file-image-pixel-size", "1728x2200"}, header{"fax-bad-rows", "0"},
		header{"fax-longest-bad-row-run", "0"}, header{"fax-encoding", "2"}, header{"fax-encoding-name", "T.4 2-D"})
	w.faxEvent("spandsp::"+f.prefix+"faxpageresult", ch, hs)
}

// faxResult is phase_e_handler: the fax_* variables, the result event, and
// the end of the application.
func (w *world) faxResult(ch *channel, r *appRun, f *faxRun, code int) {
	success, res, size := "0", "0x0", "0"
	if code == t30OK {
		success = "1"
	}
	if f.sent > 0 {
		res, size = "8040x7700", strconv.Itoa(38120*f.sent)
	}
	rate := "14400"
	if code == t30T0Expired || code == t30FileError {
		rate = "0"
	}
	pages, total, text := strconv.Itoa(f.sent), strconv.Itoa(f.total), t30Text[code]
	if code == t30FileError {
		total = "0"
	}
	w.setVars(ch, []header{{"fax_success", success}, {"fax_result_code", strconv.Itoa(code)}, {"fax_result_text", text},
		{"fax_ecm_used", f.ecm}, {"fax_t38_status", f.t38}, {"fax_local_station_id", f.local},
		{"fax_remote_station_id", f.far}, {"fax_document_transferred_pages", pages},
		{"fax_document_total_pages", total}, {"fax_image_resolution", res}, {"fax_image_size", size},
		{"fax_bad_rows", "0"}, {"fax_transfer_rate", rate}})
	w.faxEvent("spandsp::"+f.prefix+"faxresult", ch, []header{{"fax-success", success},
		{"fax-result-code", strconv.Itoa(code)}, {"fax-result-text", text}, {"fax-document-transferred-pages", pages},
		{"fax-document-total-pages", total}, {"fax-image-resolution", res}, {"fax-image-size", size},
		{"fax-bad-rows", "0"}, {"fax-transfer-rate", rate}, {"fax-ecm-used", f.ecm}, {"fax-t38-status", f.t38},
		{"fax-local-station-id", f.local}, {"fax-remote-station-id", f.far}})
	w.done(ch, r, "")
}

func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1", "enabled", "active", "allow":
		return true
	}
	return false
}

// tiffPages counts the pages (image file directories) of a TIFF file.
func tiffPages(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if len(data) < 8 {
		return 0, fmt.Errorf("%s: too short for a TIFF", path)
	}
	var bo binary.ByteOrder
	switch string(data[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, fmt.Errorf("%s: not a TIFF", path)
	}
	if bo.Uint16(data[2:]) != 42 {
		return 0, fmt.Errorf("%s: not a TIFF", path)
	}
	n := 0
	for off := int64(bo.Uint32(data[4:])); off != 0; n++ {
		if off+2 > int64(len(data)) || n > 10000 {
			return 0, fmt.Errorf("%s: broken IFD chain", path)
		}
		entries := int64(bo.Uint16(data[off:]))
		next := off + 2 + entries*12
		if next+4 > int64(len(data)) {
			return 0, fmt.Errorf("%s: broken IFD chain", path)
		}
		off = int64(bo.Uint32(data[next:]))
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: no page", path)
	}
	return n, nil
}
