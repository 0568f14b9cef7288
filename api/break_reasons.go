package api

import (
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type breakReasonRequest struct {
	Code      *string `json:"code"`
	LabelZH   *string `json:"label_zh"`
	LabelEN   *string `json:"label_en"`
	SortOrder *int    `json:"sort_order"`
}

func (r *breakReasonRequest) apply(b *store.BreakReason) {
	setIf(&b.LabelZH, r.LabelZH)
	setIf(&b.LabelEN, r.LabelEN)
	setIf(&b.SortOrder, r.SortOrder)
}

func (s *Server) listBreakReasons(c *gin.Context) {
	rs, err := s.store.ListBreakReasons(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(rs, int64(len(rs))))
}

func (s *Server) createBreakReason(c *gin.Context) {
	var req breakReasonRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	r := &store.BreakReason{}
	setIf(&r.Code, req.Code)
	req.apply(r)
	if err := s.store.CreateBreakReason(c.Request.Context(), r); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "break_reason", r.Code)
	c.JSON(http.StatusCreated, r)
}

func (s *Server) updateBreakReason(c *gin.Context) {
	var req breakReasonRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	r, err := s.store.GetBreakReason(ctx, c.Param("code"))
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "break_reason", r.Code)
	if req.Code != nil && *req.Code != r.Code {
		fail(c, fieldError("code", "cannot change; add a new reason and delete this one"))
		return
	}
	req.apply(r)
	if err := s.store.UpdateBreakReason(ctx, r); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) deleteBreakReason(c *gin.Context) {
	setTarget(c, "break_reason", c.Param("code"))
	if err := s.store.DeleteBreakReason(c.Request.Context(), c.Param("code")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
