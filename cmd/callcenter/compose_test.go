package main

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/go-sql-driver/mysql"
	"gopkg.in/yaml.v3"
)

type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Environment map[string]string `yaml:"environment"`
	EnvFile     []string          `yaml:"env_file"`
	Ports       []string          `yaml:"ports"`
	Volumes     []any             `yaml:"volumes"` // "src:dst[:mode]" or the long form
	NetworkMode string            `yaml:"network_mode"`
	ExtraHosts  []string          `yaml:"extra_hosts"`
	Command     []string          `yaml:"command"`
}

// mount is one volume of a service in either syntax.
type mount struct {
	Source, Target string
	ReadOnly, Long bool
}

func (s composeService) mounts(t *testing.T) []mount {
	t.Helper()
	var out []mount
	for _, v := range s.Volumes {
		switch v := v.(type) {
		case string:
			f := strings.Split(v, ":")
			m := mount{Source: f[0], Target: f[1]}
			m.ReadOnly = len(f) > 2 && f[2] == "ro"
			out = append(out, m)
		case map[string]any:
			src, _ := v["source"].(string)
			dst, _ := v["target"].(string)
			ro, _ := v["read_only"].(bool)
			out = append(out, mount{Source: src, Target: dst, ReadOnly: ro, Long: v["type"] == "bind"})
		default:
			t.Fatalf("volume %v: unknown form", v)
		}
	}
	return out
}

func loadCompose(t *testing.T) map[string]composeService {
	t.Helper()
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cf struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return cf.Services
}

// expand resolves ${VAR:-default} to its default, as compose does with no
// variables set.
func expand(s string) string {
	return regexp.MustCompile(`\$\{[A-Z_]+:-([^}]*)\}`).ReplaceAllString(s, "$1")
}

// fsParam returns the values of every <param name=...> in a freeswitch-conf file.
func fsParam(t *testing.T, file, name string) []string {
	t.Helper()
	f, err := os.Open("../../freeswitch-conf/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Local != "param" {
			continue
		}
		var n, v string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "name":
				n = a.Value
			case "value":
				v = a.Value
			}
		}
		if n == name {
			out = append(out, v)
		}
	}
	return out
}

// TestComposeAgreesWithDefaults parses docker-compose.yml (no Docker engine
// runs here) and checks that the services, the FreeSWITCH overlay and the
// product's configuration agree on ports and addresses.
func TestComposeAgreesWithDefaults(t *testing.T) {
	services := loadCompose(t)
	db, fs, cc := services["mysql"], services["freeswitch"], services["callcenter"]
	if cc.Build == nil || fs.Image == "" || db.Image == "" {
		t.Fatal("want mysql and freeswitch images and callcenter built from the Dockerfile")
	}
	if _, err := os.Stat("../../Dockerfile"); err != nil {
		t.Error(err)
	}

	// Database: the DSN reaches the published MySQL port with its user.
	if cc.Environment["CC_DATABASE_DRIVER"] != "mysql" {
		t.Error("callcenter must use the mysql driver in compose")
	}
	dsn, err := mysql.ParseDSN(expand(cc.Environment["CC_DATABASE_DSN"]))
	if err != nil {
		t.Fatalf("CC_DATABASE_DSN: %v", err)
	}
	if dsn.User != db.Environment["MYSQL_USER"] || dsn.Passwd != expand(db.Environment["MYSQL_PASSWORD"]) || dsn.DBName != db.Environment["MYSQL_DATABASE"] {
		t.Errorf("DSN %s@%s/%s does not match the mysql service", dsn.User, dsn.Addr, dsn.DBName)
	}
	if !slices.Contains(db.Ports, dsn.Addr+":3306") {
		t.Errorf("DSN address %s is not a published mysql port (%v)", dsn.Addr, db.Ports)
	}
	// The compose user has no SUPER and MySQL 8.4 logs binary by default:
	// without this it could not create the contact counts' triggers.
	if !slices.Contains(db.Command, "--log-bin-trust-function-creators=1") {
		t.Errorf("mysql command %v: want --log-bin-trust-function-creators=1", db.Command)
	}

	// Event socket: the node's address is the one FreeSWITCH listens on.
	nodes := composeNodes(t, cc)
	port := fsParam(t, "autoload_configs/event_socket.conf.xml", "listen-port")
	if _, p, _ := net.SplitHostPort(nodes[0].Address); len(port) != 1 || p != port[0] {
		t.Errorf("node address %s, event socket port %v", nodes[0].Address, port)
	}
	if fs.NetworkMode != "host" || cc.NetworkMode != "host" {
		t.Error("freeswitch and callcenter share the host network (SIP/RTP ports, loopback addresses)")
	}

	// xml_curl: FreeSWITCH finds the controller's HTTP port by the name callcenter.
	for _, u := range fsParam(t, "autoload_configs/xml_curl.conf.xml", "gateway-url") {
		pu, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(fs.ExtraHosts, pu.Hostname()+":127.0.0.1") {
			t.Errorf("xml_curl host %s does not resolve in the freeswitch container (%v)", pu.Hostname(), fs.ExtraHosts)
		}
		if ":"+pu.Port() != cc.Environment["CC_HTTP_ADDRESS"] {
			t.Errorf("xml_curl port %s, controller listens on %s", pu.Port(), cc.Environment["CC_HTTP_ADDRESS"])
		}
	}
	// IVR socket: where FreeSWITCH's socket app connects is where the controller listens.
	if cc.Environment["CC_IVR_LISTEN"] != dialplan.DefaultIVRSocketAddr {
		t.Errorf("CC_IVR_LISTEN %s, FreeSWITCH's dialplan connects to %s", cc.Environment["CC_IVR_LISTEN"], dialplan.DefaultIVRSocketAddr)
	}
	defaults, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if defaults.IVR.Listen != dialplan.DefaultIVRSocketAddr || defaults.HTTP.Address != cc.Environment["CC_HTTP_ADDRESS"] {
		t.Errorf("defaults ivr %s http %s disagree with compose", defaults.IVR.Listen, defaults.HTTP.Address)
	}
}

func composeNodes(t *testing.T, cc composeService) []NodeConfig {
	t.Helper()
	var nodes []NodeConfig
	if err := json.Unmarshal([]byte(expand(cc.Environment["CC_FREESWITCH_NODES"])), &nodes); err != nil || len(nodes) == 0 {
		t.Fatalf("CC_FREESWITCH_NODES: %v %v", nodes, err)
	}
	return nodes
}

// TestComposeMountsTheOverlay: every file of freeswitch-conf reaches the
// same path under /etc/freeswitch read-only (a new overlay file cannot be
// forgotten), the generated secrets reach the path vars.xml includes, and
// the certificate folder is FreeSWITCH's certs_dir.
func TestComposeMountsTheOverlay(t *testing.T) {
	sw := loadCompose(t)["freeswitch"]
	mounted := map[string]mount{}
	for _, m := range sw.mounts(t) {
		mounted[m.Source] = m
		if strings.HasPrefix(m.Source, "./freeswitch-conf/") {
			if _, err := os.Stat("../../" + m.Source); err != nil {
				t.Errorf("freeswitch mounts %s: %v", m.Source, err)
			}
		}
	}
	err := filepath.WalkDir("../../freeswitch-conf", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		rel := strings.TrimPrefix(filepath.ToSlash(path), "../../freeswitch-conf/")
		m, ok := mounted["./freeswitch-conf/"+rel]
		if !ok || m.Target != "/etc/freeswitch/"+rel || !m.ReadOnly {
			t.Errorf("freeswitch-conf/%s: mounted as %+v, want read-only at /etc/freeswitch/%s", rel, m, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Long syntax: compose stops when the file is missing, where the short
	// one would create an empty folder in its place.
	if m := mounted["./secrets/freeswitch_secrets.xml"]; !m.Long || !m.ReadOnly || m.Target != "/etc/freeswitch/callcenter_secrets.xml" {
		t.Errorf("secrets mount %+v, want a read-only bind at /etc/freeswitch/callcenter_secrets.xml", m)
	}
	// FreeSWITCH writes dtls-srtp.pem there on first start: not read-only.
	if m := mounted["./certs"]; m.Target != "/etc/freeswitch/tls" || m.ReadOnly {
		t.Errorf("certificate folder mounted as %+v, want ./certs at /etc/freeswitch/tls, writable", m)
	}
}

// TestComposeCommitsNoSecret: the controller's event socket password and
// xml_curl credentials come from the generated env file only, and git
// ignores the generated files and the certificates.
func TestComposeCommitsNoSecret(t *testing.T) {
	cc := loadCompose(t)["callcenter"]
	if !slices.Contains(cc.EnvFile, "./secrets/callcenter.env") {
		t.Errorf("callcenter env_file %v, want ./secrets/callcenter.env", cc.EnvFile)
	}
	for _, n := range composeNodes(t, cc) {
		if n.Password != "" {
			t.Errorf("node %s has a password in docker-compose.yml", n.Name)
		}
	}
	for _, k := range []string{"CC_FREESWITCH_PASSWORD", "CC_FREESWITCH_XML_CURL_CREDENTIALS"} {
		if _, ok := cc.Environment[k]; ok {
			t.Errorf("docker-compose.yml sets %s: it comes from ./secrets/callcenter.env", k)
		}
	}
	b, err := os.ReadFile("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"/secrets/", "/certs/"} {
		if !slices.Contains(strings.Split(string(b), "\n"), dir) {
			t.Errorf(".gitignore does not ignore %s", dir)
		}
	}
}

// genSecrets runs scripts/gen-secrets.sh into dir and returns what it
// wrote for FreeSWITCH and for the controller.
func genSecrets(t *testing.T, dir string, args ...string) (fsVars, env map[string]string) {
	t.Helper()
	out, err := exec.Command("bash", append([]string{"../../scripts/gen-secrets.sh"}, append(args, dir)...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("gen-secrets.sh: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "freeswitch_secrets.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var inc struct {
		Lines []struct {
			Cmd  string `xml:"cmd,attr"`
			Data string `xml:"data,attr"`
		} `xml:"X-PRE-PROCESS"`
	}
	if err := xml.Unmarshal(b, &inc); err != nil {
		t.Fatalf("freeswitch_secrets.xml: %v", err)
	}
	fsVars = map[string]string{}
	for _, l := range inc.Lines {
		k, v, _ := strings.Cut(l.Data, "=")
		fsVars[k] = v
	}
	f, err := os.Open(filepath.Join(dir, "callcenter.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env = map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			k, v, _ := strings.Cut(line, "=")
			env[k] = v
		}
	}
	return fsVars, env
}

// TestGeneratedSecretsAgree: the controller started by compose with the
// generated env file signs in with the password FreeSWITCH reads, and
// answers the xml_curl credentials FreeSWITCH sends; every install, and
// every --rotate, gets new values; the files are for their owner only.
func TestGeneratedSecretsAgree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "secrets")
	fsVars, env := genSecrets(t, dir)
	cc := loadCompose(t)["callcenter"]
	t.Setenv("CC_FREESWITCH_NODES", cc.Environment["CC_FREESWITCH_NODES"])
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	esl, creds := fsVars["callcenter_esl_password"], fsVars["callcenter_xml_curl_credentials"]
	if len(esl) < 32 || toNodes(cfg.FreeSWITCH)[0].Password != esl {
		t.Errorf("controller's node password %q, FreeSWITCH's %q", toNodes(cfg.FreeSWITCH)[0].Password, esl)
	}
	if len(creds) < 32 || cfg.FreeSWITCH.XMLCurlCredentials != creds {
		t.Errorf("controller's xml_curl credentials %q, FreeSWITCH's %q", cfg.FreeSWITCH.XMLCurlCredentials, creds)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("secrets folder: %v %v, want 0700", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "callcenter.env")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("callcenter.env: %v %v, want 0600", fi.Mode(), err)
	}

	// A second run keeps them (it may run on every deploy); --rotate and
	// another install make new ones.
	if again, _ := genSecrets(t, dir); again["callcenter_esl_password"] != esl {
		t.Error("a second run replaced the secrets without --rotate")
	}
	rotated, _ := genSecrets(t, dir, "--rotate")
	other, _ := genSecrets(t, filepath.Join(t.TempDir(), "secrets"))
	for _, v := range []map[string]string{rotated, other} {
		if v["callcenter_esl_password"] == esl || v["callcenter_xml_curl_credentials"] == creds {
			t.Error("secrets repeat across runs")
		}
	}
}
