package messaging

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/bankcc/callcenter/controller"
)

// FaxConfig is the fax sender's setup (config fax.*).
type FaxConfig struct {
	// Gateway is the SIP trunk faxes go out on when the campaign names none.
	Gateway string
	// Ident is the sending station id (fax_ident, at most 20 characters on
	// the wire: T.30's TSI); Header the default page header (fax_header).
	Ident  string
	Header string
	// CallerIDNumber is the calling number shown to the receiver.
	CallerIDNumber string
	// Ring is how long the far end may ring (originate_timeout); default 60 s.
	Ring time.Duration
	// MaxDuration bounds one fax call from the originate to its end;
	// default 30 minutes.
	MaxDuration time.Duration
	// Simulated: the switch is the built-in FreeSWITCH simulator, so the
	// delivery log labels every fax simulated.
	Simulated bool
}

// Fax sends documents through FreeSWITCH's mod_spandsp:
//
//	originate {fax_ident=…,fax_header=…,fax_use_ecm=true,fax_enable_t38=true}
//	          sofia/gateway/GW/NUMBER &txfax(/path/doc.tif)
//
// and reads the outcome from the leg's spandsp::txfaxresult event (the
// fax-success, fax-result-code, fax-result-text and
// fax-document-transferred-pages headers, which mirror the fax_success,
// fax_result_code, fax_result_text and fax_document_transferred_pages
// channel variables mod_spandsp sets in phase_e_handler just before it).
// spandsp::txfaxpageresult events count the pages as they go, so a call
// that drops mid-document still reports the pages that went through.
type Fax struct {
	sw  controller.Switch
	cfg FaxConfig
}

// NewFax returns the fax sender over sw.
func NewFax(sw controller.Switch, cfg FaxConfig) (*Fax, error) {
	if sw == nil {
		return nil, fmt.Errorf("%w: fax needs a FreeSWITCH connection", ErrNotConfigured)
	}
	if cfg.Ring <= 0 {
		cfg.Ring = 60 * time.Second
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = 30 * time.Minute
	}
	return &Fax{sw: sw, cfg: cfg}, nil
}

// Name implements Sender.
func (f *Fax) Name() string { return "fax" }

// FaxOutcome is what spandsp::txfaxresult said.
type FaxOutcome struct {
	Success    bool
	ResultCode int
	ResultText string
	Pages      int // fax_document_transferred_pages
	TotalPages int
}

// spandsp T.30 completion codes the sender treats specially.
const (
	t30Incompatible    = 8  // Far end is not compatible
	t30RxIncapable     = 9  // Far end is not able to receive
	t30NoResSupport    = 11 // Far end cannot receive at the resolution of the image
	t30NoSizeSupport   = 12 // Far end cannot receive at the size of image
	t30FileErrorFirst  = 41 // TIFF/F file cannot be opened ...
	t30FileErrorLast   = 46 // ... Bad TIFF/F header
	faxResultSubclass  = "spandsp::txfaxresult"
	faxPageSubclass    = "spandsp::txfaxpageresult"
	faxSucceededHeader = "Fax-Success"
)

// Send dials m.To and sends m.Document. The outcome is final: Sent.Final
// carries a delivered receipt with the pages; a failed fax returns the
// pages that did go through in Sent.Parts with the error.
func (f *Fax) Send(ctx context.Context, m Outgoing) (Sent, error) {
	if m.To == "" || m.Document == "" {
		return Sent{}, fmt.Errorf("%w: a fax needs a number and a document", ErrBadMessage)
	}
	gw := m.Gateway
	if gw == "" {
		gw = f.cfg.Gateway
	}
	if gw == "" {
		return Sent{}, fmt.Errorf("%w: no fax gateway (set fax.gateway or the campaign's gateway)", ErrNotConfigured)
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.MaxDuration)
	defer cancel()
	leg, err := f.sw.Originate(ctx, f.request(m, gw))
	if err != nil {
		if errors.Is(err, controller.ErrInvalid) {
			return Sent{}, fmt.Errorf("%w: %v", ErrBadMessage, err)
		}
		return Sent{}, &Failure{Code: "originate", Text: err.Error()}
	}
	out, hang, err := watchFax(ctx, leg)
	sent := Sent{ProviderID: leg.UUID(), Parts: out.Pages, Simulated: f.cfg.Simulated}
	if err != nil {
		// out of time (fax.max_duration) or shut down: the call must not
		// outlive its send
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if herr := f.sw.Hangup(hctx, leg.UUID(), "ALLOTTED_TIMEOUT"); herr != nil {
			err = fmt.Errorf("%w (hangup: %v)", err, herr)
		}
		return sent, &Failure{Code: "timeout", Text: fmt.Sprintf("fax to %s after %d pages: %v", m.To, out.Pages, err)}
	}
	if out.ResultText == "" { // no phase E: the call never reached the fax machine, or dropped
		return sent, hangupFailure(hang, out.Pages)
	}
	if !out.Success {
		return sent, faxFailure(out)
	}
	sent.Final = &Receipt{Provider: f.Name(), ProviderID: leg.UUID(), Status: ReceiptDelivered,
		Code: strconv.Itoa(out.ResultCode), Pages: out.Pages}
	return sent, nil
}

func (f *Fax) request(m Outgoing, gw string) controller.OriginateRequest {
	ident, header, cid := f.cfg.Ident, m.Header, f.cfg.CallerIDNumber
	if m.Ident != "" {
		ident = m.Ident
	}
	if m.CallerID != "" {
		cid = m.CallerID
	}
	if header == "" {
		header = f.cfg.Header
	}
	// mod_spandsp URL-decodes fax_ident and fax_header, so any text
	// (spaces, commas, Chinese) travels percent-encoded.
	vars := map[string]string{"fax_use_ecm": "true", "fax_enable_t38": "true"}
	if ident != "" {
		vars["fax_ident"] = url.PathEscape(ident)
	}
	if header != "" {
		vars["fax_header"] = url.PathEscape(header)
	}
	return controller.OriginateRequest{UUID: m.Key, Gateway: gw, Number: m.To, CallerIDNumber: cid,
		Timeout: f.cfg.Ring, Vars: vars, App: "txfax", AppArgs: m.Document,
		CampaignID: m.CampaignID, ContactID: m.ContactID}
}

// watchFax reads the leg's events to its hangup: the page results and the
// final result, in mod_spandsp's order (negociateresult, pageresult per
// page, txfaxresult, then the application's end and the hangup).
func watchFax(ctx context.Context, leg controller.Leg) (FaxOutcome, *controller.Hangup, error) {
	var out FaxOutcome
	events := leg.Events()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return out, nil, nil
			}
			switch {
			case e.Kind == controller.EventCustom && e.Subclass == faxPageSubclass:
				out.Pages = max(out.Pages, atoi(e.Header("fax-document-transferred-pages")))
				out.TotalPages = atoi(e.Header("fax-document-total-pages"))
			case e.Kind == controller.EventCustom && e.Subclass == faxResultSubclass:
				out = faxOutcome(e)
			case e.Kind == controller.EventHangup:
				go drain(events)
				return out, e.Hangup, nil
			}
		case <-ctx.Done():
			go drain(events)
			return out, nil, ctx.Err()
		}
	}
}

// drain reads a leg's stream to its end, as Leg.Events requires.
func drain(events <-chan controller.Event) {
	for range events { //nolint:revive // discarding
	}
}

func faxOutcome(e controller.Event) FaxOutcome {
	return FaxOutcome{Success: e.Header(faxSucceededHeader) == "1", ResultCode: atoi(e.Header("fax-result-code")),
		ResultText: e.Header("fax-result-text"), Pages: atoi(e.Header("fax-document-transferred-pages")),
		TotalPages: atoi(e.Header("fax-document-total-pages"))}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// faxFailure classifies a failed phase E: a far end that is no fax for
// this document is permanent, a TIFF that spandsp cannot read is a bad
// message, anything else (timeouts, a dropped line, training) is retried.
func faxFailure(out FaxOutcome) error {
	code := strconv.Itoa(out.ResultCode)
	text := fmt.Sprintf("%s (%d of %d pages sent)", out.ResultText, out.Pages, out.TotalPages)
	switch {
	case out.ResultCode >= t30FileErrorFirst && out.ResultCode <= t30FileErrorLast:
		return fmt.Errorf("%w: fax document: %w", ErrBadMessage, &Failure{Permanent: true, Code: code, Text: out.ResultText})
	case out.ResultCode == t30Incompatible, out.ResultCode == t30RxIncapable, out.ResultCode == t30NoResSupport,
		out.ResultCode == t30NoSizeSupport:
		return &Failure{Permanent: true, Code: code, Text: text}
	}
	return &Failure{Code: code, Text: text}
}

// hangupFailure classifies a call that ended without a fax result.
func hangupFailure(h *controller.Hangup, pages int) error {
	if h == nil {
		return &Failure{Code: "lost", Text: "the fax call ended without a result"}
	}
	cause := h.Cause
	if cause == "" {
		cause = h.Reason
	}
	switch h.Result {
	case controller.ResultInvalidNumber:
		return &Failure{Permanent: true, Code: cause, Text: "the number is not in service"}
	case controller.ResultAnswered:
		return &Failure{Code: cause, Text: fmt.Sprintf("the fax call dropped after %d pages", pages)}
	}
	return &Failure{Code: cause, Text: "the fax call was not answered: " + string(h.Result)}
}
