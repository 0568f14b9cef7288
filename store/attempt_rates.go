package store

import (
	"context"
	"fmt"
	"time"
)

// AttemptRates is what a campaign's recent finished attempts say about its
// customers: how dials end, and how long each stage took. The pacing
// what-if simulates with them. Durations are in seconds, one per attempt
// that has the stage.
type AttemptRates struct {
	Attempts int // finished attempts read (cancelled ones are not counted)
	Human    int // answered by a person
	Machine  int // answered by an answering machine
	NoAnswer int
	Failed   int // busy, invalid number, rejected, network failure

	HumanRingS   []float64 // dial to answer, humans
	MachineRingS []float64 // dial to answer, machines
	NoAnswerS    []float64 // dial to hang-up, unanswered
	FailedS      []float64 // dial to hang-up, failed
	TalkS        []float64 // bridge to hang-up, calls that reached an agent
}

// attemptTimes is the part of an attempt the rates need.
type attemptTimes struct {
	CreatedAt  time.Time
	AnsweredAt *time.Time
	BridgedAt  *time.Time
	HungupAt   *time.Time
	Result     string
	Machine    bool
}

// CampaignAttemptRates reads the campaign's latest limit finished attempts
// (newest first, through the campaign/created_at index).
func (s *Store) CampaignAttemptRates(ctx context.Context, campaignID int64, limit int) (*AttemptRates, error) {
	var rows []attemptTimes
	err := s.conn(ctx).Model(&Attempt{}).
		Select("created_at, answered_at, bridged_at, hungup_at, result, machine").
		Where("campaign_id = ? AND hungup_at IS NOT NULL", campaignID).
		Order("created_at DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: attempt rates of campaign %d: %w", campaignID, err)
	}
	r := &AttemptRates{}
	for _, a := range rows {
		r.add(a)
	}
	return r, nil
}

// add classifies one attempt by its result class (controller.ResultClass
// values) and keeps its durations; a negative duration (clock skew) is
// dropped.
func (r *AttemptRates) add(a attemptTimes) {
	since := func(from time.Time, to *time.Time) (float64, bool) {
		if to == nil || to.Before(from) {
			return 0, false
		}
		return to.Sub(from).Seconds(), true
	}
	keep := func(dst *[]float64, from time.Time, to *time.Time) {
		if d, ok := since(from, to); ok {
			*dst = append(*dst, d)
		}
	}
	switch {
	case a.Result == "machine" || (a.Result == "answered" && a.Machine):
		r.Machine++
		keep(&r.MachineRingS, a.CreatedAt, a.AnsweredAt)
	case a.Result == "answered":
		r.Human++
		keep(&r.HumanRingS, a.CreatedAt, a.AnsweredAt)
		if a.BridgedAt != nil {
			keep(&r.TalkS, *a.BridgedAt, a.HungupAt)
		}
	case a.Result == "no_answer":
		r.NoAnswer++
		keep(&r.NoAnswerS, a.CreatedAt, a.HungupAt)
	case a.Result == "busy" || a.Result == "invalid_number" || a.Result == "rejected" || a.Result == "network_failure":
		r.Failed++
		keep(&r.FailedS, a.CreatedAt, a.HungupAt)
	default:
		return // cancelled by us, or not classified: says nothing about customers
	}
	r.Attempts++
}
