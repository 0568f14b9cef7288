package api

import (
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type groupRequest struct {
	Name        *string          `json:"name"`
	Kind        *store.GroupKind `json:"kind"`
	Description *string          `json:"description"`
}

func (r *groupRequest) apply(g *store.Group) {
	setIf(&g.Name, r.Name)
	setIf(&g.Kind, r.Kind)
	setIf(&g.Description, r.Description)
}

func (s *Server) createGroup(c *gin.Context) {
	var req groupRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	g := &store.Group{Kind: store.GroupAgent}
	req.apply(g)
	if err := s.store.CreateGroup(c.Request.Context(), g); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "group", g.ID)
	c.JSON(http.StatusCreated, g)
}

func (s *Server) listGroups(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var q groupQuery
	if err := firstError(bindQuery(c, &q), q.check()); err != nil {
		fail(c, err)
		return
	}
	gs, total, err := s.store.ListGroups(c.Request.Context(), q.Kind, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(gs, total))
}

func (s *Server) updateGroup(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req groupRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	g, err := s.store.GetGroup(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	req.apply(g)
	if err := s.store.UpdateGroup(c.Request.Context(), g); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (s *Server) deleteGroup(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteGroup(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
