package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// reportScheduleRequest creates or changes a saved report's schedule; a
// PATCH changes the fields it carries.
type reportScheduleRequest struct {
	Every    *store.ScheduleEvery `json:"every" doc:"daily, weekly (on weekday) or monthly (on month_day)"`
	At       *string              `json:"at" doc:"time of day HH:MM in timezone"`
	Weekday  *int                 `json:"weekday" doc:"weekly: 1 Monday … 7 Sunday"`
	MonthDay *int                 `json:"month_day" doc:"monthly: 1-31; past a month's end its last day"`
	Timezone *string              `json:"timezone" doc:"IANA zone of at and of the report's days (default Asia/Shanghai)"`
	Emails   *[]string            `json:"emails" doc:"addresses (at most 50); an address no user holding pii_view has gets customer data masked"`
	GroupID  *int64               `json:"group_id" doc:"also send to this group's members with an e-mail address; 0 clears it"`
	Lang     *string              `json:"lang" doc:"headers of the xlsx: zh-CN (default) or en"`
	Enabled  *bool                `json:"enabled" doc:"false stops the schedule (default true)"`
}

func (r *reportScheduleRequest) apply(s *store.ReportSchedule) {
	setIf(&s.Every, r.Every)
	setIf(&s.At, r.At)
	setIf(&s.Weekday, r.Weekday)
	setIf(&s.MonthDay, r.MonthDay)
	setIf(&s.Timezone, r.Timezone)
	setIf(&s.Emails, r.Emails)
	setRef(&s.GroupID, r.GroupID)
	setIf(&s.Lang, r.Lang)
	setIf(&s.Enabled, r.Enabled)
	if r.At != nil {
		s.At = strings.TrimSpace(s.At)
	}
}

// scheduledReport is the saved report of the path, if the user may run it.
func (s *Server) scheduledReport(c *gin.Context) (*store.SavedReport, bool) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return nil, false
	}
	r, err := s.store.SavedReportFor(c.Request.Context(), id, currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return r, true
}

func (s *Server) createReportSchedule(c *gin.Context) {
	r, ok := s.scheduledReport(c)
	if !ok {
		return
	}
	var req reportScheduleRequest
	if err := firstError(bind(c, &req), checkEvery(req.Every)); err != nil {
		fail(c, err)
		return
	}
	sch := &store.ReportSchedule{SavedReportID: r.ID, Enabled: true, CreatedBy: currentUser(c).ID}
	req.apply(sch)
	if err := s.store.CreateReportSchedule(c.Request.Context(), sch, s.now()); err != nil {
		if errors.Is(err, store.ErrConflict) {
			err = newError("conflict", "saved report %d already has a schedule: PATCH it", r.ID)
		}
		fail(c, err)
		return
	}
	setTarget(c, "report_schedule", sch.ID)
	auditDetail(c, scheduleDetail(r, sch))
	c.JSON(http.StatusCreated, sch)
}

func (s *Server) updateReportSchedule(c *gin.Context) {
	r, ok := s.scheduledReport(c)
	if !ok {
		return
	}
	sch, err := s.store.ReportScheduleOf(c.Request.Context(), r.ID)
	if err != nil {
		fail(c, err)
		return
	}
	var req reportScheduleRequest
	if err := firstError(bind(c, &req), checkEvery(req.Every)); err != nil {
		fail(c, err)
		return
	}
	req.apply(sch)
	if err := s.store.UpdateReportSchedule(c.Request.Context(), sch, s.now()); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "report_schedule", sch.ID)
	auditDetail(c, scheduleDetail(r, sch))
	c.JSON(http.StatusOK, sch)
}

func (s *Server) getReportSchedule(c *gin.Context) {
	r, ok := s.scheduledReport(c)
	if !ok {
		return
	}
	sch, err := s.store.ReportScheduleOf(c.Request.Context(), r.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sch)
}

func (s *Server) listReportSchedules(c *gin.Context) {
	out, err := s.store.ReportSchedulesFor(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(out, int64(len(out))))
}

// scheduleDetail is the audit line of a schedule change: who receives it.
func scheduleDetail(r *store.SavedReport, sch *store.ReportSchedule) string {
	group := "-"
	if sch.GroupID != nil {
		group = fmt.Sprint(*sch.GroupID)
	}
	return fmt.Sprintf("saved_report=%d every=%s at=%s tz=%s enabled=%t emails=%s group=%s", r.ID, sch.Every, sch.At,
		sch.Timezone, sch.Enabled, strings.Join(sch.Emails, ","), group)
}

func checkEvery(e *store.ScheduleEvery) error {
	if e == nil {
		return nil
	}
	return checkEnum("every", *e)
}
