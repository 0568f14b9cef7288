package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// ImportQueue runs file imports in the background.
type ImportQueue interface {
	Submit(importer.Task) error
}

// upload is a received file saved on disk with its hash.
type upload struct {
	path, name, sha string
	size            int64
}

// saveUpload streams the multipart "file" to the imports folder, hashing it
// on the way, and refuses files over the limit with 413.
func (s *Server) saveUpload(c *gin.Context) (*upload, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, newError("too_large", "file is larger than the %d MB upload limit", s.cfg.MaxUploadBytes>>20)
		}
		return nil, fieldError("file", "a multipart form field \"file\" with the contact file is required")
	}
	if fh.Size > s.cfg.MaxUploadBytes {
		return nil, newError("too_large", "file is %d MB, larger than the %d MB upload limit", fh.Size>>20, s.cfg.MaxUploadBytes>>20)
	}
	if fh.Size == 0 {
		return nil, fieldError("file", "the file is empty (0 bytes)")
	}
	return s.copyUpload(fh)
}

func (s *Server) copyUpload(fh *multipart.FileHeader) (*upload, error) {
	in, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("api: open upload: %w", err)
	}
	defer in.Close()
	dir := filepath.Join(s.cfg.DataDir, "imports")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("api: imports folder: %w", err)
	}
	out, err := os.CreateTemp(dir, "upload-*"+strings.ToLower(filepath.Ext(fh.Filename)))
	if err != nil {
		return nil, fmt.Errorf("api: save upload: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return nil, fmt.Errorf("api: save upload: %w", err)
	}
	return &upload{path: out.Name(), name: filepath.Base(fh.Filename), sha: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

// openChecked opens the saved file and checks that it has a header and a
// usable mapping before any job is created, so a bad file changes nothing.
func openChecked(up *upload, opts importer.Options, mappingJSON string) (importer.Source, importer.Mapping, error) {
	src, err := importer.OpenFile(up.path, opts)
	if err != nil {
		return nil, importer.Mapping{}, unprocessable("file", err)
	}
	var user []byte
	if strings.TrimSpace(mappingJSON) != "" {
		user = []byte(mappingJSON)
	}
	m, err := importer.NewMapping(src.Header(), user)
	if err == nil {
		err = m.Check()
	}
	if err != nil {
		src.Close()
		return nil, importer.Mapping{}, unprocessable("mapping", err)
	}
	return src, m, nil
}

func unprocessable(field string, err error) *apiError {
	msg := strings.TrimPrefix(err.Error(), "importer: ")
	e := newError("unprocessable", "%s: %s", field, msg)
	e.Details = []store.FieldError{{Field: field, Message: msg}}
	return e
}

// importForm reads the upload's options; a template_id fills the mapping,
// encoding and sheet the form leaves empty.
func (s *Server) importForm(c *gin.Context) (importer.Options, string, error) {
	opts := importer.Options{Encoding: c.PostForm("encoding"), Sheet: c.PostForm("sheet"), MaxBytes: s.cfg.MaxUploadBytes}
	mapping := c.PostForm("mapping")
	if v := c.PostForm("template_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return opts, "", fieldError("template_id", "must be an integer")
		}
		t, err := s.store.GetMappingTemplate(c.Request.Context(), id)
		if err != nil {
			return opts, "", fieldError("template_id", "no such mapping template")
		}
		if mapping == "" {
			mapping = t.Mapping
		}
		if opts.Encoding == "" {
			opts.Encoding = t.Encoding
		}
		if opts.Sheet == "" {
			opts.Sheet = t.Sheet
		}
	}
	return opts, mapping, nil
}

func (s *Server) createImport(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	up, err := s.saveUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	opts, mappingJSON, err := s.importForm(c)
	if err != nil {
		os.Remove(up.path)
		fail(c, err)
		return
	}
	src, mapping, err := openChecked(up, opts, mappingJSON)
	if err != nil {
		os.Remove(up.path)
		fail(c, err)
		return
	}
	src.Close()
	job := &store.ImportJob{CampaignID: camp.ID, Source: "upload", Filename: up.name, SHA256: up.sha, Size: up.size,
		Encoding: opts.Encoding, Sheet: opts.Sheet, Format: strings.TrimPrefix(strings.ToLower(filepath.Ext(up.name)), "."),
		CreatedBy: currentUser(c).ID}
	if err := s.queueImport(c, job, up, opts, mapping); err != nil {
		os.Remove(up.path)
		fail(c, err)
		return
	}
	setTarget(c, "import", job.ID)
	auditDetail(c, fmt.Sprintf("campaign=%d file=%s bytes=%d", camp.ID, up.name, up.size))
	c.JSON(http.StatusAccepted, gin.H{"id": job.ID, "status": job.Status})
}

func (s *Server) queueImport(c *gin.Context, job *store.ImportJob, up *upload, opts importer.Options, m importer.Mapping) error {
	ctx := c.Request.Context()
	if err := s.store.CreateImportJob(ctx, job); err != nil {
		return err
	}
	if job.DuplicateOf != nil && c.PostForm("force") != "true" {
		msg := fmt.Sprintf("this file was already imported into the campaign by import %d; send force=true to import it again", *job.DuplicateOf)
		_ = s.store.FinishImportJob(ctx, job.ID, store.ImportCancelled, msg, nil)
		return newError("conflict", "%s", msg)
	}
	task := importer.Task{JobID: job.ID, CampaignID: job.CampaignID, Path: up.path, Options: opts, Mapping: m,
		ReportPath: s.reportPath(job.ID), Remove: true}
	if err := s.cfg.Imports.Submit(task); err != nil {
		_ = s.store.FinishImportJob(ctx, job.ID, store.ImportFailed, err.Error(), nil)
		return newError("too_many_requests", "%s", strings.TrimPrefix(err.Error(), "importer: "))
	}
	return nil
}

func (s *Server) reportPath(jobID int64) string {
	return filepath.Join(s.cfg.DataDir, "imports", fmt.Sprintf("import-%d-errors.csv", jobID))
}

type previewResponse struct {
	Header  []string         `json:"header"`
	Mapping importer.Mapping `json:"mapping"`
	Rows    []previewRow     `json:"rows"`
}

type previewRow struct {
	Row    int                   `json:"row"`
	Cells  []string              `json:"cells"`
	Valid  bool                  `json:"valid"`
	Errors []importer.FieldError `json:"errors"`
	// DuplicateOf is set when the row would be skipped as a duplicate: the
	// earlier row of the file, or the contact of the campaign, with its phone.
	DuplicateOf store.DuplicateOf `json:"duplicate_of,omitzero"`
}

// previewImport shows how a file would be read: the detected (or given)
// mapping and the first rows with their validation, storing nothing.
func (s *Server) previewImport(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	up, err := s.saveUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	defer os.Remove(up.path)
	opts, mappingJSON, err := s.importForm(c)
	if err != nil {
		fail(c, err)
		return
	}
	src, mapping, err := openChecked(up, opts, mappingJSON)
	if err != nil {
		fail(c, err)
		return
	}
	defer src.Close()
	rows, err := importer.Preview(src, 10)
	if err != nil {
		fail(c, unprocessable("file", err))
		return
	}
	resp := previewResponse{Header: src.Header(), Mapping: mapping, Rows: []previewRow{}}
	phones := make([]string, len(rows))
	for i, r := range rows {
		cand, errs := mapping.Validate(r)
		if cand != nil {
			phones[i] = cand.Phones[0]
		}
		resp.Rows = append(resp.Rows, previewRow{Row: r.Line, Cells: r.Cells, Valid: cand != nil, Errors: errs})
	}
	if err := s.markPreviewDuplicates(c, camp.ID, resp.Rows, phones); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, resp)
}

// markPreviewDuplicates flags the previewed rows an import would skip as
// duplicates, as the import judges them: a phone the campaign holds, or
// one an earlier row of the file has. phones[i] is row i's first phone ("" if invalid).
func (s *Server) markPreviewDuplicates(c *gin.Context, campID int64, rows []previewRow, phones []string) error {
	held, err := s.store.ContactIDsByPhone(c.Request.Context(), campID, phones)
	if err != nil {
		return err
	}
	first := map[string]int{}
	for i, p := range phones {
		r := &rows[i]
		switch prev, seen := first[p]; {
		case p == "":
			continue
		case seen:
			r.DuplicateOf.Row = prev
			r.Errors = append(r.Errors, importer.FieldError{Row: r.Row, Field: "phone", Message: fmt.Sprintf("duplicate of row %d (same phone); will not be imported", prev)})
		case held[p] != 0:
			first[p] = r.Row
			r.DuplicateOf.ContactID = held[p]
			r.Errors = append(r.Errors, importer.FieldError{Row: r.Row, Field: "phone", Message: fmt.Sprintf("phone already in this campaign as contact %d; will not be imported", held[p])})
		default:
			first[p] = r.Row
		}
	}
	return nil
}

func (s *Server) getImport(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	job, err := s.store.GetImportJob(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, job)
}

func (s *Server) listImports(c *gin.Context) {
	camp, ok := s.campaignParam(c)
	if !ok {
		return
	}
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListImportJobs(c.Request.Context(), camp.ID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

func (s *Server) cancelImport(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.RequestImportCancel(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": id, "cancel_requested": true})
}

// importErrors downloads the full error report (CSV, opens in Excel).
func (s *Server) importErrors(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if _, err := s.store.GetImportJob(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	path := s.reportPath(id)
	if _, err := os.Stat(path); err != nil {
		fail(c, newError("not_found", "import %d has no error report (no row was rejected or duplicated)", id))
		return
	}
	c.FileAttachment(path, fmt.Sprintf("import-%d-errors.csv", id))
}
