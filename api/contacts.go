package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// maxIngest bounds one ingest request; bigger loads go through file imports.
const maxIngest = 10000

type ingestRequest struct {
	Contacts []importer.ContactInput `json:"contacts"`
}

// ingestContacts is the HTTP ingest API for the bank's business systems: the
// same validation and counting as a file import, answered synchronously.
func (s *Server) ingestContacts(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	var req ingestRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if len(req.Contacts) == 0 || len(req.Contacts) > maxIngest {
		fail(c, fieldError("contacts", fmt.Sprintf("send between 1 and %d contacts per request", maxIngest)))
		return
	}
	ctx := c.Request.Context()
	job := &store.ImportJob{CampaignID: camp.ID, Source: "api", Format: "json", CreatedBy: currentUser(c).ID}
	if err := s.store.CreateImportJob(ctx, job); err != nil {
		fail(c, err)
		return
	}
	run := &importer.JobRun{Store: s.store, JobID: job.ID, CampaignID: camp.ID, Log: s.log}
	if err := run.RunInputs(ctx, req.Contacts); err != nil {
		fail(c, err)
		return
	}
	job, err := s.store.GetImportJob(ctx, job.ID)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "import", job.ID)
	auditDetail(c, fmt.Sprintf("campaign=%d imported=%d rejected=%d", camp.ID, job.Imported, job.Rejected))
	maskJob(c, job)
	c.JSON(http.StatusOK, job)
}

type contactView struct {
	store.Contact
	NotDialable string `json:"not_dialable_reason"`
}

func (s *Server) listContacts(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	search, err := searchParam(c)
	if err != nil {
		fail(c, err)
		return
	}
	f := store.ContactFilter{CampaignID: camp.ID, Search: search, Page: p, Unassigned: c.Query("unassigned") == "true"}
	for _, st := range strings.Split(c.Query("status"), ",") {
		if st != "" {
			f.Statuses = append(f.Statuses, store.ContactStatus(st))
		}
	}
	if f.OwnerAgentID, err = int64Query(c, "owner_agent_id"); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	items, total, err := s.store.ListContacts(ctx, f)
	if err != nil {
		fail(c, err)
		return
	}
	check, err := s.store.DialRules(ctx, camp)
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]contactView, len(items))
	mask := s.masker(c)
	for i := range items {
		views[i] = contactView{Contact: items[i], NotDialable: check.Reason(&items[i], s.now())}
		if err := mask.contact(&views[i].Contact); err != nil {
			fail(c, err)
			return
		}
	}
	if canSeePII(c) {
		s.auditPII(c, PIIContactList, "campaign", camp.ID, int64(len(views)), fmt.Sprintf("total=%d page=%d", total, max(p.Number, 1)))
	}
	c.JSON(http.StatusOK, newList(views, total))
}
