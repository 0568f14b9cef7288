package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/reportfile"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// reportQuery is GET /api/v1/reports/{name}'s query.
type reportQuery struct {
	From       string             `form:"from" doc:"start, RFC 3339 or a date in tz (default: today 00:00); rollup reports count whole hours"`
	To         string             `form:"to" doc:"end, exclusive, RFC 3339 or a date in tz (default: from + 1 day)"`
	GroupBy    string             `form:"group_by" doc:"comma-separated: campaign, agent, day, hour, channel, group (inbound queues), flow (ivr); which ones depends on the report"`
	CampaignID string             `form:"campaign_id" doc:"comma-separated campaign ids"`
	AgentID    string             `form:"agent_id" doc:"comma-separated agent ids"`
	GroupID    int64              `form:"group_id" doc:"agents of this group; inbound: this group's queue"`
	Flow       string             `form:"flow" doc:"ivr: comma-separated flow names"`
	Channel    string             `form:"channel" doc:"messages: sms, email or fax"`
	TZ         string             `form:"tz" doc:"zone of days and hours (default Asia/Shanghai)"`
	Format     store.ExportFormat `form:"format" doc:"xlsx or csv returns the report as a file"`
	Lang       exportLangTag      `form:"lang" doc:"headers of a file: zh-CN (default) or en"`
}

func (s *Server) report(c *gin.Context) {
	name := store.ReportName(c.Param("name"))
	var q reportQuery
	if err := firstError(bindQuery(c, &q), checkEnum("name", name), checkEnum("format", q.Format)); err != nil {
		fail(c, err)
		return
	}
	rq, err := q.parse(s.now())
	if err != nil {
		fail(c, err)
		return
	}
	rep, err := s.store.RunReport(c.Request.Context(), name, rq)
	if err != nil {
		fail(c, err)
		return
	}
	if q.Format == "" {
		c.JSON(http.StatusOK, rep)
		return
	}
	lang, err := exportLangOf(string(q.Lang), c.GetHeader("Accept-Language"))
	if err != nil {
		fail(c, err)
		return
	}
	s.writeReport(c, rep, q.Format, s.reportHeaders(c, rep, lang))
}

// parse checks the query and fills the defaults.
func (q *reportQuery) parse(now time.Time) (store.ReportQuery, error) {
	var rq store.ReportQuery
	loc := shanghai
	if q.TZ != "" {
		l, err := time.LoadLocation(q.TZ)
		if err != nil {
			return rq, fieldError("tz", "is not a known time zone (e.g. Asia/Shanghai)")
		}
		loc = l
	}
	rq.Loc = loc
	var err error
	if rq.From, err = parseReportTime("from", q.From, loc); err != nil {
		return rq, err
	}
	if rq.To, err = parseReportTime("to", q.To, loc); err != nil {
		return rq, err
	}
	if rq.From.IsZero() {
		l := now.In(loc)
		rq.From = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	}
	if rq.To.IsZero() {
		rq.To = rq.From.AddDate(0, 0, 1)
	}
	for _, g := range splitList(q.GroupBy) {
		d := store.Dimension(g)
		if err := checkEnum("group_by", d); err != nil {
			return rq, err
		}
		rq.GroupBy = append(rq.GroupBy, d)
	}
	if rq.CampaignIDs, err = idList("campaign_id", q.CampaignID); err != nil {
		return rq, err
	}
	if rq.AgentIDs, err = idList("agent_id", q.AgentID); err != nil {
		return rq, err
	}
	rq.GroupID, rq.Channel = q.GroupID, q.Channel
	for _, f := range splitList(q.Flow) {
		if len(f) > 64 {
			return rq, fieldError("flow", "a flow name has at most 64 characters")
		}
		rq.Flows = append(rq.Flows, f)
	}
	return rq, nil
}

func parseReportTime(name, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fieldError(name, "must be RFC 3339 (2026-11-24T09:00:00+08:00) or a date (2026-11-24)")
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func idList(name, v string) ([]int64, error) {
	var out []int64
	for _, p := range splitList(v) {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 1 {
			return nil, fieldError(name, fmt.Sprintf("%q is not a positive integer id", p))
		}
		out = append(out, n)
	}
	return out, nil
}

// reportHeaders names each column in the language; a break reason's column
// takes the reason's label.
func (s *Server) reportHeaders(c *gin.Context, rep *store.Report, lang exportLang) []string {
	return reportfile.Headers(rep, string(lang), breakLabels(c.Request.Context(), s.store, lang))
}

// breakLabels are the break reasons' labels in the language, by code.
func breakLabels(ctx context.Context, st *store.Store, lang exportLang) map[string]string {
	labels := map[string]string{}
	if reasons, err := st.ListBreakReasons(ctx); err == nil {
		for _, r := range reasons {
			labels[r.Code] = r.LabelZH
			if lang == langEN {
				labels[r.Code] = r.LabelEN
			}
		}
	}
	return labels
}

// writeReport streams the report (rows, then a totals row) as a file.
func (s *Server) writeReport(c *gin.Context, rep *store.Report, format store.ExportFormat, headers []string) {
	name := fmt.Sprintf("report-%s-%s.%s", rep.Name, s.now().Format("20060102-150405"), format)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	var err error
	if format == store.ExportCSV {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		err = reportfile.CSV(c.Writer, rep, headers)
	} else {
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		err = reportfile.XLSX(c.Writer, rep, headers)
	}
	if err != nil {
		logger(c).Error("report file failed", "report", rep.Name, "err", err)
		c.Status(http.StatusInternalServerError)
	}
}

// savedReportRequest saves a custom report.
type savedReportRequest struct {
	Name        string             `json:"name"`
	Report      store.ReportName   `json:"report"`
	GroupBy     []store.Dimension  `json:"group_by,omitempty"`
	Measures    []string           `json:"measures,omitempty" doc:"columns to keep (none: all)"`
	CampaignIDs []int64            `json:"campaign_ids,omitempty"`
	AgentIDs    []int64            `json:"agent_ids,omitempty"`
	GroupID     int64              `json:"group_id,omitempty" doc:"agents of this group"`
	Period      store.ReportPeriod `json:"period"`
	SharedWith  *int64             `json:"shared_with_group_id,omitempty" doc:"members of this group may run it too"`
}

func (s *Server) createSavedReport(c *gin.Context) {
	var req savedReportRequest
	if err := firstError(bind(c, &req), checkEnum("report", req.Report), checkEnum("period", req.Period)); err != nil {
		fail(c, err)
		return
	}
	if req.SharedWith != nil {
		if _, err := s.store.GetGroup(c.Request.Context(), *req.SharedWith); err != nil {
			fail(c, fieldError("shared_with_group_id", "no such group"))
			return
		}
	}
	r := &store.SavedReport{Name: req.Name, Report: req.Report, GroupBy: req.GroupBy, Measures: req.Measures, CampaignIDs: req.CampaignIDs,
		AgentIDs: req.AgentIDs, GroupID: req.GroupID, Period: req.Period, SharedWith: req.SharedWith, OwnerID: currentUser(c).ID}
	if err := s.store.CreateSavedReport(c.Request.Context(), r); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "saved_report", r.ID)
	c.JSON(http.StatusCreated, r)
}

// savedReportPatch changes a custom report: the fields it carries, checked
// as on create.
type savedReportPatch struct {
	Name        *string             `json:"name"`
	Report      *store.ReportName   `json:"report"`
	GroupBy     *[]store.Dimension  `json:"group_by" doc:"replaces the grouping ([] none)"`
	Measures    *[]string           `json:"measures" doc:"columns to keep ([] all)"`
	CampaignIDs *[]int64            `json:"campaign_ids" doc:"[] every campaign"`
	AgentIDs    *[]int64            `json:"agent_ids" doc:"[] every agent"`
	GroupID     *int64              `json:"group_id" doc:"agents of this group; 0 clears it"`
	Period      *store.ReportPeriod `json:"period"`
	SharedWith  *int64              `json:"shared_with_group_id" doc:"members of this group may run it too; 0 stops sharing"`
}

func (p *savedReportPatch) apply(r *store.SavedReport) {
	setIf(&r.Name, p.Name)
	setIf(&r.Report, p.Report)
	setIf(&r.GroupBy, p.GroupBy)
	setIf(&r.Measures, p.Measures)
	setIf(&r.CampaignIDs, p.CampaignIDs)
	setIf(&r.AgentIDs, p.AgentIDs)
	setIf(&r.GroupID, p.GroupID)
	setIf(&r.Period, p.Period)
	setRef(&r.SharedWith, p.SharedWith)
}

// checkEnumRef checks an enum field a PATCH may leave out.
func checkEnumRef[E interface {
	~string
	store.Enum
}](field string, v *E) error {
	if v == nil {
		return nil
	}
	return checkEnum(field, *v)
}

// ownedSavedReport is the saved report of the path if the user may change
// or delete it: its owner, or an admin (so that a departed owner's reports
// can still be tidied away). A report the user only runs through a shared
// group is a 403; one the user cannot see at all a 404, as for running it.
func (s *Server) ownedSavedReport(c *gin.Context) (*store.SavedReport, bool) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return nil, false
	}
	setTarget(c, "saved_report", id) // refusals too name what they refused
	u, ctx := currentUser(c), c.Request.Context()
	admin := u.Role == store.RoleAdmin
	var r *store.SavedReport
	if admin {
		r, err = s.store.GetSavedReport(ctx, id)
	} else {
		r, err = s.store.SavedReportFor(ctx, id, u.ID)
	}
	if err != nil {
		fail(c, err)
		return nil, false
	}
	if r.OwnerID != u.ID && !admin {
		fail(c, &apiError{Status: http.StatusForbidden, Code: "forbidden",
			Message: "only the report's owner (or an admin) may change or delete it; it is shared with you to run"})
		return nil, false
	}
	return r, true
}

func (s *Server) updateSavedReport(c *gin.Context) {
	r, ok := s.ownedSavedReport(c)
	if !ok {
		return
	}
	var req savedReportPatch
	if err := firstError(bind(c, &req), checkEnumRef("report", req.Report), checkEnumRef("period", req.Period)); err != nil {
		fail(c, err)
		return
	}
	if req.SharedWith != nil && *req.SharedWith != 0 {
		if _, err := s.store.GetGroup(c.Request.Context(), *req.SharedWith); err != nil {
			fail(c, fieldError("shared_with_group_id", "no such group"))
			return
		}
	}
	req.apply(r)
	if err := s.store.UpdateSavedReport(c.Request.Context(), r); err != nil {
		fail(c, err)
		return
	}
	shared := "-"
	if r.SharedWith != nil {
		shared = fmt.Sprint(*r.SharedWith)
	}
	auditDetail(c, fmt.Sprintf("name=%q report=%s period=%s shared_with=%s owner=%d", r.Name, r.Report, r.Period, shared, r.OwnerID))
	c.JSON(http.StatusOK, r)
}

func (s *Server) deleteSavedReport(c *gin.Context) {
	r, ok := s.ownedSavedReport(c)
	if !ok {
		return
	}
	hadSchedule, err := s.store.DeleteSavedReport(c.Request.Context(), r.ID)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("name=%q owner=%d schedule_removed=%t", r.Name, r.OwnerID, hadSchedule))
	c.Status(http.StatusNoContent)
}

func (s *Server) listSavedReports(c *gin.Context) {
	out, err := s.store.SavedReportsFor(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(out, int64(len(out))))
}

// savedRunQuery is how a custom report is run.
type savedRunQuery struct {
	TZ     string             `form:"tz" doc:"zone of days and hours (default Asia/Shanghai)"`
	Format store.ExportFormat `form:"format" doc:"xlsx or csv returns a file"`
	Lang   exportLangTag      `form:"lang" doc:"headers of a file: zh-CN (default) or en"`
}

func (s *Server) runSavedReport(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var q savedRunQuery
	if err := firstError(bindQuery(c, &q), checkEnum("format", q.Format)); err != nil {
		fail(c, err)
		return
	}
	rq, err := (&reportQuery{TZ: q.TZ}).parse(s.now())
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.store.SavedReportFor(c.Request.Context(), id, currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	rep, err := s.store.RunSavedReport(c.Request.Context(), r, rq.Loc)
	if err != nil {
		fail(c, err)
		return
	}
	if q.Format == "" {
		c.JSON(http.StatusOK, rep)
		return
	}
	lang, err := exportLangOf(string(q.Lang), c.GetHeader("Accept-Language"))
	if err != nil {
		fail(c, err)
		return
	}
	s.writeReport(c, rep, q.Format, s.reportHeaders(c, rep, lang))
}
