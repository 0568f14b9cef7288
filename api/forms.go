package api

import (
	"mime/multipart"
	"net/url"
	"reflect"
	"strconv"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
)

// Requests that are not JSON bodies: the multipart uploads and the list
// filters of the query string. Handlers bind these structs, and the OpenAPI
// document is built from them, so it lists exactly what the handlers read.

// importUpload is the form of POST /campaigns/{id}/imports and its preview.
type importUpload struct {
	File       *multipart.FileHeader `form:"file" doc:"the contact file: csv/txt, xlsx, docx or Word 97 doc"`
	Mapping    string                `form:"mapping" doc:"JSON {\"column header or 1-based number\": \"field\"}; field is name, phone, alt_phone, id_number, customer_type, manager_email, ignore, attribute or attributes.<key>; unmapped columns are recognised by their header"`
	Encoding   importer.Encoding     `form:"encoding" doc:"csv/txt only; empty detects it"`
	Sheet      string                `form:"sheet" doc:"xlsx only; empty is the first sheet; at most 128 bytes"`
	TemplateID int64                 `form:"template_id" doc:"a saved mapping template; fills mapping, encoding and sheet left empty"`
	Force      bool                  `form:"force" doc:"import a file this campaign already imported"`
}

func (f *importUpload) check() error { return checkEncoding("encoding", &f.Encoding) }

// dncUpload is the form of POST /dnc/import.
type dncUpload struct {
	File     *multipart.FileHeader `form:"file" doc:"a file with phone and/or id_number columns: csv/txt, xlsx, docx or Word 97 doc"`
	Mapping  string                `form:"mapping" doc:"JSON {\"column header or 1-based number\": \"field\"}, as for contact imports"`
	Encoding importer.Encoding     `form:"encoding" doc:"csv/txt only; empty detects it"`
	Reason   string                `form:"reason" doc:"applies to every entry of the file"`
	Source   store.DNCSource       `form:"source" doc:"default import"`
}

func (f *dncUpload) check() error {
	return firstError(checkEncoding("encoding", &f.Encoding), checkEnum("source", f.Source))
}

// bindUpload reads a multipart form saveUpload has parsed into f.
func bindUpload(c *gin.Context, f any) error {
	err := c.ShouldBindWith(f, binding.FormMultipart)
	if err == nil {
		return nil
	}
	return formError(url.Values(c.Request.MultipartForm.Value), f, err)
}

// bindQuery reads the query string into q.
func bindQuery(c *gin.Context, q any) error {
	err := c.ShouldBindWith(q, binding.Query)
	if err == nil {
		return nil
	}
	return formError(c.Request.URL.Query(), q, err)
}

// formError names the field gin could not parse (its error does not): it
// parses each number and boolean field of the form again.
func formError(values url.Values, form any, err error) error {
	for _, f := range formFields(reflect.TypeOf(form).Elem()) {
		v := values.Get(f.name)
		if v == "" {
			continue
		}
		switch f.Type.Kind() {
		case reflect.Int64:
			if _, perr := strconv.ParseInt(v, 10, 64); perr != nil {
				return fieldError(f.name, "must be a positive integer id")
			}
		case reflect.Bool:
			if _, perr := strconv.ParseBool(v); perr != nil {
				return fieldError(f.name, "must be a boolean (true or false)")
			}
		}
	}
	return fieldError("form", err.Error())
}

// firstError is the first of errs that is not nil. Callers pass method
// calls (q.check()), never field values, so each runs after the bind.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkEnum accepts an empty value (not given) or one of E's values.
func checkEnum[E interface {
	~string
	store.Enum
}](field string, v E) error {
	if v == "" || store.OneOf(v) {
		return nil
	}
	return enumError(field, v)
}

// checkEncoding accepts empty (detect), a known name or an alias.
func checkEncoding(field string, e *importer.Encoding) error {
	canon, ok := e.Canonical()
	if !ok {
		return enumError(field, *e)
	}
	*e = canon
	return nil
}

// Query strings of the list routes.

type campaignQuery struct {
	Status store.CampaignStatus `form:"status"`
	Kind   store.CampaignKind   `form:"kind"`
	Media  store.Media          `form:"media"`
	Q      string               `form:"q" doc:"name contains"`
}

func (q *campaignQuery) check() error {
	return firstError(checkEnum("status", q.Status), checkEnum("kind", q.Kind), checkEnum("media", q.Media))
}

type groupQuery struct {
	Kind store.GroupKind `form:"kind"`
}

func (q *groupQuery) check() error { return checkEnum("kind", q.Kind) }

type userQuery struct {
	Role    store.Role `form:"role"`
	GroupID int64      `form:"group_id"`
	Q       string     `form:"q" doc:"username or display name contains"`
}

func (q *userQuery) check() error { return checkEnum("role", q.Role) }

type dncQuery struct {
	Kind store.DNCKind `form:"kind"`
	Q    string        `form:"q" doc:"a phone (any usual form) or ID number, or part of one"`
}

func (q *dncQuery) check() error { return checkEnum("kind", q.Kind) }

type contactQuery struct {
	Status       []store.ContactStatus `form:"status" collection_format:"csv" doc:"comma-separated"`
	OwnerAgentID int64                 `form:"owner_agent_id"`
	Unassigned   bool                  `form:"unassigned" doc:"only contacts no agent owns"`
	Q            string                `form:"q" doc:"name contains; a phone or ID number matches its whole value (also a prefix with pii_view)"`
}

func (q *contactQuery) check() error {
	for _, s := range q.Status {
		if err := checkEnum("status", s); err != nil {
			return err
		}
	}
	return nil
}
