package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type mappingTemplateRequest struct {
	Name     string                     `json:"name"`
	Mapping  map[string]importer.Target `json:"mapping"` // {"手机号码":"phone","3":"id_number"}
	Encoding importer.Encoding          `json:"encoding"`
	Sheet    string                     `json:"sheet"`
}

func (s *Server) createMappingTemplate(c *gin.Context) {
	var req mappingTemplateRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := req.check(); err != nil {
		fail(c, err)
		return
	}
	mapping, _ := json.Marshal(req.Mapping) // a map of strings always marshals
	t := &store.MappingTemplate{Name: strings.TrimSpace(req.Name), Mapping: string(mapping), Encoding: string(req.Encoding),
		Sheet: req.Sheet, CreatedBy: currentUser(c).ID}
	if err := s.store.CreateMappingTemplate(c.Request.Context(), t); err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "mapping_template", t.ID)
	c.JSON(http.StatusCreated, t)
}

// check validates the template and puts its encoding in canonical form.
func (r *mappingTemplateRequest) check() error {
	if strings.TrimSpace(r.Name) == "" {
		return fieldError("name", "is required")
	}
	if len(r.Mapping) == 0 {
		return fieldError("mapping", `must be an object {"column header or 1-based number":"field"}`)
	}
	for _, col := range slices.Sorted(maps.Keys(r.Mapping)) {
		if !store.OneOf(r.Mapping[col]) {
			return enumError("mapping."+col, r.Mapping[col])
		}
	}
	enc, ok := r.Encoding.Canonical()
	if !ok {
		return enumError("encoding", r.Encoding)
	}
	r.Encoding = enc
	return nil
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
