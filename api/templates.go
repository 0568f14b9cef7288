package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type mappingTemplateRequest struct {
	Name     string          `json:"name"`
	Mapping  json.RawMessage `json:"mapping"` // {"手机号码":"phone","3":"id_number"}
	Encoding string          `json:"encoding"`
	Sheet    string          `json:"sheet"`
}

func (s *Server) createMappingTemplate(c *gin.Context) {
	var req mappingTemplateRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		fail(c, fieldError("name", "is required"))
		return
	}
	var m map[string]string
	if err := json.Unmarshal(req.Mapping, &m); err != nil || len(m) == 0 {
		fail(c, fieldError("mapping", `must be an object {"column header or index":"field"}`))
		return
	}
	for col, field := range m {
		if !validMappingTarget(field) {
			fail(c, fieldError("mapping."+col, "unknown field "+field))
			return
		}
	}
	t := &store.MappingTemplate{Name: strings.TrimSpace(req.Name), Mapping: string(req.Mapping), Encoding: req.Encoding,
		Sheet: req.Sheet, CreatedBy: currentUser(c).ID}
	if err := s.store.CreateMappingTemplate(c.Request.Context(), t); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "mapping_template", t.ID)
	c.JSON(http.StatusCreated, t)
}

// validMappingTarget accepts the contact fields, ignore, and attribute names.
func validMappingTarget(f string) bool {
	switch importer.Field(f) {
	case importer.FieldName, importer.FieldPhone, importer.FieldAltPhone, importer.FieldIDNumber,
		importer.FieldCustomerType, importer.FieldManagerEmail, importer.FieldIgnore:
		return true
	}
	return f == string(importer.FieldAttribute) || strings.HasPrefix(f, "attributes.")
}

func (s *Server) listMappingTemplates(c *gin.Context) {
	items, err := s.store.ListMappingTemplates(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, int64(len(items))))
}

func (s *Server) deleteMappingTemplate(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.store.DeleteMappingTemplate(c.Request.Context(), id); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
