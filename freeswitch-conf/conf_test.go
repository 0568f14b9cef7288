package freeswitchconf

import (
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/dialplan"
)

func xmlFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".xml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 10 {
		t.Fatalf("found %d xml files: %v", len(files), err)
	}
	return files
}

func TestEveryFileIsWellFormed(t *testing.T) {
	roots := map[string]bool{"include": true, "configuration": true, "profile": true}
	for _, path := range xmlFiles(t) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(f)
		depth, root := 0, ""
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", path, err)
				break
			}
			switch el := tok.(type) {
			case xml.StartElement:
				if depth == 0 {
					if root != "" {
						t.Errorf("%s: second root element <%s>", path, el.Name.Local)
					}
					root = el.Name.Local
				}
				depth++
			case xml.EndElement:
				depth--
			}
		}
		f.Close()
		if !roots[root] {
			t.Errorf("%s: root element <%s>, FreeSWITCH expects include, configuration or profile", path, root)
		}
	}
}

type param struct {
	Name     string `xml:"name,attr"`
	Value    string `xml:"value,attr"`
	Bindings string `xml:"bindings,attr"`
}

func decode(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func settings(t *testing.T, path string) map[string][]string {
	var c struct {
		Params []param `xml:"settings>param"`
	}
	decode(t, path, &c)
	m := map[string][]string{}
	for _, p := range c.Params {
		m[p.Name] = append(m[p.Name], p.Value)
	}
	return m
}

// vars are the $${name} values set in vars.xml.
func vars(t *testing.T) map[string]string {
	var inc struct {
		Sets []struct {
			Cmd  string `xml:"cmd,attr"`
			Data string `xml:"data,attr"`
		} `xml:"X-PRE-PROCESS"`
	}
	decode(t, "vars.xml", &inc)
	m := map[string]string{}
	for _, s := range inc.Sets {
		k, v, ok := strings.Cut(s.Data, "=")
		if s.Cmd != "set" || !ok {
			t.Errorf("vars.xml: unexpected %q %q", s.Cmd, s.Data)
		}
		m[k] = v
	}
	return m
}

func TestEventSocketMatchesDefaults(t *testing.T) {
	s := settings(t, "autoload_configs/event_socket.conf.xml")
	if got := s["password"]; len(got) != 1 || got[0] != dialplan.DefaultESLPassword || got[0] == "ClueCon" {
		t.Errorf("password %q, want dialplan.DefaultESLPassword", got)
	}
	if got := s["listen-port"]; len(got) != 1 || got[0] != strconv.Itoa(dialplan.DefaultESLPort) {
		t.Errorf("listen-port %q, want %d", got, dialplan.DefaultESLPort)
	}
	var acl struct {
		Lists []struct {
			Name    string `xml:"name,attr"`
			Default string `xml:"default,attr"`
		} `xml:"network-lists>list"`
	}
	decode(t, "autoload_configs/acl.conf.xml", &acl)
	lists := map[string]string{}
	for _, l := range acl.Lists {
		lists[l.Name] = l.Default
	}
	for _, name := range s["apply-inbound-acl"] {
		if lists[name] != "deny" {
			t.Errorf("apply-inbound-acl %q is not a default-deny list of acl.conf.xml (%v)", name, lists)
		}
	}
	if len(s["apply-inbound-acl"]) == 0 {
		t.Error("event socket has no inbound ACL")
	}
	if lists["domains"] == "" {
		t.Error(`acl.conf.xml lost the "domains" list the internal profile uses`)
	}
}

func TestXMLCurlMatchesRoutes(t *testing.T) {
	var c struct {
		Bindings []struct {
			Params []param `xml:"param"`
		} `xml:"bindings>binding"`
	}
	decode(t, "autoload_configs/xml_curl.conf.xml", &c)
	urls := map[string]string{}
	for _, b := range c.Bindings {
		creds := ""
		for _, p := range b.Params {
			switch p.Name {
			case "gateway-url":
				urls[p.Bindings] = p.Value
			case "gateway-credentials":
				creds = p.Value
			}
		}
		if creds != dialplan.DefaultXMLCurlCredentials {
			t.Errorf("binding has gateway-credentials %q, want dialplan.DefaultXMLCurlCredentials", creds)
		}
	}
	want := map[string]string{
		"directory": dialplan.DefaultXMLCurlBase + dialplan.DirectoryPath,
		"dialplan":  dialplan.DefaultXMLCurlBase + dialplan.DialplanPath,
	}
	if !reflect.DeepEqual(urls, want) {
		t.Errorf("xml_curl urls %v, want %v", urls, want)
	}
}

func TestModulesLoaded(t *testing.T) {
	var c struct {
		Loads []struct {
			Module string `xml:"module,attr"`
		} `xml:"modules>load"`
	}
	decode(t, "autoload_configs/modules.conf.xml", &c)
	order := map[string]int{}
	for i, l := range c.Loads {
		order[l.Module] = i + 1
	}
	for _, m := range []string{"mod_sofia", "mod_event_socket", "mod_xml_curl", "mod_dptools", "mod_commands",
		"mod_dialplan_xml", "mod_sndfile", "mod_local_stream", "mod_tone_stream", "mod_conference",
		"mod_spandsp", "mod_avmd", "mod_voicemail", "mod_opus", "mod_say_en"} {
		if order[m] == 0 {
			t.Errorf("%s is not loaded", m)
		}
	}
	if order["mod_xml_curl"] > order["mod_sofia"] {
		t.Error("mod_xml_curl must load before mod_sofia so registrations at start-up find the agents")
	}
}

var varRef = regexp.MustCompile(`\$\$\{([A-Za-z0-9_-]+)\}`)

// builtins are the $${...} FreeSWITCH sets itself.
var builtins = map[string]bool{"local_ip_v4": true, "sounds_dir": true, "recordings_dir": true,
	"certs_dir": true, "images_dir": true, "base_dir": true, "conf_dir": true}

func TestVarsAreDefined(t *testing.T) {
	v := vars(t)
	if v["default_password"] == "" || v["default_password"] == "1234" {
		t.Errorf("default_password %q must be set and not the vanilla 1234", v["default_password"])
	}
	if v["callcenter_ivr_socket"] != dialplan.DefaultIVRSocketAddr {
		t.Errorf("callcenter_ivr_socket %q, want %q", v["callcenter_ivr_socket"], dialplan.DefaultIVRSocketAddr)
	}
	for _, path := range xmlFiles(t) {
		b, _ := os.ReadFile(path)
		for _, m := range varRef.FindAllStringSubmatch(string(b), -1) {
			if _, ok := v[m[1]]; !ok && !builtins[m[1]] {
				t.Errorf("%s uses $${%s}, which vars.xml does not set", path, m[1])
			}
		}
	}
}

func TestStaticDialplanMatchesServed(t *testing.T) {
	b, err := os.ReadFile("dialplan/callcenter.xml")
	if err != nil {
		t.Fatal(err)
	}
	v := vars(t)
	expanded := varRef.ReplaceAllStringFunc(string(b), func(ref string) string {
		return v[varRef.FindStringSubmatch(ref)[1]]
	})
	var inc struct {
		Contexts []dialplan.DialplanContext `xml:"context"`
	}
	if err := xml.Unmarshal([]byte(expanded), &inc); err != nil {
		t.Fatal(err)
	}
	want := dialplan.DialplanContexts(dialplan.DialplanOptions{})
	if !reflect.DeepEqual(inc.Contexts, want) {
		t.Errorf("dialplan/callcenter.xml differs from dialplan.DialplanContexts:\n got %+v\nwant %+v", inc.Contexts, want)
	}
}

func TestInternalProfileServesAgents(t *testing.T) {
	s := settings(t, "sip_profiles/internal.xml")
	for name, want := range map[string]string{
		"context":     dialplan.AgentContext,
		"wss-binding": ":$${internal_wss_port}",
		"ws-binding":  ":$${internal_ws_port}",
		"auth-calls":  "$${internal_auth_calls}",
	} {
		if got := s[name]; len(got) != 1 || got[0] != want {
			t.Errorf("internal profile %s = %q, want %q", name, got, want)
		}
	}
	var gw struct {
		Gateway struct {
			Name   string  `xml:"name,attr"`
			Params []param `xml:"param"`
		} `xml:"gateway"`
	}
	decode(t, "sip_profiles/external/trunk1.xml", &gw)
	ctx := ""
	for _, p := range gw.Gateway.Params {
		if p.Name == "context" {
			ctx = p.Value
		}
	}
	if gw.Gateway.Name == "" || ctx != dialplan.DialerContext {
		t.Errorf("trunk gateway %q routes inbound calls to %q, want %q", gw.Gateway.Name, ctx, dialplan.DialerContext)
	}
}
