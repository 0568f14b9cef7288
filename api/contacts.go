package api

import (
	"fmt"
	"net/http"

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
	var q contactQuery
	if err := firstError(bindQuery(c, &q), q.check()); err != nil {
		fail(c, err)
		return
	}
	f := store.ContactFilter{CampaignID: camp.ID, Q: q.Q, Page: p, Unassigned: q.Unassigned, Statuses: q.Status, OwnerAgentID: q.OwnerAgentID}
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
	pii := canSeePII(c)
	for i := range items {
		views[i] = contactView{Contact: items[i], NotDialable: check.Reason(&items[i], s.now())}
		if !pii {
			maskContact(&views[i].Contact)
		}
	}
	c.JSON(http.StatusOK, newList(views, total))
}

func maskContact(ct *store.Contact) {
	ct.Phone = maskPhone(ct.Phone)
	if ct.AltPhone != "" {
		ct.AltPhone = maskPhone(ct.AltPhone)
	}
	if ct.IDNumber != "" {
		ct.IDNumber = maskID(ct.IDNumber)
	}
}
