package api

import (
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type shiftRequest struct {
	Name         *string `json:"name"`
	Start        *string `json:"start"` // HH:MM
	End          *string `json:"end"`   // HH:MM; not after start = the next day
	BreakMinutes *int    `json:"break_minutes"`
	Timezone     *string `json:"timezone"`
	Description  *string `json:"description"`
}

func (r *shiftRequest) apply(sh *store.Shift) {
	setIf(&sh.Name, r.Name)
	setIf(&sh.Start, r.Start)
	setIf(&sh.End, r.End)
	setIf(&sh.BreakMinutes, r.BreakMinutes)
	setIf(&sh.Timezone, r.Timezone)
	setIf(&sh.Description, r.Description)
}

func (s *Server) createShift(c *gin.Context) {
	var req shiftRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	sh := &store.Shift{Timezone: store.DefaultTimezone}
	req.apply(sh)
	if err := s.store.CreateShift(c.Request.Context(), sh); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "shift", sh.ID)
	c.JSON(http.StatusCreated, sh)
}

func (s *Server) listShifts(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListShifts(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

func (s *Server) getShift(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	sh, err := s.store.GetShift(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sh)
}

func (s *Server) updateShift(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req shiftRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	sh, err := s.store.GetShift(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	req.apply(sh)
	if err := s.store.UpdateShift(c.Request.Context(), sh); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, sh)
}

func (s *Server) deleteShift(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteShift(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
