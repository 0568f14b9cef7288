package freeswitchconf

import (
	"encoding/xml"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/dialplan"
)

// Who may reach the switch: the event socket only from the controller,
// SIP on the carriers' side only from the carriers and only into the
// product's inbound context, no secret in the repository.

type aclNode struct {
	Type   string `xml:"type,attr"`
	CIDR   string `xml:"cidr,attr"`
	Domain string `xml:"domain,attr"`
}

type aclList struct {
	Name    string    `xml:"name,attr"`
	Default string    `xml:"default,attr"`
	Nodes   []aclNode `xml:"node"`
}

// aclLists reads acl.conf.xml with $${...} expanded.
func aclLists(t *testing.T) map[string]aclList {
	t.Helper()
	b, err := os.ReadFile("autoload_configs/acl.conf.xml")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := varsFile(t)
	var c struct {
		Lists []aclList `xml:"network-lists>list"`
	}
	if err := xml.Unmarshal([]byte(expand(string(b), v)), &c); err != nil {
		t.Fatalf("acl.conf.xml: %v", err)
	}
	m := map[string]aclList{}
	for _, l := range c.Lists {
		m[l.Name] = l
	}
	return m
}

func singleHost(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Bits() == p.Addr().BitLen()
}

func TestEventSocketOnlyForTheController(t *testing.T) {
	const file = "autoload_configs/event_socket.conf.xml"
	s := settings(t, file)
	v, _ := varsFile(t)
	listen := expand(one(t, s, file, "listen-ip"), v)
	if ip, err := netip.ParseAddr(listen); err != nil || !ip.IsLoopback() {
		t.Errorf("listen-ip %q: want loopback (the controller runs beside FreeSWITCH; see the README for another host), never a wildcard", listen)
	}
	if got := one(t, s, file, "listen-port"); got != strconv.Itoa(dialplan.DefaultESLPort) {
		t.Errorf("listen-port %q, want %d", got, dialplan.DefaultESLPort)
	}
	name := one(t, s, file, "apply-inbound-acl")
	l, ok := aclLists(t)[name]
	if !ok || l.Default != "deny" || len(l.Nodes) == 0 {
		t.Fatalf("apply-inbound-acl %q: want a default-deny list of acl.conf.xml that allows the controller, got %+v", name, l)
	}
	for _, n := range l.Nodes {
		if n.Type != "allow" || n.Domain != "" || !singleHost(n.CIDR) {
			t.Errorf("ACL %s node %+v: want only the controller's own address (/32 or /128), no networks", name, n)
		}
	}
}

// secretParams are the params whose value is a secret.
var secretParams = map[string]bool{"password": true, "gateway-credentials": true}

// params returns every <param name value> anywhere in a file.
func params(t *testing.T, path string) []param {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []param
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "param" {
			var p param
			for _, a := range el.Attr {
				switch a.Name.Local {
				case "name":
					p.Name = a.Value
				case "value":
					p.Value = a.Value
				}
			}
			out = append(out, p)
		}
	}
}

// TestNoCommittedSecrets: every secret the switch uses is a variable set
// only by the file scripts/gen-secrets.sh writes at install.
func TestNoCommittedSecrets(t *testing.T) {
	v, _ := varsFile(t)
	for name := range v {
		if n := strings.ToLower(name); strings.Contains(n, "password") || strings.Contains(n, "credential") || strings.Contains(n, "secret") {
			t.Errorf("vars.xml sets %s: secrets come from the generated %s", name, secretsInclude)
		}
	}
	secrets := generatedSecrets(t)
	for _, path := range xmlFiles(t) {
		for _, p := range params(t, path) {
			if !secretParams[p.Name] {
				continue
			}
			m := varRef.FindStringSubmatch(p.Value)
			if m == nil || m[0] != p.Value {
				t.Errorf("%s: param %s has a literal value; want $${variable} from %s", path, p.Name, secretsInclude)
				continue
			}
			if _, ok := secrets[m[1]]; !ok {
				t.Errorf("%s: param %s uses $${%s}, which scripts/gen-secrets.sh does not write", path, p.Name, m[1])
			}
		}
	}
}

// TestCarrierCallsEnterTheProductsContext: calls from the carriers'
// addresses enter the inbound context, everyone else's are refused (no
// fail context and no digest challenge: sofia answers 403).
func TestCarrierCallsEnterTheProductsContext(t *testing.T) {
	const file = "sip_profiles/external.xml"
	var prof struct {
		Name     string       `xml:"name,attr"`
		Includes []preprocess `xml:"gateways>X-PRE-PROCESS"`
	}
	decode(t, file, &prof)
	if prof.Name != "external" || !slices.Contains(prof.Includes, preprocess{"include", "external/*.xml"}) {
		t.Errorf("%s: profile %q including %+v, want the external profile including external/*.xml", file, prof.Name, prof.Includes)
	}
	s := settings(t, file)
	acl := one(t, s, file, "apply-inbound-acl")
	list, ctx, _ := strings.Cut(acl, ":")
	if ctx != dialplan.InboundContext {
		t.Errorf("apply-inbound-acl %q: carriers' calls must enter context %q, and a stranger's get no fail context", acl, dialplan.InboundContext)
	}
	if l, ok := aclLists(t)[list]; !ok || l.Default != "deny" {
		t.Errorf("apply-inbound-acl list %q: want a default-deny list of acl.conf.xml", list)
	}
	for name, want := range map[string]string{
		// With auth-calls a stranger would be challenged instead of refused,
		// and an agent's account could call in from outside.
		"auth-calls":       "false",
		"context":          dialplan.InboundContext,
		"disable-register": "true",
		"disable-transfer": "true",
	} {
		if got := one(t, s, file, name); got != want {
			t.Errorf("%s: %s = %q, want %q", file, name, got, want)
		}
	}
}

// TestGatewaysKeepTheDialedNumber: a call from a registered trunk enters
// the inbound context with the number the caller dialed.
func TestGatewaysKeepTheDialedNumber(t *testing.T) {
	gateways, _ := filepath.Glob("sip_profiles/external/*.xml")
	if len(gateways) == 0 {
		t.Fatal("no gateway template in sip_profiles/external")
	}
	for _, path := range gateways {
		var inc struct {
			Gateways []struct {
				Name   string  `xml:"name,attr"`
				Params []param `xml:"param"`
			} `xml:"gateway"`
		}
		decode(t, path, &inc)
		for _, g := range inc.Gateways {
			got := map[string]string{}
			for _, p := range g.Params {
				got[p.Name] = p.Value
			}
			// Without extension the destination of a call from a registered
			// trunk becomes the gateway's username.
			if got["context"] != dialplan.InboundContext || got["extension"] != "auto_to_user" {
				t.Errorf("%s: gateway %s context %q extension %q, want %q and auto_to_user",
					path, g.Name, got["context"], got["extension"], dialplan.InboundContext)
			}
		}
	}
}

// TestNoStrangerReachesTheDemos: the overlay replaces vanilla's public and
// default contexts (public transfers 35xx-38xx into default's conference
// rooms) with closed ones, routes nothing into a context the product does
// not serve, and empties vanilla's IPv6 profiles (context public, no
// authentication).
func TestNoStrangerReachesTheDemos(t *testing.T) {
	served := map[string]bool{}
	for _, c := range dialplan.DialplanContexts(dialplan.DialplanOptions{}) {
		served[c.Name] = true
	}
	closed := map[string]bool{"public": true, "default": true}
	found := map[string]bool{}
	files, _ := filepath.Glob("dialplan/*.xml")
	for _, path := range files {
		for _, c := range contexts(t, path) {
			found[c.Name] = true
			if !closed[c.Name] && !served[c.Name] {
				t.Errorf("%s: context %q is not one the product serves", path, c.Name)
			}
			for _, e := range c.Extensions {
				for _, a := range e.Actions {
					checkAction(t, path, c.Name, closed[c.Name], a, served)
				}
			}
		}
	}
	for name := range closed {
		if !found[name] {
			t.Errorf("no overlay file replaces vanilla's %q context", name)
		}
	}

	profiles, _ := filepath.Glob("sip_profiles/*.xml")
	want := map[string]string{"sip_profiles/internal.xml": dialplan.AgentContext, "sip_profiles/external.xml": dialplan.InboundContext,
		"sip_profiles/internal-ipv6.xml": "", "sip_profiles/external-ipv6.xml": ""}
	got := map[string]string{}
	for _, path := range profiles {
		var p struct {
			XMLName xml.Name
			Params  []param `xml:"settings>param"`
		}
		decode(t, path, &p)
		got[path] = ""
		for _, prm := range p.Params {
			if prm.Name == "context" {
				got[path] = prm.Value
			}
		}
		if p.XMLName.Local != "profile" && len(params(t, path)) > 0 {
			t.Errorf("%s: want an empty include (no profile)", path)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SIP profiles and their contexts %v, want %v", got, want)
	}
}

func checkAction(t *testing.T, path, ctx string, closed bool, a dialplan.DialplanAction, served map[string]bool) {
	t.Helper()
	if closed && a.App != "hangup" && a.App != "respond" {
		t.Errorf("%s: closed context %q runs %s; it may only refuse", path, ctx, a.App)
	}
	switch a.App {
	case "conference":
		t.Errorf("%s: context %q starts a conference from the dialplan", path, ctx)
	case "transfer", "execute_extension":
		f := strings.Fields(a.Data)
		if len(f) < 3 || !served[f[2]] {
			t.Errorf("%s: context %q %s %q: only into the product's contexts", path, ctx, a.App, a.Data)
		}
	}
}
