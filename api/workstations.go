package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// workstationHeader is how the agent desktop names the PC it runs on (the
// name the PC's usb-lock script reports under).
const workstationHeader = "X-Workstation"

type workstationRequest struct {
	Name string `json:"name"`
	Note string `json:"note"`
}

// workstationView is a workstation as the admin pages show it: locked says
// whether softphone sign-in would accept its last report's state, fresh
// whether that report is recent enough. Token appears once, on create and
// on rotation.
type workstationView struct {
	store.Workstation
	Locked bool   `json:"locked"`
	Fresh  bool   `json:"fresh"`
	Token  string `json:"token,omitempty"`
}

func (s *Server) workstationView(w *store.Workstation) workstationView {
	fresh := w.ReportedAt != nil && s.now().Sub(*w.ReportedAt) <= s.cfg.DLP.maxReportAge()
	return workstationView{Workstation: *w, Locked: w.State == store.LockLocked, Fresh: fresh}
}

func (s *Server) createWorkstation(c *gin.Context) {
	var req workstationRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	w := &store.Workstation{Name: req.Name, Note: req.Note, CreatedBy: currentUser(c).ID}
	token, err := s.store.CreateWorkstation(c.Request.Context(), w)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "workstation", w.ID)
	auditDetail(c, "name="+w.Name)
	v := s.workstationView(w)
	v.Token = token
	c.JSON(http.StatusCreated, v)
}

func (s *Server) listWorkstations(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var q workstationQuery
	if err := firstError(bindQuery(c, &q), q.check()); err != nil {
		fail(c, err)
		return
	}
	f := store.WorkstationFilter{Q: strings.TrimSpace(q.Q), Page: p, State: q.State.lockState()}
	items, total, err := s.store.ListWorkstations(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]workstationView, len(items))
	for i := range items {
		views[i] = s.workstationView(&items[i])
	}
	c.JSON(http.StatusOK, newList(views, total))
}

type workstationQuery struct {
	State lockStateFilter `form:"state"`
	Q     string          `form:"q" doc:"name starts with"`
}

func (q *workstationQuery) check() error { return checkEnum("state", q.State) }

// lockStateFilter picks workstations by lock state: a state a script
// reports, or "unknown" for those that never reported.
type lockStateFilter string

const lockUnknownFilter lockStateFilter = "unknown"

// EnumValues: the reported states, then unknown.
func (lockStateFilter) EnumValues() []string {
	return append(store.LockUnknown.EnumValues(), string(lockUnknownFilter))
}

// lockState is the stored state the filter selects; nil selects any.
func (f lockStateFilter) lockState() *store.LockState {
	if f == "" {
		return nil
	}
	st := store.LockState(f)
	if f == lockUnknownFilter {
		st = store.LockUnknown
	}
	return &st
}

func (s *Server) rotateWorkstationToken(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	w, token, err := s.store.RotateWorkstationToken(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "name="+w.Name)
	v := s.workstationView(w)
	v.Token = token
	c.JSON(http.StatusOK, v)
}

func (s *Server) deleteWorkstation(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteWorkstation(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// authenticateWorkstation resolves the workstation token of the usb-lock
// scripts; a user's session token is not one. Refusals are audited: a bad
// token is someone guessing.
func (s *Server) authenticateWorkstation(c *gin.Context) {
	token, _ := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if token == "" {
		fail(c, newError("unauthenticated", "send Authorization: Bearer <workstation token> (issued by POST /api/v1/workstations)"))
		return
	}
	w, err := s.store.WorkstationByToken(c.Request.Context(), token)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.auditWorkstation(c, nil, "denied", http.StatusUnauthorized, "unknown workstation token")
			fail(c, newError("unauthenticated", "workstation token is invalid; issue a new one with POST /api/v1/workstations/{id}/token"))
			return
		}
		fail(c, err)
		return
	}
	c.Set("workstation", w)
	c.Next()
}

type workstationReportRequest struct {
	Name     string            `json:"name"` // optional; must match the token's workstation
	State    store.LockState   `json:"state"`
	Platform string            `json:"platform"` // linux, windows
	Details  map[string]string `json:"details"`  // what the script checked, for the admin page
}

type workstationReportResponse struct {
	Name     string          `json:"name"`
	State    store.LockState `json:"state"`
	Required bool            `json:"locked_required"` // security.require_locked_workstation
}

// reportWorkstation takes a usb-lock script's report. It is audited when the
// state changes (and on the first report), not every few minutes.
func (s *Server) reportWorkstation(c *gin.Context) {
	w := c.MustGet("workstation").(*store.Workstation)
	var req workstationReportRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Name != "" && store.NormalizeWorkstationName(req.Name) != w.Name {
		fail(c, fieldError("name", fmt.Sprintf("this token belongs to workstation %s", w.Name)))
		return
	}
	prev := w.State
	rep := store.WorkstationReport{State: req.State, Platform: req.Platform, Address: c.ClientIP(), Details: req.Details}
	if err := s.store.RecordWorkstationReport(c.Request.Context(), w, rep); err != nil {
		fail(c, err)
		return
	}
	if prev != w.State {
		s.auditWorkstation(c, w, "ok", http.StatusOK, fmt.Sprintf("state=%s previous=%s platform=%s", w.State, orUnknown(prev), w.Platform))
	}
	c.JSON(http.StatusOK, workstationReportResponse{Name: w.Name, State: w.State, Required: s.cfg.DLP.RequireLockedWorkstation})
}

func orUnknown(l store.LockState) string {
	if l == store.LockUnknown {
		return "unknown"
	}
	return string(l)
}

// auditWorkstation writes the audit entry of a report: there is no user,
// the workstation is the actor.
func (s *Server) auditWorkstation(c *gin.Context, w *store.Workstation, res string, status int, detail string) {
	e := &store.AuditEntry{Action: "workstation.report", TargetType: "workstation", RequestID: c.GetString("request_id"),
		IP: c.ClientIP(), Result: res, Status: status, Detail: detail}
	if w != nil {
		e.TargetID, e.Username = itoa(w.ID), "workstation:"+w.Name
	}
	if err := s.store.Audit(c.Request.Context(), e); err != nil {
		logger(c).Error("audit workstation report", "err", err)
	}
}

// workstationCheck is the answer of GET /api/v1/me/workstation: whether the
// desktop's workstation would let the agent sign the softphone in, and why not.
type workstationCheck struct {
	Name       string          `json:"name"`
	Registered bool            `json:"registered"`
	State      store.LockState `json:"state"`
	ReportedAt *time.Time      `json:"reported_at,omitempty"`
	Required   bool            `json:"locked_required"`
	Allowed    bool            `json:"allowed"`
	Reason     string          `json:"reason,omitempty"`
}

func (s *Server) myWorkstation(c *gin.Context) {
	name := c.GetHeader(workstationHeader)
	w, err := s.store.WorkstationLocked(c.Request.Context(), name, c.ClientIP(), s.cfg.DLP.maxReportAge())
	out := workstationCheck{Name: store.NormalizeWorkstationName(name), Required: s.cfg.DLP.RequireLockedWorkstation}
	if w != nil {
		out.Registered, out.State, out.ReportedAt = true, w.State, w.ReportedAt
	}
	if err != nil && !errors.Is(err, store.ErrWorkstationRefused) {
		fail(c, err)
		return
	}
	out.Allowed = err == nil || !out.Required
	if err != nil {
		out.Reason = refusalReason(err)
	}
	c.JSON(http.StatusOK, out)
}

// checkWorkstation is what softphone sign-in (POST /api/v1/me/softphone/login)
// calls before signing the agent in:
//
//	if err := s.checkWorkstation(c); err != nil { fail(c, err); return }
//
// With security.require_locked_workstation on, the desktop must name its PC
// in the X-Workstation header and that PC must have reported USB storage
// locked within security.workstation_report_max_age, from the address this
// request comes from; otherwise a 403 names the reason. Either way a named,
// registered workstation records the agent as last seen there.
func (s *Server) checkWorkstation(c *gin.Context) error {
	ctx := c.Request.Context()
	w, err := s.store.WorkstationLocked(ctx, c.GetHeader(workstationHeader), c.ClientIP(), s.cfg.DLP.maxReportAge())
	if w != nil {
		if nerr := s.store.NoteWorkstationAgent(ctx, w.ID, currentUser(c).ID); nerr != nil {
			return nerr
		}
	}
	switch {
	case err == nil || (errors.Is(err, store.ErrWorkstationRefused) && !s.cfg.DLP.RequireLockedWorkstation):
		return nil
	case errors.Is(err, store.ErrWorkstationRefused):
		return newError("permission_denied", "softphone sign-in needs a USB-locked workstation: %s", refusalReason(err))
	}
	return err
}

func refusalReason(err error) string {
	return strings.TrimPrefix(err.Error(), store.ErrWorkstationRefused.Error()+": ")
}
