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
		&Scorecard{}, &QAScore{}, &SavedReport{},
		&QueueWait{}, &QueueHour{}, &QueueDay{}, &IVRCall{}, &IVRAnswer{}, &IVRHour{}, &IVRDay{}, &IVRAnswerHour{}, &IVRAnswerDay{}}
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
