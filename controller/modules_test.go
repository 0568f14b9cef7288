package controller

import (
	"context"
	"slices"
	"testing"

	"github.com/bankcc/callcenter/controller/esltest"
)

// A node is asked `module_exists` for every required module when its
// session starts: FreeSWITCH only logs a module that failed to load, and
// mod_xml_curl and mod_avmd are not in its default build.
func TestNodeReportsMissingModules(t *testing.T) {
	without := func(drop ...string) []string {
		return slices.DeleteFunc(esltest.DefaultModules(), func(m string) bool { return slices.Contains(drop, m) })
	}
	cases := []struct {
		name   string
		loaded []string // nil: the overlay's modules
		want   []string
	}{
		{"the overlay's modules", nil, nil},
		{"default build", without("mod_xml_curl", "mod_avmd"), []string{"mod_xml_curl", "mod_avmd"}},
		{"no fax", without("mod_spandsp"), []string{"mod_spandsp"}},
		{"nothing loaded", []string{}, RequiredModules()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := simScenario()
			sc.Modules = c.loaded
			srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: simScale,
				HeartbeatInterval: simHB, Logger: testLogger()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = srv.Close() })
			p := newTestPool(t, simNode("fs1", srv))
			// Asked before the node is declared up: readiness never shows a
			// node whose modules were not checked.
			if got := p.Status()[0].MissingModules; !slices.Equal(got, c.want) {
				t.Errorf("MissingModules = %q, want %q", got, c.want)
			}
		})
	}
}

// A module loaded by hand after start is noticed at the next heartbeat tick.
func TestNodeNoticesALoadedModule(t *testing.T) {
	sc := simScenario()
	sc.Modules = slices.DeleteFunc(esltest.DefaultModules(), func(m string) bool { return m == "mod_avmd" })
	srv, err := esltest.Start(context.Background(), esltest.Options{Scenario: sc, TimeScale: simScale,
		HeartbeatInterval: simHB, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := simNode("fs1", srv)
	cfg.HeartbeatInterval = faultHB
	p := newTestPool(t, cfg)
	if got := p.Status()[0].MissingModules; !slices.Equal(got, []string{"mod_avmd"}) {
		t.Fatalf("MissingModules = %q", got)
	}
	srv.LoadModule("mod_avmd")
	eventually(t, 5*faultHB, "mod_avmd noticed", func() bool { return p.Status()[0].MissingModules == nil })
}
