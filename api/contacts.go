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
	maskJob(c, job)
	c.JSON(http.StatusOK, job)
}

type contactView struct {
	store.Contact
	NotDialable string `json:"not_dialable_reason"`
	// BlockedBy lists the active blacklist entries matching the contact's
	// phones or ID number (for a blocked contact: what blocks it), with
	// their reasons, source, who listed them and when.
	BlockedBy []store.DNCMatch `json:"blocked_by,omitempty"`
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
	search, err := searchOf(c, q.Q)
	if err != nil {
		fail(c, err)
		return
	}
	f := store.ContactFilter{CampaignID: camp.ID, Search: search, Page: p, Unassigned: q.Unassigned, Statuses: q.Status, OwnerAgentID: q.OwnerAgentID}
	ctx := c.Request.Context()
	items, total, err := s.store.ListContacts(ctx, f)
	if err != nil {
		fail(c, err)
		return
	}
	views, err := s.contactViews(c, camp, items)
	if err != nil {
		fail(c, err)
		return
	}
	if canSeePII(c) {
		if err := s.auditPII(c, PIIContactList, "campaign", camp.ID, int64(len(views)), fmt.Sprintf("total=%d page=%d", total, max(p.Number, 1))); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, newList(views, total))
}

// getContact is one contact of a campaign, with why it is not dialable and
// the blacklist entries that block it.
func (s *Server) getContact(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	id, err := idParam(c, "contact_id")
	if err != nil {
		fail(c, err)
		return
	}
	ct, err := s.store.GetContact(c.Request.Context(), id)
	if err == nil && ct.CampaignID != camp.ID {
		err = fmt.Errorf("api: contact %d is not in campaign %d: %w", id, camp.ID, store.ErrNotFound)
	}
	if err != nil {
		fail(c, err)
		return
	}
	views, err := s.contactViews(c, camp, []store.Contact{*ct})
	if err != nil {
		fail(c, err)
		return
	}
	if canSeePII(c) {
		if err := s.auditPII(c, PIIContactView, "contact", ct.ID, 1, "campaign="+itoa(camp.ID)); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, views[0])
}

// contactViews adds to a page of contacts why each is not dialable now and
// which blacklist entries match it (a constant number of queries for the
// page), masked for users without pii_view.
func (s *Server) contactViews(c *gin.Context, camp *store.Campaign, items []store.Contact) ([]contactView, error) {
	ctx := c.Request.Context()
	check, err := s.store.DialRules(ctx, camp)
	if err != nil {
		return nil, err
	}
	matches, err := s.store.BlacklistMatches(ctx, items)
	if err != nil {
		return nil, err
	}
	views := make([]contactView, len(items))
	mask := s.masker(c)
	for i := range items {
		views[i] = contactView{Contact: items[i], NotDialable: check.Reason(&items[i], s.now()), BlockedBy: matches[items[i].ID]}
		if err := mask.contact(&views[i].Contact); err != nil {
			return nil, err
		}
		for j := range views[i].BlockedBy {
			s.maskDNC(c, &views[i].BlockedBy[j].DNCEntry)
		}
	}
	return views, nil
}
