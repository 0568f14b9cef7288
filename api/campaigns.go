package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type campaignRequest struct {
	Name           *string             `json:"name"`
	Kind           *store.CampaignKind `json:"kind"`
	Media          *store.Media        `json:"media"`
	DialMode       *store.DialMode     `json:"dial_mode"`
	Priority       *int                `json:"priority"`
	StrategyID     *int64              `json:"strategy_id"`
	GroupID        *int64              `json:"group_id"`
	ScriptID       *int64              `json:"script_id"`
	CallerIDs      *[]string           `json:"caller_ids"`
	Gateway        *string             `json:"gateway"`
	Skill          *string             `json:"skill" doc:"only agents of the group with this skill take the campaign's calls (users' skills); \"\" lets any agent"`
	MinLevel       *int                `json:"min_level" doc:"only agents of at least this level (0-10) take the campaign's calls"`
	MaxAbandonRate *float64            `json:"max_abandon_rate"`
	IVRFlow        *string             `json:"ivr_flow"`
	// ComplianceMessage, MachineAction and MachineMessage: what a person no
	// agent took in 2 s hears, and what an answering machine gets.
	ComplianceMessage *string               `json:"compliance_message"`
	MachineAction     *store.MachineAction  `json:"machine_action"`
	MachineMessage    *string               `json:"machine_message"`
	Description       *string               `json:"description"`
	Status            *store.CampaignStatus `json:"status"`
	// SensitiveAttributes replaces the list of attribute keys masked like
	// phone and ID numbers (imports add the columns they detect).
	SensitiveAttributes *[]string `json:"sensitive_attributes"`
	// Message is what an sms, email or fax campaign sends (api.md): it
	// replaces the whole message when present.
	Message    *store.CampaignMessage `json:"message" doc:"sms, email and fax campaigns: subject, text, html (email), sign_name, template_id, template_params (sms providers), fax_header, fax_ident (fax), attachments (email: ids of uploaded documents, at most 5 and 10 MB together; a 422 names message.attachments[i]); contact fields merge in as {{name}}, {{attributes.balance}}; ID numbers and sensitive attributes are masked"`
	DocumentID *int64                 `json:"document_id" doc:"fax: an uploaded document (POST /api/v1/documents); 0 clears it"`
	// FollowUp hands unreached contacts to another campaign; a campaign_id
	// of 0 removes it.
	FollowUp *store.FollowUp `json:"follow_up" doc:"hand contacts this campaign did not reach to another campaign after after_s seconds (call, then sms, then email); campaign_id 0 removes it"`
	// Notify replaces the result notification rules (R14).
	Notify *[]store.NotifyRule `json:"notify" doc:"result notifications: when an attempt ends with one of on (disposition, IVR outcome or result class) send text by channel (email, sms) to manager_email, attribute:KEY or address:VALUE; pii true (needs pii_view) shows phone and ID numbers in full"`
}

func (r *campaignRequest) apply(c *store.Campaign) error {
	if r.Status != nil && *r.Status != c.Status {
		return fieldError("status", "use POST /campaigns/{id}/start, /pause or /stop to change the status")
	}
	setIf(&c.Name, r.Name)
	setIf(&c.Kind, r.Kind)
	setIf(&c.Media, r.Media)
	setIf(&c.DialMode, r.DialMode)
	setIf(&c.Priority, r.Priority)
	setIf(&c.CallerIDs, r.CallerIDs)
	setIf(&c.Gateway, r.Gateway)
	setIf(&c.Skill, r.Skill)
	setIf(&c.MinLevel, r.MinLevel)
	setIf(&c.MaxAbandonRate, r.MaxAbandonRate)
	setIf(&c.IVRFlow, r.IVRFlow)
	setIf(&c.ComplianceMessage, r.ComplianceMessage)
	setIf(&c.MachineAction, r.MachineAction)
	setIf(&c.MachineMessage, r.MachineMessage)
	setIf(&c.Description, r.Description)
	setIf(&c.SensitiveAttributes, r.SensitiveAttributes)
	setRef(&c.StrategyID, r.StrategyID)
	setRef(&c.GroupID, r.GroupID)
	setRef(&c.ScriptID, r.ScriptID)
	setRef(&c.DocumentID, r.DocumentID)
	if r.Message != nil {
		c.Message = *r.Message
	}
	if r.FollowUp != nil {
		c.FollowUp = r.FollowUp
		if r.FollowUp.CampaignID == 0 {
			c.FollowUp = nil
		}
	}
	setIf(&c.Notify, r.Notify)
	return nil
}

// checkMessaging: only a user who may see customer identifiers writes a
// notification rule that shows them (the store checks the rest).
func (s *Server) checkMessaging(c *gin.Context, r *campaignRequest) error {
	if r.Notify != nil && !canSeePII(c) {
		for i, rule := range *r.Notify {
			if rule.PII {
				return newError("permission_denied", "notify[%d].pii: showing customers' phone and ID numbers in notifications needs the pii_view permission", i)
			}
		}
	}
	return nil
}

// checkAttachments: an email campaign's attachments must be documents it
// can send within the limits; a 422 names the field (message.attachments[i]).
func (s *Server) checkAttachments(c *gin.Context, camp *store.Campaign) error {
	err := s.store.CheckAttachments(c.Request.Context(), camp.Media, camp.Message.Attachments)
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		e := newError("unprocessable", "%s", strings.TrimPrefix(ve.Error(), "invalid: "))
		e.Details = ve.Fields
		return e
	}
	return err
}

// setIf copies a present request field.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// setRef copies a present reference; 0 clears it.
func setRef(dst **int64, src *int64) {
	if src == nil {
		return
	}
	if *src == 0 {
		*dst = nil
		return
	}
	v := *src
	*dst = &v
}

func (s *Server) createCampaign(c *gin.Context) {
	var req campaignRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	camp := &store.Campaign{Priority: 5, Kind: store.KindNotification, Media: store.MediaVoice,
		DialMode: store.DialProgressive, MaxAbandonRate: 0.03, Status: store.CampaignDraft}
	if err := firstError(req.apply(camp), s.checkMessaging(c, &req), s.checkAttachments(c, camp)); err != nil {
		fail(c, err)
		return
	}
	camp.CreatedBy = currentUser(c).ID
	if err := s.store.CreateCampaign(c.Request.Context(), camp); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "campaign", camp.ID)
	c.JSON(http.StatusCreated, camp)
}

func (s *Server) listCampaigns(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var q campaignQuery
	if err := firstError(bindQuery(c, &q), q.check()); err != nil {
		fail(c, err)
		return
	}
	f := store.CampaignFilter{Status: q.Status, Kind: q.Kind, Media: q.Media, Q: q.Q, Page: p}
	items, total, err := s.store.ListCampaigns(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// campaignParam loads the campaign named by the :id path parameter.
func (s *Server) campaignParam(c *gin.Context) (*store.Campaign, bool) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return nil, false
	}
	camp, err := s.store.GetCampaign(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return camp, true
}

func (s *Server) getCampaign(c *gin.Context) {
	if camp, ok := s.campaignParam(c); ok {
		c.JSON(http.StatusOK, camp)
	}
}

func (s *Server) updateCampaign(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	var req campaignRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := firstError(req.apply(camp), s.checkMessaging(c, &req), s.checkAttachments(c, camp)); err != nil {
		fail(c, err)
		return
	}
	if err := s.store.UpdateCampaign(c.Request.Context(), camp); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, camp)
}

func (s *Server) deleteCampaign(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteCampaign(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
