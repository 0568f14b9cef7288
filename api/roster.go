package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type rosterRequest struct {
	Entries []store.RosterCell `json:"entries"`
}

type rosterChanged struct {
	Changed int `json:"changed"`
}

// setRoster sets, replaces or clears single roster cells; a bad cell is
// named by its row and nothing changes.
func (s *Server) setRoster(c *gin.Context) {
	var req rosterRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	n, err := s.store.SetRoster(c.Request.Context(), req.Entries, currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, strconv.Itoa(n)+" cells")
	c.JSON(http.StatusOK, rosterChanged{Changed: n})
}

type rosterAssignRequest struct {
	AgentIDs []int64 `json:"agent_ids"`
	GroupID  int64   `json:"group_id"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	Weekdays []int   `json:"weekdays"` // 1 = Monday ... 7 = Sunday; empty = every day
	ShiftID  *int64  `json:"shift_id"`
	DayOff   bool    `json:"day_off"`
	Clear    bool    `json:"clear"`
	Note     string  `json:"note"`
}

// assignRoster gives agents a shift (or days off, or nothing) over a range.
func (s *Server) assignRoster(c *gin.Context) {
	var req rosterAssignRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	n, err := s.store.AssignRoster(c.Request.Context(), store.RosterAssignment{AgentIDs: req.AgentIDs, GroupID: req.GroupID,
		From: req.From, To: req.To, Weekdays: req.Weekdays, ShiftID: req.ShiftID, DayOff: req.DayOff, Clear: req.Clear,
		Note: req.Note, By: currentUser(c).ID})
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, req.From+".."+req.To+", "+strconv.Itoa(n)+" cells")
	c.JSON(http.StatusOK, rosterChanged{Changed: n})
}

func (s *Server) listRoster(c *gin.Context) {
	f := store.RosterFilter{From: c.Query("from"), To: c.Query("to")}
	var err error
	if f.AgentID, err = int64Query(c, "agent_id"); err != nil {
		fail(c, err)
		return
	}
	if f.GroupID, err = int64Query(c, "group_id"); err != nil {
		fail(c, err)
		return
	}
	if f.Page, err = pageParams(c); err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListRoster(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// myShifts is the caller's own roster, by default from today for 31 days.
func (s *Server) myShifts(c *gin.Context) {
	from, to := s.dateRange(c, 30)
	f := store.RosterFilter{From: from, To: to, AgentID: currentUser(c).ID}
	var err error
	if f.Page, err = pageParams(c); err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListRoster(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// dateRange reads ?from&to, defaulting to today and today+days (Shanghai).
func (s *Server) dateRange(c *gin.Context, days int) (string, string) {
	today := s.now().In(shanghai)
	from, to := c.Query("from"), c.Query("to")
	if from == "" {
		from = today.Format(time.DateOnly)
	}
	if to == "" {
		to = today.AddDate(0, 0, days).Format(time.DateOnly)
	}
	return from, to
}
