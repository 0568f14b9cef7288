package store

import (
	"context"
	"fmt"
	"time"
)

// RollupSnapshot is every rollup row, in key order.
type RollupSnapshot struct {
	CampaignHours []CampaignHour
	AgentHours    []AgentHour
	StateHours    []AgentStateHour
	CampaignDays  []CampaignDay
	AgentDays     []AgentDay
	StateDays     []AgentStateDay
	QueueHours    []QueueHour
	QueueDays     []QueueDay
	IVRHours      []IVRHour
	IVRDays       []IVRDay
	AnswerHours   []IVRAnswerHour
	AnswerDays    []IVRAnswerDay
	MessageHours  []MessageHour
	MessageDays   []MessageDay
}

// Rollups reads every rollup row (tests and checks of a rebuild).
func (s *Store) Rollups(ctx context.Context) (*RollupSnapshot, error) {
	var out RollupSnapshot
	db := s.conn(ctx)
	for _, q := range []struct {
		dst   any
		order string
	}{{&out.CampaignHours, "hour, campaign_id"}, {&out.AgentHours, "hour, agent_id"}, {&out.StateHours, "hour, agent_id, state, reason"},
		{&out.CampaignDays, "hour, campaign_id"}, {&out.AgentDays, "hour, agent_id"}, {&out.StateDays, "hour, agent_id, state, reason"},
		{&out.QueueHours, "hour, group_id"}, {&out.QueueDays, "hour, group_id"}, {&out.IVRHours, "hour, flow, campaign_id"},
		{&out.IVRDays, "hour, flow, campaign_id"}, {&out.AnswerHours, "hour, flow, campaign_id, dtmf_var, digits"},
		{&out.AnswerDays, "hour, flow, campaign_id, dtmf_var, digits"}, {&out.MessageHours, "hour, campaign_id, channel"},
		{&out.MessageDays, "hour, campaign_id, channel"}} {
		if err := db.Order(q.order).Find(q.dst).Error; err != nil {
			return nil, fmt.Errorf("store: read rollups: %w", err)
		}
	}
	for i := range out.CampaignHours {
		out.CampaignHours[i].Hour = out.CampaignHours[i].Hour.UTC()
	}
	for i := range out.AgentHours {
		out.AgentHours[i].Hour = out.AgentHours[i].Hour.UTC()
	}
	for i := range out.StateHours {
		out.StateHours[i].Hour = out.StateHours[i].Hour.UTC()
	}
	for i := range out.CampaignDays {
		out.CampaignDays[i].Hour = out.CampaignDays[i].Hour.UTC()
	}
	for i := range out.AgentDays {
		out.AgentDays[i].Hour = out.AgentDays[i].Hour.UTC()
	}
	for i := range out.StateDays {
		out.StateDays[i].Hour = out.StateDays[i].Hour.UTC()
	}
	for i := range out.QueueHours {
		out.QueueHours[i].Hour = out.QueueHours[i].Hour.UTC()
	}
	for i := range out.QueueDays {
		out.QueueDays[i].Hour = out.QueueDays[i].Hour.UTC()
	}
	for i := range out.IVRHours {
		out.IVRHours[i].Hour = out.IVRHours[i].Hour.UTC()
	}
	for i := range out.IVRDays {
		out.IVRDays[i].Hour = out.IVRDays[i].Hour.UTC()
	}
	for i := range out.AnswerHours {
		out.AnswerHours[i].Hour = out.AnswerHours[i].Hour.UTC()
	}
	for i := range out.AnswerDays {
		out.AnswerDays[i].Hour = out.AnswerDays[i].Hour.UTC()
	}
	for i := range out.MessageHours {
		out.MessageHours[i].Hour = out.MessageHours[i].Hour.UTC()
	}
	for i := range out.MessageDays {
		out.MessageDays[i].Hour = out.MessageDays[i].Hour.UTC()
	}
	return &out, nil
}

// LastCampaignHour is the latest hour with outbound figures (zero when
// there is none): `bench reports --reuse` times the days it generated.
func (s *Store) LastCampaignHour(ctx context.Context) (time.Time, error) {
	var h CampaignHour
	err := s.conn(ctx).Select("hour").Order("hour DESC").Limit(1).Find(&h).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("store: last campaign hour: %w", err)
	}
	return h.Hour.UTC(), nil
}
