package api

import (
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type assignmentRequest struct {
	Mode        store.AssignMode `json:"mode"`
	AgentIDs    []int64          `json:"agent_ids"`
	Count       int              `json:"count"`
	ContactID   int64            `json:"contact_id"`
	AgentID     int64            `json:"agent_id"`
	FromAgentID int64            `json:"from_agent_id"`
	ToAgentID   int64            `json:"to_agent_id"`
}

func (s *Server) assignContacts(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	var req assignmentRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Count < 0 {
		fail(c, fieldError("count", "must be 0 (all) or positive"))
		return
	}
	ctx := c.Request.Context()
	var res store.AssignResult
	var err error
	switch req.Mode {
	case store.AssignBulk:
		res, err = s.store.AssignBulkContacts(ctx, camp.ID, req.AgentIDs, req.Count)
	case store.AssignSingle:
		if req.ContactID == 0 {
			fail(c, fieldError("contact_id", "is required for single assignment"))
			return
		}
		res, err = s.store.AssignContact(ctx, camp.ID, req.ContactID, req.AgentID)
	case store.AssignReassign:
		if req.FromAgentID == 0 {
			fail(c, fieldError("from_agent_id", "is required for reassignment"))
			return
		}
		res, err = s.store.ReassignContacts(ctx, camp.ID, req.FromAgentID, req.ToAgentID, req.Count)
	case store.AssignReclaim:
		if req.FromAgentID == 0 {
			fail(c, fieldError("from_agent_id", "is required for reclaim"))
			return
		}
		res, err = s.store.ReclaimContacts(ctx, camp.ID, req.FromAgentID)
	default:
		fail(c, enumError("mode", req.Mode))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "mode="+string(req.Mode)+" moved="+itoa(res.Moved))
	c.JSON(http.StatusOK, res)
}

// myTasks is the agent's task list: contacts assigned to them, still open.
func (s *Server) myTasks(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.AgentTasks(c.Request.Context(), currentUser(c).ID, p)
	if err != nil {
		fail(c, err)
		return
	}
	mask := s.masker(c)
	for i := range items {
		if err := mask.contact(&items[i]); err != nil {
			fail(c, err)
			return
		}
	}
	if canSeePII(c) {
		if err := s.auditPII(c, PIITaskList, "user", currentUser(c).ID, int64(len(items)), ""); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, newList(items, total))
}
