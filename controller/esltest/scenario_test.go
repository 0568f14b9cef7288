package esltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadExampleScenario(t *testing.T) {
	sc, err := LoadScenario("../../cmd/fssim/scenario.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Seed != 42 || len(sc.Numbers) != 3 || len(sc.Users) != 4 || len(sc.Gateways) != 3 {
		t.Fatalf("loaded %+v", sc)
	}
	if r := sc.Numbers[0]; r.Ring.Min != 3*time.Second || r.Talk.Max != 3*time.Minute || !r.EarlyMedia {
		t.Errorf("rule 0 = %+v", r)
	}
	if f := sc.Overrides[5].Fax; f == nil || f.Result != FaxPartial || f.Pages != 1 {
		t.Errorf("fax machine %+v", sc.Overrides[5])
	}
	if sc.Dialplan["ivr"] != "answer,socket:127.0.0.1:8084 async full" {
		t.Errorf("dialplan %v", sc.Dialplan)
	}
}

func TestScenarioValidate(t *testing.T) {
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"bad outcome", "numbers: [{prefix: '1', weights: {maybe: 1}}]", `unknown outcome "maybe"`},
		{"bad pattern", "numbers: [{pattern: '('}]", "pattern"},
		{"bad range", "numbers: [{ring: {min: 5s, max: 1s}}]", "max below min"},
		{"bad override", "overrides: [{number: '1', outcome: nope}]", "overrides[0]"},
		{"bad fax result", "overrides: [{number: '1', outcome: answer, fax: {result: maybe}}]", `unknown fax result "maybe"`},
		{"bad rule fax", "numbers: [{prefix: '1', fax: {result: jam}}]", `numbers[0]: unknown fax result "jam"`},
		{"ok", "numbers: [{prefix: '1', weights: {answer: 1}, fax: {result: partial, pages: 2}}]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadScenario(path)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestScenarioCalleeChoice(t *testing.T) {
	sc := &Scenario{Seed: 7,
		Numbers: []NumberRule{
			{Prefix: "139", Weights: map[Outcome]int{OutcomeBusy: 1}, Ring: Range{time.Second, time.Second}},
			{Pattern: `^1\d{10}$`, Weights: map[Outcome]int{OutcomeAnswer: 1, OutcomeNoAnswer: 1},
				Ring: Range{time.Second, 3 * time.Second}, DTMF: "123# 1"},
		},
		Overrides: []NumberOverride{{Number: "13900000000", Outcome: OutcomeMachine}}}
	st := newScenarioState(sc)
	if got := st.customer("13912345678").outcome; got != OutcomeBusy {
		t.Errorf("prefix rule: %s", got)
	}
	if got := st.customer("13900000000").outcome; got != OutcomeMachine {
		t.Errorf("override: %s", got)
	}
	c := st.customer("13512345678")
	if c.ring < time.Second || c.ring > 3*time.Second || strings.Join(c.dtmf, "|") != "123#|1" {
		t.Errorf("pattern rule: %+v", c)
	}
	if got := st.customer("555").outcome; got != OutcomeAnswer {
		t.Errorf("no rule: %s", got)
	}
	// same seed, same sequence.
	seq := func() string {
		st := newScenarioState(sc)
		var b strings.Builder
		for i := 0; i < 20; i++ {
			b.WriteString(string(st.customer("13512345678").outcome))
		}
		return b.String()
	}
	if a, b := seq(), seq(); a != b || !strings.Contains(a, "no_answer") || !strings.Contains(a, "answer") {
		t.Errorf("seeded sequences %q / %q", a, b)
	}
}

func TestParseDialString(t *testing.T) {
	global, legs := parseDialString(`{origination_uuid=u1,origination_caller_id_name='Acme Sales',list=a\,b}[leg=1]sofia/gateway/gw1/139|[leg=2]user/1001`)
	if len(global) != 3 || global[1].value != "Acme Sales" || global[2].value != "a,b" {
		t.Errorf("global %+v", global)
	}
	if len(legs) != 2 || legs[0].endpoint != "sofia/gateway/gw1/139" || legs[1].vars[0].value != "2" {
		t.Errorf("legs %+v", legs)
	}
	if got := splitArgs(`{a=b}user/1 '&socket(127.0.0.1:8084 async full)' XML default`); len(got) != 4 ||
		got[1] != "&socket(127.0.0.1:8084 async full)" {
		t.Errorf("splitArgs %q", got)
	}
	calls := parseInline("set:x=1,park")
	if len(calls) != 2 || calls[0].name != "set" || calls[0].arg != "x=1" || calls[1].name != "park" {
		t.Errorf("inline %+v", calls)
	}
	if calls := parseInline("m:^:set:a=1,2^park"); len(calls) != 2 || calls[0].arg != "a=1,2" {
		t.Errorf("inline m: %+v", calls)
	}
}
