package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type dncRequest struct {
	Phone     string          `json:"phone"`
	IDNumber  string          `json:"id_number"`
	Reason    string          `json:"reason"`
	Source    store.DNCSource `json:"source"`
	ExpiresAt *time.Time      `json:"expires_at"`
	// AddReason, when the value is listed already, appends this reason to
	// the entry's history instead of answering 409.
	AddReason bool `json:"add_reason"`
}

type dncView struct {
	store.DNCEntry
	Blocked     int64 `json:"contacts_blocked,omitempty"`
	ReasonAdded bool  `json:"reason_added,omitempty"`
}

// entry validates the request and normalises the value the way contacts are
// stored, so that matching is exact. row > 0 names the item in a batch.
func (r *dncRequest) entry(row int) (store.DNCEntry, *store.FieldError) {
	e := store.DNCEntry{Reason: strings.TrimSpace(r.Reason), Source: r.Source, ExpiresAt: r.ExpiresAt}
	if e.Source == "" {
		e.Source = store.DNCManual
	}
	switch {
	case r.Phone != "" && r.IDNumber != "":
		return e, &store.FieldError{Row: row, Field: "phone", Message: "give either phone or id_number, not both"}
	case r.Phone != "":
		p, _, err := dialplan.NormalizePhone(r.Phone)
		if err != nil {
			return e, &store.FieldError{Row: row, Field: "phone", Message: err.Error()}
		}
		e.Kind, e.Value = store.DNCPhone, p
	case r.IDNumber != "":
		if err := importer.ValidateIDNumber(r.IDNumber); err != nil {
			return e, &store.FieldError{Row: row, Field: "id_number", Message: err.Error()}
		}
		e.Kind, e.Value = store.DNCIDNumber, importer.NormalizeIDNumber(r.IDNumber)
	default:
		return e, &store.FieldError{Row: row, Field: "phone", Message: "phone or id_number is required"}
	}
	if len(e.Reason) > 255 {
		return e, &store.FieldError{Row: row, Field: "reason", Message: "at most 255 bytes"}
	}
	return e, nil
}

// createDNC lists a phone or ID number. A listed value is never
// overwritten: 409 with the existing entry (who listed it, when, why), or,
// with add_reason, 200 and the reason appended to the entry's history.
func (s *Server) createDNC(c *gin.Context) {
	var req dncRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	e, ferr := req.entry(0)
	if ferr == nil && req.AddReason && e.Reason == "" {
		ferr = &store.FieldError{Field: "reason", Message: "is required with add_reason: it is the reason added to the entry"}
	}
	if ferr != nil {
		fail(c, &store.ValidationError{Fields: []store.FieldError{*ferr}})
		return
	}
	e.CreatedBy = currentUser(c).ID
	onExisting := store.DNCRefuse
	if req.AddReason {
		onExisting = store.DNCAddReason
	}
	res, err := s.store.AddDNC(c.Request.Context(), &e, onExisting)
	if err != nil {
		s.failDNC(c, err)
		return
	}
	setTarget(c, "dnc", e.ID)
	status := http.StatusCreated
	if res.ReasonAdded {
		status = http.StatusOK
		auditDetail(c, "kind="+string(e.Kind)+" reason_added contacts_blocked="+itoa(res.Blocked))
	} else {
		auditDetail(c, "kind="+string(e.Kind)+" contacts_blocked="+itoa(res.Blocked))
	}
	s.maskDNC(c, &e)
	c.JSON(status, dncView{DNCEntry: e, Blocked: res.Blocked, ReasonAdded: res.ReasonAdded})
}

// failDNC answers a value already listed with 409 and the entry, so the
// client can show who listed it, when and why.
func (s *Server) failDNC(c *gin.Context, err error) {
	var exists *store.DNCExistsError
	if !errors.As(err, &exists) {
		fail(c, err)
		return
	}
	e := exists.Entry
	setTarget(c, "dnc", e.ID)
	by := e.CreatedByName
	if by == "" {
		by = "user " + itoa(e.CreatedBy)
	}
	ae := newError("conflict", "this %s is already blacklisted (entry %d, reason %q, added by %s at %s); it is kept unchanged: send \"add_reason\": true to add your reason to it",
		dncKindName(e.Kind), e.ID, e.Reason, by, e.CreatedAt.Format(time.RFC3339))
	s.maskDNC(c, &e)
	ae.Existing = e
	fail(c, ae)
}

func dncKindName(k store.DNCKind) string {
	if k == store.DNCIDNumber {
		return "ID number"
	}
	return "phone"
}

func (s *Server) listDNC(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	var dq dncQuery
	if err := firstError(bindQuery(c, &dq), dq.check()); err != nil {
		fail(c, err)
		return
	}
	search, err := searchOf(c, dq.Q)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListDNC(c.Request.Context(), store.DNCFilter{Search: search, Kind: dq.Kind, Page: p})
	if err != nil {
		fail(c, err)
		return
	}
	for i := range items {
		s.maskDNC(c, &items[i])
	}
	if canSeePII(c) {
		if err := s.auditPII(c, PIIDNCList, "dnc", "", int64(len(items)), ""); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, newList(items, total))
}

func (s *Server) maskDNC(c *gin.Context, e *store.DNCEntry) {
	if canSeePII(c) {
		return
	}
	if e.Kind == store.DNCPhone {
		e.Value = maskPhone(e.Value)
	} else {
		e.Value = maskID(e.Value)
	}
}

func (s *Server) deleteDNC(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	_, released, err := s.store.DeleteDNC(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	auditDetail(c, "contacts_released="+itoa(released))
	c.Status(http.StatusNoContent)
}
