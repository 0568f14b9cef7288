package freeswitchconf

import (
	"os"
	"strings"
	"testing"
)

// The README is the operator's guide: it must list every file of the
// overlay, the Debian package of every module the image must contain, the
// secrets script and the certificate.
func TestReadmeTellsTheOperator(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, path := range xmlFiles(t) {
		if !strings.Contains(readme, "`"+path+"`") {
			t.Errorf("README.md does not describe %s", path)
		}
	}
	for _, m := range loadedModules(t) {
		if pkg := "freeswitch-" + strings.ReplaceAll(m, "_", "-"); !strings.Contains(readme, pkg) {
			t.Errorf("README.md does not list %s (Debian package of %s)", pkg, m)
		}
	}
	for _, s := range []string{"scripts/gen-secrets.sh", secretsInclude, "wss.pem"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README.md does not mention %s", s)
		}
	}
}
