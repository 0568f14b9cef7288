package api

import (
	"net/http"
	"strconv"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// calendarRequest creates or changes a calendar; windows and dates, when
// given, replace the whole list.
type calendarRequest struct {
	Name                *string                 `json:"name"`
	Timezone            *string                 `json:"timezone"`
	UseOfficialHolidays *bool                   `json:"use_official_holidays"`
	Windows             *[]store.CalendarWindow `json:"windows"`
	Dates               *[]store.CalendarDate   `json:"dates"`
}

func (r *calendarRequest) apply(cal *store.Calendar) {
	setIf(&cal.Name, r.Name)
	setIf(&cal.Timezone, r.Timezone)
	setIf(&cal.UseOfficialHolidays, r.UseOfficialHolidays)
	setIf(&cal.Windows, r.Windows)
	setIf(&cal.Dates, r.Dates)
}

func (s *Server) createCalendar(c *gin.Context) {
	var req calendarRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	cal := &store.Calendar{Timezone: store.DefaultTimezone, UseOfficialHolidays: true}
	req.apply(cal)
	if err := s.store.CreateCalendar(c.Request.Context(), cal); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "calendar", cal.ID)
	c.JSON(http.StatusCreated, cal)
}

func (s *Server) listCalendars(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	cals, total, err := s.store.ListCalendars(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(cals, total))
}

func (s *Server) getCalendar(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	cal, err := s.store.GetCalendar(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cal)
}

func (s *Server) updateCalendar(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req calendarRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	cal, err := s.store.GetCalendar(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	req.apply(cal)
	if err := s.store.UpdateCalendar(c.Request.Context(), cal); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cal)
}

func (s *Server) deleteCalendar(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteCalendar(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// holidayRequest adds one date to the official schedule.
type holidayRequest struct {
	Date *string         `json:"date"`
	Name *string         `json:"name"`
	Kind *store.DateKind `json:"kind"`
}

func (r *holidayRequest) apply(h *store.Holiday) {
	setIf(&h.Date, r.Date)
	setIf(&h.Name, r.Name)
	setIf(&h.Kind, r.Kind)
}

func (s *Server) createHoliday(c *gin.Context) {
	var req holidayRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	h := &store.Holiday{}
	req.apply(h)
	if err := s.store.CreateHoliday(c.Request.Context(), h); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "holiday", h.ID)
	auditDetail(c, h.Date+" "+string(h.Kind))
	c.JSON(http.StatusCreated, h)
}

func (s *Server) listHolidays(c *gin.Context) {
	f := store.HolidayFilter{}
	var err error
	if f.Page, err = pageParams(c); err != nil {
		fail(c, err)
		return
	}
	if v := c.Query("year"); v != "" {
		if f.Year, err = strconv.Atoi(v); err != nil || f.Year < 1900 || f.Year > 9999 {
			fail(c, fieldError("year", "must be a year such as 2026"))
			return
		}
	}
	hs, total, err := s.store.ListHolidays(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(hs, total))
}

func (s *Server) deleteHoliday(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteHoliday(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
