package ivr

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

// StepKind names what a step does.
type StepKind string

// Step kinds. Collect runs FreeSWITCH's play_and_get_digits; Verify asks the
// Verifier about digits collected by a secret Collect; Handback reports the
// result and waits for the controller to bridge the caller back to an agent.
const (
	StepPlay     StepKind = "play"
	StepCollect  StepKind = "collect"
	StepBranch   StepKind = "branch"
	StepSet      StepKind = "set"
	StepVerify   StepKind = "verify"
	StepTransfer StepKind = "transfer"
	StepQueue    StepKind = "queue"
	StepHandback StepKind = "handback"
	StepHangup   StepKind = "hangup"
)

// Flow is one IVR script: steps run from Start (or the first step), each
// going to Next (or the step after it in the list) until a terminal step or
// the end of the list.
type Flow struct {
	Name  string `json:"name" yaml:"name"`
	Start string `json:"start,omitempty" yaml:"start,omitempty"`
	Steps []Step `json:"steps" yaml:"steps"`
}

// Step is one instruction. Which fields matter depends on Kind; string
// fields may hold ${name} references to flow or channel variables.
type Step struct {
	ID   string   `json:"id" yaml:"id"`
	Kind StepKind `json:"kind" yaml:"kind"`
	// File is the prompt for play, collect and handback (hold music).
	File string `json:"file,omitempty" yaml:"file,omitempty"`
	// Var is the variable written by collect and set, read by branch and verify.
	Var   string `json:"var,omitempty" yaml:"var,omitempty"`
	Value string `json:"value,omitempty" yaml:"value,omitempty"`

	// Collect: digit count, tries, timeouts, terminators, what is valid.
	Min            int    `json:"min,omitempty" yaml:"min,omitempty"`
	Max            int    `json:"max,omitempty" yaml:"max,omitempty"`
	Tries          int    `json:"tries,omitempty" yaml:"tries,omitempty"`
	TimeoutMS      int    `json:"timeout_ms,omitempty" yaml:"timeout_ms,omitempty"`
	DigitTimeoutMS int    `json:"digit_timeout_ms,omitempty" yaml:"digit_timeout_ms,omitempty"`
	Terminators    string `json:"terminators,omitempty" yaml:"terminators,omitempty"`
	Pattern        string `json:"pattern,omitempty" yaml:"pattern,omitempty"`
	InvalidFile    string `json:"invalid_file,omitempty" yaml:"invalid_file,omitempty"`
	// Secret keeps the digits out of logs, results and channel variables.
	Secret bool `json:"secret,omitempty" yaml:"secret,omitempty"`

	// Verify: what is checked (passed to the Verifier) and where to retry.
	Check string `json:"check,omitempty" yaml:"check,omitempty"`
	Retry string `json:"retry,omitempty" yaml:"retry,omitempty"`

	Cases []Case `json:"cases,omitempty" yaml:"cases,omitempty"`

	// Transfer: extension and context; queue: queue name (context optional).
	Target  string `json:"target,omitempty" yaml:"target,omitempty"`
	Context string `json:"context,omitempty" yaml:"context,omitempty"`
	Cause   string `json:"cause,omitempty" yaml:"cause,omitempty"`

	Next string `json:"next,omitempty" yaml:"next,omitempty"`
	// OnFail is taken when collect exhausts its tries, verify its attempts,
	// or handback its timeout.
	OnFail string `json:"on_fail,omitempty" yaml:"on_fail,omitempty"`
}

// Case sends a branch to Next when the variable matches the regexp Match.
type Case struct {
	Match string `json:"match" yaml:"match"`
	Next  string `json:"next" yaml:"next"`
}

// ParseFlows reads a list of flows from YAML or JSON (JSON is valid YAML)
// and validates each.
func ParseFlows(data []byte) ([]Flow, error) {
	var flows []Flow
	if err := yaml.Unmarshal(data, &flows); err != nil {
		return nil, fmt.Errorf("ivr: parse flows: %w", err)
	}
	for _, f := range flows {
		if err := f.Validate(); err != nil {
			return nil, err
		}
	}
	return flows, nil
}

// Validate checks that step ids are unique, every jump names a step, the
// regexps compile and each kind has what it needs.
func (f Flow) Validate() error {
	_, err := compile(f)
	return err
}

// program is a validated flow with its regexps compiled.
type program struct {
	flow    Flow
	index   map[string]int
	pattern map[int]*regexp.Regexp // collect steps
	cases   map[int][]*regexp.Regexp
}

func compile(f Flow) (*program, error) {
	if f.Name == "" || len(f.Steps) == 0 {
		return nil, fmt.Errorf("%w: flow %q needs a name and steps", ErrBadFlow, f.Name)
	}
	p := &program{flow: f, index: map[string]int{}, pattern: map[int]*regexp.Regexp{}, cases: map[int][]*regexp.Regexp{}}
	for i, s := range f.Steps {
		if s.ID == "" {
			return nil, fmt.Errorf("%w: flow %q step %d has no id", ErrBadFlow, f.Name, i)
		}
		if _, dup := p.index[s.ID]; dup {
			return nil, fmt.Errorf("%w: flow %q has two steps %q", ErrBadFlow, f.Name, s.ID)
		}
		p.index[s.ID] = i
	}
	for i, s := range f.Steps {
		if err := p.checkStep(i, s); err != nil {
			return nil, fmt.Errorf("%w: flow %q step %q: %v", ErrBadFlow, f.Name, s.ID, err)
		}
	}
	if f.Start != "" && !p.has(f.Start) {
		return nil, fmt.Errorf("%w: flow %q starts at unknown step %q", ErrBadFlow, f.Name, f.Start)
	}
	return p, nil
}

func (p *program) has(id string) bool {
	_, ok := p.index[id]
	return ok
}

func (p *program) checkStep(i int, s Step) error {
	for _, jump := range []string{s.Next, s.OnFail, s.Retry} {
		if jump != "" && !p.has(jump) {
			return fmt.Errorf("jumps to unknown step %q", jump)
		}
	}
	switch s.Kind {
	case StepPlay:
		return need(s.File != "", "file")
	case StepCollect:
		return p.checkCollect(i, s)
	case StepBranch:
		return p.checkBranch(i, s)
	case StepSet:
		return need(s.Var != "", "var")
	case StepVerify:
		return need(s.Var != "" && s.Check != "", "var and check")
	case StepTransfer:
		return need(s.Target != "" && s.Context != "", "target and context")
	case StepQueue:
		return need(s.Target != "", "target")
	case StepHandback, StepHangup:
		return nil
	}
	return fmt.Errorf("unknown kind %q", s.Kind)
}

func need(ok bool, what string) error {
	if !ok {
		return fmt.Errorf("needs %s", what)
	}
	return nil
}

func (p *program) checkCollect(i int, s Step) error {
	if s.Var == "" || s.File == "" {
		return fmt.Errorf("needs var and file")
	}
	if s.Min < 1 || s.Max < s.Min || s.Max > 128 {
		return fmt.Errorf("digits min %d max %d out of range", s.Min, s.Max)
	}
	pat := s.Pattern
	if pat == "" {
		pat = `^\d+$`
	}
	// play_and_get_digits takes its arguments split on spaces.
	if hasSpace(pat) || hasSpace(s.File) || hasSpace(s.InvalidFile) || hasSpace(s.Terminators) {
		return fmt.Errorf("pattern, files and terminators cannot hold spaces")
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return fmt.Errorf("pattern: %v", err)
	}
	p.pattern[i] = re
	return nil
}

func (p *program) checkBranch(i int, s Step) error {
	if s.Var == "" || len(s.Cases) == 0 {
		return fmt.Errorf("needs var and cases")
	}
	for _, c := range s.Cases {
		re, err := regexp.Compile(c.Match)
		if err != nil {
			return fmt.Errorf("case %q: %v", c.Match, err)
		}
		if !p.has(c.Next) {
			return fmt.Errorf("case %q jumps to unknown step %q", c.Match, c.Next)
		}
		p.cases[i] = append(p.cases[i], re)
	}
	return nil
}

func hasSpace(s string) bool {
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return true
		}
	}
	return false
}
