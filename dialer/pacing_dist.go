package dialer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// Dist is a distribution of durations in seconds, as the scenario file of
// pacing.md writes it: a number (constant), {"uniform": [min, max]},
// {"lognormal": {"mean": m, "sigma": s}}, {"exponential": {"mean": m}} or
// {"mix": [[weight, D], ...]}. The zero Dist is the constant 0.
type Dist struct {
	kind   distKind
	a, b   float64 // constant: a; uniform: [a, b]; lognormal: mean a, sigma b; exponential: mean a
	parts  []Dist  // mix
	weight []float64
}

type distKind uint8

const (
	distConst distKind = iota
	distUniform
	distLognormal
	distExponential
	distMix
)

// Const is the constant distribution v.
func Const(v float64) Dist { return Dist{kind: distConst, a: v} }

// Uniform is the uniform distribution on [lo, hi].
func Uniform(lo, hi float64) Dist { return Dist{kind: distUniform, a: lo, b: hi} }

// Lognormal is the lognormal distribution whose own mean is mean and whose
// underlying normal has standard deviation sigma.
func Lognormal(mean, sigma float64) Dist { return Dist{kind: distLognormal, a: mean, b: sigma} }

// Exponential is the exponential distribution with the given mean.
func Exponential(mean float64) Dist { return Dist{kind: distExponential, a: mean} }

// Mix picks one of parts with probability proportional to its weight.
func Mix(weights []float64, parts []Dist) Dist {
	return Dist{kind: distMix, weight: weights, parts: parts}
}

// Sample draws one value.
func (d Dist) Sample(r *rand.Rand) float64 {
	switch d.kind {
	case distUniform:
		return d.a + (d.b-d.a)*r.Float64()
	case distLognormal:
		if d.b == 0 {
			return d.a
		}
		mu := math.Log(d.a) - d.b*d.b/2
		return math.Exp(mu + d.b*r.NormFloat64())
	case distExponential:
		return d.a * r.ExpFloat64()
	case distMix:
		u := r.Float64() * sum(d.weight)
		for i, w := range d.weight {
			if u < w || i == len(d.weight)-1 {
				return d.parts[i].Sample(r)
			}
			u -= w
		}
	}
	return d.a
}

// Mean is the distribution's expected value.
func (d Dist) Mean() float64 {
	switch d.kind {
	case distUniform:
		return (d.a + d.b) / 2
	case distMix:
		m, total := 0.0, sum(d.weight)
		for i, p := range d.parts {
			m += d.weight[i] / total * p.Mean()
		}
		return m
	}
	return d.a // constant, lognormal and exponential keep their mean in a
}

// Var is the distribution's variance.
func (d Dist) Var() float64 {
	switch d.kind {
	case distUniform:
		return (d.b - d.a) * (d.b - d.a) / 12
	case distLognormal:
		return d.a * d.a * math.Expm1(d.b*d.b)
	case distExponential:
		return d.a * d.a
	case distMix:
		m, second, total := d.Mean(), 0.0, sum(d.weight)
		for i, p := range d.parts {
			pm := p.Mean()
			second += d.weight[i] / total * (p.Var() + pm*pm)
		}
		return second - m*m
	}
	return 0
}

// Max is the largest value the distribution takes (+Inf when unbounded).
func (d Dist) Max() float64 {
	switch d.kind {
	case distUniform:
		return d.b
	case distLognormal:
		if d.b == 0 {
			return d.a
		}
		return math.Inf(1)
	case distExponential:
		return math.Inf(1)
	case distMix:
		m := 0.0
		for _, p := range d.parts {
			m = math.Max(m, p.Max())
		}
		return m
	}
	return d.a
}

// Min is the smallest value the distribution takes.
func (d Dist) Min() float64 {
	switch d.kind {
	case distLognormal:
		if d.b == 0 {
			return d.a
		}
		return 0
	case distExponential:
		return 0
	case distMix:
		m := math.Inf(1)
		for _, p := range d.parts {
			m = math.Min(m, p.Min())
		}
		return m
	}
	return d.a
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// MarshalJSON writes the scenario-file form.
func (d Dist) MarshalJSON() ([]byte, error) {
	switch d.kind {
	case distUniform:
		return json.Marshal(map[string][2]float64{"uniform": {d.a, d.b}})
	case distLognormal:
		return json.Marshal(map[string]map[string]float64{"lognormal": {"mean": d.a, "sigma": d.b}})
	case distExponential:
		return json.Marshal(map[string]map[string]float64{"exponential": {"mean": d.a}})
	case distMix:
		rows := make([][2]any, len(d.parts))
		for i, p := range d.parts {
			rows[i] = [2]any{d.weight[i], p}
		}
		return json.Marshal(map[string]any{"mix": rows})
	}
	return []byte(strconv.FormatFloat(d.a, 'f', -1, 64)), nil
}

// UnmarshalJSON reads the scenario-file form; errors name the part of the
// distribution that is wrong (the caller adds the key).
func (d *Dist) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("want a number of seconds or a distribution object, got %s", abbrev(b))
		}
		*d = Const(v)
		return d.validate()
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("not a distribution: %w", err)
	}
	if len(obj) != 1 {
		return fmt.Errorf("a distribution object has exactly one key (uniform, lognormal, exponential or mix), got %d", len(obj))
	}
	for kind, raw := range obj {
		parsed, err := parseDistKind(kind, raw)
		if err != nil {
			return err
		}
		*d = parsed
	}
	return d.validate()
}

func parseDistKind(kind string, raw json.RawMessage) (Dist, error) {
	switch kind {
	case "uniform":
		var v []float64
		if err := json.Unmarshal(raw, &v); err != nil || len(v) != 2 {
			return Dist{}, fmt.Errorf("uniform: want [min, max], got %s", abbrev(raw))
		}
		return Uniform(v[0], v[1]), nil
	case "lognormal":
		var v struct{ Mean, Sigma *float64 }
		if err := strictUnmarshal(raw, &v); err != nil || v.Mean == nil || v.Sigma == nil {
			return Dist{}, fmt.Errorf("lognormal: want {\"mean\": m, \"sigma\": s}, got %s", abbrev(raw))
		}
		return Lognormal(*v.Mean, *v.Sigma), nil
	case "exponential":
		var v struct{ Mean *float64 }
		if err := strictUnmarshal(raw, &v); err != nil || v.Mean == nil {
			return Dist{}, fmt.Errorf("exponential: want {\"mean\": m}, got %s", abbrev(raw))
		}
		return Exponential(*v.Mean), nil
	case "mix":
		return parseMix(raw)
	}
	return Dist{}, fmt.Errorf("unknown distribution %q: want uniform, lognormal, exponential or mix", kind)
}

func parseMix(raw json.RawMessage) (Dist, error) {
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil || len(rows) == 0 {
		return Dist{}, fmt.Errorf("mix: want [[weight, distribution], ...], got %s", abbrev(raw))
	}
	d := Dist{kind: distMix}
	for i, row := range rows {
		var pair []json.RawMessage
		if err := json.Unmarshal(row, &pair); err != nil || len(pair) != 2 {
			return Dist{}, fmt.Errorf("mix[%d]: want [weight, distribution], got %s", i, abbrev(row))
		}
		var w float64
		if err := json.Unmarshal(pair[0], &w); err != nil || w <= 0 || math.IsInf(w, 0) {
			return Dist{}, fmt.Errorf("mix[%d]: weight must be a positive number, got %s", i, abbrev(pair[0]))
		}
		var part Dist
		if err := json.Unmarshal(pair[1], &part); err != nil {
			return Dist{}, fmt.Errorf("mix[%d]: %w", i, err)
		}
		d.weight = append(d.weight, w)
		d.parts = append(d.parts, part)
	}
	return d, nil
}

// validate checks the parameters: durations are finite and not negative.
func (d Dist) validate() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	switch d.kind {
	case distConst:
		if bad(d.a) {
			return fmt.Errorf("must be a number of seconds ≥ 0, got %v", d.a)
		}
	case distUniform:
		if bad(d.a) || bad(d.b) || d.a > d.b {
			return fmt.Errorf("uniform: want 0 ≤ min ≤ max, got [%v, %v]", d.a, d.b)
		}
	case distLognormal:
		if bad(d.a) || d.a == 0 || bad(d.b) || d.b > 5 {
			return fmt.Errorf("lognormal: want mean > 0 and 0 ≤ sigma ≤ 5, got mean %v, sigma %v", d.a, d.b)
		}
	case distExponential:
		if bad(d.a) || d.a == 0 {
			return fmt.Errorf("exponential: want mean > 0, got %v", d.a)
		}
	}
	return nil
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func abbrev(b []byte) string {
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}
