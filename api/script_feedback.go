package api

import (
	"fmt"
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

// feedbackRequest flags a node of a script (R31).
type feedbackRequest struct {
	Version int    `json:"version" doc:"0: the published version (else the newest)"`
	NodeID  string `json:"node_id"`
	Comment string `json:"comment"`
}

// feedbackAnswer is a manager's answer to feedback.
type feedbackAnswer struct {
	Answer string               `json:"answer"`
	Status store.FeedbackStatus `json:"status" doc:"default answered"`
}

// feedbackQuery filters the feedback list.
type feedbackQuery struct {
	ScriptID int64                `form:"script_id"`
	Status   store.FeedbackStatus `form:"status"`
}

func (s *Server) createScriptFeedback(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req feedbackRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	f := &store.ScriptFeedback{ScriptID: id, Version: req.Version, NodeID: req.NodeID, AgentID: currentUser(c).ID, Comment: req.Comment}
	if err := s.store.CreateScriptFeedback(c.Request.Context(), f); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "script_feedback", f.ID)
	auditDetail(c, fmt.Sprintf("script=%d version=%d node=%s", f.ScriptID, f.Version, f.NodeID))
	c.JSON(http.StatusCreated, f)
}

func (s *Server) listScriptFeedback(c *gin.Context) {
	s.feedbackList(c, 0)
}

func (s *Server) myScriptFeedback(c *gin.Context) {
	s.feedbackList(c, currentUser(c).ID)
}

func (s *Server) feedbackList(c *gin.Context, agent int64) {
	var q feedbackQuery
	if err := firstError(bindQuery(c, &q), checkEnum("status", q.Status)); err != nil {
		fail(c, err)
		return
	}
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListScriptFeedback(c.Request.Context(), store.FeedbackFilter{ScriptID: q.ScriptID, AgentID: agent, Status: q.Status, Page: p})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

func (s *Server) answerScriptFeedback(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req feedbackAnswer
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "script_feedback", id)
	f, err := s.store.AnswerScriptFeedback(c.Request.Context(), id, currentUser(c).ID, req.Answer, req.Status)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "status="+string(f.Status))
	c.JSON(http.StatusOK, f)
}

// answerReportQuery picks the report's format.
type answerReportQuery struct {
	Format store.ExportFormat `form:"format" doc:"empty: JSON; xlsx: a workbook with the answers and the outcomes"`
}

// scriptAnswerReport answers per question and per outcome for a campaign.
func (s *Server) scriptAnswerReport(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var q answerReportQuery
	if err := firstError(bindQuery(c, &q), checkEnum("format", q.Format)); err != nil {
		fail(c, err)
		return
	}
	if q.Format == store.ExportCSV {
		fail(c, fieldError("format", "the answer report is JSON or xlsx"))
		return
	}
	rep, err := s.store.ScriptAnswerReport(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	if q.Format == "" {
		c.JSON(http.StatusOK, rep)
		return
	}
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="script-answers-%d.xlsx"`, id))
	if err := writeAnswerReport(c, rep); err != nil {
		logger(c).Error("answer report failed", "campaign_id", id, "err", err)
		c.Status(http.StatusInternalServerError)
	}
}

// writeAnswerReport writes two sheets: 答案 (one row per question and
// answer, a column per outcome) and 结果 (sessions per outcome).
func writeAnswerReport(c *gin.Context, rep *store.AnswerReport) error {
	f := excelize.NewFile()
	defer f.Close()
	outcomes := map[string]bool{}
	for _, q := range rep.Questions {
		for _, v := range q.Values {
			for o := range v.ByOutcome {
				outcomes[o] = true
			}
		}
	}
	var cols []string
	for _, o := range rep.Outcomes {
		if outcomes[o.Outcome] {
			cols = append(cols, o.Outcome)
			delete(outcomes, o.Outcome)
		}
	}
	const answers, results = "答案", "结果"
	if err := f.SetSheetName("Sheet1", answers); err != nil {
		return err
	}
	header := []any{"话术ID", "版本", "节点", "问题", "答案", "选项", "次数"}
	for _, o := range cols {
		header = append(header, "结果:"+outcomeLabel(o))
	}
	row := 1
	set := func(sheet string, vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return f.SetSheetRow(sheet, cell, &vals)
	}
	if err := set(answers, header); err != nil {
		return err
	}
	for _, q := range rep.Questions {
		for _, v := range q.Values {
			line := []any{q.ScriptID, q.Version, q.NodeID, q.Text, v.Value, v.Label, v.Count}
			for _, o := range cols {
				line = append(line, v.ByOutcome[o])
			}
			if err := set(answers, line); err != nil {
				return err
			}
		}
	}
	if _, err := f.NewSheet(results); err != nil {
		return err
	}
	row = 1
	if err := set(results, []any{"结果", "处理结果", "通数"}); err != nil {
		return err
	}
	for _, o := range rep.Outcomes {
		if err := set(results, []any{outcomeLabel(o.Outcome), o.Disposition, o.Count}); err != nil {
			return err
		}
	}
	_, err := f.WriteTo(c.Writer)
	return err
}

func outcomeLabel(o string) string {
	if o == "" {
		return "(未结束)"
	}
	return o
}
