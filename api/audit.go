package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// auditAction names what a route does, e.g. "user.create"; set per route.
func auditAs(action string) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set("audit_action", action)
		c.Next()
	}
}

// setTarget records the object a handler acted on, for the audit entry.
func setTarget(c *gin.Context, kind string, id any) {
	c.Set("audit_target_type", kind)
	c.Set("audit_target_id", toString(id))
}

// auditDetail adds a short note (never secrets or customer data) to the entry.
func auditDetail(c *gin.Context, detail string) { c.Set("audit_detail", detail) }

// audit writes an entry after every audited request (all mutating routes,
// and reads that matter: export, listen), whatever its outcome.
func (s *Server) audit(c *gin.Context) {
	c.Next()
	action := c.GetString("audit_action")
	if action == "" {
		return
	}
	status := c.Writer.Status()
	e := &store.AuditEntry{
		Action: action, TargetType: c.GetString("audit_target_type"), TargetID: c.GetString("audit_target_id"),
		RequestID: c.GetString("request_id"), IP: c.ClientIP(), Status: status, Result: result(status),
		Detail: c.GetString("audit_detail"), At: time.Now(),
	}
	if v, ok := c.Get("user"); ok {
		u := v.(*store.User)
		e.UserID, e.Username, e.Role = u.ID, u.Username, string(u.Role)
	}
	if e.TargetID == "" {
		e.TargetID = c.Param("id")
	}
	if e.TargetType == "" && e.TargetID != "" {
		e.TargetType, _, _ = strings.Cut(action, ".") // "user.update" acts on a user
	}
	if len(c.Errors) > 0 && e.Detail == "" && status < 500 {
		e.Detail = truncateStr(c.Errors.Last().Error(), 500)
	}
	// The request's context may be cancelled by now; the entry must still land.
	if err := s.store.Audit(c.Copy().Request.Context(), e); err != nil {
		logger(c).Error("audit write failed", "action", action, "err", err)
	}
}

func result(status int) string {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return "denied"
	case status >= 400:
		return "failed"
	}
	return "ok"
}

type auditQuery struct {
	User       string `form:"user"`
	UserID     int64  `form:"user_id"`
	Action     string `form:"action"`
	TargetType string `form:"target_type"`
	TargetID   string `form:"target_id"`
	From       string `form:"from"`
	To         string `form:"to"`
}

func (s *Server) listAudit(c *gin.Context) {
	var q auditQuery
	if err := c.ShouldBindQuery(&q); err != nil {
		fail(c, newError("invalid_argument", "query: %v", err))
		return
	}
	f := store.AuditFilter{Username: q.User, UserID: q.UserID, Action: q.Action, TargetType: q.TargetType, TargetID: q.TargetID}
	var err error
	if f.From, err = parseTimeParam("from", q.From); err != nil {
		fail(c, err)
		return
	}
	if f.To, err = parseTimeParam("to", q.To); err != nil {
		fail(c, err)
		return
	}
	if f.Page, err = pageParams(c); err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListAudit(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

func parseTimeParam(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fieldError(name, "must be RFC 3339 (2026-11-24T09:00:00+08:00) or a date (2026-11-24)")
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	}
	return ""
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func truncateStr(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
