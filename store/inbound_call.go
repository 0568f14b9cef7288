package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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

// CloseInboundCall closes an inbound or manual call's attempt with the
// agent's disposition, once: a second close is a no-op reporting false. A
// call the agent was bridged to counts as connected with its talk time
// (bridge to at, the call's end), and the attempt's rollups are added in
// the same transaction.
func (s *Store) CloseInboundCall(ctx context.Context, callUUID string, agentID int64, disposition string, at time.Time) (bool, error) {
	closed := false
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var a Attempt
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id, bridged_at").
			Where("call_uuid = ? AND finished_at IS NULL", callUUID).Limit(1).Find(&a).Error
		if err != nil || a.ID == 0 {
			return err
		}
		set := map[string]any{"agent_id": agentID, "disposition": disposition, "outcome": ResultHuman, "finished_at": at, "updated_at": at}
		if agentID != 0 && a.BridgedAt != nil {
			set["connected"], set["talk_ms"] = true, max(at.Sub(*a.BridgedAt).Milliseconds(), 0)
		}
		res := tx.Model(&Attempt{}).Where("id = ? AND finished_at IS NULL", a.ID).Updates(set)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		closed = true
		return rollFinished(tx, a.ID)
	})
	if err != nil {
		return false, fmt.Errorf("store: close inbound call %s: %w", callUUID, err)
	}
	return closed, nil
}
