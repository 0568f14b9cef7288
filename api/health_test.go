package api

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/bankcc/callcenter/store/storetest"
)

type fixedNodes []NodeState

func (f fixedNodes) Nodes() []NodeState { return f }

// /readyz counts a node only when it is up with every module the product
// needs, and names the missing ones.
func TestReadyzNamesMissingModules(t *testing.T) {
	complete := NodeState{Name: "fs1", State: "up"}
	lacking := NodeState{Name: "fs2", State: "up", MissingModules: []string{"mod_xml_curl", "mod_avmd"}}
	down := NodeState{Name: "fs3", State: "down"}
	cases := []struct {
		name  string
		nodes fixedNodes
		code  int
	}{
		{"complete node", fixedNodes{complete}, 200},
		{"node lacking modules", fixedNodes{lacking}, 503},
		{"lacking and down", fixedNodes{lacking, down}, 503},
		{"one complete among others", fixedNodes{lacking, complete, down}, 200},
	}
	st := storetest.New(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New(Config{Store: st, Switch: c.nodes}).Handler()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			var r readyResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if rec.Code != c.code {
				t.Errorf("status %d, want %d: %s", rec.Code, c.code, rec.Body)
			}
			for i, n := range c.nodes {
				if !slices.Equal(r.Nodes[i].MissingModules, n.MissingModules) {
					t.Errorf("node %s missing_modules %q, want %q", n.Name, r.Nodes[i].MissingModules, n.MissingModules)
				}
			}
		})
	}
}
