package api

import (
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type dncBatchRequest struct {
	Entries []dncRequest `json:"entries"`
}

type dncBatchResponse struct {
	Added    int64              `json:"added"`
	Existing int64              `json:"existing"`
	Rejected int                `json:"rejected"`
	Blocked  int64              `json:"contacts_blocked"`
	Errors   []store.FieldError `json:"errors"`
	// Duplicates are the rows whose value was listed already (duplicate_of
	// names the entry) or earlier in the same batch (duplicate_of names the
	// row); their entries and reasons are kept unchanged.
	Duplicates []store.FieldError `json:"duplicates"`
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

// dncBatch collects valid entries (with their rows) and per-row errors of a
// bulk blacklisting.
type dncBatch struct {
	uid     int64
	entries []store.DNCEntry
	rows    []int
	fields  []string
	resp    dncBatchResponse
}

func newDNCBatch(c *gin.Context) *dncBatch {
	return &dncBatch{uid: currentUser(c).ID, resp: dncBatchResponse{Errors: []store.FieldError{}, Duplicates: []store.FieldError{}}}
}

func (b *dncBatch) add(r dncRequest, row int) {
	e, ferr := r.entry(row)
	if ferr != nil {
		b.resp.Errors = append(b.resp.Errors, *ferr)
		return
	}
	e.CreatedBy = b.uid
	field := "phone"
	if e.Kind == store.DNCIDNumber {
		field = "id_number"
	}
	b.entries = append(b.entries, e)
	b.rows = append(b.rows, row)
	b.fields = append(b.fields, field)
}

// duplicates turns the store's duplicates into per-row reports.
func (b *dncBatch) duplicates(dups []store.DNCDuplicate) []store.FieldError {
	out := make([]store.FieldError, 0, len(dups))
	for _, d := range dups {
		fe := store.FieldError{Row: b.rows[d.Index], Field: b.fields[d.Index]}
		if d.EntryID != 0 {
			fe.DuplicateOf.DNCEntryID = d.EntryID
			fe.Message = fmt.Sprintf("already blacklisted (entry %d); the entry and its reason are kept", d.EntryID)
		} else {
			fe.DuplicateOf.Row = b.rows[d.OfIndex]
			fe.Message = fmt.Sprintf("repeats row %d", b.rows[d.OfIndex])
		}
		out = append(out, fe)
	}
	return out
}

// saveDNCBatch stores the valid entries (one transaction) and answers with
// the counts; bad rows never stop the good ones.
func (s *Server) saveDNCBatch(c *gin.Context, b *dncBatch, what string) {
	b.resp.Rejected = len(b.resp.Errors)
	res, err := s.store.AddDNCBatch(c.Request.Context(), b.entries)
	if err != nil {
		fail(c, err)
		return
	}
	b.resp.Added, b.resp.Blocked = res.Added, res.Blocked
	b.resp.Duplicates = b.duplicates(res.Duplicates)
	b.resp.Existing = int64(len(b.resp.Duplicates))
	auditDetail(c, fmt.Sprintf("%sadded=%d duplicates=%d rejected=%d contacts_blocked=%d", what, res.Added,
		b.resp.Existing, b.resp.Rejected, res.Blocked))
	if !canSeePII(c) { // the errors quote the rejected values
		for i := range b.resp.Errors {
			b.resp.Errors[i].Message = maskDigits(b.resp.Errors[i].Message)
		}
		for i := range b.resp.Duplicates {
			b.resp.Duplicates[i].Message = maskDigits(b.resp.Duplicates[i].Message)
		}
	}
	c.JSON(http.StatusOK, b.resp)
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
	var f dncUpload
	if err := firstError(bindUpload(c, &f), f.check()); err != nil {
		fail(c, err)
		return
	}
	release, ok := s.readSlot(c)
	if !ok {
		return
	}
	defer release()
	src, mapping, err := openChecked(up, importer.Options{Encoding: string(f.Encoding), MaxBytes: s.cfg.MaxUploadBytes, Limits: s.cfg.ImportLimits}, f.Mapping)
	if err != nil {
		fail(c, err)
		return
	}
	defer src.Close()
	base := dncRequest{Reason: f.Reason, Source: f.Source}
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
