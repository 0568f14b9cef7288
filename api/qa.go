package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// scorecardRequest creates a QA scorecard.
type scorecardRequest struct {
	Name  string                `json:"name"`
	Items []store.ScorecardItem `json:"items"`
}

func (s *Server) createScorecard(c *gin.Context) {
	var req scorecardRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	sc := &store.Scorecard{Name: req.Name, Items: req.Items, CreatedBy: currentUser(c).ID}
	if err := s.store.CreateScorecard(c.Request.Context(), sc); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "scorecard", sc.ID)
	c.JSON(http.StatusCreated, sc)
}

func (s *Server) listScorecards(c *gin.Context) {
	out, err := s.store.ListScorecards(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(out, int64(len(out))))
}

// scoreRequest scores a call against a scorecard.
type scoreRequest struct {
	ScorecardID int64             `json:"scorecard_id"`
	CallID      int64             `json:"call_id"`
	Items       []store.ItemScore `json:"items"`
	Comments    []store.QAComment `json:"comments,omitempty"`
}

// mayScore applies the level rule to scoring: like listening, the agent of
// the call may not be of a higher level than the scorer, and nobody scores
// their own calls.
func (s *Server) mayScore(c *gin.Context, callID int64) error {
	u := currentUser(c)
	at, err := s.store.GetAttempt(c.Request.Context(), callID)
	if err != nil {
		return fieldError("call_id", "no such call")
	}
	if at.AgentID == u.ID && at.AgentID != 0 {
		return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "you may not score your own calls"}
	}
	if u.Role == store.RoleAdmin || at.AgentID == 0 {
		return nil
	}
	agent, err := s.store.GetUser(c.Request.Context(), at.AgentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if agent.Level > u.Level {
		return &apiError{Status: http.StatusForbidden, Code: "forbidden",
			Message: fmt.Sprintf("scoring level-%d agents needs level %d or above; yours is %d", agent.Level, agent.Level, u.Level)}
	}
	return nil
}

func (s *Server) scoreCall(c *gin.Context) {
	var req scoreRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "call", req.CallID)
	if err := s.mayScore(c, req.CallID); err != nil {
		fail(c, err)
		return
	}
	q := &store.QAScore{ScorecardID: req.ScorecardID, AttemptID: req.CallID, ScorerID: currentUser(c).ID, Items: req.Items, Comments: req.Comments}
	if err := s.store.ScoreCall(c.Request.Context(), q); err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, fmt.Sprintf("score=%d scorecard=%d total=%.2f critical_failed=%v", q.ID, q.ScorecardID, q.Total, q.CriticalFailed))
	c.JSON(http.StatusCreated, q)
}

// qaScoreQuery filters scores.
type qaScoreQuery struct {
	AgentID    int64 `form:"agent_id"`
	ScorerID   int64 `form:"scorer_id"`
	CampaignID int64 `form:"campaign_id"`
	CallID     int64 `form:"call_id"`
}

// listQAScores: scorers see every score; anyone else only their own.
func (s *Server) listQAScores(c *gin.Context) {
	var q qaScoreQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	f := store.QAFilter{AgentID: q.AgentID, ScorerID: q.ScorerID, CampaignID: q.CampaignID, AttemptID: q.CallID}
	if u := currentUser(c); !u.Can(store.PermScore) {
		f.AgentID = u.ID
	}
	out, err := s.store.ListQAScores(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(out, int64(len(out))))
}

// appealRequest is an agent's appeal of a score.
type appealRequest struct {
	Text string `json:"text"`
}

func (s *Server) appealScore(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "qa_score", id)
	var req appealRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	sc, err := s.store.GetQAScore(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	if u := currentUser(c); sc.AgentID != u.ID && u.Role != store.RoleAdmin {
		fail(c, &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "only the agent scored (or an admin for them) may appeal a score"})
		return
	}
	out, err := s.store.AppealScore(c.Request.Context(), id, req.Text)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// resolveRequest decides an appeal.
type resolveRequest struct {
	Decision store.AppealStatus `json:"decision"`
	Note     string             `json:"note,omitempty"`
}

func (s *Server) resolveAppeal(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "qa_score", id)
	var req resolveRequest
	if err := firstError(bind(c, &req), checkEnum("decision", req.Decision)); err != nil {
		fail(c, err)
		return
	}
	out, err := s.store.ResolveAppeal(c.Request.Context(), id, req.Decision, req.Note, currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "decision="+string(req.Decision))
	c.JSON(http.StatusOK, out)
}

// calibrationQuery names the call.
type calibrationQuery struct {
	CallID int64 `form:"call_id" binding:"required"`
}

func (s *Server) calibration(c *gin.Context) {
	var q calibrationQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	out, err := s.store.CalibrateCall(c.Request.Context(), q.CallID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
