package api

import (
	"fmt"
	"io"
	"net/http"
	"os"
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
}

type dncView struct {
	store.DNCEntry
	Blocked int64 `json:"contacts_blocked,omitempty"`
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

func (s *Server) createDNC(c *gin.Context) {
	var req dncRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	e, ferr := req.entry(0)
	if ferr != nil {
		fail(c, &store.ValidationError{Fields: []store.FieldError{*ferr}})
		return
	}
	e.CreatedBy = currentUser(c).ID
	blocked, err := s.store.AddDNC(c.Request.Context(), &e)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "dnc", e.ID)
	auditDetail(c, "kind="+string(e.Kind)+" contacts_blocked="+itoa(blocked))
	s.maskDNC(c, &e)
	c.JSON(http.StatusCreated, dncView{DNCEntry: e, Blocked: blocked})
}

type dncBatchRequest struct {
	Entries []dncRequest `json:"entries"`
}

type dncBatchResponse struct {
	Added    int64              `json:"added"`
	Existing int64              `json:"existing"`
	Rejected int                `json:"rejected"`
	Blocked  int64              `json:"contacts_blocked"`
	Errors   []store.FieldError `json:"errors"`
}

// createDNCBatch adds many entries at once; bad items are reported by row
// (1-based) and the good ones are still added.
func (s *Server) createDNCBatch(c *gin.Context) {
	var req dncBatchRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if len(req.Entries) == 0 || len(req.Entries) > 100000 {
		fail(c, fieldError("entries", "between 1 and 100000 entries"))
		return
	}
	b := newDNCBatch(c)
	for i := range req.Entries {
		b.add(req.Entries[i], i+1)
	}
	s.saveDNCBatch(c, b, "")
}

// dncBatch collects valid entries and per-row errors of a bulk blacklisting.
type dncBatch struct {
	uid     int64
	entries []store.DNCEntry
	resp    dncBatchResponse
}

func newDNCBatch(c *gin.Context) *dncBatch {
	return &dncBatch{uid: currentUser(c).ID, resp: dncBatchResponse{Errors: []store.FieldError{}}}
}

func (b *dncBatch) add(r dncRequest, row int) {
	e, ferr := r.entry(row)
	if ferr != nil {
		b.resp.Errors = append(b.resp.Errors, *ferr)
		return
	}
	e.CreatedBy = b.uid
	b.entries = append(b.entries, e)
}

// saveDNCBatch stores the valid entries (one transaction) and answers with
// the counts; bad rows never stop the good ones.
func (s *Server) saveDNCBatch(c *gin.Context, b *dncBatch, what string) {
	b.resp.Rejected = len(b.resp.Errors)
	added, blocked, err := s.store.AddDNCBatch(c.Request.Context(), b.entries)
	if err != nil {
		fail(c, err)
		return
	}
	b.resp.Added, b.resp.Existing, b.resp.Blocked = added, int64(len(b.entries))-added, blocked
	auditDetail(c, fmt.Sprintf("%sadded=%d rejected=%d contacts_blocked=%d", what, added, b.resp.Rejected, blocked))
	if !canSeePII(c) { // the errors quote the rejected values
		for i := range b.resp.Errors {
			b.resp.Errors[i].Message = maskDigits(b.resp.Errors[i].Message)
		}
	}
	c.JSON(http.StatusOK, b.resp)
}

func (s *Server) listDNC(c *gin.Context) {
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
	items, total, err := s.store.ListDNC(c.Request.Context(), store.DNCFilter{Search: search, Kind: store.DNCKind(c.Query("kind")), Page: p})
	if err != nil {
		fail(c, err)
		return
	}
	for i := range items {
		s.maskDNC(c, &items[i])
	}
	if canSeePII(c) {
		s.auditPII(c, PIIDNCList, "dnc", "", int64(len(items)), "")
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

// importDNC blacklists every phone and ID number in an uploaded file (the
// same readers and header names as contact imports); the form's reason and
// source apply to all rows. Bad rows are reported by file row.
func (s *Server) importDNC(c *gin.Context) {
	up, err := s.saveUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	defer os.Remove(up.path)
	release, ok := s.readSlot(c)
	if !ok {
		return
	}
	defer release()
	src, mapping, err := openChecked(up, importer.Options{Encoding: c.PostForm("encoding"), MaxBytes: s.cfg.MaxUploadBytes, Limits: s.cfg.ImportLimits}, c.PostForm("mapping"))
	if err != nil {
		fail(c, err)
		return
	}
	defer src.Close()
	base := dncRequest{Reason: c.PostForm("reason"), Source: store.DNCSource(c.PostForm("source"))}
	if base.Source == "" {
		base.Source = store.DNCImport
	}
	b := newDNCBatch(c)
	for {
		row, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(c, unprocessable("file", err))
			return
		}
		in := mapping.Input(row)
		for _, r := range []dncRequest{{Phone: in.Phone}, {Phone: in.AltPhone}, {IDNumber: in.IDNumber}} {
			if r.Phone == "" && r.IDNumber == "" {
				continue
			}
			r.Reason, r.Source = base.Reason, base.Source
			b.add(r, row.Line)
		}
	}
	s.saveDNCBatch(c, b, "file="+up.name+" ")
}
