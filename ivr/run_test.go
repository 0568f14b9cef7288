package ivr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

const secretID = "110105194912310021"

func TestRunBuiltinFlows(t *testing.T) {
	tests := []struct {
		name      string
		flow      Flow
		keys      map[string][]string
		chanVars  map[string]string
		hangupAt  int
		handback  error
		verifyErr error

		outcome  Outcome
		verified bool
		attempts int
		queue    string
		answers  []Answer
		vars     map[string]string
		actions  []string // substrings expected in order (a subsequence)
	}{
		{
			name: "verify first try", flow: VerifyIDFlow(),
			keys:    map[string][]string{"ivr_id_digits": {secretID}},
			outcome: OutcomeHandback, verified: true, attempts: 1,
			vars:    map[string]string{"verified": "true"},
			actions: []string{"collect ivr_id_digits", "set ivr_id_digits=", "set ivr_id_digits_invalid=", "play " + soundThanks, "handback " + soundHold},
		},
		{
			name: "verify wrong then right with custom prompt", flow: VerifyIDFlow(),
			chanVars: map[string]string{"ivr_verify_prompt": "custom/enter_pwd.wav"},
			keys:     map[string][]string{"ivr_id_digits": {"999999", secretID}},
			outcome:  OutcomeHandback, verified: true, attempts: 2,
			actions: []string{"play " + soundInvalid, "collect ivr_id_digits", "play " + soundThanks},
		},
		{
			name: "verify wrong three times", flow: VerifyIDFlow(),
			keys:    map[string][]string{"ivr_id_digits": {"1111", "2222", "3333", secretID}},
			outcome: OutcomeHandback, verified: false, attempts: 3,
			vars:    map[string]string{"verified": "false"},
			actions: []string{"set verified=false", "handback"},
		},
		{
			name: "verify nothing keyed", flow: VerifyIDFlow(),
			outcome: OutcomeHandback, verified: false, attempts: 0,
			vars: map[string]string{"verified": "false"},
		},
		{
			name: "verifier error counts as failed attempt", flow: VerifyIDFlow(),
			keys:      map[string][]string{"ivr_id_digits": {secretID, secretID, secretID}},
			verifyErr: errors.New("store down"),
			outcome:   OutcomeHandback, verified: false, attempts: 3,
		},
		{
			name: "caller hangs up while keying", flow: VerifyIDFlow(),
			keys: map[string][]string{"ivr_id_digits": {secretID}}, hangupAt: 1,
			outcome: OutcomeHangup,
		},
		{
			name: "nobody takes the call back", flow: VerifyIDFlow(),
			keys: map[string][]string{"ivr_id_digits": {secretID}}, handback: ErrHandbackTimeout,
			outcome: OutcomeHandback, verified: true, attempts: 1,
			actions: []string{"handback", "hangup NORMAL_CLEARING"},
		},
		{
			name: "notify plays and hangs up", flow: NotifyFlow(),
			chanVars: map[string]string{"ivr_message": "campaign/42.wav"},
			outcome:  OutcomeCompleted,
			actions:  []string{"play campaign/42.wav", "hangup NORMAL_CLEARING"},
		},
		{
			name: "notify confirmed", flow: NotifyFlow(),
			chanVars: map[string]string{"ivr_message": "campaign/42.wav", "ivr_confirm": "true"},
			keys:     map[string][]string{"choice": {"1"}},
			outcome:  OutcomeCompleted, answers: []Answer{{"choice", "1"}},
			vars:    map[string]string{"choice": "1", "confirmed": "true"},
			actions: []string{"collect choice", "set confirmed=true", "play " + soundThanks, "hangup"},
		},
		{
			name: "notify zero reaches the campaign queue", flow: NotifyFlow(),
			chanVars: map[string]string{"ivr_message": "m.wav", "ivr_confirm": "yes", "ivr_queue": "collections"},
			keys:     map[string][]string{"choice": {"0"}},
			outcome:  OutcomeQueued, queue: "collections", answers: []Answer{{"choice", "0"}},
			actions: []string{"transfer collections@queue"},
		},
		{
			name: "notify zero without a queue uses default", flow: NotifyFlow(),
			chanVars: map[string]string{"ivr_message": "m.wav", "ivr_confirm": "1"},
			keys:     map[string][]string{"choice": {"0"}},
			outcome:  OutcomeQueued, queue: "default", answers: []Answer{{"choice", "0"}},
		},
		{
			name: "notify without a message fails", flow: NotifyFlow(),
			outcome: OutcomeFailed,
		},
		{
			name: "survey skips unset and unanswered questions", flow: SurveyFlow(FlowSurvey, defaultSurvey()),
			chanVars: map[string]string{"ivr_survey_q1": "s/q1.wav", "ivr_survey_q3": "s/q3.wav"},
			keys:     map[string][]string{"q1": {"5"}, "q3": {"9"}},
			outcome:  OutcomeCompleted, answers: []Answer{{"q1", "5"}},
			vars:    map[string]string{"q1": "5"},
			actions: []string{"collect q1", "collect q3", "play " + soundThanks, "hangup"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &fakeChannel{keys: tt.keys, hangupAt: tt.hangupAt, handback: tt.handback}
			if ch.keys == nil {
				ch.keys = map[string][]string{}
			}
			ver := &fakeVerifier{want: secretID, err: tt.verifyErr}
			var logs bytes.Buffer
			var reports []Result
			env := Env{
				Call:       Call{UUID: "call-1", Flow: tt.flow.Name},
				Verifier:   ver,
				Report:     func(_ context.Context, r Result) { reports = append(reports, r) },
				ChannelVar: func(n string) string { return tt.chanVars[n] },
				Logger:     slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			}
			res := Run(context.Background(), tt.flow, ch, env)
			if len(reports) != 1 {
				t.Fatalf("reported %d times, want once", len(reports))
			}
			if res.Outcome != tt.outcome || res.Verified != tt.verified || res.Attempts != tt.attempts || res.Queue != tt.queue {
				t.Fatalf("result = %+v (error %q)\nactions %q", res, res.Error, ch.actions)
			}
			if !slices.Equal(res.Answers, tt.answers) {
				t.Errorf("answers = %v, want %v", res.Answers, tt.answers)
			}
			for k, v := range tt.vars {
				if res.Vars[k] != v {
					t.Errorf("var %s = %q, want %q (vars %v)", k, res.Vars[k], v, res.Vars)
				}
			}
			assertSubsequence(t, ch.actions, tt.actions)
			js, _ := json.Marshal(reports)
			if strings.Contains(string(js), secretID) || strings.Contains(logs.String(), secretID) {
				t.Errorf("secret digits leaked:\nresult %s\nlogs %s", js, logs.String())
			}
		})
	}
}

func assertSubsequence(t *testing.T, got, want []string) {
	t.Helper()
	i := 0
	for _, g := range got {
		if i < len(want) && strings.HasPrefix(g, want[i]) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("actions %q\ndo not contain %q in order (stopped at %q)", got, want, want[i])
	}
}

func TestRunCollectSpec(t *testing.T) {
	ch := &fakeChannel{keys: map[string][]string{"q1": {"3"}}}
	Run(context.Background(), SurveyFlow("s", []Question{{Var: "q1", File: "a.wav", Valid: "1-3"}}), ch, Env{})
	if len(ch.collectLog) != 1 {
		t.Fatalf("collects = %d", len(ch.collectLog))
	}
	got := ch.collectLog[0].Args()
	want := "1 1 2 6000 none a.wav " + soundInvalid + " q1 ^[1-3]$ 6000"
	if got != want {
		t.Errorf("play_and_get_digits args\n got %q\nwant %q", got, want)
	}
	def := collectSpec(Step{Min: 4, Max: 6, File: "p.wav", Var: "pin"}, func(s string) string { return s }).Args()
	if def != `4 6 3 5000 # p.wav silence_stream://250 pin ^\d+$ 5000` {
		t.Errorf("defaults = %q", def)
	}
}

func TestRunStopsOnLoopsAndCancel(t *testing.T) {
	loop := Flow{Name: "loop", Steps: []Step{
		{ID: "a", Kind: StepSet, Var: "x", Value: "1", Next: "b"},
		{ID: "b", Kind: StepBranch, Var: "x", Cases: []Case{{Match: "1", Next: "a"}}},
	}}
	res := Run(context.Background(), loop, &fakeChannel{}, Env{})
	if res.Outcome != OutcomeFailed || !strings.Contains(res.Error, "without ending") {
		t.Errorf("loop result = %+v", res)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ch := &cancelChannel{}
	res = Run(ctx, Flow{Name: "p", Steps: []Step{{ID: "p", Kind: StepPlay, File: "x.wav"}}}, ch, Env{})
	if res.Outcome != OutcomeAborted {
		t.Errorf("cancelled result = %+v", res)
	}
}

// cancelChannel fails every action with the context's error.
type cancelChannel struct{ fakeChannel }

func (c *cancelChannel) Play(ctx context.Context, _ string) error { return ctx.Err() }

func TestRunBadFlowIsReportedAsFailure(t *testing.T) {
	var got []Result
	res := Run(context.Background(), Flow{Name: "empty"}, &fakeChannel{},
		Env{Report: func(_ context.Context, r Result) { got = append(got, r) }})
	if res.Outcome != OutcomeFailed || len(got) != 1 || !strings.Contains(res.Error, "invalid flow") {
		t.Errorf("result %+v, reports %d", res, len(got))
	}
}

func TestRunVerifyWithoutVerifierFails(t *testing.T) {
	ch := &fakeChannel{keys: map[string][]string{"ivr_id_digits": {secretID}}}
	res := Run(context.Background(), VerifyIDFlow(), ch, Env{})
	if res.Outcome != OutcomeFailed || strings.Contains(res.Error, secretID) {
		t.Errorf("result %+v", res)
	}
}

func TestRunTransferAndExpansion(t *testing.T) {
	flow := Flow{Name: "t", Steps: []Step{
		{ID: "who", Kind: StepSet, Var: "dest", Value: "sales_${ivr_region}"},
		{ID: "go", Kind: StepTransfer, Target: "${dest}", Context: "default"},
	}}
	ch := &fakeChannel{}
	res := Run(context.Background(), flow, ch, Env{ChannelVar: func(n string) string {
		return map[string]string{"ivr_region": "north"}[n]
	}})
	if res.Outcome != OutcomeTransferred || res.Transfer != "sales_north@default" {
		t.Fatalf("result %+v", res)
	}
	assertSubsequence(t, ch.actions, []string{"set dest=sales_north", "transfer sales_north@default"})

	// A value that would split FreeSWITCH's "transfer <exten> XML <context>".
	res = Run(context.Background(), flow, &fakeChannel{}, Env{ChannelVar: func(string) string { return "a b" }})
	if res.Outcome != OutcomeFailed || !strings.Contains(res.Error, "bad transfer target") {
		t.Fatalf("unsafe target accepted: %+v", res)
	}
}
