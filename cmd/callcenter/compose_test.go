package main

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"net/url"
	"os"
	"regexp"
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
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	NetworkMode string            `yaml:"network_mode"`
	ExtraHosts  []string          `yaml:"extra_hosts"`
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
// product's configuration agree on ports, passwords and addresses.
func TestComposeAgreesWithDefaults(t *testing.T) {
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
	db, fs, cc := cf.Services["mysql"], cf.Services["freeswitch"], cf.Services["callcenter"]
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
	if !contains(db.Ports, dsn.Addr+":3306") {
		t.Errorf("DSN address %s is not a published mysql port (%v)", dsn.Addr, db.Ports)
	}

	// Event socket: address and password agree with event_socket.conf.xml.
	var nodes []NodeConfig
	if err := json.Unmarshal([]byte(expand(cc.Environment["CC_FREESWITCH_NODES"])), &nodes); err != nil || len(nodes) == 0 {
		t.Fatalf("CC_FREESWITCH_NODES: %v %v", nodes, err)
	}
	pw := fsParam(t, "autoload_configs/event_socket.conf.xml", "password")
	port := fsParam(t, "autoload_configs/event_socket.conf.xml", "listen-port")
	if len(pw) != 1 || nodes[0].Password != pw[0] || pw[0] != dialplan.DefaultESLPassword {
		t.Errorf("node password %q, event socket %q, default %q", nodes[0].Password, pw, dialplan.DefaultESLPassword)
	}
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
		if !contains(fs.ExtraHosts, pu.Hostname()+":127.0.0.1") {
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
	for _, v := range fs.Volumes {
		src, _, _ := strings.Cut(v, ":")
		if strings.HasPrefix(src, "./") {
			if _, err := os.Stat("../../" + src); err != nil {
				t.Errorf("freeswitch mounts %s: %v", src, err)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
