package api

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

type exportRequest struct {
	CampaignID int64                `json:"campaign_id"`
	TemplateID int64                `json:"template_id"`
	Statuses   []store.ExportStatus `json:"statuses"` // classes or contact statuses
	Fields     []exportField        `json:"fields"`   // in order
	Headers    []string             `json:"headers"`  // optional header names, same length as fields
	Format     store.ExportFormat   `json:"format"`   // default xlsx
	// Lang is the language of the default headers and of status and result
	// names: zh-CN (default) or en; without it, Accept-Language decides.
	Lang exportLangTag `json:"lang"`
	// PhoneFormat is national (default: 13800138000, 010-12345678, as
	// dialed in China) or e164 (+8613800138000).
	PhoneFormat exportPhoneFormat `json:"phone_format"`
	// TimeZone is the IANA zone times are written in (default Asia/Shanghai).
	TimeZone string `json:"time_zone"`
}

// style reads the request's presentation options.
func (r *exportRequest) style(c *gin.Context) (*exportStyle, error) {
	if err := firstError(checkEnum("lang", r.Lang), checkEnum("phone_format", r.PhoneFormat)); err != nil {
		return nil, err
	}
	lang, err := exportLangOf(string(r.Lang), c.GetHeader("Accept-Language"))
	if err != nil {
		return nil, err
	}
	st := &exportStyle{lang: lang, loc: shanghai, pii: canSeePII(c), e164: r.PhoneFormat == phoneE164}
	if r.TimeZone != "" {
		if st.loc, err = time.LoadLocation(r.TimeZone); err != nil {
			return nil, fieldError("time_zone", fmt.Sprintf("unknown time zone %q (use an IANA name like Asia/Shanghai)", r.TimeZone))
		}
	}
	return st, nil
}

// column is one chosen export column.
type column struct {
	header string
	read   func(c *store.Contact) string
}

// columns builds the export's columns; without pii_view phones, ID numbers
// and the campaign's sensitive attributes are masked (see exportStyle).
func (r *exportRequest) columns(st *exportStyle) ([]column, error) {
	if len(r.Fields) == 0 {
		return nil, fieldError("fields", "choose at least one field")
	}
	if len(r.Headers) != 0 && len(r.Headers) != len(r.Fields) {
		return nil, fieldError("headers", "give one header per field, or none")
	}
	cols := make([]column, len(r.Fields))
	for i, f := range r.Fields {
		read, ok := contactReaders[string(f)]
		if key, isAttr := strings.CutPrefix(string(f), attributesPrefix); isAttr && key != "" {
			read, ok = func(st *exportStyle, c *store.Contact) string { return st.attribute(key, c.Attributes[key]) }, true
		}
		if !ok {
			return nil, enumError(fmt.Sprintf("fields[%d]", i), f)
		}
		cols[i] = column{header: st.lang.header(string(f)), read: func(c *store.Contact) string { return safeCell(read(st, c)) }}
		if len(r.Headers) > 0 && strings.TrimSpace(r.Headers[i]) != "" {
			cols[i].header = r.Headers[i]
		}
		cols[i].header = safeCell(cols[i].header)
	}
	return cols, nil
}

func exportStatuses(in []store.ExportStatus) ([]store.ContactStatus, error) {
	var out []store.ContactStatus
	for i, s := range in {
		switch class, ok := store.ExportClass[string(s)]; {
		case ok:
			out = append(out, class...)
		case store.OneOf(store.ContactStatus(s)):
			out = append(out, store.ContactStatus(s))
		default:
			return nil, enumError(fmt.Sprintf("statuses[%d]", i), s)
		}
	}
	return out, nil
}

// createExport streams the chosen contacts as xlsx or csv. Only users with
// the export permission get here (the route requires it); PII is masked for
// those without pii_view; the audit entry records the row count.
func (s *Server) createExport(c *gin.Context) {
	var req exportRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := s.applyTemplate(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Format == "" {
		req.Format = store.ExportXLSX
	}
	if !store.OneOf(req.Format) {
		fail(c, enumError("format", req.Format))
		return
	}
	camp, err := s.store.GetCampaign(c.Request.Context(), req.CampaignID)
	if err != nil {
		fail(c, fieldError("campaign_id", "no such campaign"))
		return
	}
	statuses, err := exportStatuses(req.Statuses)
	if err != nil {
		fail(c, err)
		return
	}
	style, err := req.style(c)
	if err != nil {
		fail(c, err)
		return
	}
	cols, err := req.columns(style)
	style.sensitive = camp.Sensitive()
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "campaign", camp.ID)
	if canSeePII(c) && exportsPII(stringsOf(req.Fields), camp.Sensitive()) {
		if err := s.auditPIIStream(c, PIIExport, "campaign", camp.ID, "format="+string(req.Format)); err != nil {
			fail(c, err)
			return
		}
	}
	name := fmt.Sprintf("campaign-%d-%s.%s", camp.ID, s.now().Format("20060102-150405"), req.Format)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	var rows int64
	if req.Format == store.ExportCSV {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		rows, err = s.writeCSV(c, c.Writer, camp.ID, statuses, cols)
	} else {
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		rows, err = s.writeXLSX(c, c.Writer, camp.ID, statuses, cols)
	}
	auditDetail(c, fmt.Sprintf("format=%s rows=%d fields=%s statuses=%s masked=%v lang=%s", req.Format, rows,
		strings.Join(stringsOf(req.Fields), ","), strings.Join(stringsOf(req.Statuses), ","), !style.pii, style.lang))
	if err != nil {
		logger(c).Error("export failed", "campaign_id", camp.ID, "err", err)
		c.Status(http.StatusInternalServerError)
	}
}

func (s *Server) applyTemplate(c *gin.Context, req *exportRequest) error {
	if req.TemplateID == 0 {
		return nil
	}
	t, err := s.store.GetExportTemplate(c.Request.Context(), req.TemplateID)
	if err != nil {
		return fieldError("template_id", "no such export template")
	}
	if len(req.Fields) == 0 {
		req.Fields, req.Headers = enumsOf[exportField](t.Fields), t.Headers
	}
	if len(req.Statuses) == 0 {
		req.Statuses = enumsOf[store.ExportStatus](t.Statuses)
	}
	if req.Format == "" {
		req.Format = store.ExportFormat(t.Format)
	}
	return nil
}

func (s *Server) writeCSV(c *gin.Context, w io.Writer, campID int64, statuses []store.ContactStatus, cols []column) (int64, error) {
	// A BOM makes Excel read the UTF-8 Chinese text correctly.
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(headers(cols)); err != nil {
		return 0, err
	}
	var n int64
	rec := make([]string, len(cols))
	err := s.store.EachContact(c.Request.Context(), campID, statuses, func(ct *store.Contact) error {
		for i, col := range cols {
			rec[i] = col.read(ct)
		}
		n++
		return cw.Write(rec)
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

func (s *Server) writeXLSX(c *gin.Context, w io.Writer, campID int64, statuses []store.ContactStatus, cols []column) (int64, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return 0, err
	}
	row := make([]any, len(cols))
	for i, h := range headers(cols) {
		row[i] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		return 0, err
	}
	var n int64
	err = s.store.EachContact(c.Request.Context(), campID, statuses, func(ct *store.Contact) error {
		for i, col := range cols {
			row[i] = col.read(ct) // text cells: IDs and phones keep every digit
		}
		n++
		cell, _ := excelize.CoordinatesToCellName(1, int(n)+1)
		return sw.SetRow(cell, row)
	})
	if err != nil {
		return n, err
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	_, err = f.WriteTo(w)
	return n, err
}

func headers(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.header
	}
	return out
}

type exportTemplateRequest struct {
	Name     string               `json:"name"`
	Fields   []exportField        `json:"fields"`
	Headers  []string             `json:"headers"`
	Statuses []store.ExportStatus `json:"statuses"`
	Format   store.ExportFormat   `json:"format"`
}

func (s *Server) createExportTemplate(c *gin.Context) {
	var req exportTemplateRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	probe := exportRequest{Fields: req.Fields, Headers: req.Headers}
	if _, err := probe.columns(&exportStyle{lang: langZH, loc: shanghai}); err != nil {
		fail(c, err)
		return
	}
	if _, err := exportStatuses(req.Statuses); err != nil {
		fail(c, err)
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		fail(c, fieldError("name", "is required"))
		return
	}
	if req.Format != "" && !store.OneOf(req.Format) {
		fail(c, enumError("format", req.Format))
		return
	}
	t := &store.ExportTemplate{Name: strings.TrimSpace(req.Name), Fields: stringsOf(req.Fields), Headers: req.Headers,
		Statuses: stringsOf(req.Statuses), Format: string(req.Format), CreatedBy: currentUser(c).ID}
	if err := s.store.CreateExportTemplate(c.Request.Context(), t); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "export_template", t.ID)
	c.JSON(http.StatusCreated, t)
}

func (s *Server) listExportTemplates(c *gin.Context) {
	items, err := s.store.ListExportTemplates(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, int64(len(items))))
}

func (s *Server) deleteExportTemplate(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteExportTemplate(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
