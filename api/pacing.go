package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// The pacing what-if: the dialer's own simulator (pacing.md) run with a
// campaign's measured rates and a supervisor's changes ("5 more agents",
// "a 1 % cap"), answering the same figures for predictive and progressive.
// Simulations are CPU work: the request is bounded and at most
// whatIfSlots run at once.
const (
	whatIfMaxAgents     = 1000
	whatIfMaxHours      = 24
	whatIfMaxAgentHours = 2000 // about 15 s of one core at 1,000 agents
	whatIfAttempts      = 5000 // the campaign's latest finished attempts measured
	whatIfSlots         = 2
	whatIfTimeout       = 2 * time.Minute
)

// pacingSimRequest documents the body: any key of a pacing.md scenario,
// each optional, on top of the campaign's own figures.
type pacingSimRequest struct {
	Agents         *int              `json:"agents"`
	Hours          *float64          `json:"hours"`
	Seed           *int64            `json:"seed"`
	MaxAbandonRate *float64          `json:"max_abandon_rate"`
	ConnectWithinS *float64          `json:"connect_within_s"`
	Outcomes       *dialer.Outcomes  `json:"outcomes"`
	RingS          *dialer.RingTimes `json:"ring_s"`
	AMDS           *dialer.Dist      `json:"amd_s"`
	NoAnswerS      *dialer.Dist      `json:"no_answer_s"`
	FailedS        *dialer.Dist      `json:"failed_s"`
	TalkS          *dialer.Dist      `json:"talk_s"`
	WrapS          *dialer.Dist      `json:"wrap_s"`
}

type pacingSimResponse struct {
	CampaignID int64           `json:"campaign_id"`
	Scenario   dialer.Scenario `json:"scenario"`
	// Sources says per scenario key where its value came from: measured
	// (the campaign's attempts), default (pacing.md's default scenario),
	// campaign (its max_abandon_rate), group (its agent group's size) or
	// request.
	Sources     map[string]string `json:"sources"`
	Measured    pacingMeasured    `json:"measured"`
	Predictive  pacingPolicy      `json:"predictive"`
	Progressive pacingPolicy      `json:"progressive"`
}

type pacingMeasured struct {
	Attempts       int `json:"attempts"`        // finished attempts read
	EnoughAttempts int `json:"enough_attempts"` // needed for the outcome proportions
	EnoughSamples  int `json:"enough_samples"`  // needed per duration
}

type pacingPolicy struct {
	dialer.SimResult
	Line string `json:"line"`
}

func (s *Server) simulatePacing(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, bindError(err))
		return
	}
	resp, err := s.whatIfScenario(c.Request.Context(), camp, withoutNulls(body))
	if err != nil {
		fail(c, err)
		return
	}
	select {
	case s.whatIf <- struct{}{}:
		defer func() { <-s.whatIf }()
	default:
		fail(c, newError("too_many_requests", "%d pacing simulations are running; try again when one has finished", whatIfSlots))
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.WhatIfTimeout)
	defer cancel()
	for _, p := range []struct {
		mode dialer.Mode
		dst  *pacingPolicy
	}{{dialer.ModePredictive, &resp.Predictive}, {dialer.ModeProgressive, &resp.Progressive}} {
		res, err := dialer.Simulate(ctx, resp.Scenario, dialer.SimOptions{Mode: p.mode})
		if errors.Is(err, context.DeadlineExceeded) {
			fail(c, newError("unavailable", "the simulation took longer than %s; ask for fewer agents or hours", s.cfg.WhatIfTimeout))
			return
		}
		if err != nil {
			fail(c, fmt.Errorf("api: pacing what-if of campaign %d: %w", camp.ID, err))
			return
		}
		*p.dst = pacingPolicy{SimResult: res, Line: res.Line()}
	}
	c.JSON(http.StatusOK, resp)
}

// whatIfScenario builds the scenario: the default one, the campaign's cap,
// its group's size and its measured rates, then the request's keys.
func (s *Server) whatIfScenario(ctx context.Context, camp *store.Campaign, body []byte) (*pacingSimResponse, error) {
	sc := dialer.DefaultScenario()
	src := map[string]string{"agents": "default", "hours": "default", "seed": "default", "connect_within_s": "default",
		"max_abandon_rate": "campaign"}
	sc.MaxAbandonRate = camp.MaxAbandonRate
	if camp.GroupID != nil {
		_, n, err := s.store.ListUsers(ctx, store.UserFilter{Role: store.RoleAgent, GroupID: *camp.GroupID, Page: store.Page{Size: 1}})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			sc.Agents, src["agents"] = int(min(n, whatIfMaxAgents)), "group"
		}
	}
	rates, err := s.store.CampaignAttemptRates(ctx, camp.ID, whatIfAttempts)
	if err != nil {
		return nil, err
	}
	for k, v := range dialer.ApplyMeasured(&sc, dialer.Measured{Attempts: rates.Attempts, Human: rates.Human,
		Machine: rates.Machine, NoAnswer: rates.NoAnswer, Failed: rates.Failed, HumanRingS: rates.HumanRingS,
		MachineRingS: rates.MachineRingS, NoAnswerS: rates.NoAnswerS, FailedS: rates.FailedS, TalkS: rates.TalkS}) {
		src[k] = string(v)
	}
	if err := applyOverrides(&sc, src, body); err != nil {
		return nil, err
	}
	return &pacingSimResponse{CampaignID: camp.ID, Scenario: sc, Sources: src,
		Measured: pacingMeasured{Attempts: rates.Attempts, EnoughAttempts: dialer.MinMeasuredAttempts, EnoughSamples: dialer.MinMeasuredSamples}}, nil
}

// applyOverrides puts the request's scenario keys on top and checks the
// bounds that keep a what-if cheap.
func applyOverrides(sc *dialer.Scenario, src map[string]string, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := sc.Apply(body); err != nil {
		var se *dialer.ScenarioError
		if errors.As(err, &se) {
			return fieldError(se.Key, se.Msg)
		}
		return newError("invalid_argument", "%v", err)
	}
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(body, &keys) // Apply has parsed it already
	for k, raw := range keys {
		if k != "ring_s" {
			src[k] = "request"
			continue
		}
		var kinds map[string]json.RawMessage
		_ = json.Unmarshal(raw, &kinds)
		for kind := range kinds {
			src["ring_s."+kind] = "request"
		}
	}
	switch {
	case sc.Agents > whatIfMaxAgents:
		return fieldError("agents", fmt.Sprintf("at most %d in a what-if, got %d", whatIfMaxAgents, sc.Agents))
	case sc.Hours > whatIfMaxHours:
		return fieldError("hours", fmt.Sprintf("at most %d in a what-if, got %g", whatIfMaxHours, sc.Hours))
	case float64(sc.Agents)*sc.Hours > whatIfMaxAgentHours:
		return fieldError("hours", fmt.Sprintf("agents × hours at most %d in a what-if (%d agents: %.1f hours at most), got %d × %g",
			whatIfMaxAgentHours, sc.Agents, float64(whatIfMaxAgentHours)/float64(sc.Agents), sc.Agents, sc.Hours))
	}
	return nil
}

// withoutNulls drops the top-level keys a client sent as null, so that
// {"outcomes": null} means "not given" rather than "all zero". A body that
// is not a JSON object is passed on for the scenario parser to refuse.
func withoutNulls(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	for k, v := range m {
		if string(v) == "null" {
			delete(m, k)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}
