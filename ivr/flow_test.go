package ivr

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	play := Step{ID: "p", Kind: StepPlay, File: "a.wav"}
	tests := []struct {
		name string
		flow Flow
		want string // substring of the error; empty means valid
	}{
		{"builtin verify", VerifyIDFlow(), ""},
		{"builtin notify", NotifyFlow(), ""},
		{"builtin survey", SurveyFlow("s", defaultSurvey()), ""},
		{"no name", Flow{Steps: []Step{play}}, "needs a name"},
		{"no steps", Flow{Name: "x"}, "needs a name and steps"},
		{"missing id", Flow{Name: "x", Steps: []Step{{Kind: StepHangup}}}, "has no id"},
		{"duplicate id", Flow{Name: "x", Steps: []Step{play, play}}, `two steps "p"`},
		{"unknown jump", Flow{Name: "x", Steps: []Step{{ID: "p", Kind: StepPlay, File: "a", Next: "zz"}}}, `unknown step "zz"`},
		{"unknown start", Flow{Name: "x", Start: "zz", Steps: []Step{play}}, "starts at unknown"},
		{"unknown kind", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: "dance"}}}, `unknown kind "dance"`},
		{"play without file", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: StepPlay}}}, "needs file"},
		{"collect range", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: StepCollect, Var: "v", File: "f", Min: 3, Max: 2}}}, "out of range"},
		{"collect bad regexp", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: StepCollect, Var: "v", File: "f", Min: 1, Max: 2, Pattern: "("}}}, "pattern"},
		{"collect spaces", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: StepCollect, Var: "v", File: "my file.wav", Min: 1, Max: 2}}}, "spaces"},
		{"branch bad case", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: StepBranch, Var: "v", Cases: []Case{{Match: "1", Next: "nope"}}}}}, "unknown step"},
		{"verify needs check", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: StepVerify, Var: "v"}}}, "needs var and check"},
		{"transfer needs context", Flow{Name: "x", Steps: []Step{{ID: "a", Kind: StepTransfer, Target: "100"}}}, "target and context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.flow.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrBadFlow) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want ErrBadFlow with %q", err, tt.want)
			}
		})
	}
}

func TestParseFlows(t *testing.T) {
	yml := `
- name: balance
  steps:
    - {id: hello, kind: play, file: "ivr/hello.wav"}
    - id: menu
      kind: collect
      var: choice
      file: ivr/menu.wav
      min: 1
      max: 1
      pattern: "^[12]$"
      timeout_ms: 4000
      on_fail: bye
    - id: route
      kind: branch
      var: choice
      cases: [{match: "^2$", next: agent}]
      next: bye
    - {id: agent, kind: queue, target: billing}
    - {id: bye, kind: hangup, cause: NORMAL_CLEARING}
`
	flows, err := ParseFlows([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != 1 || flows[0].Name != "balance" || len(flows[0].Steps) != 5 {
		t.Fatalf("flows = %+v", flows)
	}
	menu := flows[0].Steps[1]
	if menu.TimeoutMS != 4000 || menu.OnFail != "bye" || menu.Pattern != "^[12]$" {
		t.Errorf("menu = %+v", menu)
	}
	json := `[{"name":"j","steps":[{"id":"a","kind":"hangup"}]}]`
	if _, err := ParseFlows([]byte(json)); err != nil {
		t.Errorf("json: %v", err)
	}
	if _, err := ParseFlows([]byte(`[{"name":"j","steps":[{"id":"a","kind":"play"}]}]`)); !errors.Is(err, ErrBadFlow) {
		t.Errorf("invalid flow accepted: %v", err)
	}
	if _, err := ParseFlows([]byte("{not: [yaml")); err == nil {
		t.Error("syntax error accepted")
	}
}

func TestExampleFlowsFile(t *testing.T) {
	data, err := os.ReadFile("testdata/flows_example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	flows, err := ParseFlows(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != 1 || flows[0].Name != "balance_enquiry" {
		t.Fatalf("flows = %+v", flows)
	}
	ch := &fakeChannel{keys: map[string][]string{"account_pin": {"0000", "4321"}, "choice": {"2"}}}
	res := Run(context.Background(), flows[0], ch, Env{Verifier: &fakeVerifier{want: "4321"},
		ChannelVar: func(n string) string { return map[string]string{"ivr_menu_prompt": "menu.wav"}[n] }})
	if res.Outcome != OutcomeQueued || res.Queue != "billing" || !res.Verified || res.Attempts != 2 {
		t.Fatalf("result = %+v", res)
	}
	assertSubsequence(t, ch.actions, []string{"play ivr/ivr-welcome.wav", "collect account_pin", "collect account_pin",
		"collect choice", "transfer billing@queue"})
}
