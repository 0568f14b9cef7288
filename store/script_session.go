package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ScriptSessionStatus is where a script session stands.
type ScriptSessionStatus string

// Session statuses: running, paused by the agent (R27), at an end node or
// closed by the disposition.
const (
	SessionActive   ScriptSessionStatus = "active"
	SessionPaused   ScriptSessionStatus = "paused"
	SessionFinished ScriptSessionStatus = "finished"
)

// ScriptSessionStatuses lists every ScriptSessionStatus.
var ScriptSessionStatuses = []ScriptSessionStatus{SessionActive, SessionPaused, SessionFinished}

// EnumValues lists the session statuses.
func (ScriptSessionStatus) EnumValues() []string { return enumStrings(ScriptSessionStatuses) }

// PauseReason is why an agent paused a script (R27).
type PauseReason string

// Pause reasons.
const (
	PauseService   PauseReason = "service"
	PauseComplaint PauseReason = "complaint"
	PauseOther     PauseReason = "other"
)

// PauseReasons lists every PauseReason.
var PauseReasons = []PauseReason{PauseService, PauseComplaint, PauseOther}

// EnumValues lists the pause reasons.
func (PauseReason) EnumValues() []string { return enumStrings(PauseReasons) }

// AnswerSource says who gave an answer: the agent or the IVR (DTMF).
type AnswerSource string

// Answer sources.
const (
	SourceAgent AnswerSource = "agent"
	SourceIVR   AnswerSource = "ivr"
)

// ScriptSession is one run of a script in one call, bound to the call's
// UUID (the customer's leg, the attempt's call_uuid). It keeps the script
// version it started with; its answers are stored as they are given, so a
// reloaded browser picks up where it was.
type ScriptSession struct {
	ID          int64               `gorm:"primaryKey" json:"id"`
	CallUUID    string              `gorm:"column:call_uuid;type:varchar(64);uniqueIndex;not null" json:"call_uuid"`
	AttemptID   int64               `gorm:"index" json:"attempt_id,omitempty"`
	CampaignID  int64               `gorm:"index" json:"campaign_id,omitempty"`
	ContactID   int64               `gorm:"index" json:"contact_id,omitempty"`
	ScriptID    int64               `gorm:"index;not null" json:"script_id"`
	Version     int                 `gorm:"not null" json:"version"`
	AgentID     int64               `gorm:"index" json:"agent_id"`
	Agents      []int64             `gorm:"serializer:json;type:text" json:"agents"` // every agent who held it, in order (R29)
	Status      ScriptSessionStatus `gorm:"type:varchar(16);not null" json:"status"`
	Current     string              `gorm:"type:varchar(64);not null" json:"current"`
	Path        []string            `gorm:"serializer:json;type:text" json:"path"`
	PauseReason PauseReason         `gorm:"type:varchar(16);not null;default:''" json:"pause_reason,omitempty"`
	PauseNote   string              `gorm:"type:varchar(255);not null;default:''" json:"pause_note,omitempty"`
	PausedAt    *time.Time          `json:"paused_at,omitempty"`
	PausedS     int                 `gorm:"not null;default:0" json:"paused_s"`
	Outcome     string              `gorm:"type:varchar(32);not null;default:''" json:"outcome,omitempty"`
	IVR         map[string]string   `gorm:"column:ivr;serializer:json;type:text" json:"ivr,omitempty"`
	Business    map[string]string   `gorm:"serializer:json;type:text" json:"business,omitempty"`
	Disposition string              `gorm:"type:varchar(64);not null;default:''" json:"disposition,omitempty"`
	StartedAt   time.Time           `json:"started_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
	FinishedAt  *time.Time          `json:"finished_at,omitempty"`
}

// ScriptAnswer is one answer of a session, kept per attempt.
type ScriptAnswer struct {
	ID         int64        `gorm:"primaryKey" json:"-"`
	SessionID  int64        `gorm:"uniqueIndex:ux_script_answer,priority:1;not null" json:"session_id"`
	NodeID     string       `gorm:"uniqueIndex:ux_script_answer,priority:2;type:varchar(64);not null" json:"node_id"`
	CampaignID int64        `gorm:"index" json:"campaign_id,omitempty"`
	ScriptID   int64        `gorm:"index" json:"script_id"`
	Version    int          `json:"version"`
	Value      string       `gorm:"type:text" json:"value"`
	Source     AnswerSource `gorm:"type:varchar(8);not null" json:"source"`
	AgentID    int64        `json:"agent_id,omitempty"`
	AnsweredAt time.Time    `json:"answered_at"`
}

// ScriptSessionStart starts a session: the call and, when the call is not
// a campaign's (or to override), the script.
type ScriptSessionStart struct {
	CallUUID string
	ScriptID int64 // 0: the campaign's script
	AgentID  int64
}

// ErrSessionPaused refuses an answer to a paused session.
var ErrSessionPaused = fmt.Errorf("the script is paused; resume it first: %w", ErrConflict)

// StartScriptSession starts (or, for the same call, returns) the session
// of a call on the script's published version. A session the IVR began
// (no agent yet) is taken over by the agent.
func (s *Store) StartScriptSession(ctx context.Context, in ScriptSessionStart) (*ScriptSession, error) {
	in.CallUUID = strings.TrimSpace(in.CallUUID)
	if in.CallUUID == "" || len(in.CallUUID) > 64 {
		return nil, Invalid("call_uuid", "is required (the call's UUID, at most 64 characters)")
	}
	var out *ScriptSession
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var ss ScriptSession
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("call_uuid = ?", in.CallUUID).First(&ss).Error
		switch {
		case err == nil:
			return s.claimSession(tx, &ss, in.AgentID, &out)
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return fmt.Errorf("store: script session of %s: %w", in.CallUUID, err)
		}
		ss, err = s.newSession(tx, in)
		if err != nil {
			return err
		}
		if err := tx.Create(&ss).Error; err != nil {
			return fmt.Errorf("store: start script session of %s: %w", in.CallUUID, translate(err))
		}
		out = &ss
		return nil
	})
	return out, err
}

// claimSession returns the call's existing session to its agent, or gives
// an IVR-begun one (no agent) to the agent; another agent's is a conflict.
func (s *Store) claimSession(tx *gorm.DB, ss *ScriptSession, agent int64, out **ScriptSession) error {
	switch ss.AgentID {
	case agent:
	case 0:
		ss.AgentID, ss.Agents = agent, append(ss.Agents, agent)
		if err := tx.Model(ss).Select("agent_id", "agents").Updates(ss).Error; err != nil {
			return fmt.Errorf("store: claim script session %d: %w", ss.ID, err)
		}
	default:
		return fmt.Errorf("store: the script session of call %s is held by agent %d: %w", ss.CallUUID, ss.AgentID, ErrConflict)
	}
	*out = ss
	return nil
}

func (s *Store) newSession(tx *gorm.DB, in ScriptSessionStart) (ScriptSession, error) {
	ss := ScriptSession{CallUUID: in.CallUUID, AgentID: in.AgentID, Status: SessionActive, StartedAt: s.now(),
		IVR: map[string]string{}, Business: map[string]string{}}
	if in.AgentID != 0 {
		ss.Agents = []int64{in.AgentID}
	}
	var a Attempt
	err := tx.Where("call_uuid = ?", in.CallUUID).First(&a).Error
	switch {
	case err == nil:
		ss.AttemptID, ss.CampaignID, ss.ContactID = a.ID, a.CampaignID, a.ContactID
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return ss, fmt.Errorf("store: attempt %s: %w", in.CallUUID, err)
	}
	ss.ScriptID = in.ScriptID
	if ss.ScriptID == 0 && ss.CampaignID != 0 {
		var c Campaign
		if err := tx.Select("id", "script_id").First(&c, ss.CampaignID).Error; err != nil {
			return ss, fmt.Errorf("store: campaign %d: %w", ss.CampaignID, translate(err))
		}
		if c.ScriptID != nil {
			ss.ScriptID = *c.ScriptID
		}
	}
	if ss.ScriptID == 0 {
		return ss, Invalid("script_id", "is required: the call belongs to no campaign with a script")
	}
	var sc Script
	if err := tx.First(&sc, ss.ScriptID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ss, Invalid("script_id", fmt.Sprintf("script %d does not exist", ss.ScriptID))
		}
		return ss, fmt.Errorf("store: script %d: %w", ss.ScriptID, err)
	}
	if sc.PublishedVersion == 0 {
		return ss, Invalid("script_id", fmt.Sprintf("script %d has no published version yet", sc.ID))
	}
	var v ScriptVersion
	if err := tx.Where("script_id = ? AND version = ?", sc.ID, sc.PublishedVersion).First(&v).Error; err != nil {
		return ss, fmt.Errorf("store: script %d version %d: %w", sc.ID, sc.PublishedVersion, translate(err))
	}
	ss.Version, ss.Current, ss.Path = v.Version, v.Start, []string{}
	return ss, nil
}

// ScriptSessionByCall loads the session of a call.
func (s *Store) ScriptSessionByCall(ctx context.Context, callUUID string) (*ScriptSession, error) {
	var ss ScriptSession
	if err := s.conn(ctx).Where("call_uuid = ?", callUUID).First(&ss).Error; err != nil {
		return nil, fmt.Errorf("store: script session of call %s: %w", callUUID, translate(err))
	}
	return &ss, nil
}

// ScriptSessionAnswers lists a session's answers in the order given.
func (s *Store) ScriptSessionAnswers(ctx context.Context, sessionID int64) ([]ScriptAnswer, error) {
	var as []ScriptAnswer
	if err := s.conn(ctx).Where("session_id = ?", sessionID).Order("answered_at, id").Find(&as).Error; err != nil {
		return nil, fmt.Errorf("store: answers of script session %d: %w", sessionID, err)
	}
	return as, nil
}

// mutateSession loads the call's session for update, checks that agent
// holds it (0: any, for the system), runs fn and saves the session.
func (s *Store) mutateSession(ctx context.Context, callUUID string, agent int64, fn func(tx *gorm.DB, ss *ScriptSession, v *ScriptVersion) error) (*ScriptSession, error) {
	var ss ScriptSession
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("call_uuid = ?", callUUID).First(&ss).Error
		if err != nil {
			return fmt.Errorf("store: script session of call %s: %w", callUUID, translate(err))
		}
		if agent != 0 && ss.AgentID != agent {
			return fmt.Errorf("store: script session of call %s is not yours: %w", callUUID, ErrNotFound)
		}
		var v ScriptVersion
		if err := tx.Where("script_id = ? AND version = ?", ss.ScriptID, ss.Version).First(&v).Error; err != nil {
			return fmt.Errorf("store: script %d version %d: %w", ss.ScriptID, ss.Version, translate(err))
		}
		if err := fn(tx, &ss, &v); err != nil {
			return err
		}
		if err := tx.Save(&ss).Error; err != nil {
			return fmt.Errorf("store: save script session %d: %w", ss.ID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ss, nil
}

// AnswerScript records agent's answer to node and moves the session on.
// Answering a node visited before goes back to it: the answers after it
// are dropped, as the flow may now take another way.
func (s *Store) AnswerScript(ctx context.Context, callUUID string, agent int64, nodeID, value string) (*ScriptSession, error) {
	return s.mutateSession(ctx, callUUID, agent, func(tx *gorm.DB, ss *ScriptSession, v *ScriptVersion) error {
		switch ss.Status {
		case SessionPaused:
			return ErrSessionPaused
		case SessionFinished:
			if ss.Disposition != "" {
				return fmt.Errorf("the call's disposition is saved; its script is closed: %w", ErrConflict)
			}
		}
		return s.applyAnswer(tx, ss, v, nodeID, value, SourceAgent, agent)
	})
}

func (s *Store) applyAnswer(tx *gorm.DB, ss *ScriptSession, v *ScriptVersion, nodeID, value string, src AnswerSource, agent int64) error {
	flow := v.Flow()
	n := flow.Node(nodeID)
	if n == nil {
		return Invalid("node_id", fmt.Sprintf("node %q is not in script %d version %d", nodeID, ss.ScriptID, ss.Version))
	}
	if k := slices.Index(ss.Path, nodeID); k >= 0 {
		dropped := ss.Path[k:]
		if err := tx.Where("session_id = ? AND node_id IN ?", ss.ID, dropped).Delete(&ScriptAnswer{}).Error; err != nil {
			return fmt.Errorf("store: go back in script session %d: %w", ss.ID, err)
		}
		ss.Path, ss.Current, ss.Status, ss.Outcome, ss.FinishedAt = ss.Path[:k], nodeID, SessionActive, "", nil
	}
	if ss.Current != nodeID {
		return Invalid("node_id", fmt.Sprintf("node %q is not the current node (%q) nor one answered before", nodeID, ss.Current))
	}
	next, err := n.NextNode(value)
	if err != nil {
		return err
	}
	if n.Type == NodeQuestion {
		a := ScriptAnswer{SessionID: ss.ID, NodeID: nodeID, CampaignID: ss.CampaignID, ScriptID: ss.ScriptID, Version: ss.Version,
			Value: strings.TrimSpace(value), Source: src, AgentID: agent, AnsweredAt: s.now()}
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "session_id"}, {Name: "node_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"value", "source", "agent_id", "answered_at"})}).Create(&a).Error
		if err != nil {
			return fmt.Errorf("store: answer %s of script session %d: %w", nodeID, ss.ID, err)
		}
	}
	ss.Path, ss.Current = append(ss.Path, nodeID), next
	if end := flow.Node(next); end != nil && end.Type == NodeEnd {
		now := s.now()
		ss.Status, ss.Outcome, ss.FinishedAt = SessionFinished, end.Outcome, &now
	}
	return nil
}

// PauseScript pauses the session so the agent can serve another request
// (R27); the answers and the current node stay.
func (s *Store) PauseScript(ctx context.Context, callUUID string, agent int64, reason PauseReason, note string) (*ScriptSession, error) {
	if !OneOf(reason) {
		return nil, &ValidationError{Fields: []FieldError{EnumError("reason", reason)}}
	}
	return s.mutateSession(ctx, callUUID, agent, func(_ *gorm.DB, ss *ScriptSession, _ *ScriptVersion) error {
		if ss.Status != SessionActive {
			return fmt.Errorf("the script is %s, not active: %w", ss.Status, ErrConflict)
		}
		now := s.now()
		ss.Status, ss.PauseReason, ss.PauseNote, ss.PausedAt = SessionPaused, reason, truncate(strings.TrimSpace(note), 255), &now
		return nil
	})
}

// ResumeScript resumes a paused session where it was.
func (s *Store) ResumeScript(ctx context.Context, callUUID string, agent int64) (*ScriptSession, error) {
	return s.mutateSession(ctx, callUUID, agent, func(_ *gorm.DB, ss *ScriptSession, _ *ScriptVersion) error {
		if ss.Status != SessionPaused {
			return fmt.Errorf("the script is %s, not paused: %w", ss.Status, ErrConflict)
		}
		if ss.PausedAt != nil {
			ss.PausedS += int(s.now().Sub(*ss.PausedAt) / time.Second)
		}
		ss.Status, ss.PausedAt = SessionActive, nil
		return nil
	})
}

// MoveScriptSession gives the call's session, with its answers, to the
// agent a transfer hands the call to (R29). The agent desk calls it when
// the transfer completes. A call without a session is not an error: there
// is nothing to move.
func (s *Store) MoveScriptSession(ctx context.Context, callUUID string, toAgent int64) error {
	if toAgent < 1 {
		return Invalid("to_agent", "is required")
	}
	_, err := s.mutateSession(ctx, callUUID, 0, func(_ *gorm.DB, ss *ScriptSession, _ *ScriptVersion) error {
		if ss.AgentID != toAgent {
			ss.AgentID, ss.Agents = toAgent, append(ss.Agents, toAgent)
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// ReleaseScriptSession takes the call's session from fromAgent when the
// agent transfers the call on without knowing who takes it (a group, a
// consultation completed): it waits, with its answers, for the agent who
// takes the call to claim it (StartScriptSession). A call without a
// session, or whose session another agent holds, is left alone.
func (s *Store) ReleaseScriptSession(ctx context.Context, callUUID string, fromAgent int64) error {
	_, err := s.mutateSession(ctx, callUUID, fromAgent, func(_ *gorm.DB, ss *ScriptSession, _ *ScriptVersion) error {
		ss.AgentID = 0
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// IVRRecord is what an IVR hands over when its caller reaches an agent
// (R30): its record (flow, steps, verification result, ...) and the DTMF
// answers by node id of the script.
type IVRRecord struct {
	ScriptID int64             // the script to run when no session exists yet (0: the campaign's)
	Record   map[string]string // shown to the agent as it is
	DTMF     map[string]string // node id → answer, applied in flow order
}

// JoinIVRRecord brings an IVR caller's record and DTMF answers into the
// call's script session, starting one (without an agent; the agent who
// takes the call claims it) when there is none. DTMF answers are applied
// in flow order from the current node while the node they answer is the
// current one; an answer the flow does not take is an error naming it.
func (s *Store) JoinIVRRecord(ctx context.Context, callUUID string, rec IVRRecord) (*ScriptSession, error) {
	if _, err := s.ScriptSessionByCall(ctx, callUUID); errors.Is(err, ErrNotFound) {
		if _, err := s.StartScriptSession(ctx, ScriptSessionStart{CallUUID: callUUID, ScriptID: rec.ScriptID}); err != nil && !errors.Is(err, ErrConflict) {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return s.mutateSession(ctx, callUUID, 0, func(tx *gorm.DB, ss *ScriptSession, v *ScriptVersion) error {
		if ss.IVR == nil {
			ss.IVR = map[string]string{}
		}
		for k, val := range rec.Record {
			ss.IVR[truncate(k, 64)] = truncate(val, 1000)
		}
		for range len(rec.DTMF) {
			val, ok := rec.DTMF[ss.Current]
			if !ok || ss.Status != SessionActive {
				break
			}
			if err := s.applyAnswer(tx, ss, v, ss.Current, val, SourceIVR, 0); err != nil {
				return fmt.Errorf("IVR answer to %s: %w", ss.Current, err)
			}
		}
		for node := range rec.DTMF {
			if !slices.Contains(ss.Path, node) {
				return Invalid("dtmf."+node, fmt.Sprintf("node %q is not on the flow's way from the IVR's answers", node))
			}
		}
		return nil
	})
}

// BindScriptResults closes the call's session on its disposition (R28):
// the result and the business results (a complaint ticket, a sale, a
// promised payment date and amount) are stored beside the answers. The
// disposition calls it; a call without a session returns ErrNotFound.
func (s *Store) BindScriptResults(ctx context.Context, callUUID string, agent int64, result string, business map[string]string) (*ScriptSession, error) {
	result = strings.TrimSpace(result)
	if result == "" || len(result) > 64 {
		return nil, Invalid("result", "is required (at most 64 characters)")
	}
	for k, v := range business {
		if k == "" || len(k) > 64 || len([]rune(v)) > 500 {
			return nil, Invalid("business."+k, "a business result is named (at most 64 bytes) and at most 500 characters")
		}
	}
	return s.mutateSession(ctx, callUUID, agent, func(_ *gorm.DB, ss *ScriptSession, _ *ScriptVersion) error {
		if ss.Business == nil {
			ss.Business = map[string]string{}
		}
		for k, v := range business {
			ss.Business[k] = strings.TrimSpace(v)
		}
		ss.Disposition = result
		if ss.Status != SessionFinished {
			now := s.now()
			ss.Status, ss.FinishedAt, ss.PausedAt = SessionFinished, &now, nil
		}
		return nil
	})
}
