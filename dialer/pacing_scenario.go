package dialer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Scenario is the simulated world of pacing.md: the team, the shift, the
// customers' outcome proportions and every duration. Every key of the file
// is optional; DefaultScenario holds the defaults.
type Scenario struct {
	Agents         int       `json:"agents"`
	Hours          float64   `json:"hours"`
	Seed           int64     `json:"seed"`
	MaxAbandonRate float64   `json:"max_abandon_rate"`
	ConnectWithinS float64   `json:"connect_within_s"`
	Outcomes       Outcomes  `json:"outcomes"`
	RingS          RingTimes `json:"ring_s"`
	AMDS           Dist      `json:"amd_s"`
	NoAnswerS      Dist      `json:"no_answer_s"`
	FailedS        Dist      `json:"failed_s"`
	TalkS          Dist      `json:"talk_s"`
	WrapS          Dist      `json:"wrap_s"`
}

// Outcomes are the proportions of dials by outcome; they sum to 1.
type Outcomes struct {
	Human    float64 `json:"human"`
	Machine  float64 `json:"machine"`
	NoAnswer float64 `json:"no_answer"`
	Failed   float64 `json:"failed"`
}

// RingTimes are how long answered calls ring, per kind of answer.
type RingTimes struct {
	Human   Dist `json:"human"`
	Machine Dist `json:"machine"`
}

// Scenario limits: a scenario is a what-if, not a load test.
const (
	MaxScenarioAgents = 10000
	MaxScenarioHours  = 31 * 24
)

// DefaultScenario is the default scenario of pacing.md.
func DefaultScenario() Scenario {
	return Scenario{
		Agents: 50, Hours: 8, Seed: 1, MaxAbandonRate: 0.025, ConnectWithinS: 2,
		Outcomes: Outcomes{Human: 0.15, Machine: 0.15, NoAnswer: 0.50, Failed: 0.20},
		RingS: RingTimes{
			Human:   Mix([]float64{0.6, 0.4}, []Dist{Uniform(6, 10), Uniform(18, 22)}),
			Machine: Uniform(6, 22),
		},
		AMDS: Const(3), NoAnswerS: Const(25), FailedS: Const(3),
		TalkS: Lognormal(240, 0.8), WrapS: Const(30),
	}
}

// ScenarioError is a bad scenario key; Key is its JSON path
// ("ring_s.human", "outcomes").
type ScenarioError struct {
	Key, Msg string
}

func (e *ScenarioError) Error() string { return fmt.Sprintf("scenario: %s: %s", e.Key, e.Msg) }

// ParseScenario reads a scenario file: the defaults with the file's keys on
// top. Unknown keys and bad values are errors naming the key.
func ParseScenario(r io.Reader) (Scenario, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario: read: %w", err)
	}
	sc := DefaultScenario()
	if err := sc.Apply(data); err != nil {
		return Scenario{}, err
	}
	return sc, nil
}

// Apply sets the keys present in the JSON object data and validates the
// result; on error sc is unchanged. A given "outcomes" object replaces all
// four proportions (missing ones are 0); "ring_s" replaces only the kinds it
// names.
func (sc *Scenario) Apply(data []byte) error {
	var keys map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&keys); err != nil {
		return &ScenarioError{Key: "(file)", Msg: "not a JSON object: " + err.Error()}
	}
	next := *sc
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names) // the first bad key reported is the same every time
	for _, k := range names {
		set, ok := scenarioKeys[k]
		if !ok {
			return &ScenarioError{Key: k, Msg: "unknown key; want one of " + strings.Join(scenarioKeyNames(), ", ")}
		}
		if err := set(&next, keys[k]); err != nil {
			var se *ScenarioError
			if errors.As(err, &se) {
				se.Key = k + "." + se.Key
				return se
			}
			return &ScenarioError{Key: k, Msg: err.Error()}
		}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*sc = next
	return nil
}

// scenarioKeys decodes one top-level key each.
var scenarioKeys = map[string]func(*Scenario, json.RawMessage) error{
	"agents":           func(s *Scenario, b json.RawMessage) error { return decodeNumber(b, &s.Agents) },
	"hours":            func(s *Scenario, b json.RawMessage) error { return decodeNumber(b, &s.Hours) },
	"seed":             func(s *Scenario, b json.RawMessage) error { return decodeNumber(b, &s.Seed) },
	"max_abandon_rate": func(s *Scenario, b json.RawMessage) error { return decodeNumber(b, &s.MaxAbandonRate) },
	"connect_within_s": func(s *Scenario, b json.RawMessage) error { return decodeNumber(b, &s.ConnectWithinS) },
	"outcomes":         decodeOutcomes,
	"ring_s":           decodeRing,
	"amd_s":            func(s *Scenario, b json.RawMessage) error { return json.Unmarshal(b, &s.AMDS) },
	"no_answer_s":      func(s *Scenario, b json.RawMessage) error { return json.Unmarshal(b, &s.NoAnswerS) },
	"failed_s":         func(s *Scenario, b json.RawMessage) error { return json.Unmarshal(b, &s.FailedS) },
	"talk_s":           func(s *Scenario, b json.RawMessage) error { return json.Unmarshal(b, &s.TalkS) },
	"wrap_s":           func(s *Scenario, b json.RawMessage) error { return json.Unmarshal(b, &s.WrapS) },
}

func scenarioKeyNames() []string {
	names := make([]string, 0, len(scenarioKeys))
	for k := range scenarioKeys {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func decodeNumber[T int | int64 | float64](b json.RawMessage, dst *T) error {
	if err := json.Unmarshal(b, dst); err != nil {
		var zero T
		return fmt.Errorf("want %s, got %s", numberKind(zero), abbrev(b))
	}
	return nil
}

func numberKind(v any) string {
	if _, ok := v.(float64); ok {
		return "a number"
	}
	return "a whole number"
}

func decodeOutcomes(s *Scenario, b json.RawMessage) error {
	var o Outcomes
	if err := strictUnmarshal(b, &o); err != nil {
		return fmt.Errorf("want {\"human\", \"machine\", \"no_answer\", \"failed\"} proportions: %v", err)
	}
	s.Outcomes = o
	return nil
}

func decodeRing(s *Scenario, b json.RawMessage) error {
	var kinds map[string]json.RawMessage
	if err := json.Unmarshal(b, &kinds); err != nil {
		return fmt.Errorf("want {\"human\": distribution, \"machine\": distribution}, got %s", abbrev(b))
	}
	for k, raw := range kinds {
		var dst *Dist
		switch k {
		case "human":
			dst = &s.RingS.Human
		case "machine":
			dst = &s.RingS.Machine
		default:
			return &ScenarioError{Key: k, Msg: "unknown key; want human or machine"}
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return &ScenarioError{Key: k, Msg: err.Error()}
		}
	}
	return nil
}

// Validate checks the ranges the simulator and the pacer rely on.
func (sc Scenario) Validate() error {
	switch {
	case sc.Agents < 1 || sc.Agents > MaxScenarioAgents:
		return &ScenarioError{"agents", fmt.Sprintf("want 1 to %d, got %d", MaxScenarioAgents, sc.Agents)}
	case !(sc.Hours > 0 && sc.Hours <= MaxScenarioHours):
		return &ScenarioError{"hours", fmt.Sprintf("want more than 0 and at most %d, got %v", MaxScenarioHours, sc.Hours)}
	case sc.Seed < 0:
		return &ScenarioError{"seed", fmt.Sprintf("want 0 or more, got %d", sc.Seed)}
	case !(sc.MaxAbandonRate >= 0 && sc.MaxAbandonRate < 1):
		return &ScenarioError{"max_abandon_rate", fmt.Sprintf("want a fraction from 0 to below 1 (0.03 is 3%%), got %v", sc.MaxAbandonRate)}
	case !(sc.ConnectWithinS >= 0 && sc.ConnectWithinS <= 60):
		return &ScenarioError{"connect_within_s", fmt.Sprintf("want 0 to 60 seconds, got %v", sc.ConnectWithinS)}
	}
	return sc.Outcomes.validate()
}

func (o Outcomes) validate() error {
	for _, p := range []struct {
		name string
		v    float64
	}{{"human", o.Human}, {"machine", o.Machine}, {"no_answer", o.NoAnswer}, {"failed", o.Failed}} {
		if !(p.v >= 0 && p.v <= 1) {
			return &ScenarioError{"outcomes." + p.name, fmt.Sprintf("want a proportion from 0 to 1, got %v", p.v)}
		}
	}
	if total := o.Human + o.Machine + o.NoAnswer + o.Failed; math.Abs(total-1) > 1e-3 {
		return &ScenarioError{"outcomes", fmt.Sprintf("proportions sum to %.4g, want 1", total)}
	}
	return nil
}

// ShiftSeconds is the shift's length in simulated seconds.
func (sc Scenario) ShiftSeconds() float64 { return sc.Hours * 3600 }
