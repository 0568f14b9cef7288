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
	var f importUpload
	if err := firstError(bindUpload(c, &f), f.check()); err != nil {
		return importer.Options{}, "", err
	}
	opts := importer.Options{Encoding: string(f.Encoding), Sheet: f.Sheet, MaxBytes: s.cfg.MaxUploadBytes}
	mapping := f.Mapping
	if f.TemplateID != 0 {
		t, err := s.store.GetMappingTemplate(c.Request.Context(), f.TemplateID)
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
	if force, _ := strconv.ParseBool(c.PostForm("force")); job.DuplicateOf != nil && !force { // parsed by importForm
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
}

// previewImport shows how a file would be read: the detected (or given)
// mapping and the first rows with their validation, storing nothing.
func (s *Server) previewImport(c *gin.Context) {
	if _, ok := s.campaignParam(c); !ok {
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
	for _, r := range rows {
		cand, errs := mapping.Validate(r)
		resp.Rows = append(resp.Rows, previewRow{Row: r.Line, Cells: r.Cells, Valid: cand != nil, Errors: errs})
	}
	c.JSON(http.StatusOK, resp)
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
		fail(c, newError("not_found", "import %d has no error report (no row was rejected)", id))
		return
	}
	c.FileAttachment(path, fmt.Sprintf("import-%d-errors.csv", id))
}
