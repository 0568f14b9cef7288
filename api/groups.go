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
	// Queue treatment (store.GroupQueue): what a waiting customer hears and
	// when voicemail is offered.
	AnnounceEveryS   *int    `json:"announce_every_s" doc:"announce every N seconds (0: never; 5-3600)"`
	AnnouncePosition *bool   `json:"announce_position" doc:"say the caller's position in the queue"`
	AnnounceWait     *bool   `json:"announce_wait" doc:"say the expected wait in minutes (once the group has served two queued callers)"`
	MaxWaitS         *int    `json:"max_wait_s" doc:"after this wait the caller is offered voicemail (0: no limit)"`
	Voicemail        *bool   `json:"voicemail" doc:"offer voicemail after max_wait_s, or at once with nobody of the group signed in"`
	VoicemailMaxS    *int    `json:"voicemail_max_s" doc:"longest voicemail in seconds (0: 120; 5-600)"`
	NotifyEmail      *string `json:"notify_email" doc:"e-mail told of each new voicemail (empty: none)"`
}

func (r *groupRequest) apply(g *store.Group) {
	setIf(&g.Name, r.Name)
	setIf(&g.Kind, r.Kind)
	setIf(&g.Description, r.Description)
	setIf(&g.AnnounceEveryS, r.AnnounceEveryS)
	setIf(&g.AnnouncePosition, r.AnnouncePosition)
	setIf(&g.AnnounceWait, r.AnnounceWait)
	setIf(&g.MaxWaitS, r.MaxWaitS)
	setIf(&g.Voicemail, r.Voicemail)
	setIf(&g.VoicemailMaxS, r.VoicemailMaxS)
	setIf(&g.NotifyEmail, r.NotifyEmail)
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
