// Package usblock_test checks the USB-lock scripts: the Linux one is run
// against a temporary root folder and reports to a real API server; the
// Windows one's registry table is parsed and compared with the settings a
// lock must make and an unlock must restore.
package usblock_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/api"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

const linuxScript = "linux/usb-lock.sh"

// run runs the Linux script and returns its output and exit code.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	cmd := exec.Command("bash", append([]string{linuxScript}, args...)...)
	cmd.Env = append(os.Environ(), "CC_SERVER=", "CC_WORKSTATION_TOKEN_FILE=", "CC_WORKSTATION_NAME=")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	case err != nil:
		t.Fatalf("usb-lock.sh %v: %v", args, err)
	}
	return string(out), 0
}

// snapshot maps every path under root to its mode and content hash.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := info.Mode().String()
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			v += " " + hex.EncodeToString(sum[:])
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for p, v := range want {
		if got[p] != v {
			t.Errorf("%s: %s is %q, was %q", what, p, got[p], v)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: %s is left behind", what, p)
		}
	}
}

const (
	rulePath      = "etc/udev/rules.d/99-callcenter-usb-lock.rules"
	blacklistPath = "etc/modprobe.d/callcenter-usb-lock.conf"
)

func read(t *testing.T, root, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLinuxLockUnlockRestoresExactly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(root string) // what the PC already has
	}{
		{"empty root", func(string) {}},
		{"existing folders with other files", func(root string) {
			os.MkdirAll(filepath.Join(root, "etc/udev/rules.d"), 0o755)
			os.WriteFile(filepath.Join(root, "etc/udev/rules.d/70-other.rules"), []byte("# someone else's\n"), 0o644)
			os.MkdirAll(filepath.Join(root, "etc/modprobe.d"), 0o755)
			os.MkdirAll(filepath.Join(root, "var/lib"), 0o755)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(root)
			before := snapshot(t, root)
			if out, code := run(t, "status", "--root", root); code != 1 || !strings.Contains(out, "state=unlocked") {
				t.Fatalf("status before lock: %d %s", code, out)
			}
			if out, code := run(t, "lock", "--root", root); code != 0 {
				t.Fatalf("lock: %d %s", code, out)
			}
			rule, blacklist := read(t, root, rulePath), read(t, root, blacklistPath)
			for _, want := range []string{`SUBSYSTEM=="usb"`, `ENV{DEVTYPE}=="usb_interface"`, `ATTR{bInterfaceClass}=="08"`, `ATTR{authorized}="0"`} {
				if !strings.Contains(rule, want) {
					t.Errorf("udev rule lacks %s:\n%s", want, rule)
				}
			}
			for _, want := range []string{"install usb-storage /bin/true", "install uas /bin/true", "blacklist usb-storage", "blacklist uas"} {
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).MatchString(blacklist) {
					t.Errorf("modprobe file lacks the line %q:\n%s", want, blacklist)
				}
			}
			if out, code := run(t, "status", "--root", root); code != 0 || !strings.Contains(out, "state=locked") {
				t.Fatalf("status after lock: %d %s", code, out)
			}
			locked := snapshot(t, root)
			if out, code := run(t, "lock", "--root", root); code != 0 {
				t.Fatalf("second lock: %d %s", code, out)
			}
			sameTree(t, "a second lock", snapshot(t, root), locked)

			// A storage driver still loaded (a stick plugged in before the lock).
			os.MkdirAll(filepath.Join(root, "sys/module/usb_storage"), 0o755)
			if out, code := run(t, "status", "--root", root); code != 2 || !strings.Contains(out, "usb_storage_loaded=yes") {
				t.Fatalf("status with usb_storage loaded: %d %s", code, out)
			}
			os.RemoveAll(filepath.Join(root, "sys"))

			if out, code := run(t, "unlock", "--root", root); code != 0 {
				t.Fatalf("unlock: %d %s", code, out)
			}
			sameTree(t, "unlock", snapshot(t, root), before)
			if out, code := run(t, "status", "--root", root); code != 1 {
				t.Fatalf("status after unlock: %d %s", code, out)
			}
		})
	}
}

func TestLinuxLockRefusesForeignAndEditedFiles(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc/modprobe.d"), 0o755)
	foreign := filepath.Join(root, blacklistPath)
	os.WriteFile(foreign, []byte("options usb-storage quirks=0781:5567:u\n"), 0o644)
	before := snapshot(t, root)
	if out, code := run(t, "lock", "--root", root); code != 3 || !strings.Contains(out, "not written by usb-lock.sh") {
		t.Fatalf("lock over a foreign file: %d %s", code, out)
	}
	sameTree(t, "a refused lock", snapshot(t, root), before)
	os.Remove(foreign)

	if out, code := run(t, "lock", "--root", root); code != 0 {
		t.Fatalf("lock: %d %s", code, out)
	}
	edited := read(t, root, blacklistPath) + "options uas quirks=1\n"
	os.WriteFile(foreign, []byte(edited), 0o644)
	if out, code := run(t, "status", "--root", root); code != 2 || !strings.Contains(out, "modprobe_blacklist=modified") {
		t.Fatalf("status of an edited file: %d %s", code, out)
	}
	if out, code := run(t, "unlock", "--root", root); code != 3 || !strings.Contains(out, "was changed after lock") {
		t.Fatalf("unlock of an edited file: %d %s", code, out)
	}
	if read(t, root, blacklistPath) != edited || !fileExists(filepath.Join(root, rulePath)) {
		t.Fatal("a refused unlock removed files")
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestLinuxReportReachesServer runs the script's report against the real API
// and checks what the admin API then shows.
func TestLinuxReportReachesServer(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	st := storetest.New(t)
	srv := httptest.NewServer(api.New(api.Config{Store: st, Version: "test", DataDir: t.TempDir()}).Handler())
	defer srv.Close()
	ctx := context.Background()
	ws := &store.Workstation{Name: "pc-linux-01"}
	token, err := st.CreateWorkstation(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	tokenFile := filepath.Join(root, "etc/callcenter/workstation.token")
	os.MkdirAll(filepath.Dir(tokenFile), 0o700)
	os.WriteFile(tokenFile, []byte(token+"\n"), 0o600)
	os.WriteFile(filepath.Join(root, "etc/hostname"), []byte("PC-Linux-01.bank.local\n"), 0o644)

	report := func(want string) {
		t.Helper()
		out, code := run(t, "report", "--root", root, "--server", srv.URL)
		if code != 0 || !strings.Contains(out, "reported state="+want) {
			t.Fatalf("report: %d %s", code, out)
		}
		got, err := st.GetWorkstation(ctx, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(got.State) != want || got.Platform != "linux" || got.Address != "127.0.0.1" || got.ReportedAt == nil ||
			got.Details["script_version"] != "1" || got.Details["udev_rule"] == "" {
			t.Fatalf("after reporting %s the server has %+v", want, got)
		}
	}
	report("unlocked")
	run(t, "lock", "--root", root)
	report("locked")

	os.WriteFile(tokenFile, []byte("ws_wrong\n"), 0o600)
	if out, code := run(t, "report", "--root", root, "--server", srv.URL); code == 0 || !strings.Contains(out, "401") {
		t.Fatalf("report with a wrong token: %d %s", code, out)
	}
	if out, code := run(t, "report", "--root", root); code != 3 || !strings.Contains(out, "--server") {
		t.Fatalf("report without a server: %d %s", code, out)
	}
}

// registrySetting is one line of the Windows script's $Settings table.
type registrySetting struct{ Path, Name, Type, Lock, Restore string }

var settingLine = regexp.MustCompile(`^\s*@\{ Path = '([^']+)'; Name = '([^']+)'; Type = '(\w+)'; Lock = (\d+); Restore = (\$null|\d+) \}\s*$`)

func TestWindowsScriptRegistrySettings(t *testing.T) {
	b, err := os.ReadFile("windows/usb-lock.ps1")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(b), "\r\n", "\n")
	start := strings.Index(src, "$Settings = @(\n")
	end := strings.Index(src[start:], "\n)\n")
	if start < 0 || end < 0 {
		t.Fatal("no $Settings = @( ... ) table in usb-lock.ps1")
	}
	var got []registrySetting
	for _, line := range strings.Split(src[start:start+end], "\n")[1:] {
		m := settingLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("a $Settings line the test cannot read: %q", line)
		}
		got = append(got, registrySetting{m[1], m[2], m[3], m[4], m[5]})
	}
	const removable = `HKLM:\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices`
	const disks = removable + `\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}` // the "Removable Disks" class
	want := []registrySetting{
		{`HKLM:\SYSTEM\CurrentControlSet\Services\USBSTOR`, "Start", "DWord", "4", "3"}, // 4: the driver never starts; 3: on demand
		{disks, "Deny_Read", "DWord", "1", "$null"},
		{disks, "Deny_Write", "DWord", "1", "$null"},
		{removable, "Deny_All", "DWord", "1", "$null"},
	}
	if len(got) != len(want) {
		t.Fatalf("$Settings has %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("$Settings[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Every registry write goes through the table: no other HKLM path, and
	// Lock writes .Lock, Unlock the saved value or .Restore.
	if n := strings.Count(src, "'HKLM:"); n != len(want) {
		t.Errorf("%d HKLM paths in the script, want only the %d of the table", n, len(want))
	}
	for fn, uses := range map[string][]string{
		"Invoke-Lock":   {"Save-Backup", "foreach ($s in $Settings)", "-Value $s.Lock"},
		"Invoke-Unlock": {"foreach ($s in $Settings)", "$value = $b.Value", "$value = $s.Restore", "Remove-ItemProperty", "-Value $value"},
		"Save-Backup":   {"if (Test-Path -LiteralPath $BackupFile) { return }"},
	} {
		body := functionBody(t, src, fn)
		for _, u := range uses {
			if !strings.Contains(body, u) {
				t.Errorf("%s does not contain %q", fn, u)
			}
		}
	}
}

// functionBody returns the text of a PowerShell function up to the closing
// brace at the start of a line.
func functionBody(t *testing.T, src, name string) string {
	t.Helper()
	i := strings.Index(src, "function "+name+" ")
	if i < 0 {
		i = strings.Index(src, "function "+name+"(")
	}
	if i < 0 {
		t.Fatalf("no function %s", name)
	}
	j := strings.Index(src[i:], "\n}\n")
	if j < 0 {
		t.Fatalf("function %s has no end", name)
	}
	return src[i : i+j]
}
