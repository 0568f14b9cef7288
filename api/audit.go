package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// auditAs names what a route does, e.g. "user.create", and the status it
// answers when it succeeds; set per route.
func auditAs(action string, okStatus int) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set("audit_action", action)
		c.Set("audit_ok_status", okStatus)
		c.Next()
	}
}

// setTarget records the object a handler acted on, for the audit entry.
func setTarget(c *gin.Context, kind string, id any) {
	if e := pendingEntry(c); e != nil {
		e.TargetType, e.TargetID = kind, toString(id)
	}
}

// auditDetail adds a short note (never secrets or customer data) to the entry.
func auditDetail(c *gin.Context, detail string) {
	if e := pendingEntry(c); e != nil {
		e.Detail = detail
	}
}

func pendingEntry(c *gin.Context) *store.AuditEntry {
	e, _ := c.Value("audit_entry").(*store.AuditEntry)
	return e
}

// refineAudit names what the request did more precisely than its route's
// action, within the same family: the client-events route ("client.event")
// records a copy as "client.copy". Call it before the request's first
// change, which writes the entry.
func refineAudit(c *gin.Context, action string) {
	e := pendingEntry(c)
	switch {
	case e == nil:
	case auditFamily(action) != auditFamily(e.Action) || store.AuditWritten(c.Request.Context()):
		logger(c).Error("audit action not refined", "action", e.Action, "refined", action)
	default:
		e.Action = action
	}
}

// auditFamily is what an action acts on: "client" for "client.copy".
func auditFamily(action string) string {
	family, _, _ := strings.Cut(action, ".")
	return family
}

// skipFloodAudit marks a refusal of a flood whose first refusal already has
// its entry: it writes none, so that a script cannot flood the audit log
// (as with sign-in floods, auditLimited). Only for refusals, which change
// nothing.
func skipFloodAudit(c *gin.Context) { c.Set("audit_flood", true) }

// audit gives every audited request (all mutating routes, and reads that
// matter: export, listen) exactly one entry of its own, whatever its
// outcome; its action is the route's, or a more precise one of the same
// family (refineAudit). The entry rides in the request's context: the
// action's first change writes it in the same transaction
// (store.WithAudit), so an accepted action always has its entry, and an
// entry that cannot be written fails the action. Once the handler is done
// the entry is completed with the final status, target and detail; a
// request that changed nothing (a refusal, a failure) gets its entry
// written then, except a repeated refusal of a flood (skipFloodAudit).
//
// Besides its own entry, a request that shows unmasked customer data
// writes a data-access entry (pii.*, auditPII), on audited routes and on
// plain reads alike.
func (s *Server) audit(c *gin.Context) {
	action := c.GetString("audit_action")
	u := currentUser(c)
	e := &store.AuditEntry{
		Action: action, RequestID: c.GetString("request_id"), IP: c.ClientIP(), At: s.now(),
		UserID: u.ID, Username: u.Username, Role: string(u.Role),
		Status: c.GetInt("audit_ok_status"), Result: "ok",
	}
	creates := strings.HasSuffix(action, ".create")
	if !creates {
		e.TargetID = c.Param("id") // a create's target is the row it creates (store.WithAudit)
	}
	c.Set("audit_entry", e)
	ctx := c.Request.Context()
	c.Request = c.Request.WithContext(store.WithAudit(ctx, e))
	c.Next()
	status := c.Writer.Status()
	e.Status, e.Result = status, result(status)
	if e.TargetID == "" && c.Param("id") != "" { // a refused create under a parent: name the parent
		e.TargetType, e.TargetID = parentKind(c.FullPath()), c.Param("id")
	}
	if e.TargetType == "" && e.TargetID != "" {
		e.TargetType, _, _ = strings.Cut(action, ".") // "user.update" acts on a user
	}
	if len(c.Errors) > 0 && status >= 400 && status < 500 {
		e.Detail = strings.TrimSpace(e.Detail + " " + truncateStr(c.Errors.Last().Error(), 500))
	}
	// The request's context may be cancelled by now; the entry must still land.
	ctx = context.WithoutCancel(ctx)
	write := s.store.Audit
	switch {
	case store.AuditWritten(c.Request.Context()):
		write = s.store.CompleteAudit
	case c.GetBool("audit_flood"):
		return
	}
	if err := write(ctx, e); err != nil {
		logger(c).Error("audit write failed", "action", action, "err", err)
	}
}

// parentKind is the kind of object a nested route hangs off:
// /api/v1/campaigns/:id/imports gives "campaign".
func parentKind(route string) string {
	before, _, _ := strings.Cut(route, "/:id")
	return strings.TrimSuffix(before[strings.LastIndex(before, "/")+1:], "s")
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

func (s *Server) listAudit(c *gin.Context) {
	f := store.AuditFilter{Username: c.Query("user"), Action: c.Query("action"), TargetType: c.Query("target_type"), TargetID: c.Query("target_id")}
	var err error
	if f.UserID, err = int64Query(c, "user_id"); err != nil {
		fail(c, err)
		return
	}
	if f.From, err = parseTimeParam("from", c.Query("from")); err != nil {
		fail(c, err)
		return
	}
	if f.To, err = parseTimeParam("to", c.Query("to")); err != nil {
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
