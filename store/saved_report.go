package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ReportPeriod is a saved report's period, taken when it runs.
type ReportPeriod string

// Periods, in the report's zone.
const (
	PeriodToday      ReportPeriod = "today"
	PeriodYesterday  ReportPeriod = "yesterday"
	PeriodLast7Days  ReportPeriod = "last_7_days"
	PeriodLast30Days ReportPeriod = "last_30_days"
	PeriodThisMonth  ReportPeriod = "this_month"
)

// ReportPeriods lists the periods.
var ReportPeriods = []ReportPeriod{PeriodToday, PeriodYesterday, PeriodLast7Days, PeriodLast30Days, PeriodThisMonth}

// EnumValues lists the periods.
func (ReportPeriod) EnumValues() []string { return enumStrings(ReportPeriods) }

// Range is the period [from, to) around now in loc.
func (p ReportPeriod) Range(now time.Time, loc *time.Location) (time.Time, time.Time) {
	l := now.In(loc)
	today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	switch p {
	case PeriodYesterday:
		return today.AddDate(0, 0, -1), today
	case PeriodLast7Days:
		return today.AddDate(0, 0, -7), today
	case PeriodLast30Days:
		return today.AddDate(0, 0, -30), today
	case PeriodThisMonth:
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc), today.AddDate(0, 0, 1)
	}
	return today, today.AddDate(0, 0, 1)
}

// SavedReport is a custom report: a standard report with chosen
// dimensions, measures and filters, kept by its owner and shared with a
// group.
type SavedReport struct {
	ID          int64        `gorm:"primaryKey" json:"id"`
	Name        string       `gorm:"type:varchar(128);not null" json:"name"`
	Report      ReportName   `gorm:"type:varchar(32);not null" json:"report"`
	GroupBy     []Dimension  `gorm:"serializer:json;type:text" json:"group_by"`
	Measures    []string     `gorm:"serializer:json;type:text" json:"measures"` // none = all
	CampaignIDs []int64      `gorm:"serializer:json;type:text" json:"campaign_ids,omitempty"`
	AgentIDs    []int64      `gorm:"serializer:json;type:text" json:"agent_ids,omitempty"`
	GroupID     int64        `json:"group_id,omitempty"` // agents of this group
	Period      ReportPeriod `gorm:"type:varchar(16);not null" json:"period"`
	SharedWith  *int64       `gorm:"index" json:"shared_with_group_id,omitempty"`
	OwnerID     int64        `gorm:"not null;index" json:"owner_id"`
	CreatedAt   time.Time    `json:"created_at"`
}

func (r *SavedReport) validate() error {
	r.Name = strings.TrimSpace(r.Name)
	switch {
	case r.Name == "" || len(r.Name) > 128:
		return Invalid("name", "1 to 128 bytes")
	case !OneOf(r.Report):
		return Invalid("report", EnumMessage(r.Report))
	case !OneOf(r.Period):
		return Invalid("period", EnumMessage(r.Period))
	}
	for _, d := range r.GroupBy {
		if !OneOf(d) {
			return Invalid("group_by", EnumMessage(d))
		}
	}
	return nil
}

// CreateSavedReport stores a custom report; running it once checks its
// grouping and measures against the report.
func (s *Store) CreateSavedReport(ctx context.Context, r *SavedReport) error {
	if err := r.validate(); err != nil {
		return err
	}
	if _, err := s.RunSavedReport(ctx, r, time.UTC); err != nil {
		return err
	}
	r.CreatedAt = ts(s.now())
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: save report %q: %w", r.Name, err)
	}
	return nil
}

// SavedReportsFor lists the custom reports a user owns or that are shared
// with one of the user's groups.
func (s *Store) SavedReportsFor(ctx context.Context, userID int64) ([]SavedReport, error) {
	groups := s.conn(ctx).Table("user_groups").Select("group_id").Where("user_id = ?", userID)
	var out []SavedReport
	if err := s.conn(ctx).Where("owner_id = ? OR shared_with IN (?)", userID, groups).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: saved reports: %w", err)
	}
	if out == nil {
		out = []SavedReport{}
	}
	return out, nil
}

// SavedReportFor loads a custom report the user may run (ErrNotFound if
// neither owned nor shared with them).
func (s *Store) SavedReportFor(ctx context.Context, id, userID int64) (*SavedReport, error) {
	all, err := s.SavedReportsFor(ctx, userID)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, fmt.Errorf("store: saved report %d: %w", id, ErrNotFound)
}

// RunSavedReport runs a custom report over its period, keeping the
// grouping columns and the chosen measures.
func (s *Store) RunSavedReport(ctx context.Context, r *SavedReport, loc *time.Location) (*Report, error) {
	return s.RunSavedReportAt(ctx, r, loc, s.now())
}

// RunSavedReportAt runs a custom report over its period around now (a
// scheduled run: the time it was due).
func (s *Store) RunSavedReportAt(ctx context.Context, r *SavedReport, loc *time.Location, now time.Time) (*Report, error) {
	from, to := r.Period.Range(now, loc)
	rep, err := s.RunReport(ctx, r.Report, ReportQuery{From: from, To: to, Loc: loc, GroupBy: r.GroupBy,
		CampaignIDs: r.CampaignIDs, AgentIDs: r.AgentIDs, GroupID: r.GroupID})
	if err != nil {
		return nil, err
	}
	if len(r.Measures) == 0 {
		return rep, nil
	}
	keep := map[string]bool{}
	for _, c := range rep.Columns {
		if c.Kind == KindID || c.Kind == KindDate || c.Kind == KindDateHour || c.Kind == KindText {
			keep[c.Key] = true
		}
	}
	for _, m := range r.Measures {
		if !slices.ContainsFunc(rep.Columns, func(c ReportColumn) bool { return c.Key == m }) {
			return nil, Invalid("measures", fmt.Sprintf("%q is not a measure of the %s report", m, r.Report))
		}
		keep[m] = true
	}
	rep.Columns = slices.DeleteFunc(rep.Columns, func(c ReportColumn) bool { return !keep[c.Key] })
	return rep, nil
}

// UpdateSavedReport saves a changed custom report (every field a create
// takes; the owner and creation time stay), checked as a create is: a
// report whose grouping or measures no longer fit is refused before it is
// stored, so a schedule never mails a report that cannot run.
func (s *Store) UpdateSavedReport(ctx context.Context, r *SavedReport) error {
	if err := r.validate(); err != nil {
		return err
	}
	if _, err := s.RunSavedReport(ctx, r, time.UTC); err != nil {
		return err
	}
	res := s.conn(ctx).Model(&SavedReport{}).Where("id = ?", r.ID).Select("name", "report", "group_by", "measures",
		"campaign_ids", "agent_ids", "group_id", "period", "shared_with").Updates(&SavedReport{Name: r.Name, Report: r.Report,
		GroupBy: r.GroupBy, Measures: r.Measures, CampaignIDs: r.CampaignIDs, AgentIDs: r.AgentIDs, GroupID: r.GroupID,
		Period: r.Period, SharedWith: r.SharedWith})
	if res.Error != nil {
		return fmt.Errorf("store: update saved report %d: %w", r.ID, res.Error)
	}
	if res.RowsAffected == 0 {
		// MariaDB counts changed rows only: an unchanged report is still there.
		if _, err := s.GetSavedReport(ctx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// DeleteSavedReport removes a custom report and its schedule in one
// transaction: the report mailer claims schedules from the table on each
// tick, so once the row is gone no instance sends the report again. It
// says whether a schedule went with it.
func (s *Store) DeleteSavedReport(ctx context.Context, id int64) (hadSchedule bool, err error) {
	err = s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		// The report first: an unknown id then changes nothing (nor
		// writes the request's audit entry) before it is refused.
		res := tx.Where("id = ?", id).Delete(&SavedReport{})
		if res.Error != nil {
			return fmt.Errorf("store: delete saved report %d: %w", id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: delete saved report %d: %w", id, ErrNotFound)
		}
		sch := tx.Where("saved_report_id = ?", id).Delete(&ReportSchedule{})
		if sch.Error != nil {
			return fmt.Errorf("store: delete schedule of saved report %d: %w", id, sch.Error)
		}
		hadSchedule = sch.RowsAffected > 0
		return nil
	})
	return hadSchedule, err
}
