package dialplan

import (
	"encoding/xml"
	"errors"
	"log/slog"
	"net/http"
)

// The mod_xml_curl handlers. FreeSWITCH POSTs a form (section, tag_name,
// key_name, key_value, and the request's channel or REGISTER data) and
// expects a `freeswitch/xml` document back: the piece of configuration
// asked for, or the "not found" result, after which it falls back to the
// next binding and then to its static XML files.

// xmlcurlDoc is the top element of every answer.
type xmlcurlDoc struct {
	XMLName xml.Name       `xml:"document"`
	Type    string         `xml:"type,attr"`
	Section xmlcurlSection `xml:"section"`
}

type xmlcurlSection struct {
	Name     string           `xml:"name,attr"`
	Result   *xmlcurlResult   `xml:"result,omitempty"`
	Domain   *xmlcurlDomain   `xml:"domain,omitempty"`
	Contexts []xmlcurlContext `xml:"context,omitempty"`
}

type xmlcurlResult struct {
	Status string `xml:"status,attr"`
}

type xmlcurlParam struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// NotFoundXML is the answer FreeSWITCH expects when the handler has nothing
// for the request.
func NotFoundXML() []byte {
	b, _ := xmlcurlMarshal(xmlcurlDoc{Section: xmlcurlSection{Name: "result",
		Result: &xmlcurlResult{Status: "not found"}}})
	return b
}

// xmlcurlMarshal renders a document; encoding/xml escapes every attribute
// and text, so user data (display names, passwords) cannot break it.
func xmlcurlMarshal(d xmlcurlDoc) ([]byte, error) {
	d.Type = "freeswitch/xml"
	b, err := xml.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>`+"\n"), b...), nil
}

func xmlcurlWrite(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(body)
}

// xmlcurlParse reads the form (POST body or query); a bad form is answered
// with "not found" so FreeSWITCH falls back instead of failing.
func xmlcurlParse(w http.ResponseWriter, r *http.Request, log *slog.Logger) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		log.Warn("xml_curl: bad request form", "err", err)
		xmlcurlWrite(w, NotFoundXML())
		return false
	}
	return true
}

// ErrUnknownUser is returned by DirectoryUsers for a user that does not
// exist or may not register; the handler answers "not found".
var ErrUnknownUser = errors.New("dialplan: unknown SIP user")

func xmlcurlLogger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
