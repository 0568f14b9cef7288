package esltest

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Outcome is what a simulated callee does with a call.
type Outcome string

// Outcomes a callee can have.
const (
	OutcomeAnswer   Outcome = "answer"    // answers after the ring time, talks, hangs up NORMAL_CLEARING
	OutcomeBusy     Outcome = "busy"      // USER_BUSY (486) after the ring time
	OutcomeNoAnswer Outcome = "no_answer" // rings until originate_timeout: NO_ANSWER
	OutcomeInvalid  Outcome = "invalid"   // UNALLOCATED_NUMBER (404) at once, no ringing
	OutcomeRejected Outcome = "rejected"  // CALL_REJECTED (603) after the ring time
	OutcomeMachine  Outcome = "machine"   // answered by an answering machine (beep for avmd, amd_result=MACHINE)
)

// AMDResult is what mod_amd's `amd` application sets in amd_result.
type AMDResult string

// AMD results (amd_cause HUMAN, MAXWORDS and TOOLONG go with them).
const (
	AMDHuman   AMDResult = "HUMAN"
	AMDMachine AMDResult = "MACHINE"
	AMDNotSure AMDResult = "NOTSURE"
)

var amdCauses = map[AMDResult]string{AMDHuman: "HUMAN", AMDMachine: "MAXWORDS", AMDNotSure: "TOOLONG"}

var knownOutcomes = map[Outcome]bool{OutcomeAnswer: true, OutcomeBusy: true, OutcomeNoAnswer: true,
	OutcomeInvalid: true, OutcomeRejected: true, OutcomeMachine: true}

// Range is a closed interval of simulated time; a value is drawn uniformly.
type Range struct {
	Min time.Duration `yaml:"min"`
	Max time.Duration `yaml:"max"`
}

// NumberRule describes the callees whose number starts with Prefix (and
// matches Pattern, a regular expression, when given). Rules are tried in
// order; the first match wins.
type NumberRule struct {
	Prefix  string          `yaml:"prefix"`
	Pattern string          `yaml:"pattern"`
	Weights map[Outcome]int `yaml:"weights"`
	Ring    Range           `yaml:"ring"`
	// Talk is how long an answered callee stays before hanging up; zero
	// means the callee never hangs up by itself.
	Talk Range `yaml:"talk"`
	// EarlyMedia sends 183 (CHANNEL_PROGRESS_MEDIA) instead of 180.
	EarlyMedia bool `yaml:"early_media"`
	// DTMF is what the callee keys when prompted (read,
	// play_and_get_digits): one answer per prompt, separated by spaces,
	// e.g. "110101199003071234# 1".
	DTMF string `yaml:"dtmf"`
	// AMD is the verdict the amd application reaches on an answered call
	// (HUMAN, MACHINE, NOTSURE); empty: MACHINE for the machine outcome,
	// else HUMAN. avmd_start hears a beep when the verdict is MACHINE.
	AMD AMDResult `yaml:"amd"`
	// Fax is the fax machine answering txfax at these numbers (nil: it
	// takes every page).
	Fax *Fax `yaml:"fax"`
}

// NumberOverride fixes the behaviour of one exact number.
type NumberOverride struct {
	Number     string        `yaml:"number"`
	Outcome    Outcome       `yaml:"outcome"`
	Ring       time.Duration `yaml:"ring"`
	Talk       time.Duration `yaml:"talk"`
	EarlyMedia bool          `yaml:"early_media"`
	DTMF       string        `yaml:"dtmf"`
	AMD        AMDResult     `yaml:"amd"` // as NumberRule.AMD
	Fax        *Fax          `yaml:"fax"` // as NumberRule.Fax
}

// User is a SIP user (an agent's phone) in the simulated directory,
// reachable as user/<Extension>.
type User struct {
	Extension  string `yaml:"extension"`
	Registered bool   `yaml:"registered"`
	// AutoAnswer answers after AnswerDelay; otherwise the phone rings until
	// the originate times out or a test calls Server.Answer.
	AutoAnswer  bool          `yaml:"auto_answer"`
	AnswerDelay time.Duration `yaml:"answer_delay"`
	// DTMF the user keys when prompted, like NumberRule.DTMF.
	DTMF string `yaml:"dtmf"`
}

// Gateway is a SIP trunk, dialled as sofia/gateway/<Name>/<number>. Calls
// beyond MaxChannels are refused with NORMAL_CIRCUIT_CONGESTION and beyond
// CallsPerSecond with NORMAL_TEMPORARY_FAILURE (the carrier's 503); a Down
// gateway gives GATEWAY_DOWN and an unknown one INVALID_GATEWAY. Zero
// limits mean unlimited.
type Gateway struct {
	Name           string `yaml:"name"`
	MaxChannels    int    `yaml:"max_channels"`
	CallsPerSecond int    `yaml:"calls_per_second"`
	Down           bool   `yaml:"down"`
}

// Scenario steers the simulated world.
type Scenario struct {
	Seed      int64            `yaml:"seed"`
	Numbers   []NumberRule     `yaml:"numbers"`
	Overrides []NumberOverride `yaml:"overrides"`
	Users     []User           `yaml:"users"`
	Gateways  []Gateway        `yaml:"gateways"`
	// Dialplan maps an extension to inline applications
	// ("app:arg,app2:arg"), used by originate <url> <exten>, transfers and
	// inbound calls. Unknown extensions hang up NO_ROUTE_DESTINATION.
	Dialplan map[string]string `yaml:"dialplan"`
	// Modules are the loaded modules `module_exists` answers true for; nil
	// means DefaultModules (an empty list: none).
	Modules []string `yaml:"modules"`
}

// DefaultModules are the modules freeswitch-conf/autoload_configs/
// modules.conf.xml loads (its test keeps the two lists equal): the
// simulator stands for a switch running the overlay.
func DefaultModules() []string {
	return []string{"mod_console", "mod_logfile", "mod_xml_curl", "mod_cdr_csv", "mod_event_socket",
		"mod_sofia", "mod_loopback", "mod_commands", "mod_dptools", "mod_db", "mod_hash", "mod_expr",
		"mod_conference", "mod_voicemail", "mod_spandsp", "mod_avmd", "mod_fifo", "mod_dialplan_xml",
		"mod_g723_1", "mod_g729", "mod_amr", "mod_opus", "mod_sndfile", "mod_native_file",
		"mod_local_stream", "mod_tone_stream", "mod_say_en"}
}

// LoadScenario reads a YAML scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("esltest: read scenario: %w", err)
	}
	var sc Scenario
	if err := yaml.Unmarshal(data, &sc); err != nil {
		return nil, fmt.Errorf("esltest: parse scenario %s: %w", path, err)
	}
	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("esltest: scenario %s: %w", path, err)
	}
	return &sc, nil
}

// Validate checks outcomes, patterns and ranges.
func (sc *Scenario) Validate() error {
	var errs []error
	for i, r := range sc.Numbers {
		if _, err := regexp.Compile(r.Pattern); err != nil {
			errs = append(errs, fmt.Errorf("numbers[%d]: pattern: %w", i, err))
		}
		for o := range r.Weights {
			if !knownOutcomes[o] {
				errs = append(errs, fmt.Errorf("numbers[%d]: unknown outcome %q", i, o))
			}
		}
		if r.Ring.Max < r.Ring.Min || r.Talk.Max < r.Talk.Min {
			errs = append(errs, fmt.Errorf("numbers[%d]: range max below min", i))
		}
		if _, ok := amdCauses[r.AMD]; r.AMD != "" && !ok {
			errs = append(errs, fmt.Errorf("numbers[%d]: unknown amd verdict %q", i, r.AMD))
		}
		if r.Fax != nil && !knownFaxResults[r.Fax.Result] {
			errs = append(errs, fmt.Errorf("numbers[%d]: unknown fax result %q", i, r.Fax.Result))
		}
	}
	for i, o := range sc.Overrides {
		if !knownOutcomes[o.Outcome] {
			errs = append(errs, fmt.Errorf("overrides[%d]: unknown outcome %q", i, o.Outcome))
		}
		if _, ok := amdCauses[o.AMD]; o.AMD != "" && !ok {
			errs = append(errs, fmt.Errorf("overrides[%d]: unknown amd verdict %q", i, o.AMD))
		}
		if o.Fax != nil && !knownFaxResults[o.Fax.Result] {
			errs = append(errs, fmt.Errorf("overrides[%d]: unknown fax result %q", i, o.Fax.Result))
		}
	}
	return errors.Join(errs...)
}

// DefaultScenario is used when Options.Scenario is nil: gateway "gw1",
// agents 1001..1010 registered with auto-answer, customers who mostly
// answer, and the extension "park".
func DefaultScenario() *Scenario {
	sc := &Scenario{
		Seed: 1,
		Numbers: []NumberRule{{
			Weights: map[Outcome]int{OutcomeAnswer: 70, OutcomeBusy: 10, OutcomeNoAnswer: 10,
				OutcomeInvalid: 4, OutcomeRejected: 3, OutcomeMachine: 3},
			Ring: Range{2 * time.Second, 6 * time.Second},
			Talk: Range{20 * time.Second, 60 * time.Second},
			DTMF: "110101199003071234#",
		}},
		Gateways: []Gateway{{Name: "gw1", MaxChannels: 200, CallsPerSecond: 50}},
		Dialplan: map[string]string{"park": "park"},
	}
	for ext := 1001; ext <= 1010; ext++ {
		sc.Users = append(sc.Users, User{Extension: fmt.Sprint(ext), Registered: true,
			AutoAnswer: true, AnswerDelay: time.Second})
	}
	return sc
}

// callee is the far end of one outbound leg, decided when the leg starts.
type callee struct {
	outcome    Outcome
	ring, talk time.Duration
	earlyMedia bool
	dtmf       []string
	amd        AMDResult
	fax        *Fax
	user       *userState
}

// verdict is what answering-machine detection finds at this callee.
func (cl *callee) verdict() AMDResult {
	switch {
	case cl == nil:
		return AMDHuman
	case cl.amd != "":
		return cl.amd
	case cl.outcome == OutcomeMachine:
		return AMDMachine
	}
	return AMDHuman
}

type userState struct {
	User
}

type gatewayState struct {
	Gateway
	active            int
	recent            []time.Time
	callsOut, failOut int
}

// scenarioState is the scenario compiled for the world (world-owned).
type scenarioState struct {
	sc        *Scenario
	rng       *rand.Rand
	patterns  []*regexp.Regexp
	overrides map[string]NumberOverride
	users     map[string]*userState
	gateways  map[string]*gatewayState
	modules   map[string]bool
}

func newScenarioState(sc *Scenario) *scenarioState {
	st := &scenarioState{sc: sc}
	st.reset()
	return st
}

// reset rebuilds the state (and the random sequence) from the scenario.
func (st *scenarioState) reset() {
	sc := st.sc
	st.rng = rand.New(rand.NewSource(sc.Seed))
	st.patterns = make([]*regexp.Regexp, len(sc.Numbers))
	for i, r := range sc.Numbers {
		if r.Pattern != "" {
			st.patterns[i] = regexp.MustCompile(r.Pattern) // Validate compiled it already
		}
	}
	st.overrides = map[string]NumberOverride{}
	for _, o := range sc.Overrides {
		st.overrides[o.Number] = o
	}
	st.modules = map[string]bool{}
	mods := sc.Modules
	if mods == nil {
		mods = DefaultModules()
	}
	for _, m := range mods {
		st.modules[m] = true
	}
	st.users = map[string]*userState{}
	for _, u := range sc.Users {
		st.users[u.Extension] = &userState{User: u}
	}
	st.gateways = map[string]*gatewayState{}
	for _, g := range sc.Gateways {
		st.gateways[g.Name] = &gatewayState{Gateway: g}
	}
}

// customer decides how the callee at number behaves.
func (st *scenarioState) customer(number string) *callee {
	if o, ok := st.overrides[number]; ok {
		return &callee{outcome: o.Outcome, ring: o.Ring, talk: o.Talk, earlyMedia: o.EarlyMedia,
			dtmf: strings.Fields(o.DTMF), amd: o.AMD, fax: o.Fax}
	}
	for i, r := range st.sc.Numbers {
		if !strings.HasPrefix(number, r.Prefix) || st.patterns[i] != nil && !st.patterns[i].MatchString(number) {
			continue
		}
		return &callee{outcome: st.pick(r.Weights), ring: st.draw(r.Ring), talk: st.draw(r.Talk),
			earlyMedia: r.EarlyMedia, dtmf: strings.Fields(r.DTMF), amd: r.AMD, fax: r.Fax}
	}
	return &callee{outcome: OutcomeAnswer, ring: time.Second}
}

func (st *scenarioState) pick(weights map[Outcome]int) Outcome {
	total := 0
	// fixed order keeps a seeded run repeatable despite map iteration order.
	order := []Outcome{OutcomeAnswer, OutcomeBusy, OutcomeNoAnswer, OutcomeInvalid, OutcomeRejected, OutcomeMachine}
	for _, o := range order {
		total += max(weights[o], 0)
	}
	if total == 0 {
		return OutcomeAnswer
	}
	n := st.rng.Intn(total)
	for _, o := range order {
		n -= max(weights[o], 0)
		if n < 0 {
			return o
		}
	}
	return OutcomeAnswer
}

func (st *scenarioState) draw(r Range) time.Duration {
	if r.Max <= r.Min {
		return r.Min
	}
	return r.Min + time.Duration(st.rng.Int63n(int64(r.Max-r.Min)+1))
}
