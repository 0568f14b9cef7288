package store

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ScheduleEvery is how often a saved report is e-mailed.
type ScheduleEvery string

const (
	EveryDay   ScheduleEvery = "daily"
	EveryWeek  ScheduleEvery = "weekly"  // on weekday
	EveryMonth ScheduleEvery = "monthly" // on month_day (past the month's end: its last day)
)

// ScheduleEverys lists every ScheduleEvery.
var ScheduleEverys = []ScheduleEvery{EveryDay, EveryWeek, EveryMonth}

// EnumValues lists the frequencies.
func (ScheduleEvery) EnumValues() []string { return enumStrings(ScheduleEverys) }

// ScheduleResult is how a scheduled send went.
type ScheduleResult string

const (
	ScheduleSent    ScheduleResult = "sent"    // every recipient's relay accepted it
	SchedulePartial ScheduleResult = "partial" // some recipients failed
	ScheduleFailed  ScheduleResult = "failed"  // the report did not run, or nobody got it
)

// ReportSchedule e-mails a saved report as an xlsx file at a time of day in
// its zone, to addresses and/or a group's members. Customer data in the file
// is masked unless every recipient is a user holding pii_view.
type ReportSchedule struct {
	ID            int64         `gorm:"primaryKey" json:"id"`
	SavedReportID int64         `gorm:"not null;uniqueIndex" json:"saved_report_id"`
	Every         ScheduleEvery `gorm:"type:varchar(8);not null" json:"every"`
	At            string        `gorm:"type:varchar(5);not null" json:"at"` // HH:MM in Timezone
	Weekday       int           `json:"weekday,omitempty"`                  // weekly: 1 Monday … 7 Sunday
	MonthDay      int           `json:"month_day,omitempty"`                // monthly: 1-31
	Timezone      string        `gorm:"type:varchar(64);not null" json:"timezone"`
	Emails        []string      `gorm:"serializer:json;type:text" json:"emails"`
	GroupID       *int64        `json:"group_id,omitempty"`                   // the group's members with an e-mail address
	Lang          string        `gorm:"type:varchar(8);not null" json:"lang"` // headers: zh-CN or en
	Enabled       bool          `gorm:"not null" json:"enabled"`
	// NextRunAt is when it fires next (nil while disabled); instances
	// claim a due run by moving it on, so each run is sent once.
	NextRunAt      *time.Time     `gorm:"index" json:"next_run_at,omitempty"`
	LastRunAt      *time.Time     `json:"last_run_at,omitempty"`
	LastResult     ScheduleResult `gorm:"type:varchar(8)" json:"last_result,omitempty"`
	LastError      string         `gorm:"type:varchar(255)" json:"last_error,omitempty"`
	LastRecipients int            `json:"last_recipients"`
	LastMasked     bool           `json:"last_masked"`
	CreatedBy      int64          `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

var clockRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// MaxScheduleEmails bounds a schedule's address list.
const MaxScheduleEmails = 50

// Validate checks the schedule and normalises its addresses.
func (r *ReportSchedule) Validate() error {
	var errs []FieldError
	add := func(f, m string) { errs = append(errs, FieldError{Field: f, Message: m}) }
	if !OneOf(r.Every) {
		add("every", EnumMessage(r.Every))
	}
	if !clockRe.MatchString(r.At) {
		add("at", "a time of day HH:MM (00:00-23:59) in the schedule's timezone")
	}
	switch {
	case r.Every == EveryWeek && (r.Weekday < 1 || r.Weekday > 7):
		add("weekday", "1 (Monday) to 7 (Sunday) for a weekly schedule")
	case r.Every == EveryMonth && (r.MonthDay < 1 || r.MonthDay > 31):
		add("month_day", "1 to 31 for a monthly schedule (past a month's end: its last day)")
	}
	if r.Every != EveryWeek {
		r.Weekday = 0
	}
	if r.Every != EveryMonth {
		r.MonthDay = 0
	}
	if r.Timezone == "" {
		r.Timezone = "Asia/Shanghai"
	}
	if _, err := time.LoadLocation(r.Timezone); err != nil {
		add("timezone", "is not a known time zone (e.g. Asia/Shanghai)")
	}
	if r.Lang == "" {
		r.Lang = "zh-CN"
	}
	if r.Lang != "zh-CN" && r.Lang != "en" {
		add("lang", "zh-CN or en")
	}
	r.Emails = normaliseEmails(r.Emails, add)
	if len(r.Emails) == 0 && r.GroupID == nil {
		add("emails", "name at least one address or a group_id")
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

func normaliseEmails(in []string, add func(f, m string)) []string {
	if len(in) > MaxScheduleEmails {
		add("emails", fmt.Sprintf("at most %d addresses", MaxScheduleEmails))
	}
	out := []string{}
	for i, e := range in {
		a, err := mail.ParseAddress(strings.TrimSpace(e))
		if err != nil || a.Name != "" || len(a.Address) > 255 {
			add(fmt.Sprintf("emails[%d]", i), fmt.Sprintf("%q is not an e-mail address", e))
			continue
		}
		if addr := strings.ToLower(a.Address); !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	return out
}

// Next is the first run strictly after t.
func (r *ReportSchedule) Next(t time.Time) time.Time {
	loc, err := time.LoadLocation(r.Timezone)
	if err != nil {
		loc = time.UTC
	}
	var hh, mm int
	fmt.Sscanf(r.At, "%d:%d", &hh, &mm)
	l := t.In(loc)
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
	switch r.Every {
	case EveryWeek:
		wd := (int(l.Weekday())+6)%7 + 1 // Monday 1 … Sunday 7
		c := at(l.Year(), l.Month(), l.Day()+(r.Weekday-wd+7)%7)
		if !c.After(t) {
			c = c.AddDate(0, 0, 7)
		}
		return c
	case EveryMonth:
		for i := 0; ; i++ {
			first := time.Date(l.Year(), l.Month()+time.Month(i), 1, 0, 0, 0, 0, loc)
			last := first.AddDate(0, 1, -1).Day()
			if c := at(first.Year(), first.Month(), min(r.MonthDay, last)); c.After(t) {
				return c
			}
		}
	}
	c := at(l.Year(), l.Month(), l.Day())
	if !c.After(t) {
		c = at(l.Year(), l.Month(), l.Day()+1)
	}
	return c
}

// plan sets NextRunAt from now: the next run while enabled, none otherwise.
func (r *ReportSchedule) plan(now time.Time) {
	r.NextRunAt = nil
	if r.Enabled {
		n := ts(r.Next(now))
		r.NextRunAt = &n
	}
}

func (s *Store) checkScheduleGroup(ctx context.Context, r *ReportSchedule) error {
	if r.GroupID == nil {
		return nil
	}
	if _, err := s.GetGroup(ctx, *r.GroupID); errors.Is(err, ErrNotFound) {
		return Invalid("group_id", fmt.Sprintf("group %d does not exist", *r.GroupID))
	} else if err != nil {
		return err
	}
	return nil
}

// CreateReportSchedule adds the schedule of a saved report (one per
// report: a second is a conflict), planned from now.
func (s *Store) CreateReportSchedule(ctx context.Context, r *ReportSchedule, now time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.checkScheduleGroup(ctx, r); err != nil {
		return err
	}
	r.plan(now)
	if err := s.conn(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("store: schedule of saved report %d: %w", r.SavedReportID, translate(err))
	}
	return nil
}

// UpdateReportSchedule saves a changed schedule and plans its next run
// from now.
func (s *Store) UpdateReportSchedule(ctx context.Context, r *ReportSchedule, now time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.checkScheduleGroup(ctx, r); err != nil {
		return err
	}
	r.plan(now)
	err := s.conn(ctx).Model(r).Select("every", "at", "weekday", "month_day", "timezone", "emails", "group_id", "lang",
		"enabled", "next_run_at", "updated_at").Updates(r).Error
	if err != nil {
		return fmt.Errorf("store: update schedule %d: %w", r.ID, err)
	}
	return nil
}

// ReportScheduleOf is the schedule of a saved report.
func (s *Store) ReportScheduleOf(ctx context.Context, savedReportID int64) (*ReportSchedule, error) {
	var r ReportSchedule
	err := s.conn(ctx).Where("saved_report_id = ?", savedReportID).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: schedule of saved report %d: %w", savedReportID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: schedule of saved report %d: %w", savedReportID, err)
	}
	return &r, nil
}

// ReportSchedulesFor lists the schedules of the saved reports a user may
// run (owned or shared with one of the user's groups).
func (s *Store) ReportSchedulesFor(ctx context.Context, userID int64) ([]ReportSchedule, error) {
	groups := s.conn(ctx).Table("user_groups").Select("group_id").Where("user_id = ?", userID)
	reports := s.conn(ctx).Model(&SavedReport{}).Select("id").Where("owner_id = ? OR shared_with IN (?)", userID, groups)
	out := []ReportSchedule{}
	if err := s.conn(ctx).Where("saved_report_id IN (?)", reports).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: report schedules: %w", err)
	}
	return out, nil
}

// ClaimDueSchedules takes the schedules due by now, moving each one's next
// run on first; another instance that read the same row loses the
// conditional update, so a run is sent once. A schedule that missed runs
// (the server was down) runs once, then keeps its rhythm.
func (s *Store) ClaimDueSchedules(ctx context.Context, now time.Time, limit int) ([]ClaimedSchedule, error) {
	var due []ReportSchedule
	err := s.conn(ctx).Where("enabled = ? AND next_run_at IS NOT NULL AND next_run_at <= ?", true, ts(now)).
		Order("next_run_at").Limit(limit).Find(&due).Error
	if err != nil {
		return nil, fmt.Errorf("store: due report schedules: %w", err)
	}
	var out []ClaimedSchedule
	for _, r := range due {
		next := ts(r.Next(now))
		res := s.conn(ctx).Model(&ReportSchedule{}).Where("id = ? AND next_run_at = ?", r.ID, *r.NextRunAt).
			Update("next_run_at", next)
		if res.Error != nil {
			return out, fmt.Errorf("store: claim report schedule %d: %w", r.ID, res.Error)
		}
		if res.RowsAffected == 1 {
			was := *r.NextRunAt
			r.NextRunAt = &next
			out = append(out, ClaimedSchedule{ReportSchedule: r, Due: was})
		}
	}
	return out, nil
}

// ClaimedSchedule is a schedule whose run this instance took: Due is the
// time the run was planned for (the report's period is taken around it).
type ClaimedSchedule struct {
	ReportSchedule
	Due time.Time
}

// ScheduleRun is what one scheduled send did.
type ScheduleRun struct {
	At         time.Time
	Result     ScheduleResult
	Error      string
	Recipients int
	Masked     bool
}

// FinishScheduleRun records a run on its schedule and its audit entry in
// one transaction.
func (s *Store) FinishScheduleRun(ctx context.Context, id int64, run ScheduleRun, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&ReportSchedule{}).Where("id = ?", id).Updates(map[string]any{"last_run_at": ts(run.At),
			"last_result": run.Result, "last_error": clip(run.Error, 255), "last_recipients": run.Recipients,
			"last_masked": run.Masked}).Error
		if err != nil {
			return fmt.Errorf("store: record run of schedule %d: %w", id, err)
		}
		if err := tx.Create(audit).Error; err != nil {
			return fmt.Errorf("store: audit run of schedule %d: %w", id, err)
		}
		return nil
	})
}

// GetSavedReport reads a saved report whoever owns it (the scheduler's
// view; users go through SavedReportFor).
func (s *Store) GetSavedReport(ctx context.Context, id int64) (*SavedReport, error) {
	var r SavedReport
	err := s.conn(ctx).Where("id = ?", id).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: saved report %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: saved report %d: %w", id, err)
	}
	return &r, nil
}

// Recipient is one address a scheduled report goes to, and whether it
// belongs to a user holding pii_view.
type Recipient struct {
	Email   string
	UserID  int64 // 0: an address no enabled user has
	PIIView bool
}

// ReportRecipients resolves a schedule's addresses and group into
// recipients, each address once. An address is a user's when an enabled
// user has it (case-insensitive); anything else is external.
func (s *Store) ReportRecipients(ctx context.Context, emails []string, groupID *int64) ([]Recipient, error) {
	var users []User
	q := s.conn(ctx).Where("disabled = ? AND email <> ''", false)
	if groupID != nil {
		members := s.conn(ctx).Table("user_groups").Select("user_id").Where("group_id = ?", *groupID)
		if len(emails) > 0 {
			q = q.Where("id IN (?) OR LOWER(email) IN ?", members, emails)
		} else {
			q = q.Where("id IN (?)", members)
		}
	} else {
		q = q.Where("LOWER(email) IN ?", emails)
	}
	if err := q.Order("id").Find(&users).Error; err != nil {
		return nil, fmt.Errorf("store: report recipients: %w", err)
	}
	byEmail := map[string]User{}
	var out []Recipient
	seen := map[string]bool{}
	for _, u := range users {
		// two accounts sharing an address: the one with fewer rights counts
		e := strings.ToLower(u.Email)
		if old, ok := byEmail[e]; !ok || old.Can(PermPIIView) {
			byEmail[e] = u
		}
	}
	addUser := func(e string, u User) {
		if !seen[e] {
			seen[e] = true
			out = append(out, Recipient{Email: e, UserID: u.ID, PIIView: u.Can(PermPIIView)})
		}
	}
	for _, e := range emails {
		if u, ok := byEmail[e]; ok {
			addUser(e, u)
		} else if !seen[e] {
			seen[e] = true
			out = append(out, Recipient{Email: e})
		}
	}
	if groupID != nil {
		var members []int64
		if err := s.conn(ctx).Table("user_groups").Where("group_id = ?", *groupID).Pluck("user_id", &members).Error; err != nil {
			return nil, fmt.Errorf("store: report recipients: %w", err)
		}
		for _, u := range users {
			if e := strings.ToLower(u.Email); slices.Contains(members, u.ID) {
				addUser(e, byEmail[e])
			}
		}
	}
	return out, nil
}

// customerColumns are report columns that identify a customer. No standard
// report has one today (they count calls per campaign, agent and period);
// a report that adds one is masked in scheduled e-mails by listing it here.
var customerColumns = map[string]func(string) string{
	"phone": maskDigits, "alt_phone": maskDigits, "id_number": maskDigits,
	"contact_name": maskText, "customer_name": maskText, "email": maskText,
}

// MaskCustomerData masks the report's customer columns for recipients
// without pii_view and says whether any were present.
func MaskCustomerData(rep *Report) bool {
	found := false
	for _, col := range rep.Columns {
		mask, ok := customerColumns[col.Key]
		if !ok {
			continue
		}
		found = true
		for _, row := range rep.Rows {
			if v, ok := row[col.Key].(string); ok {
				row[col.Key] = mask(v)
			}
		}
	}
	return found
}

// maskDigits keeps the first three and last four characters.
func maskDigits(v string) string {
	r := []rune(v)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// maskText keeps the first character.
func maskText(v string) string {
	r := []rune(v)
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", max(len(r)-1, 1))
}
