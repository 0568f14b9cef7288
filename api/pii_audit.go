package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// PIIAction names an access that showed unmasked customer identifiers to a
// user holding pii_view. Every one starts with "pii." so that
// GET /api/v1/audit?action=pii. lists them all, by operator and time (R10).
type PIIAction string

const (
	PIIContactList   PIIAction = "pii.contact.list"   // a campaign's contacts listed unmasked
	PIITaskList      PIIAction = "pii.task.list"      // an agent's task list unmasked
	PIIDNCList       PIIAction = "pii.dnc.list"       // blacklist entries listed unmasked
	PIIExport        PIIAction = "pii.export"         // an export carried unmasked phone or ID columns
	PIIContactView   PIIAction = "pii.contact.view"   // one customer shown unmasked (contact page, agent desk offer or call)
	PIIRecordingPlay PIIAction = "pii.recording.play" // a call recording played or downloaded
	PIICallList      PIIAction = "pii.call.list"      // call history listed with numbers unmasked
	PIICallView      PIIAction = "pii.call.view"      // one call shown with its number unmasked
	PIICallbackList  PIIAction = "pii.callback.list"  // callbacks listed with their phones unmasked
	PIICallbackView  PIIAction = "pii.callback.view"  // one callback shown with its phone unmasked
	PIIEvidence      PIIAction = "pii.evidence"       // abandonment evidence with phones unmasked
)

// auditPII writes one audit entry for one request that revealed count
// unmasked records; target names what was read (campaign, call, ...).
// Nothing is written when nothing was revealed. Handlers call it after
// deciding the user sees unmasked data and before answering: an access
// whose entry cannot be written is refused, as an action is.
//
//	if err := s.auditPII(c, PIIRecordingPlay, "call", callID, 1, ""); err != nil {
//		fail(c, err)
//		return
//	}
func (s *Server) auditPII(c *gin.Context, action PIIAction, targetType string, targetID any, count int64, detail string) error {
	if count <= 0 {
		return nil
	}
	u := currentUser(c)
	d := fmt.Sprintf("count=%d", count)
	if detail != "" {
		d += " " + detail
	}
	e := &store.AuditEntry{Action: string(action), TargetType: targetType, TargetID: toString(targetID),
		UserID: u.ID, Username: u.Username, Role: string(u.Role), RequestID: c.GetString("request_id"),
		IP: c.ClientIP(), Status: http.StatusOK, Result: "ok", Detail: d}
	// Written even if the client has hung up: it may have read the data.
	if err := s.store.Audit(context.WithoutCancel(c.Request.Context()), e); err != nil {
		return fmt.Errorf("api: audit %s: %w", action, err)
	}
	return nil
}

// auditPIIStream writes the entry of a file about to be streamed with
// unmasked identifiers. It is written before the first byte leaves, so a
// file whose entry cannot be written is never sent; the row count is not
// known yet and is in the request's own entry (export.create, ...), written
// when the stream ends.
func (s *Server) auditPIIStream(c *gin.Context, action PIIAction, targetType string, targetID any, detail string) error {
	u := currentUser(c)
	e := &store.AuditEntry{Action: string(action), TargetType: targetType, TargetID: toString(targetID),
		UserID: u.ID, Username: u.Username, Role: string(u.Role), RequestID: c.GetString("request_id"),
		IP: c.ClientIP(), Status: http.StatusOK, Result: "ok", Detail: "streamed " + detail}
	if err := s.store.Audit(context.WithoutCancel(c.Request.Context()), e); err != nil {
		return fmt.Errorf("api: audit %s: %w", action, err)
	}
	return nil
}

// piiExportFields are the export fields masking applies to.
var piiExportFields = map[string]bool{"phone": true, "alt_phone": true, "id_number": true}

// exportsPII tells whether an export's fields include one masked for users
// without pii_view: a phone, the ID number, or a sensitive attribute.
func exportsPII(fields []string, sensitive map[string]bool) bool {
	for _, f := range fields {
		key, isAttr := strings.CutPrefix(f, "attributes.")
		if piiExportFields[f] || isAttr && sensitive[key] {
			return true
		}
	}
	return false
}
