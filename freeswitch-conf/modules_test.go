package freeswitchconf

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
)

// critical are the modules FreeSWITCH must not start without: a module that
// fails to load only logs an error unless it is marked critical="true"
// (switch_loadable_module.c then aborts). Without mod_sofia there is no
// SIP, without mod_event_socket no controller, and without mod_xml_curl no
// agent can register (the static directory lists no users).
var critical = []string{"mod_sofia", "mod_event_socket", "mod_xml_curl"}

type moduleLoad struct {
	Module   string `xml:"module,attr"`
	Critical string `xml:"critical,attr"`
}

func moduleLoads(t *testing.T) []moduleLoad {
	t.Helper()
	var c struct {
		Loads []moduleLoad `xml:"modules>load"`
	}
	decode(t, "autoload_configs/modules.conf.xml", &c)
	return c.Loads
}

func loadedModules(t *testing.T) []string {
	var out []string
	for _, l := range moduleLoads(t) {
		out = append(out, l.Module)
	}
	return out
}

func TestRequiredModulesAreLoadedAndCritical(t *testing.T) {
	order := map[string]int{}
	for i, l := range moduleLoads(t) {
		order[l.Module] = i + 1
		if slices.Contains(critical, l.Module) != (l.Critical == "true") {
			t.Errorf("%s critical=%q; exactly %v are critical", l.Module, l.Critical, critical)
		}
	}
	for _, m := range append(controller.RequiredModules(), critical...) {
		if order[m] == 0 {
			t.Errorf("%s is not loaded, and the controller needs it", m)
		}
	}
	if order["mod_xml_curl"] > order["mod_sofia"] {
		t.Error("mod_xml_curl must load before mod_sofia so registrations at start-up find the agents")
	}
}

// TestNothingOutsideTheProduct: mod_h26x (video) is gone in FreeSWITCH
// 1.11 and an audio-only call center has no use for it; mod_callcenter is
// not in the default build and the agent desk routes calls itself, so
// nothing may load, configure or run it.
func TestNothingOutsideTheProduct(t *testing.T) {
	for _, m := range []string{"mod_h26x", "mod_callcenter"} {
		if slices.Contains(loadedModules(t), m) {
			t.Errorf("modules.conf.xml loads %s", m)
		}
	}
	if _, err := os.Stat("autoload_configs/callcenter.conf.xml"); err == nil {
		t.Error("autoload_configs/callcenter.conf.xml configures mod_callcenter, which nothing uses")
	}
	for _, path := range xmlFiles(t) {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), "mod_callcenter") || strings.Contains(string(b), `application="callcenter"`) {
			t.Errorf("%s refers to mod_callcenter", path)
		}
	}
}

// TestSimulatorStandsForTheOverlay: the built-in simulator answers
// module_exists for exactly the modules the overlay loads.
func TestSimulatorStandsForTheOverlay(t *testing.T) {
	got, want := esltest.DefaultModules(), loadedModules(t)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("esltest.DefaultModules() = %q\nmodules.conf.xml loads %q", got, want)
	}
}
