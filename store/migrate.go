package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// models are created and extended by AutoMigrate: it only adds tables,
// columns and indexes, never drops, so it is safe on every start.
func models() []any {
	return []any{&User{}, &Group{}, &Session{}, &AuditEntry{}, &Campaign{}, &Contact{}, &DNCEntry{}, &ImportJob{}, &ExportTemplate{}, &ImportCursor{}, &MappingTemplate{}, &Attempt{},
		&Calendar{}, &Holiday{}, &Strategy{}, &ImportBatchMark{}, &LoginThrottle{}, &DNCReason{}, &Workstation{},
		&AgentSession{}, &AgentStateEvent{}, &BreakReason{}, &Message{}, &Broadcast{}, &BroadcastReceipt{}, &Shift{}, &RosterEntry{},
		&CampaignLease{}, &Callback{}, &Recording{}, &CallerIDUsage{}, &CampaignSlot{}, &LatencyBucket{},
		&OutboundMessage{}, &Document{},
		&Script{}, &ScriptVersion{}, &ScriptSession{}, &ScriptAnswer{}, &ScriptFeedback{},
		&Article{}, &ArticleVersion{}, &ArticleAttachment{},
		&CampaignHour{}, &AgentHour{}, &AgentStateHour{}, &CampaignDay{}, &AgentDay{}, &AgentStateDay{}, &ContactNote{},
		&Scorecard{}, &QAScore{}, &SavedReport{}, &ReportSchedule{},
		&QueueWait{}, &QueueHour{}, &QueueDay{}, &IVRCall{}, &IVRAnswer{}, &IVRHour{}, &IVRDay{}, &IVRAnswerHour{}, &IVRAnswerDay{},
		&Voicemail{}, &ContactCount{}, &ContactCountDelta{}, &MessageHour{}, &MessageDay{},
		&CallbackHour{}, &CallbackDay{}, &CallbackDelta{}, &QAHour{}, &QADay{}}
}

// migration is a versioned change AutoMigrate cannot make (data moves,
// renames, seeds). Once landed, a migration is never edited; add a new one.
type migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

// migrations run in order, each in its own transaction, recorded in
// schema_migrations.
var migrations = []migration{
	{1, "baseline", func(tx *gorm.DB) error { return nil }},
	{2, "seed_cn_holidays", seedHolidays},
	{3, "lowercase_usernames", lowercaseUsernames},
	{4, "seed_break_reasons", seedBreakReasons},
	{5, "report_rollups", rebuildRollupsTx},
	{6, "no_campaign_zero_rollups", dropCampaignZeroRollups},
	{7, "inbound_calls_for_agents", inboundCallsForAgents},
	{8, "contact_counts", rebuildContactCountsTx}, // the triggers exist by then: see Migrate
	{9, "message_rollups", rebuildMessageRollups},
	{10, "callback_rollups", rebuildCallbackRollupsTx}, // the triggers exist by then, as for 8
	{11, "qa_rollups", rebuildQARollups},
	{12, "agent_state_session_index", dropSessionOnlyIndex},
}

// dropSessionOnlyIndex drops the index on agent_state_events.session_id
// alone: idx_agent_state_breaks (session_id, state, at, ended_at), which AutoMigrate has
// created by now, serves every query it served, and the attendance report's
// breaks without reading each state row of a session.
func dropSessionOnlyIndex(tx *gorm.DB) error {
	const old = "idx_agent_state_events_session_id"
	if !tx.Migrator().HasIndex(&AgentStateEvent{}, old) {
		return nil
	}
	if err := tx.Migrator().DropIndex(&AgentStateEvent{}, old); err != nil {
		return fmt.Errorf("store: drop %s: %w", old, err)
	}
	return nil
}

// dropCampaignZeroRollups removes what migration 5's rebuild counted for
// attempts of no campaign (inbound calls): the live path never did, and the
// queue rollups count them now.
func dropCampaignZeroRollups(tx *gorm.DB) error {
	for _, t := range []string{"campaign_hours", "campaign_days"} {
		if err := tx.Exec("DELETE FROM " + t + " WHERE campaign_id = 0").Error; err != nil {
			return fmt.Errorf("store: %s of campaign 0: %w", t, err)
		}
	}
	return nil
}

// inboundCallsForAgents marks the inbound calls stored before attempts
// said so (those that joined a queue), gives the ones an agent closed their
// connection and talk time as CloseInboundCall now writes them, and
// rebuilds the rollups so the agents report counts them; with no inbound
// call stored it changes nothing.
func inboundCallsForAgents(tx *gorm.DB) error {
	res := tx.Exec("UPDATE attempts SET inbound = ? WHERE campaign_id = 0 AND id IN (SELECT attempt_id FROM queue_waits)", true)
	if res.Error != nil {
		return fmt.Errorf("store: mark inbound attempts: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	var rows []Attempt
	err := tx.Select("id, bridged_at, finished_at").Where("inbound = ? AND agent_id <> 0 AND bridged_at IS NOT NULL AND finished_at IS NOT NULL", true).
		Find(&rows).Error
	if err != nil {
		return fmt.Errorf("store: inbound calls taken: %w", err)
	}
	for _, a := range rows {
		talk := max(a.FinishedAt.Sub(*a.BridgedAt).Milliseconds(), 0)
		if err := tx.Model(&Attempt{}).Where("id = ?", a.ID).Updates(map[string]any{"connected": true, "talk_ms": talk}).Error; err != nil {
			return fmt.Errorf("store: inbound call %d: %w", a.ID, err)
		}
	}
	return rebuildRollupsTx(tx)
}

// SchemaMigration records an applied versioned migration.
type SchemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"type:varchar(128)"`
	AppliedAt time.Time
}

// Migrate brings the schema up to date.
func (s *Store) Migrate(ctx context.Context) error {
	db := s.conn(ctx)
	if err := db.AutoMigrate(append(models(), &SchemaMigration{})...); err != nil {
		return fmt.Errorf("store: auto-migrate: %w", err)
	}
	// The contact counts' and the callbacks rollup's triggers are created
	// before the versioned migrations, outside their transactions (MySQL
	// commits DDL at once), so that migrations 8 and 10 count the rows
	// already stored with the triggers counting every later change: a crash
	// in between leaves the migration to run on the next start.
	created, err := s.ensureContactCountTriggers(ctx)
	if err != nil {
		return err
	}
	createdCB, err := s.ensureCallbackTriggers(ctx)
	if err != nil {
		return err
	}
	var applied []int
	if err := db.Model(&SchemaMigration{}).Pluck("version", &applied).Error; err != nil {
		return fmt.Errorf("store: read schema_migrations: %w", err)
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
	}
	for _, m := range migrations {
		if done[m.Version] {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.Up(tx); err != nil {
				return err
			}
			return tx.Create(&SchemaMigration{Version: m.Version, Name: m.Name, AppliedAt: s.now()}).Error
		})
		if err != nil {
			return fmt.Errorf("store: migration %d %s: %w", m.Version, m.Name, err)
		}
		s.log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	if created && done[8] {
		// A trigger was missing on a database already counted (dropped by
		// hand, or by SQLite's copy of a table AutoMigrate alters): the
		// changes made without it were not counted.
		n, err := s.RebuildContactCounts(ctx)
		if err != nil {
			return err
		}
		s.log.Warn("contact counts: a missing trigger was created again, counts rebuilt", "contacts", n)
	}
	if createdCB && done[10] { // likewise for the callbacks rollup
		n, err := s.RebuildCallbackRollups(ctx)
		if err != nil {
			return err
		}
		s.log.Warn("callbacks rollup: a missing trigger was created again, rollup rebuilt", "callbacks", n)
	}
	return nil
}

// SchemaVersion returns the highest applied versioned migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := s.conn(ctx).Model(&SchemaMigration{}).Select("MAX(version)").Scan(&v).Error
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}
