package ivr

import "fmt"

// Names of the built-in flows. A call picks its flow with the channel
// variable ivr_flow (set in the dialplan or by the originate).
const (
	FlowVerifyID = "verify_id"
	FlowNotify   = "notify"
	FlowSurvey   = "survey"
)

// Stock FreeSWITCH sounds (freeswitch-sounds-en-us-callie) used by the
// built-in flows; campaign prompts come from channel variables instead.
const (
	soundEnterPin = "ivr/ivr-please_enter_pin_followed_by_pound.wav"
	soundInvalid  = "ivr/ivr-that_was_an_invalid_entry.wav"
	soundThanks   = "ivr/ivr-thank_you.wav"
	soundHold     = "local_stream://moh"
)

// Builtin returns the built-in flows by name: verify_id, notify and survey.
func Builtin() map[string]Flow {
	return map[string]Flow{
		FlowVerifyID: VerifyIDFlow(),
		FlowNotify:   NotifyFlow(),
		FlowSurvey:   SurveyFlow(FlowSurvey, defaultSurvey()),
	}
}

// VerifyIDFlow is R11: the agent sends the customer here to key in an ID
// number or password (prompt in ${ivr_verify_prompt}, else a stock one);
// up to three attempts are checked by the Verifier, then the result is
// reported and the caller waits on hold to be bridged back to the agent.
// The digits are a secret: never logged, reported or left on the channel.
func VerifyIDFlow() Flow {
	return Flow{Name: FlowVerifyID, Steps: []Step{
		{ID: "prompt", Kind: StepBranch, Var: "ivr_verify_prompt",
			Cases: []Case{{Match: `.`, Next: "enter_custom"}}, Next: "enter"},
		{ID: "enter_custom", Kind: StepCollect, Var: "ivr_id_digits", Secret: true,
			File: "${ivr_verify_prompt}", Min: 4, Max: 20, Pattern: `^[0-9*]+$`, Tries: 3,
			TimeoutMS: 10000, DigitTimeoutMS: 5000, InvalidFile: soundInvalid, Next: "check", OnFail: "failed"},
		{ID: "enter", Kind: StepCollect, Var: "ivr_id_digits", Secret: true,
			File: soundEnterPin, Min: 4, Max: 20, Pattern: `^[0-9*]+$`, Tries: 3,
			TimeoutMS: 10000, DigitTimeoutMS: 5000, InvalidFile: soundInvalid, OnFail: "failed"},
		{ID: "check", Kind: StepVerify, Var: "ivr_id_digits", Check: "id", Tries: 3,
			Retry: "prompt", InvalidFile: soundInvalid, Next: "thanks", OnFail: "failed"},
		{ID: "thanks", Kind: StepPlay, File: soundThanks, Next: "back"},
		{ID: "failed", Kind: StepSet, Var: "verified", Value: "false"},
		{ID: "back", Kind: StepHandback, File: soundHold, TimeoutMS: 120000},
	}}
}

// NotifyFlow is a voice broadcast: it plays ${ivr_message}; when
// ${ivr_confirm} is true the message is a menu where 1 confirms (sets
// confirmed=true) and 0 reaches an agent in queue ${ivr_queue} (else the
// "default" queue).
func NotifyFlow() Flow {
	return Flow{Name: FlowNotify, Steps: []Step{
		{ID: "start", Kind: StepBranch, Var: "ivr_confirm",
			Cases: []Case{{Match: `^(?i:true|yes|1)$`, Next: "menu"}}},
		{ID: "message", Kind: StepPlay, File: "${ivr_message}", Next: "bye"},
		{ID: "menu", Kind: StepCollect, Var: "choice", File: "${ivr_message}",
			Min: 1, Max: 1, Pattern: `^[01]$`, Tries: 2, TimeoutMS: 5000, Terminators: "none",
			InvalidFile: soundInvalid, OnFail: "bye"},
		{ID: "route", Kind: StepBranch, Var: "choice",
			Cases: []Case{{Match: `^1$`, Next: "confirmed"}, {Match: `^0$`, Next: "agent"}}, Next: "bye"},
		{ID: "confirmed", Kind: StepSet, Var: "confirmed", Value: "true"},
		{ID: "thanks", Kind: StepPlay, File: soundThanks, Next: "bye"},
		{ID: "agent", Kind: StepBranch, Var: "ivr_queue",
			Cases: []Case{{Match: `.`, Next: "agent_queue"}}, Next: "agent_default"},
		{ID: "agent_queue", Kind: StepQueue, Target: "${ivr_queue}"},
		{ID: "agent_default", Kind: StepQueue, Target: "default"},
		{ID: "bye", Kind: StepHangup},
	}}
}

// Question is one survey question answered by one key.
type Question struct {
	Var   string // where the answer goes, e.g. q1
	File  string // prompt file, or empty to use PromptVar
	Valid string // accepted keys as a regexp class body, e.g. 1-5
	// PromptVar names a channel variable holding the prompt; the question
	// is skipped when it is empty, so one flow serves campaigns with fewer
	// questions.
	PromptVar string
}

// SurveyFlow asks each question in turn (two tries each; an unanswered
// question is skipped), thanks the caller and hangs up. Answers are in
// Result.Answers.
func SurveyFlow(name string, qs []Question) Flow {
	f := Flow{Name: name}
	for i, q := range qs {
		next := "thanks"
		if i+1 < len(qs) {
			next = "ask_" + qs[i+1].Var
		}
		ask := Step{ID: "ask_" + q.Var, Kind: StepCollect, Var: q.Var, File: q.File,
			Min: 1, Max: 1, Pattern: fmt.Sprintf("^[%s]$", q.Valid), Tries: 2, TimeoutMS: 6000,
			Terminators: "none", InvalidFile: soundInvalid, Next: next, OnFail: next}
		if q.PromptVar != "" {
			ask.ID, ask.File = "do_"+q.Var, "${"+q.PromptVar+"}"
			f.Steps = append(f.Steps, Step{ID: "ask_" + q.Var, Kind: StepBranch, Var: q.PromptVar,
				Cases: []Case{{Match: `.`, Next: ask.ID}}, Next: next})
		}
		f.Steps = append(f.Steps, ask)
	}
	f.Steps = append(f.Steps,
		Step{ID: "thanks", Kind: StepPlay, File: soundThanks},
		Step{ID: "bye", Kind: StepHangup})
	return f
}

// defaultSurvey has up to three 1-5 questions whose prompts come from the
// channel variables ivr_survey_q1..3.
func defaultSurvey() []Question {
	qs := make([]Question, 3)
	for i := range qs {
		n := fmt.Sprint(i + 1)
		qs[i] = Question{Var: "q" + n, PromptVar: "ivr_survey_q" + n, Valid: "1-5"}
	}
	return qs
}
