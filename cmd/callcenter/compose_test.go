package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"gopkg.in/yaml.v3"
)

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		NetworkMode string            `yaml:"network_mode"`
	} `yaml:"services"`
}

// expand resolves ${VAR:-default} to its default, as compose does with no
// variables set.
func expand(s string) string {
	re := regexp.MustCompile(`\$\{[A-Z_]+:-([^}]*)\}`)
	return re.ReplaceAllString(s, "$1")
}

// TestComposeAgreesWithDefaults parses docker-compose.yml (no Docker engine
// runs here) and checks that the services agree with each other and with the
// product's configuration keys.
func TestComposeAgreesWithDefaults(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"mysql", "freeswitch", "callcenter"} {
		if _, ok := cf.Services[name]; !ok {
			t.Fatalf("service %s missing", name)
		}
	}
	db, fs, cc := cf.Services["mysql"], cf.Services["freeswitch"], cf.Services["callcenter"]
	if cc.Build == nil {
		t.Error("callcenter must be built from the repo's Dockerfile")
	}
	if _, err := os.Stat("../../Dockerfile"); err != nil {
		t.Error(err)
	}

	dsn, err := mysql.ParseDSN(expand(cc.Environment["CC_DATABASE_DSN"]))
	if err != nil {
		t.Fatalf("CC_DATABASE_DSN: %v", err)
	}
	if cc.Environment["CC_DATABASE_DRIVER"] != "mysql" {
		t.Error("callcenter must use the mysql driver in compose")
	}
	if dsn.User != db.Environment["MYSQL_USER"] || dsn.Passwd != expand(db.Environment["MYSQL_PASSWORD"]) || dsn.DBName != db.Environment["MYSQL_DATABASE"] {
		t.Errorf("DSN %s@%s/%s does not match the mysql service's user/password/database", dsn.User, dsn.Addr, dsn.DBName)
	}
	if !strings.HasPrefix(dsn.Addr, "mysql:3306") {
		t.Errorf("DSN address %s: want mysql:3306", dsn.Addr)
	}

	var nodes []NodeConfig
	if err := json.Unmarshal([]byte(expand(cc.Environment["CC_FREESWITCH_NODES"])), &nodes); err != nil || len(nodes) == 0 {
		t.Fatalf("CC_FREESWITCH_NODES: %v %v", nodes, err)
	}
	if nodes[0].Password != expand(fs.Environment["FS_ESL_PASSWORD"]) {
		t.Errorf("node password %q differs from FreeSWITCH's FS_ESL_PASSWORD", nodes[0].Password)
	}
	if !strings.HasSuffix(nodes[0].Address, ":8021") {
		t.Errorf("node address %s: want the event socket port 8021", nodes[0].Address)
	}
	mountsConf := false
	for _, v := range fs.Volumes {
		if strings.HasPrefix(v, "./freeswitch-conf:") {
			mountsConf = true
		}
	}
	if !mountsConf {
		t.Error("freeswitch must mount ./freeswitch-conf")
	}

	httpPort := strings.TrimPrefix(cc.Environment["CC_HTTP_ADDRESS"], ":")
	ivrPort := strings.TrimPrefix(cc.Environment["CC_IVR_LISTEN"], ":")
	published := strings.Join(cc.Ports, " ")
	for _, p := range []string{httpPort, ivrPort} {
		if !strings.Contains(published, p+":"+p) {
			t.Errorf("port %s is not published (%s)", p, published)
		}
	}
	defaults, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if ":"+httpPort != defaults.HTTP.Address {
		t.Errorf("compose http port %s differs from the default %s", httpPort, defaults.HTTP.Address)
	}
	if !strings.HasSuffix(defaults.IVR.Listen, ":"+ivrPort) {
		t.Errorf("compose ivr port %s differs from the default %s", ivrPort, defaults.IVR.Listen)
	}
}
