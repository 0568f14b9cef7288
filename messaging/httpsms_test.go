package messaging

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// checkTC3 verifies a request's TC3-HMAC-SHA256 signature the way Tencent
// Cloud documents it, independently of the SDK that made it.
func checkTC3(r *http.Request, body []byte, id, key string) error {
	auth := r.Header.Get("Authorization")
	var cred, signed, sig string
	for _, part := range strings.Split(strings.TrimPrefix(auth, "TC3-HMAC-SHA256 "), ", ") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			sig = v
		}
	}
	c := strings.Split(cred, "/") // id/date/service/tc3_request
	if len(c) != 4 || c[0] != id || c[2] != "sms" {
		return fmt.Errorf("credential %q", cred)
	}
	var hdrs strings.Builder
	for _, h := range strings.Split(signed, ";") {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		fmt.Fprintf(&hdrs, "%s:%s\n", h, strings.ToLower(strings.TrimSpace(v)))
	}
	sum := sha256.Sum256(body)
	canonical := strings.Join([]string{r.Method, "/", "", hdrs.String(), signed, hex.EncodeToString(sum[:])}, "\n")
	creq := sha256.Sum256([]byte(canonical))
	ts := r.Header.Get("X-TC-Timestamp")
	toSign := "TC3-HMAC-SHA256\n" + ts + "\n" + c[1] + "/sms/tc3_request\n" + hex.EncodeToString(creq[:])
	k := hmacSHA256(hmacSHA256(hmacSHA256([]byte("TC3"+key), c[1]), "sms"), "tc3_request")
	if want := hex.EncodeToString(hmacSHA256(k, toSign)); want != sig {
		return fmt.Errorf("signature %s, want %s", sig, want)
	}
	return nil
}

func TestTencentSignsAndClassifies(t *testing.T) {
	var got tencentSend
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := checkTC3(r, body, "AKIDtest", "key-secret"); err != nil || r.Header.Get("X-TC-Action") != "SendSms" {
			fmt.Fprintf(w, `{"Response":{"Error":{"Code":"AuthFailure.SignatureFailure","Message":%q},"RequestId":"r0"}}`, fmt.Sprint(err))
			return
		}
		_ = json.Unmarshal(body, &got)
		code, msg := "Ok", "send success"
		switch got.PhoneNumberSet[0] {
		case "+8613800000000":
			code, msg = "InvalidParameterValue.IncorrectPhoneNumber", "bad number"
		case "+8613811111111":
			code, msg = "LimitExceeded.PhoneNumberDailyLimit", "daily limit"
		}
		fmt.Fprintf(w, `{"Response":{"SendStatusSet":[{"SerialNo":"2028:%s","PhoneNumber":%q,"Fee":1,"Code":%q,"Message":%q}],"RequestId":"r1"}}`,
			got.SessionContext, got.PhoneNumberSet[0], code, msg)
	}))
	defer fake.Close()
	host := strings.TrimPrefix(fake.URL, "http://")
	for _, tc := range []struct {
		name, key, to, code string
		permanent           bool
	}{
		{"ok", "key-secret", "13800138000", "", false},
		{"bad number", "key-secret", "13800000000", "InvalidParameterValue.IncorrectPhoneNumber", true},
		{"limit", "key-secret", "13811111111", "LimitExceeded.PhoneNumberDailyLimit", false},
		{"wrong key", "other", "13800138000", "AuthFailure.SignatureFailure", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewTencent(TencentConfig{SecretID: "AKIDtest", SecretKey: tc.key, AppID: "1400000001", Endpoint: host, Scheme: "HTTP"})
			if err != nil {
				t.Fatal(err)
			}
			sent, err := s.Send(context.Background(), Outgoing{Key: "att-1", To: tc.to, SignName: "某银行", TemplateID: "123456",
				TemplateParams: []string{"张*", "1200.50"}})
			if tc.code == "" {
				if err != nil || sent.ProviderID != "2028:att-1" {
					t.Fatalf("sent %+v err %v", sent, err)
				}
				if got.SignName != "某银行" || got.TemplateID != "123456" || got.SmsSdkAppID != "1400000001" ||
					strings.Join(got.TemplateParamSet, ",") != "张*,1200.50" {
					t.Fatalf("request %+v", got)
				}
				return
			}
			if FailureCode(err) != tc.code || IsPermanent(err) != tc.permanent {
				t.Fatalf("err %v", err)
			}
			if strings.Contains(fmt.Sprint(err), "key-secret") {
				t.Fatalf("the secret leaks: %v", err)
			}
		})
	}
}

func TestHTTPSMSSignsAndClassifies(t *testing.T) {
	var got HTTPRequest
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("X-CC-Timestamp"), 10, 64)
		if r.Header.Get("X-CC-Key") != "k1" || !hmac.Equal([]byte(r.Header.Get("X-CC-Signature")), []byte(Sign("s3", ts, body))) ||
			time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code":"bad_signature"}`)
			return
		}
		_ = json.Unmarshal(body, &got)
		if got.To == "000" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":"invalid_number","message":"no such number"}`)
			return
		}
		fmt.Fprintf(w, `{"message_id":"gw-%s"}`, got.ID)
	}))
	defer fake.Close()
	for _, tc := range []struct {
		secret, to, code string
		permanent        bool
	}{
		{"s3", "13800138000", "", false},
		{"s3", "000", "invalid_number", true},
		{"wrong", "13800138000", "bad_signature", false},
	} {
		s, err := NewHTTPSMS(HTTPConfig{URL: fake.URL, KeyID: "k1", Secret: tc.secret})
		if err != nil {
			t.Fatal(err)
		}
		sent, err := s.Send(context.Background(), Outgoing{Key: "a1", To: tc.to, Text: "您好", SignName: "某银行"})
		if tc.code == "" {
			if err != nil || sent.ProviderID != "gw-a1" || got.Text != "【某银行】您好" {
				t.Fatalf("sent %+v err %v got %+v", sent, err, got)
			}
			continue
		}
		if FailureCode(err) != tc.code || IsPermanent(err) != tc.permanent {
			t.Fatalf("%s: err %v", tc.to, err)
		}
	}
}
