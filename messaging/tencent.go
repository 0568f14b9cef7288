package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// TencentConfig is Tencent Cloud SMS (config keys sms.tencent.*). The SDK's
// sms package is not available here; the common package signs (TC3) and
// sends the SendSms action.
type TencentConfig struct {
	SecretID  string
	SecretKey string
	AppID     string // SmsSdkAppId
	Region    string // default ap-guangzhou
	Endpoint  string // default sms.tencentcloudapi.com; tests point it at a fake
	Scheme    string // HTTPS by default
	PerSecond float64
	// Transport overrides the HTTP transport (tests).
	Transport http.RoundTripper
}

// Validate names the first missing setting.
func (c *TencentConfig) Validate() error {
	switch {
	case c.SecretID == "" || c.SecretKey == "":
		return errors.New("sms.tencent.secret_id and sms.tencent.secret_key are required")
	case c.AppID == "":
		return errors.New("sms.tencent.app_id is required")
	}
	if c.Region == "" {
		c.Region = "ap-guangzhou"
	}
	return nil
}

// Tencent sends SMS through Tencent Cloud's SendSms (API version
// 2021-01-11): the campaign's sign name and template, the rendered values
// as template parameters.
type Tencent struct {
	cfg    TencentConfig
	client *common.Client
	limit  *limiter
}

// NewTencent checks the configuration.
func NewTencent(cfg TencentConfig) (*Tencent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("messaging: tencent: %w", err)
	}
	p := profile.NewClientProfile()
	p.HttpProfile.Endpoint = cfg.Endpoint
	if cfg.Scheme != "" {
		p.HttpProfile.Scheme = cfg.Scheme
	}
	c := common.NewCommonClient(common.NewCredential(cfg.SecretID, cfg.SecretKey), cfg.Region, p)
	if cfg.Transport != nil {
		c.WithHttpTransport(cfg.Transport)
	}
	return &Tencent{cfg: cfg, client: c, limit: newLimiter(cfg.PerSecond)}, nil
}

// Name implements Sender.
func (t *Tencent) Name() string { return "tencent" }

type tencentSend struct {
	PhoneNumberSet   []string `json:"PhoneNumberSet"`
	SmsSdkAppID      string   `json:"SmsSdkAppId"`
	SignName         string   `json:"SignName"`
	TemplateID       string   `json:"TemplateId"`
	TemplateParamSet []string `json:"TemplateParamSet"`
	SessionContext   string   `json:"SessionContext"`
}

type tencentReply struct {
	Response struct {
		SendStatusSet []struct {
			SerialNo    string `json:"SerialNo"`
			PhoneNumber string `json:"PhoneNumber"`
			Code        string `json:"Code"`
			Message     string `json:"Message"`
		} `json:"SendStatusSet"`
		RequestID string `json:"RequestId"`
	} `json:"Response"`
}

// Send sends one SMS; the SerialNo is the provider id.
func (t *Tencent) Send(ctx context.Context, m Outgoing) (Sent, error) {
	if m.To == "" || m.TemplateID == "" || m.SignName == "" {
		return Sent{}, fmt.Errorf("%w: tencent sms needs a number, the campaign's sign_name and template_id", ErrBadMessage)
	}
	if err := t.limit.wait(ctx); err != nil {
		return Sent{}, err
	}
	req := tchttp.NewCommonRequest("sms", "2021-01-11", "SendSms")
	req.SetContext(ctx)
	params := m.TemplateParams
	if params == nil {
		params = []string{}
	}
	body, _ := json.Marshal(tencentSend{PhoneNumberSet: []string{e164CN(m.To)}, SmsSdkAppID: t.cfg.AppID,
		SignName: m.SignName, TemplateID: m.TemplateID, TemplateParamSet: params, SessionContext: m.Key})
	if err := req.SetActionParameters(body); err != nil {
		return Sent{}, fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	resp := tchttp.NewCommonResponse()
	if err := t.client.Send(req, resp); err != nil {
		return Sent{}, classifyTencent(err)
	}
	var r tencentReply
	if err := json.Unmarshal(resp.GetBody(), &r); err != nil || len(r.Response.SendStatusSet) != 1 {
		return Sent{}, &Failure{Code: "reply", Text: fmt.Sprintf("unexpected SendSms reply: %.200s", resp.GetBody())}
	}
	st := r.Response.SendStatusSet[0]
	if st.Code != "Ok" {
		return Sent{}, tencentFailure(st.Code, st.Message)
	}
	return Sent{ProviderID: st.SerialNo, Parts: 1}, nil
}

// e164CN writes a Chinese number the way Tencent wants it (+86…).
func e164CN(n string) string {
	if strings.HasPrefix(n, "+") {
		return n
	}
	return "+86" + strings.TrimPrefix(n, "0086")
}

func classifyTencent(err error) error {
	var se *tcerr.TencentCloudSDKError
	if errors.As(err, &se) {
		return tencentFailure(se.Code, se.Message)
	}
	return &Failure{Code: "connection", Text: err.Error()}
}

// tencentFailure: a bad or blacklisted number is permanent; limits,
// throttling and the service's own trouble are worth a retry; our own
// mistakes (auth, sign, template) are temporary for the contact (the
// number is not at fault) and show in the log.
func tencentFailure(code, msg string) error {
	switch {
	case strings.HasPrefix(code, "InvalidParameterValue.IncorrectPhoneNumber"),
		code == "FailedOperation.PhoneNumberInBlacklist", code == "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber":
		return &Failure{Permanent: true, Code: code, Text: msg}
	}
	return &Failure{Code: code, Text: msg}
}
