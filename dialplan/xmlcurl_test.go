package dialplan

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Generic shapes to read the answers back, independent of the writer's types.
type xmlcurlTestDoc struct {
	XMLName xml.Name `xml:"document"`
	Type    string   `xml:"type,attr"`
	Section struct {
		Name   string `xml:"name,attr"`
		Result struct {
			Status string `xml:"status,attr"`
		} `xml:"result"`
		Domain struct {
			Name   string             `xml:"name,attr"`
			Params []xmlcurlTestParam `xml:"params>param"`
			Users  []struct {
				ID        string             `xml:"id,attr"`
				Params    []xmlcurlTestParam `xml:"params>param"`
				Variables []xmlcurlTestParam `xml:"variables>variable"`
			} `xml:"users>user"`
		} `xml:"domain"`
		Contexts []DialplanContext `xml:"context"`
	} `xml:"section"`
}

type xmlcurlTestParam struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

func xmlcurlParams(ps []xmlcurlTestParam) map[string]string {
	m := map[string]string{}
	for _, p := range ps {
		m[p.Name] = p.Value
	}
	return m
}

func xmlcurlParseDoc(t *testing.T, body string) xmlcurlTestDoc {
	t.Helper()
	if !strings.HasPrefix(body, "<?xml ") {
		t.Errorf("no XML declaration: %.60q", body)
	}
	var d xmlcurlTestDoc
	if err := xml.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("answer is not well-formed XML: %v\n%s", err, body)
	}
	if d.Type != "freeswitch/xml" {
		t.Errorf("document type = %q", d.Type)
	}
	return d
}

type xmlcurlFakeUsers struct {
	users map[string]SIPUser
	err   error
	calls int
}

func (f *xmlcurlFakeUsers) SIPUser(_ context.Context, domain, user string) (SIPUser, error) {
	f.calls++
	if f.err != nil {
		return SIPUser{}, f.err
	}
	u, ok := f.users[domain+"/"+user]
	if !ok {
		return SIPUser{}, ErrUnknownUser
	}
	return u, nil
}

func xmlcurlPost(t *testing.T, h http.Handler, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/fs/x", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestDirectoryHandler(t *testing.T) {
	const domain = "cc.example.com"
	users := &xmlcurlFakeUsers{users: map[string]SIPUser{
		domain + "/1001": {Extension: "1001", Password: `p&ss"<w>'rd`, DisplayName: `Zoë "Z" <agent> & co`, Group: "sales", CallerID: "4000"},
		domain + "/1002": {Extension: "1002", A1Hash: A1Hash("1002", domain, "x"), Password: "ignored"},
	}}
	h := NewDirectoryHandler(users, nil)
	form := func(kv ...string) url.Values {
		v := url.Values{"section": {"directory"}, "tag_name": {"domain"}, "key_name": {"name"},
			"key_value": {domain}, "domain": {domain}, "action": {"sip_auth"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	rec := xmlcurlPost(t, h, form("user", "1001"))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") {
		t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	d := xmlcurlParseDoc(t, rec.Body.String())
	if d.Section.Name != "directory" || d.Section.Domain.Name != domain || len(d.Section.Domain.Users) != 1 {
		t.Fatalf("answer %+v", d.Section)
	}
	if ds := xmlcurlParams(d.Section.Domain.Params)["dial-string"]; !strings.Contains(ds, "${sofia_contact(*/${dialed_user}@${dialed_domain})}") {
		t.Errorf("dial-string = %q", ds)
	}
	u := d.Section.Domain.Users[0]
	p, v := xmlcurlParams(u.Params), xmlcurlParams(u.Variables)
	if u.ID != "1001" || p["password"] != `p&ss"<w>'rd` || p["a1-hash"] != "" {
		t.Errorf("user %s params %v", u.ID, p)
	}
	want := map[string]string{"user_context": AgentContext, "effective_caller_id_name": `Zoë "Z" <agent> & co`,
		"effective_caller_id_number": "4000", "callgroup": "sales"}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("variable %s = %q, want %q", k, v[k], w)
		}
	}

	d = xmlcurlParseDoc(t, xmlcurlPost(t, h, form("user", "1002")).Body.String())
	p = xmlcurlParams(d.Section.Domain.Users[0].Params)
	if p["a1-hash"] != A1Hash("1002", domain, "x") || p["password"] != "" {
		t.Errorf("a1-hash user params %v", p)
	}

	notFound := []struct {
		name string
		form url.Values
	}{
		{"unknown user", form("user", "1999")},
		{"gateways at profile start", form("purpose", "gateways")},
		{"no user", form()},
		{"hostile user name", form("user", `1001"/><user id="x`)},
		{"other section", form("user", "1001", "section", "dialplan")},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			rec := xmlcurlPost(t, h, tt.form)
			d := xmlcurlParseDoc(t, rec.Body.String())
			if rec.Code != 200 || d.Section.Name != "result" || d.Section.Result.Status != "not found" {
				t.Errorf("status %d, answer %s", rec.Code, rec.Body.String())
			}
		})
	}

	before := users.calls
	xmlcurlPost(t, h, form("user", `1001"/><user id="x`))
	xmlcurlPost(t, h, form("purpose", "network-list"))
	if users.calls != before {
		t.Error("looked up a request that names no valid user")
	}

	users.err = errors.New("database down")
	if rec := xmlcurlPost(t, h, form("user", "1001")); rec.Code != http.StatusInternalServerError {
		t.Errorf("store failure answered %d", rec.Code)
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/fs/directory", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT answered %d", rec.Code)
	}
}

func TestA1Hash(t *testing.T) {
	// md5("1001:cc.example.com:s3cret"), computed outside Go.
	if got := A1Hash("1001", "cc.example.com", "s3cret"); got != "d9aace7c486774935a93033086f093c8" {
		t.Errorf("A1Hash = %s", got)
	}
}

func TestDirectoryXMLNeedsCredentials(t *testing.T) {
	if _, err := DirectoryXML("d", SIPUser{Extension: "1001"}); err == nil {
		t.Error("user without password accepted")
	}
}

func TestDialplanHandler(t *testing.T) {
	opts := DialplanOptions{SocketAddr: "callcenter:8084", ExtensionPattern: `^(1\d{3})$`}
	h := NewDialplanHandler(opts)
	contexts := DialplanContexts(opts)
	for _, want := range contexts {
		t.Run(want.Name, func(t *testing.T) {
			form := url.Values{"section": {"dialplan"}, "Caller-Context": {"default"}, "Hunt-Context": {want.Name},
				"Caller-Destination-Number": {"ivr_verify_id"}}
			d := xmlcurlParseDoc(t, xmlcurlPost(t, h, form).Body.String())
			if d.Section.Name != "dialplan" || len(d.Section.Contexts) != 1 {
				t.Fatalf("answer %+v", d.Section)
			}
			if got := d.Section.Contexts[0]; !reflect.DeepEqual(got, want) {
				t.Errorf("context read back\n got %+v\nwant %+v", got, want)
			}
		})
	}

	d := xmlcurlParseDoc(t, xmlcurlPost(t, h, url.Values{"section": {"dialplan"}, "Caller-Context": {IVRContext}}).Body.String())
	ivr := d.Section.Contexts[0].Extensions[0]
	if ivr.Expr != `^ivr_([a-z0-9_]+)$` || ivr.Actions[0] != (DialplanAction{"set", "ivr_flow=$1"}) ||
		ivr.Actions[1] != (DialplanAction{"socket", "callcenter:8084 async full"}) {
		t.Errorf("ivr extension = %+v", ivr)
	}

	for _, form := range []url.Values{
		{"section": {"dialplan"}, "Caller-Context": {"public"}},
		{"section": {"directory"}, "Caller-Context": {IVRContext}},
	} {
		d := xmlcurlParseDoc(t, xmlcurlPost(t, h, form).Body.String())
		if d.Section.Result.Status != "not found" {
			t.Errorf("%v answered %+v", form, d.Section)
		}
	}
}

func TestDialplanContextsDefaults(t *testing.T) {
	var names []string
	for _, c := range DialplanContexts(DialplanOptions{}) {
		names = append(names, c.Name)
		for _, e := range c.Extensions {
			for _, a := range e.Actions {
				if a.App == "socket" && a.Data != DefaultIVRSocketAddr+" async full" {
					t.Errorf("socket data %q", a.Data)
				}
			}
		}
	}
	want := []string{IVRContext, QueueContext, VoicemailContext, AgentContext, DialerContext, InboundContext}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("contexts %v, want %v", names, want)
	}
}

// TestParkedLegsCarryTheirVariables: every park the dialplan does is
// for the agent desk, which tells the legs apart by the variables set
// before the park: exactly cc_queue=<group> in the queue context and
// cc_inbound=true in the inbound context. The dialer context's park is the
// controller's own originate ("park XML dialer"); nothing else parks.
func TestParkedLegsCarryTheirVariables(t *testing.T) {
	want := map[string][]string{
		QueueContext + "/queue":     {"cc_queue=$1"},
		InboundContext + "/inbound": {"cc_inbound=true"},
		DialerContext + "/park":     nil,
	}
	got := map[string][]string{}
	for _, c := range DialplanContexts(DialplanOptions{}) {
		for _, e := range c.Extensions {
			var sets []string
			for _, a := range e.Actions {
				switch a.App {
				case "set":
					sets = append(sets, a.Data)
				case "park":
					got[c.Name+"/"+e.Name] = sets
				case "callcenter":
					t.Errorf("%s/%s runs mod_callcenter, which the default build lacks", c.Name, e.Name)
				}
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parking extensions and their variables\n got %q\nwant %q", got, want)
	}
}
