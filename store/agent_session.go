package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SoftphoneMode is how an agent's phone was signed in (R37).
type SoftphoneMode string

const (
	// SoftphoneRegistered: calls ring the agent's registered extension.
	SoftphoneRegistered SoftphoneMode = "registered"
	// SoftphoneNailedUp: a persistent agent leg stays open and calls are
	// bridged onto it without ringing.
	SoftphoneNailedUp SoftphoneMode = "nailed_up"
)

// SessionEnd says why an agent session ended.
type SessionEnd string

const (
	EndSignOut       SessionEnd = "sign_out"       // the agent signed the softphone out
	EndForced        SessionEnd = "forced"         // a supervisor signed the agent out
	EndDesktopLogout SessionEnd = "desktop_logout" // the desktop session ended (logout, expiry, revocation)
	EndLost          SessionEnd = "lost"           // the browser or phone went away
	EndRestart       SessionEnd = "restart"        // the server stopped while the agent was signed in
)

// AgentSession is one softphone sign-in of an agent, from sign-in to
// sign-out, with the desktop login it belongs to: what attendance compares
// with the agent's shift.
type AgentSession struct {
	ID      int64 `gorm:"primaryKey" json:"id"`
	AgentID int64 `gorm:"index:idx_agent_session_in,priority:1;not null" json:"agent_id"`
	// AuthSessionID is the desktop login (sessions.id), DesktopLoginAt its time.
	AuthSessionID  int64         `gorm:"index;not null" json:"auth_session_id"`
	DesktopLoginAt *time.Time    `json:"desktop_login_at"`
	Extension      string        `gorm:"type:varchar(32);not null" json:"extension"`
	Mode           SoftphoneMode `gorm:"type:varchar(16);not null" json:"mode"`
	SignedInAt     time.Time     `gorm:"index:idx_agent_session_in,priority:2;not null" json:"signed_in_at"`
	SignedOutAt    *time.Time    `gorm:"index" json:"signed_out_at"`
	EndReason      SessionEnd    `gorm:"type:varchar(16);not null" json:"end_reason,omitempty"`
	EndedBy        int64         `gorm:"not null" json:"ended_by,omitempty"` // the supervisor of a forced sign-out
}

// FirstState is the state an agent enters on signing in, written with the
// session in one transaction (the acd chooses it: often a break with a
// reason until the agent makes itself ready).
type FirstState struct {
	State    AgentState
	Reason   string
	GroupIDs []int64
}

func (a *AgentSession) validate() error {
	switch {
	case a.AgentID <= 0:
		return Invalid("agent_id", "is required")
	case a.SignedInAt.IsZero():
		return Invalid("signed_in_at", "is required")
	case len(a.Extension) > 32:
		return Invalid("extension", "is at most 32 bytes")
	case !OneOf(a.Mode):
		return Invalid("mode", EnumMessage(a.Mode))
	}
	return nil
}

// OpenAgentSession records a softphone sign-in and the agent's first state
// in one transaction. An agent already signed in is refused (ErrConflict).
func (s *Store) OpenAgentSession(ctx context.Context, a *AgentSession, first FirstState) error {
	if err := a.validate(); err != nil {
		return err
	}
	// SQLite compares times as text, so every stored time is UTC.
	a.SignedInAt = a.SignedInAt.UTC().Truncate(time.Millisecond)
	if a.DesktopLoginAt != nil {
		d := a.DesktopLoginAt.UTC().Truncate(time.Millisecond)
		a.DesktopLoginAt = &d
	}
	a.SignedOutAt, a.EndReason = nil, ""
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var open AgentSession
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("agent_id = ? AND signed_out_at IS NULL", a.AgentID).First(&open).Error
		if err == nil {
			return fmt.Errorf("already signed in (session %d since %s): %w", open.ID, open.SignedInAt.Format(time.RFC3339), ErrConflict)
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("open session: %w", err)
		}
		if err := tx.Create(a).Error; err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		_, err = recordAgentState(tx, AgentStateChange{AgentID: a.AgentID, SessionID: a.ID, State: first.State,
			Reason: first.Reason, At: a.SignedInAt, GroupIDs: first.GroupIDs})
		return err
	})
	if err != nil {
		return fmt.Errorf("store: sign in agent %d: %w", a.AgentID, err)
	}
	return nil
}

// CloseAgentSession records a sign-out: the session ends at at, and the
// agent's state becomes signed_out, in one transaction. A session already
// ended is refused (ErrConflict).
func (s *Store) CloseAgentSession(ctx context.Context, id int64, at time.Time, why SessionEnd, by int64) (*AgentSession, error) {
	var a AgentSession
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, id).Error; err != nil {
			return translate(err)
		}
		if a.SignedOutAt != nil {
			return fmt.Errorf("already signed out at %s: %w", a.SignedOutAt.Format(time.RFC3339), ErrConflict)
		}
		return closeSession(tx, &a, at, why, by)
	})
	if err != nil {
		return nil, fmt.Errorf("store: sign out agent session %d: %w", id, err)
	}
	return &a, nil
}

func closeSession(tx *gorm.DB, a *AgentSession, at time.Time, why SessionEnd, by int64) error {
	at = at.UTC().Truncate(time.Millisecond)
	if at.Before(a.SignedInAt) {
		return Invalid("at", "sign-out is before the sign-in")
	}
	a.SignedOutAt, a.EndReason, a.EndedBy = &at, why, by
	err := tx.Model(&AgentSession{}).Where("id = ?", a.ID).
		Updates(map[string]any{"signed_out_at": at, "end_reason": why, "ended_by": by}).Error
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	_, err = recordAgentState(tx, AgentStateChange{AgentID: a.AgentID, SessionID: a.ID, State: AgentSignedOut, At: at})
	return err
}

// CloseOpenAgentSessions ends every session still open (the acd calls it at
// start-up with EndRestart: nobody is signed in to a fresh process) and
// returns how many it closed. A session whose last state is later than at
// ends when that state began.
func (s *Store) CloseOpenAgentSessions(ctx context.Context, at time.Time, why SessionEnd) (int, error) {
	var open []AgentSession
	if err := s.conn(ctx).Where("signed_out_at IS NULL").Find(&open).Error; err != nil {
		return 0, fmt.Errorf("store: open agent sessions: %w", err)
	}
	for i := range open {
		a := &open[i]
		err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
			end := at
			var last AgentStateEvent
			if err := tx.Where("agent_id = ? AND ended_at IS NULL", a.AgentID).Limit(1).Find(&last).Error; err != nil {
				return err
			}
			if last.ID != 0 && last.At.After(end) {
				end = last.At
			}
			return closeSession(tx, a, end, why, 0)
		})
		if err != nil {
			return i, fmt.Errorf("store: close agent session %d: %w", a.ID, err)
		}
	}
	return len(open), nil
}

// OpenAgentSessionOf returns the agent's open session (ErrNotFound if none).
func (s *Store) OpenAgentSessionOf(ctx context.Context, agentID int64) (*AgentSession, error) {
	var a AgentSession
	if err := s.conn(ctx).Where("agent_id = ? AND signed_out_at IS NULL", agentID).First(&a).Error; err != nil {
		return nil, fmt.Errorf("store: open session of agent %d: %w", agentID, translate(err))
	}
	return &a, nil
}

// AgentSessions returns the sessions overlapping [from, to), per agent in
// sign-in order (agentIDs empty = every agent).
func (s *Store) AgentSessions(ctx context.Context, agentIDs []int64, from, to time.Time) ([]AgentSession, error) {
	q := s.conn(ctx).Where("signed_in_at < ? AND (signed_out_at IS NULL OR signed_out_at > ?)", to.UTC(), from.UTC())
	if len(agentIDs) > 0 {
		q = q.Where("agent_id IN ?", agentIDs)
	}
	var out []AgentSession
	if err := q.Order("agent_id, signed_in_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: agent sessions: %w", err)
	}
	return out, nil
}
