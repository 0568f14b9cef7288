package freeswitchconf

import (
	"encoding/xml"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/dialplan"
)

// The rules behind each file live in the *_test.go files beside this one:
// modules_test.go (what the image must load), doors_test.go (who may reach
// the switch), agents_test.go (browsers and phones), readme_test.go (the
// README tells the truth). This file holds the shared readers.

// secretsInclude is the file vars.xml includes for the install's secrets
// (written by scripts/gen-secrets.sh, never committed).
const secretsInclude = "callcenter_secrets.xml"

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

// TestPreprocessorKeepsEveryLine: FreeSWITCH's preprocessor drops a whole
// line that names X-PRE-PROCESS anywhere but in a tag (switch_xml.c), so
// a comment mentioning it could lose its closing -->.
func TestPreprocessorKeepsEveryLine(t *testing.T) {
	for _, path := range xmlFiles(t) {
		b, _ := os.ReadFile(path)
		for i, line := range strings.Split(string(b), "\n") {
			at := strings.Index(strings.ToLower(line), "x-pre-process")
			if at >= 0 && (at == 0 || line[at-1] != '<') {
				t.Errorf("%s:%d: the preprocessor drops this line: %q", path, i+1, line)
			}
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

// settings are the <settings><param>s of a configuration or profile file,
// every value of each name in file order.
func settings(t *testing.T, path string) map[string][]string {
	t.Helper()
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

// one is the single value of a setting; it fails when there are none or several.
func one(t *testing.T, s map[string][]string, file, name string) string {
	t.Helper()
	if len(s[name]) != 1 {
		t.Errorf("%s: %s = %q, want exactly one value", file, name, s[name])
		return ""
	}
	return s[name][0]
}

// preprocess is one X-PRE-PROCESS line of a file.
type preprocess struct {
	Cmd  string `xml:"cmd,attr"`
	Data string `xml:"data,attr"`
}

func preprocessLines(t *testing.T, path string) []preprocess {
	t.Helper()
	var inc struct {
		Lines []preprocess `xml:"X-PRE-PROCESS"`
	}
	decode(t, path, &inc)
	return inc.Lines
}

// varsFile reads vars.xml: the value of every variable it sets (stun-set
// values keep their stun: form) and the files it includes.
func varsFile(t *testing.T) (vars map[string]string, includes []string) {
	t.Helper()
	vars = map[string]string{}
	for _, l := range preprocessLines(t, "vars.xml") {
		switch l.Cmd {
		case "set", "stun-set":
			k, v, ok := strings.Cut(l.Data, "=")
			if !ok {
				t.Errorf("vars.xml: %s %q has no =", l.Cmd, l.Data)
			}
			vars[k] = v
		case "include":
			includes = append(includes, l.Data)
		default:
			t.Errorf("vars.xml: unexpected X-PRE-PROCESS %q %q", l.Cmd, l.Data)
		}
	}
	return vars, includes
}

// generatedSecrets runs scripts/gen-secrets.sh into a temporary folder and
// returns the variables its FreeSWITCH file sets.
func generatedSecrets(t *testing.T) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "secrets")
	out, err := exec.Command("bash", "../scripts/gen-secrets.sh", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/gen-secrets.sh: %v\n%s", err, out)
	}
	m := map[string]string{}
	for _, l := range preprocessLines(t, filepath.Join(dir, "freeswitch_secrets.xml")) {
		k, v, ok := strings.Cut(l.Data, "=")
		if l.Cmd != "set" || !ok {
			t.Errorf("freeswitch_secrets.xml: unexpected %q %q", l.Cmd, l.Data)
		}
		m[k] = v
	}
	return m
}

var varRef = regexp.MustCompile(`\$\$\{([A-Za-z0-9_-]+)\}`)

// builtins are the $${...} FreeSWITCH sets itself.
var builtins = map[string]bool{"local_ip_v4": true, "sounds_dir": true, "recordings_dir": true,
	"certs_dir": true, "images_dir": true, "base_dir": true, "conf_dir": true, "storage_dir": true, "temp_dir": true}

// expand replaces every $${name} the way FreeSWITCH's preprocessor does
// (an unset name becomes empty).
func expand(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(ref string) string { return vars[varRef.FindStringSubmatch(ref)[1]] })
}

// TestVarsAreDefined: every $${variable} of the overlay is set by vars.xml,
// by the generated secrets file it includes, or by FreeSWITCH; and the
// variables the vanilla files still in use read are kept.
func TestVarsAreDefined(t *testing.T) {
	v, includes := varsFile(t)
	if !reflect.DeepEqual(includes, []string{secretsInclude}) {
		t.Errorf("vars.xml includes %q, want only %s (the generated secrets)", includes, secretsInclude)
	}
	secrets := generatedSecrets(t)
	if v["callcenter_ivr_socket"] != dialplan.DefaultIVRSocketAddr {
		t.Errorf("callcenter_ivr_socket %q, want %q", v["callcenter_ivr_socket"], dialplan.DefaultIVRSocketAddr)
	}
	for _, path := range xmlFiles(t) {
		b, _ := os.ReadFile(path)
		for _, m := range varRef.FindAllStringSubmatch(string(b), -1) {
			_, set := v[m[1]]
			_, secret := secrets[m[1]]
			if !set && !secret && !builtins[m[1]] {
				t.Errorf("%s uses $${%s}, which neither vars.xml nor the generated secrets set", path, m[1])
			}
		}
	}
	// Read by vanilla files the overlay keeps (console.conf.xml,
	// conference.conf.xml, fifo.conf.xml, lang/en/en.xml, dialplan/features.xml).
	for _, name := range []string{"console_loglevel", "domain", "hold_music", "outbound_caller_id",
		"outbound_caller_name", "sound_prefix"} {
		if _, ok := v[name]; !ok {
			t.Errorf("vars.xml lost %s, which a vanilla file still in use reads", name)
		}
	}
}

// contexts reads the <context>s of a dialplan file with $${...} expanded.
func contexts(t *testing.T, path string) []dialplan.DialplanContext {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := varsFile(t)
	var inc struct {
		Contexts []dialplan.DialplanContext `xml:"context"`
	}
	if err := xml.Unmarshal([]byte(expand(string(b), v)), &inc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return inc.Contexts
}

func TestStaticDialplanMatchesServed(t *testing.T) {
	got := contexts(t, "dialplan/callcenter.xml")
	want := dialplan.DialplanContexts(dialplan.DialplanOptions{})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dialplan/callcenter.xml differs from dialplan.DialplanContexts:\n got %+v\nwant %+v", got, want)
	}
}
