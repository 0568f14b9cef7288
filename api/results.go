package api

import (
	"fmt"
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// campaignResults is GET /api/v1/campaigns/{id}/results: the result analysis
// (R12): funnel by attempt number, outcomes, dispositions (refusals), number
// statuses and contacts left by status and last result.
func (s *Server) campaignResults(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	res, err := s.store.CampaignResultAnalysis(c.Request.Context(), camp.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// resultActionRequest is a handling action taken from the result analysis.
type resultActionRequest struct {
	Action      store.ResultAction    `json:"action" doc:"recycle (a new pass: pending, attempt counts reset), maintenance, or blacklist_invalid (every number found invalid; needs dnc_manage)"`
	Statuses    []store.ContactStatus `json:"statuses,omitempty" doc:"contacts in these statuses (recycle, maintenance)"`
	LastResults []string              `json:"last_results,omitempty" doc:"and with these last results (none = any)"`
}

func (s *Server) campaignResultAction(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	setTarget(c, "campaign", camp.ID)
	var req resultActionRequest
	if err := firstError(bind(c, &req), checkEnum("action", req.Action)); err != nil {
		fail(c, err)
		return
	}
	u := currentUser(c)
	if req.Action == store.ActionBlacklistInvalid && !u.Can(store.PermDNCManage) {
		fail(c, newError("permission_denied", "blacklisting numbers needs the dnc_manage permission"))
		return
	}
	done, err := s.store.ApplyResultAction(c.Request.Context(), camp.ID, store.ResultActionRequest{Action: req.Action,
		Statuses: req.Statuses, LastResults: req.LastResults, By: u.ID})
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("action=%s statuses=%v last_results=%v contacts=%d listed=%d", req.Action, req.Statuses, req.LastResults, done.Contacts, done.Listed))
	c.JSON(http.StatusOK, done)
}
