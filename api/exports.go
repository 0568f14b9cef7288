package api

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

type exportRequest struct {
	CampaignID int64    `json:"campaign_id"`
	TemplateID int64    `json:"template_id"`
	Statuses   []string `json:"statuses"` // completed, uncompleted, maintenance, or raw statuses
	Fields     []string `json:"fields"`   // in order: name, phone, ..., attributes.<key>
	Headers    []string `json:"headers"`  // optional header names, same length as fields
	Format     string   `json:"format"`   // xlsx (default) or csv
}

// exportFields lists the exportable contact fields and how to read each.
var exportFields = map[string]func(c *store.Contact) string{
	"id":              func(c *store.Contact) string { return strconv.FormatInt(c.ID, 10) },
	"name":            func(c *store.Contact) string { return c.Name },
	"phone":           func(c *store.Contact) string { return c.Phone },
	"alt_phone":       func(c *store.Contact) string { return c.AltPhone },
	"id_number":       func(c *store.Contact) string { return c.IDNumber },
	"customer_type":   func(c *store.Contact) string { return c.CustomerType },
	"manager_email":   func(c *store.Contact) string { return c.ManagerEmail },
	"status":          func(c *store.Contact) string { return string(c.Status) },
	"attempts":        func(c *store.Contact) string { return strconv.Itoa(c.Attempts) },
	"last_result":     func(c *store.Contact) string { return c.LastResult },
	"last_attempt_at": func(c *store.Contact) string { return timeCell(c.LastAttemptAt) },
	"next_attempt_at": func(c *store.Contact) string { return timeCell(c.NextAttemptAt) },
	"owner_agent_id":  func(c *store.Contact) string { return idCell(c.OwnerAgentID) },
	"block_reason":    func(c *store.Contact) string { return c.BlockReason },
	"created_at":      func(c *store.Contact) string { return c.CreatedAt.Format(time.RFC3339) },
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

func idCell(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// column is one chosen export column.
type column struct {
	header string
	read   func(c *store.Contact) string
}

// columns builds the export's columns; without pii_view phones, ID numbers
// and the campaign's sensitive attributes are masked.
func (r *exportRequest) columns(pii bool, sensitive map[string]bool) ([]column, error) {
	if len(r.Fields) == 0 {
		return nil, fieldError("fields", "choose at least one field")
	}
	if len(r.Headers) != 0 && len(r.Headers) != len(r.Fields) {
		return nil, fieldError("headers", "give one header per field, or none")
	}
	cols := make([]column, len(r.Fields))
	for i, f := range r.Fields {
		read, ok := exportFields[f]
		if key, isAttr := strings.CutPrefix(f, "attributes."); isAttr && key != "" {
			read, ok = func(c *store.Contact) string { return c.Attributes[key] }, true
		}
		if !ok {
			return nil, fieldError(fmt.Sprintf("fields[%d]", i), fmt.Sprintf("unknown field %q", f))
		}
		if !pii {
			read = maskedReader(f, read, sensitive)
		}
		cols[i] = column{header: f, read: read}
		if len(r.Headers) > 0 && strings.TrimSpace(r.Headers[i]) != "" {
			cols[i].header = r.Headers[i]
		}
	}
	return cols, nil
}

func maskedReader(field string, read func(*store.Contact) string, sensitive map[string]bool) func(*store.Contact) string {
	if key, isAttr := strings.CutPrefix(field, "attributes."); isAttr && sensitive[key] {
		field = "sensitive"
	}
	switch field {
	case "sensitive":
		return func(c *store.Contact) string {
			if v := read(c); v != "" {
				return maskAttr(v)
			}
			return ""
		}
	case "phone", "alt_phone":
		return func(c *store.Contact) string {
			if v := read(c); v != "" {
				return maskPhone(v)
			}
			return ""
		}
	case "id_number":
		return func(c *store.Contact) string {
			if v := read(c); v != "" {
				return maskID(v)
			}
			return ""
		}
	}
	return read
}

func exportStatuses(in []string) ([]store.ContactStatus, error) {
	var out []store.ContactStatus
	for i, s := range in {
		if class, ok := store.ExportClass[s]; ok {
			out = append(out, class...)
			continue
		}
		switch st := store.ContactStatus(s); st {
		case store.ContactPending, store.ContactInProgress, store.ContactCompleted, store.ContactFailed,
			store.ContactMaintenance, store.ContactBlocked, store.ContactCancelled:
			out = append(out, st)
		default:
			return nil, fieldError(fmt.Sprintf("statuses[%d]", i), fmt.Sprintf("unknown status %q: use completed, uncompleted, maintenance or a contact status", s))
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
		req.Format = "xlsx"
	}
	if req.Format != "xlsx" && req.Format != "csv" {
		fail(c, fieldError("format", "must be xlsx or csv"))
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
	cols, err := req.columns(canSeePII(c), camp.Sensitive())
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "campaign", camp.ID)
	name := fmt.Sprintf("campaign-%d-%s.%s", camp.ID, s.now().Format("20060102-150405"), req.Format)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	var rows int64
	if req.Format == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		rows, err = s.writeCSV(c, c.Writer, camp.ID, statuses, cols)
	} else {
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		rows, err = s.writeXLSX(c, c.Writer, camp.ID, statuses, cols)
	}
	auditDetail(c, fmt.Sprintf("format=%s rows=%d fields=%s statuses=%s masked=%v", req.Format, rows,
		strings.Join(req.Fields, ","), strings.Join(req.Statuses, ","), !canSeePII(c)))
	if canSeePII(c) && exportsPII(req.Fields, camp.Sensitive()) {
		s.auditPII(c, PIIExport, "campaign", camp.ID, rows, "format="+req.Format)
	}
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
		req.Fields, req.Headers = t.Fields, t.Headers
	}
	if len(req.Statuses) == 0 {
		req.Statuses = t.Statuses
	}
	if req.Format == "" {
		req.Format = t.Format
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
	Name     string   `json:"name"`
	Fields   []string `json:"fields"`
	Headers  []string `json:"headers"`
	Statuses []string `json:"statuses"`
	Format   string   `json:"format"`
}

func (s *Server) createExportTemplate(c *gin.Context) {
	var req exportTemplateRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	probe := exportRequest{Fields: req.Fields, Headers: req.Headers}
	if _, err := probe.columns(true, nil); err != nil {
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
	if req.Format != "" && req.Format != "xlsx" && req.Format != "csv" {
		fail(c, fieldError("format", "must be xlsx or csv"))
		return
	}
	t := &store.ExportTemplate{Name: strings.TrimSpace(req.Name), Fields: req.Fields, Headers: req.Headers,
		Statuses: req.Statuses, Format: req.Format, CreatedBy: currentUser(c).ID}
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
