package api

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	if err := os.MkdirAll(dir, 0o700); err != nil { // uploads hold customer data: owner only
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
	return &upload{path: out.Name(), name: uploadName(fh.Filename), sha: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

// maxFilenameLen is what the job's filename column holds (varchar(255)).
const maxFilenameLen = 255

// uploadName is the name a file is known by in jobs, errors and the audit:
// the base name the client sent, without control, format (bidi, zero-width)
// or invalid characters, shortened to maxFilenameLen bytes keeping its
// extension. A name with nothing left becomes "upload" plus the extension.
func uploadName(raw string) string {
	base := filepath.Base(strings.ReplaceAll(raw, "\\", "/"))
	if base == "." || base == "/" {
		base = ""
	}
	name := strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, base)
	name = strings.TrimSpace(name)
	ext := filepath.Ext(name)
	if len(ext) > 16 {
		ext = ""
	}
	if strings.TrimSuffix(name, ext) == "" {
		return "upload" + ext
	}
	if len(name) <= maxFilenameLen {
		return name
	}
	stem := strings.TrimSuffix(name, ext)
	cut := maxFilenameLen - len(ext) - len("…")
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return stem[:cut] + "…" + ext
}

// readSlot takes one of the few places for reading an upload in a request
// (preview, upload check, blacklist file): each may hold up to the reading
// limits in memory, so only Config.Previews run at once and the others wait
// up to Config.ReadSlotWait, then are
// told to come back (503 with Retry-After) instead of piling up.
func (s *Server) readSlot(c *gin.Context) (release func(), ok bool) {
	wait := time.NewTimer(s.cfg.ReadSlotWait)
	defer wait.Stop()
	select {
	case s.readers <- struct{}{}:
		return func() { <-s.readers }, true
	case <-c.Request.Context().Done():
		fail(c, c.Request.Context().Err())
		return nil, false
	case <-wait.C:
		c.Header("Retry-After", "5")
		fail(c, newError("unavailable", "%d uploaded files are being read already; try again in a few seconds", cap(s.readers)))
		return nil, false
	}
}

// openChecked opens the saved file and checks that it has a header and a
// usable mapping before any job is created, so a bad file changes nothing.
func openChecked(up *upload, opts importer.Options, mappingJSON string) (importer.Source, importer.Mapping, error) {
	opts.Name = up.name
	src, err := importer.OpenFile(up.path, opts)
	if err != nil {
		return nil, importer.Mapping{}, unprocessable("file", err)
	}
	var user []byte
	if strings.TrimSpace(mappingJSON) != "" {
		user = []byte(mappingJSON)
	}
	src, sample := importer.Sample(src, importer.SampleRows)
	m, err := importer.NewSampledMapping(src.Header(), sample, user)
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
	opts := importer.Options{Encoding: string(f.Encoding), Sheet: f.Sheet, MaxBytes: s.cfg.MaxUploadBytes, Limits: s.cfg.ImportLimits}
	if len(opts.Sheet) > 128 {
		return opts, "", fieldError("sheet", "a sheet name has at most 128 bytes (Excel allows 31 characters)")
	}
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
	opts.Name = up.name // errors of the queued job name the user's file too
	release, ok := s.readSlot(c)
	if !ok {
		os.Remove(up.path)
		return
	}
	src, mapping, err := openChecked(up, opts, mappingJSON)
	release()
	if err != nil {
		os.Remove(up.path)
		fail(c, err)
		return
	}
	src.Close()
	job := &store.ImportJob{CampaignID: camp.ID, Source: "upload", Filename: up.name, SHA256: up.sha, Size: up.size,
		Encoding: opts.Encoding, Sheet: opts.Sheet, Format: strings.TrimPrefix(strings.ToLower(filepath.Ext(up.name)), "."),
		MappingJSON: encodeMapping(mapping), FilePath: up.path,
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
		// Not started: the caller deletes the upload, so nothing is left to resume.
		_ = s.store.FinishImportJob(ctx, job.ID, store.ImportCancelled, "not started: "+strings.TrimPrefix(err.Error(), "importer: "), nil)
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

// maxPreviewBytes bounds the cells one preview returns.
const maxPreviewBytes = 1 << 20

// previewImport shows how a file would be read: the detected (or given)
// mapping and the first rows with their validation, storing nothing. Without
// pii_view the cells of phone, ID and sensitive columns come masked.
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
	release, ok := s.readSlot(c)
	if !ok {
		return
	}
	defer release()
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
	if n := cellBytes(rows); n > maxPreviewBytes {
		fail(c, unprocessable("file", fmt.Errorf("the first %d rows hold %d bytes, over the %d KB preview limit", len(rows), n, maxPreviewBytes>>10)))
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
	if !canSeePII(c) {
		maskPreview(&resp, camp.Sensitive())
	}
	c.JSON(http.StatusOK, resp)
}

func cellBytes(rows []importer.Row) int {
	n := 0
	for _, r := range rows {
		for _, cell := range r.Cells {
			n += len(cell)
		}
	}
	return n
}

// maskPreview masks the cells of columns mapped to phones or the ID number,
// or holding sensitive attributes, and numbers quoted in errors.
func maskPreview(resp *previewResponse, sensitive map[string]bool) {
	masked := func(i int) bool {
		if i >= len(resp.Mapping.Columns) {
			return false
		}
		col := resp.Mapping.Columns[i]
		switch col.Field {
		case importer.FieldPhone, importer.FieldAltPhone, importer.FieldIDNumber:
			return true
		case importer.FieldAttribute:
			return col.Sensitive != "" || sensitive[col.Attribute]
		}
		return col.Sensitive != ""
	}
	for _, r := range resp.Rows {
		for i, cell := range r.Cells {
			if cell != "" && masked(i) {
				r.Cells[i] = maskAttr(cell)
			}
		}
		for i := range r.Errors {
			r.Errors[i].Message = maskDigits(r.Errors[i].Message)
		}
	}
}

// maskJob masks numbers quoted in a job's errors and message for readers
// without pii_view; what is stored stays whole for those with it.
func maskJob(c *gin.Context, job *store.ImportJob) {
	if canSeePII(c) {
		return
	}
	job.Message = maskDigits(job.Message)
	for i := range job.Errors {
		job.Errors[i].Message = maskDigits(job.Errors[i].Message)
	}
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
	maskJob(c, job)
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
	for i := range items {
		maskJob(c, &items[i])
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// cancelImport stops a running import after its current batch, or cancels
// an interrupted one (deleting the upload it kept for a resume).
func (s *Server) cancelImport(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	job, err := s.store.GetImportJob(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	if job.Resumable {
		path, err := s.store.CancelStoppedImport(ctx, id)
		if err != nil {
			fail(c, err)
			return
		}
		os.Remove(path)
		c.JSON(http.StatusAccepted, gin.H{"id": id, "status": store.ImportCancelled})
		return
	}
	if err := s.store.RequestImportCancel(ctx, id); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": id, "cancel_requested": true})
}

// resumeImport continues an interrupted import after its committed
// batches, with the file, mapping and options it started with: rows already
// stored are skipped, not imported twice.
func (s *Server) resumeImport(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	job, err := s.store.GetImportJob(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	var m importer.Mapping
	switch {
	case !job.Resumable:
		fail(c, newError("conflict", "import %d is %s; only an interrupted or failed upload that kept its file can be resumed", id, job.Status))
		return
	case json.Unmarshal([]byte(job.MappingJSON), &m) != nil:
		fail(c, newError("conflict", "import %d has no recorded column mapping; upload the file again", id))
		return
	}
	if _, err := os.Stat(job.FilePath); err != nil {
		fail(c, newError("conflict", "the file of import %d is no longer kept; upload it again", id))
		return
	}
	if job, err = s.store.ResumeImportJob(ctx, id); err != nil {
		fail(c, err)
		return
	}
	skip, err := s.store.CommittedRows(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	opts := importer.Options{Encoding: job.Encoding, Sheet: job.Sheet, Name: job.Filename, MaxBytes: s.cfg.MaxUploadBytes, Limits: s.cfg.ImportLimits}
	task := importer.Task{JobID: id, CampaignID: job.CampaignID, Path: job.FilePath, Options: opts, Mapping: m,
		ReportPath: s.reportPath(id), Remove: true, Skip: skip}
	if err := s.cfg.Imports.Submit(task); err != nil {
		_ = s.store.FinishImportJob(ctx, id, store.ImportFailed, "not resumed: "+strings.TrimPrefix(err.Error(), "importer: "), nil)
		fail(c, newError("too_many_requests", "%s", strings.TrimPrefix(err.Error(), "importer: ")))
		return
	}
	setTarget(c, "import", id)
	auditDetail(c, fmt.Sprintf("campaign=%d batches_committed=%d", job.CampaignID, job.Batches))
	c.JSON(http.StatusAccepted, gin.H{"id": id, "status": job.Status})
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
	if canSeePII(c) {
		c.FileAttachment(path, fmt.Sprintf("import-%d-errors.csv", id))
		return
	}
	if err := sendMaskedReport(c, path, fmt.Sprintf("import-%d-errors.csv", id)); err != nil {
		logger(c).Error("import error report", "job_id", id, "err", err)
	}
}

// sendMaskedReport streams the error report with the numbers quoted in its
// messages masked (the file on disk keeps them for readers with pii_view).
func sendMaskedReport(c *gin.Context, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		fail(c, fmt.Errorf("api: open error report: %w", err))
		return err
	}
	defer f.Close()
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Status(http.StatusOK)
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	w := csv.NewWriter(c.Writer)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for i := range rec {
			rec[i] = maskDigits(rec[i])
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// encodeMapping keeps the resolved mapping on the job, so an interrupted
// import can be resumed with exactly the columns it started with.
func encodeMapping(m importer.Mapping) string {
	b, _ := json.Marshal(m)
	return string(b)
}
