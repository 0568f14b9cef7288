package messaging

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// HTTPConfig is a generic signed-HTTP SMS gateway (config keys sms.http.*):
// a JSON POST signed with HMAC-SHA256 over "timestamp\nbody", for the many
// gateways of Chinese carriers and aggregators that take such a request.
type HTTPConfig struct {
	URL       string
	KeyID     string // sent as X-CC-Key
	Secret    string
	PerSecond float64
	Client    *http.Client // default: 30 s timeout
}

// Validate names the first missing setting.
func (c *HTTPConfig) Validate() error {
	switch {
	case c.URL == "":
		return errors.New("sms.http.url is required")
	case c.Secret == "":
		return errors.New("sms.http.secret is required")
	}
	return nil
}

// HTTPSMS sends one JSON request per message:
//
//	POST {url}  X-CC-Key, X-CC-Timestamp (unix s), X-CC-Signature (hex HMAC-SHA256 of "timestamp\nbody")
//	{"id","to","text","sign_name","template_id","template_params"}
//
// and reads {"message_id"} on 2xx, {"code","message"} otherwise: 4xx with
// code "invalid_number" is permanent, any other answer temporary.
type HTTPSMS struct {
	cfg   HTTPConfig
	limit *limiter
}

// NewHTTPSMS checks the configuration.
func NewHTTPSMS(cfg HTTPConfig) (*HTTPSMS, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("messaging: http sms: %w", err)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	return &HTTPSMS{cfg: cfg, limit: newLimiter(cfg.PerSecond)}, nil
}

// Name implements Sender.
func (h *HTTPSMS) Name() string { return "http" }

// HTTPRequest is the body the generic gateway receives.
type HTTPRequest struct {
	ID             string   `json:"id"`
	To             string   `json:"to"`
	Text           string   `json:"text"`
	SignName       string   `json:"sign_name,omitempty"`
	TemplateID     string   `json:"template_id,omitempty"`
	TemplateParams []string `json:"template_params,omitempty"`
}

type httpReply struct {
	MessageID string `json:"message_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// Sign is the signature of body at ts, as the gateway checks it.
func Sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d\n", ts)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Send posts one message.
func (h *HTTPSMS) Send(ctx context.Context, m Outgoing) (Sent, error) {
	if m.To == "" || (m.Text == "" && m.TemplateID == "") {
		return Sent{}, fmt.Errorf("%w: an sms needs a number and a text or template", ErrBadMessage)
	}
	if err := h.limit.wait(ctx); err != nil {
		return Sent{}, err
	}
	body, _ := json.Marshal(HTTPRequest{ID: m.Key, To: m.To, Text: smsText(m), SignName: m.SignName,
		TemplateID: m.TemplateID, TemplateParams: m.TemplateParams})
	ts := time.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return Sent{}, fmt.Errorf("%w: sms.http.url: %v", ErrBadMessage, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CC-Key", h.cfg.KeyID)
	req.Header.Set("X-CC-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-CC-Signature", Sign(h.cfg.Secret, ts, body))
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		return Sent{}, &Failure{Code: "connection", Text: err.Error()}
	}
	defer resp.Body.Close()
	var r httpReply
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, &r)
	switch {
	case resp.StatusCode/100 == 2 && r.MessageID != "":
		return Sent{ProviderID: r.MessageID, Parts: 1}, nil
	case resp.StatusCode/100 == 4 && r.Code == "invalid_number":
		return Sent{}, &Failure{Permanent: true, Code: r.Code, Text: r.Message}
	}
	code := r.Code
	if code == "" {
		code = strconv.Itoa(resp.StatusCode)
	}
	return Sent{}, &Failure{Code: code, Text: fmt.Sprintf("%s: %.200s", resp.Status, raw)}
}
