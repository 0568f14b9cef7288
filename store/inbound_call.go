package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// FindGroup finds a group by its id ("3") or its name, as the dialplan's
// cc_queue variable and acd.inbound_group name it.
func (s *Store) FindGroup(ctx context.Context, ref string) (*Group, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return s.GetGroup(ctx, id)
	}
	var g Group
	err := s.conn(ctx).Where("name = ?", ref).First(&g).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: group %q: %w", ref, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: group %q: %w", ref, err)
	}
	return &g, nil
}

// CloseInboundCall closes an inbound call's attempt (no campaign, no
// contact) with the agent's disposition, once: a second close is a no-op
// reporting false.
func (s *Store) CloseInboundCall(ctx context.Context, callUUID string, agentID int64, disposition string, at time.Time) (bool, error) {
	res := s.conn(ctx).Model(&Attempt{}).Where("call_uuid = ? AND finished_at IS NULL", callUUID).
		Updates(map[string]any{"agent_id": agentID, "disposition": disposition, "outcome": ResultHuman, "finished_at": at, "updated_at": at})
	if res.Error != nil {
		return false, fmt.Errorf("store: close inbound call %s: %w", callUUID, res.Error)
	}
	return res.RowsAffected == 1, nil
}
