package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Multi-row inserts for the bulk loader. gorm's CreateInBatches spends most
// of a load in reflection per field and row (3,100 attempts/s on MariaDB);
// these build one INSERT of many rows with placeholders from explicit
// column lists and run it on the connection directly.

// bulkPlaceholders is how many placeholders one statement may carry: SQLite takes
// 32,766 variables, MySQL 65,535.
const bulkPlaceholders = 30000

// bulkTable is one table's column list and how a row becomes its values.
type bulkTable[T any] struct {
	table string
	cols  []string
	vals  func(r *T) []any
}

// insert writes rows with multi-row INSERTs inside one transaction and
// returns each row's new id. Ids are consecutive within one statement on
// both drivers (InnoDB's default consecutive auto-increment lock mode for
// inserts of known row count, SQLite's single writer); MySQL reports the
// first, SQLite the last.
func (b bulkTable[T]) insert(ctx context.Context, s *Store, rows []T) ([]int64, error) {
	ids := make([]int64, 0, len(rows))
	per := max(1, bulkPlaceholders/len(b.cols))
	head := "INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		for start := 0; start < len(rows); start += per {
			chunk := rows[start:min(start+per, len(rows))]
			var sb strings.Builder
			sb.Grow(len(head) + len(chunk)*(len(one)+2))
			sb.WriteString(head)
			args := make([]any, 0, len(chunk)*len(b.cols))
			for i := range chunk {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(one)
				args = append(args, b.vals(&chunk[i])...)
			}
			res, err := tx.Statement.ConnPool.ExecContext(ctx, sb.String(), args...)
			if err != nil {
				return fmt.Errorf("store: bulk insert into %s: %w", b.table, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return fmt.Errorf("store: bulk insert into %s: id: %w", b.table, err)
			}
			if s.driver != "mysql" {
				id -= int64(len(chunk)) - 1
			}
			for i := range chunk {
				ids = append(ids, id+int64(i))
			}
		}
		return nil
	})
	return ids, err
}

// tv is a time argument as the drivers take it (UTC, as gorm writes it).
func tv(t time.Time) any { return t.UTC() }

// ptv is a nullable time argument.
func ptv(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func pint(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

var bulkAttempts = bulkTable[Attempt]{
	table: "attempts",
	cols: []string{"call_uuid", "job_uuid", "node", "campaign_id", "contact_id", "agent_id", "destination", "other_uuids", "state",
		"bridged", "created_at", "answered_at", "bridged_at", "hungup_at", "hangup_cause", "sip_code", "bill_sec", "result", "machine",
		"reason", "delivery", "delivery_code", "delivered_at", "updated_at", "outcome", "caller_id", "abandoned", "amd",
		"answer_to_agent_ms", "disposition", "callback_id", "finished_at", "attempt_no", "connected", "talk_ms", "inbound"},
	vals: func(a *Attempt) []any {
		others := "[]"
		if len(a.OtherUUIDs) > 0 {
			others = `["` + strings.Join(a.OtherUUIDs, `","`) + `"]` // call UUIDs: no quotes to escape
		}
		return []any{a.CallUUID, a.JobUUID, a.Node, a.CampaignID, a.ContactID, a.AgentID, a.Destination, others, a.State,
			a.Bridged, tv(a.CreatedAt), ptv(a.AnsweredAt), ptv(a.BridgedAt), ptv(a.HungupAt), a.HangupCause, a.SIPCode, a.BillSec,
			a.Result, a.Machine, a.Reason, a.Delivery, a.DeliveryCode, ptv(a.DeliveredAt), tv(a.UpdatedAt), string(a.Outcome),
			a.CallerID, a.Abandoned, string(a.AMD), pint(a.AnswerToAgentMS), a.Disposition, pint(a.CallbackID), ptv(a.FinishedAt),
			a.AttemptNo, a.Connected, a.TalkMS, a.Inbound}
	},
}

var bulkStates = bulkTable[AgentStateEvent]{
	table: "agent_state_events",
	cols:  []string{"agent_id", "session_id", "state", "reason", "call_uuid", "at", "ended_at", "duration_ms", "group_ids"},
	vals: func(e *AgentStateEvent) []any {
		return []any{e.AgentID, e.SessionID, string(e.State), e.Reason, e.CallUUID, tv(e.At), ptv(e.EndedAt), e.DurationMS, e.GroupIDs}
	},
}

var bulkQueueWaits = bulkTable[QueueWait]{
	table: "queue_waits",
	cols:  []string{"call_uuid", "attempt_id", "group_id", "entered_at", "left_at", "outcome", "agent_id", "wait_ms"},
	vals: func(w *QueueWait) []any {
		return []any{w.CallUUID, w.AttemptID, w.GroupID, tv(w.EnteredAt), ptv(w.LeftAt), string(w.Outcome), w.AgentID, w.WaitMS}
	},
}

var bulkIVRCalls = bulkTable[IVRCall]{
	table: "ivr_calls",
	cols: []string{"call_uuid", "flow", "campaign_id", "outcome", "verify_n", "verified", "queue", "transfer", "answers",
		"started_at", "duration_ms"},
	vals: func(c *IVRCall) []any {
		return []any{c.CallUUID, c.Flow, c.CampaignID, c.Outcome, c.VerifyN, c.Verified, c.Queue, c.Transfer, c.Answers,
			tv(c.StartedAt), c.DurationMS}
	},
}

var bulkIVRAnswers = bulkTable[IVRAnswer]{
	table: "ivr_answers",
	cols:  []string{"ivr_call_id", "dtmf_var", "digits"},
	vals:  func(a *IVRAnswer) []any { return []any{a.IVRCallID, a.Var, a.Digits} },
}

var bulkMessages = bulkTable[OutboundMessage]{
	table: "outbound_messages",
	cols:  []string{"purpose", "channel", "provider", "campaign_id", "contact_id", "recipient", "status", "tries", "parts", "created_at", "sent_at", "delivered_at"},
	vals: func(m *OutboundMessage) []any {
		return []any{string(m.Purpose), m.Channel, m.Provider, m.CampaignID, m.ContactID, m.To, string(m.Status), m.Tries, m.Parts,
			tv(m.CreatedAt), ptv(m.SentAt), ptv(m.DeliveredAt)}
	},
}

var bulkCallbacks = bulkTable[Callback]{
	table: "callbacks",
	cols: []string{"campaign_id", "contact_id", "phone", "due_at", "agent_id", "group_id", "note", "status", "reminder_sent_at",
		"offered_at", "handed_to_group_at", "closed_at", "attempt_id", "created_by", "created_at", "updated_at"},
	vals: func(c *Callback) []any {
		return []any{c.CampaignID, c.ContactID, c.Phone, tv(c.DueAt), c.AgentID, pint(c.GroupID), c.Note, string(c.Status),
			ptv(c.ReminderSentAt), ptv(c.OfferedAt), ptv(c.HandedToGroupAt), ptv(c.ClosedAt), pint(c.AttemptID), c.CreatedBy,
			tv(c.CreatedAt), tv(c.UpdatedAt)}
	},
}

var bulkQAScores = bulkTable[QAScore]{
	table: "qa_scores",
	cols: []string{"scorecard_id", "attempt_id", "scorer_id", "agent_id", "campaign_id", "items", "comments", "total", "total_x100",
		"critical_failed", "appeal", "appeal_text", "appeal_note", "appealed_at", "resolved_by", "created_at"},
	vals: func(q *QAScore) []any {
		return []any{q.ScorecardID, q.AttemptID, q.ScorerID, q.AgentID, q.CampaignID, "[]", "[]", q.Total, q.TotalX100,
			q.CriticalFailed, string(q.Appeal), q.AppealText, q.AppealNote, ptv(q.AppealedAt), q.ResolvedBy, tv(q.CreatedAt)}
	},
}
