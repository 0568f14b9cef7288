package dialer

import (
	"context"
	"reflect"
	"testing"
)

// Twenty seeds per team size, predictive never ends a shift above the cap,
// and beats progressive on average. Shifts are short here; the full 8-hour
// figures come from `callcenter bench pacing` (README).
func TestPacingNeverAboveCap(t *testing.T) {
	if testing.Short() {
		t.Skip("20 seeds × 5 team sizes")
	}
	teams := []struct {
		agents int
		hours  float64
	}{{50, 0.25}, {25, 0.5}, {10, 1}, {5, 1.5}, {3, 1.5}}
	for _, team := range teams {
		var pred, prog float64
		for seed := int64(1); seed <= 20; seed++ {
			sc := DefaultScenario()
			sc.Agents, sc.Hours, sc.Seed = team.agents, team.hours, seed
			p, err := Simulate(context.Background(), sc, SimOptions{Mode: ModePredictive})
			if err != nil {
				t.Fatal(err)
			}
			if p.AbandonRate > sc.MaxAbandonRate {
				t.Errorf("%d agents, seed %d: %s", team.agents, seed, p.Line())
			}
			q, err := Simulate(context.Background(), sc, SimOptions{Mode: ModeProgressive})
			if err != nil {
				t.Fatal(err)
			}
			if q.Abandoned != 0 {
				t.Errorf("progressive abandoned calls: %s", q.Line())
			}
			pred, prog = pred+p.Occupancy, prog+q.Occupancy
		}
		if pred <= prog {
			t.Errorf("%d agents: predictive occupancy %.3f not above progressive %.3f", team.agents, pred/20, prog/20)
		}
	}
}

// A seed gives the same shift every time; another seed another one.
func TestSimulateReproducible(t *testing.T) {
	sc := DefaultScenario()
	sc.Agents, sc.Hours = 10, 0.5
	a, err := Simulate(context.Background(), sc, SimOptions{Mode: ModePredictive})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Simulate(context.Background(), sc, SimOptions{Mode: ModePredictive})
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different shifts:\n%s\n%s", a.Line(), b.Line())
	}
	sc.Seed = 2
	c, _ := Simulate(context.Background(), sc, SimOptions{Mode: ModePredictive})
	if reflect.DeepEqual(a, c) {
		t.Fatalf("seeds 1 and 2 gave the same shift: %s", a.Line())
	}
}

func TestSimulateRejectsBadScenario(t *testing.T) {
	sc := DefaultScenario()
	sc.Agents = 0
	if _, err := Simulate(context.Background(), sc, SimOptions{Mode: ModePredictive}); err == nil {
		t.Fatal("0 agents accepted")
	}
	if _, err := Simulate(context.Background(), DefaultScenario(), SimOptions{Mode: "preview"}); err == nil {
		t.Fatal("mode preview accepted")
	}
}
