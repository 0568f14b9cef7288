package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// runReply answers the run-control routes: the campaign and its new status.
type runReply struct {
	ID     int64                `json:"id"`
	Status store.CampaignStatus `json:"status"`
}

func (s *Server) startCampaign(c *gin.Context) {
	s.runControl(c, store.CampaignRunning, func(ctx context.Context, camp *store.Campaign) (*store.Campaign, error) {
		if err := s.checkIVRFlow(camp); err != nil {
			return nil, err
		}
		return s.store.StartCampaign(ctx, camp.ID)
	})
}

func (s *Server) pauseCampaign(c *gin.Context) {
	s.runControl(c, store.CampaignPaused, func(ctx context.Context, camp *store.Campaign) (*store.Campaign, error) {
		return s.store.PauseCampaign(ctx, camp.ID)
	})
}

func (s *Server) stopCampaign(c *gin.Context) {
	s.runControl(c, store.CampaignStopped, func(ctx context.Context, camp *store.Campaign) (*store.Campaign, error) {
		return s.store.StopCampaign(ctx, camp.ID)
	})
}

// runControl moves a campaign along the transition table (the body, if any,
// is ignored): 200 {"id","status"}; 409 naming both statuses when the table
// refuses; 422 with one detail per field when the campaign cannot run.
func (s *Server) runControl(c *gin.Context, to store.CampaignStatus, move func(context.Context, *store.Campaign) (*store.Campaign, error)) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	setTarget(c, "campaign", camp.ID)
	from := camp.Status
	moved, err := move(c.Request.Context(), camp)
	var te *store.TransitionError
	var nr *store.NotReadyError
	switch {
	case errors.As(err, &te):
		fail(c, newError("conflict", "campaign %d is %s and cannot become %s", te.CampaignID, te.From, te.To))
		return
	case errors.As(err, &nr):
		e := newError("unprocessable", "campaign %d cannot run: %s", camp.ID, nr.Error())
		e.Details = nr.Fields
		fail(c, e)
		return
	case err != nil:
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("status %s -> %s", from, to))
	c.JSON(http.StatusOK, runReply{ID: moved.ID, Status: moved.Status})
}

// checkIVRFlow refuses a broadcast naming a flow the IVR server does not
// have (when the server was told which flows exist).
func (s *Server) checkIVRFlow(camp *store.Campaign) error {
	if camp.DialMode != store.DialBroadcast || camp.IVRFlow == "" || s.cfg.IVRFlowKnown == nil || s.cfg.IVRFlowKnown(camp.IVRFlow) {
		return nil
	}
	return &store.NotReadyError{ValidationError: store.ValidationError{Fields: []store.FieldError{{Field: "ivr_flow",
		Message: fmt.Sprintf("no IVR flow is named %q", camp.IVRFlow)}}}}
}
