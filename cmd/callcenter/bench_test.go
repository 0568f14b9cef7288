package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The command of pacing.md: one line per policy with the figures a script
// reads, flags over the scenario file, the trace of the predictive run.
func TestBenchPacing(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "scenario.json")
	if err := os.WriteFile(scenario, []byte(`{"agents": 50, "hours": 8, "seed": 4, "wrap_s": 20}`), 0o600); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(dir, "trace.jsonl")
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "pacing", "--scenario", scenario, "--agents", "3", "--hours", "0.5",
		"--policy", "all", "--trace", trace}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^(predictive|progressive) +occupancy \d+\.\d%  abandon \d+\.\d% .*\(agents 3, 0\.5h, seed 4, cap 2\.5%, (\d+) dials\)`)
	m := line.FindAllStringSubmatch(out.String(), -1)
	if len(m) != 2 || m[0][1] != "predictive" || m[1][1] != "progressive" {
		t.Fatalf("output:\n%s", out.String())
	}
	dials, _ := strconv.Atoi(m[0][2])

	f, err := os.Open(trace)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines, last := 0, ""
	for sc.Scan() {
		lines++
		last = sc.Text()
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("trace line %d: %v", lines, err)
		}
	}
	if lines != dials+1 || !strings.HasPrefix(last, `{"summary":{"policy":"predictive"`) {
		t.Fatalf("trace: %d lines for %d dials, last %.60s", lines, dials, last)
	}

	if err := os.WriteFile(scenario, []byte(`{"wrap_s": {"uniform": [30, 20]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"bench", "pacing", "--scenario", scenario}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "wrap_s") {
		t.Fatalf("bad scenario: %v", err)
	}
	err = run(context.Background(), []string{"bench", "pacing", "--policy", "preview"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--policy") {
		t.Fatalf("bad policy: %v", err)
	}
}

// The many-campaign benchmark, short: one line per run with the figures.
func TestBenchCampaignsShort(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"bench", "campaigns", "--campaigns", "1,3", "--defined", "5", "--rate", "2", "--seconds", "3",
		"--warmup", "1"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^campaigns (\d+) \(of 5 defined\): \d+\.\d dials/s in all; dial rate per campaign mean (\S+)/s \(target 2\), ` +
		`.* within ±2% of solo \d+ of \d+ \(\S+%\), worst \S+%; batch lateness p50 \S+ p99 \S+ max \S+ \(\d+ batches\)$`)
	m := line.FindAllStringSubmatch(out.String(), -1)
	if len(m) != 2 || m[0][1] != "1" || m[1][1] != "3" {
		t.Fatalf("output:\n%s", out.String())
	}
	// The figures are the command's business (and depend on the machine's
	// load); the test asks only that the runs measured real dials. The
	// first run may spend its short window starting up on a busy machine.
	one, _ := strconv.ParseFloat(m[0][2], 64)
	three, _ := strconv.ParseFloat(m[1][2], 64)
	if one+three <= 0 {
		t.Errorf("no campaign dialed anything:\n%s", out.String())
	}
}
