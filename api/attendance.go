package api

import (
	"net/http"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// attendance compares sign-ins and breaks with the roster, per agent per day.
func (s *Server) attendance(c *gin.Context) {
	f := store.AttendanceFilter{From: c.Query("from"), To: c.Query("to"), Timezone: c.Query("tz")}
	var err error
	if f.AgentID, err = int64Query(c, "agent_id"); err != nil {
		fail(c, err)
		return
	}
	if f.GroupID, err = int64Query(c, "group_id"); err != nil {
		fail(c, err)
		return
	}
	s.answerAttendance(c, f)
}

// myAttendance is the caller's own attendance, by default the last 31 days.
func (s *Server) myAttendance(c *gin.Context) {
	from, to := s.dateRange(c, 0)
	if c.Query("from") == "" {
		t, _ := time.Parse(time.DateOnly, to)
		from = t.AddDate(0, 0, -30).Format(time.DateOnly)
	}
	s.answerAttendance(c, store.AttendanceFilter{From: from, To: to, AgentID: currentUser(c).ID, Timezone: c.Query("tz")})
}

func (s *Server) answerAttendance(c *gin.Context, f store.AttendanceFilter) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	days, err := s.store.Attendance(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(pageOf(days, p), int64(len(days))))
}

// pageOf cuts one page out of a computed list.
func pageOf[T any](items []T, p store.Page) []T {
	size, n := p.Size, p.Number
	if size <= 0 {
		size = 50
	}
	if n < 1 {
		n = 1
	}
	lo := min((n-1)*size, len(items))
	return items[lo:min(lo+size, len(items))]
}
