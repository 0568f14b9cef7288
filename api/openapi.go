package api

import (
	"maps"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// doc describes a route for the OpenAPI document.
type doc struct {
	Summary string
	// Request is the zero value of what the handler binds: a JSON body, a
	// multipart form (a struct with a *multipart.FileHeader field and form
	// tags), or, for GET, the query string (form tags); nil for none.
	Request any
	Reply   any // zero value of the success body type, or nil
	Status  int // success status
}

var (
	specOnce sync.Once
	specJSON map[string]any
)

func (s *Server) openapi(c *gin.Context) {
	specOnce.Do(func() { specJSON = buildSpec(s.allRoutes(), s.cfg.Version) })
	c.JSON(http.StatusOK, specJSON)
}

func buildSpec(routes []route, version string) map[string]any {
	paths := map[string]any{}
	for _, rt := range routes {
		p := openapiPath(rt.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = operation(rt)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "callcenter API", "version": version,
			"description": "Enumerations list every value the server accepts; a value outside them is refused with 400 " +
				"and an error detail that names the field and lists the values. JSON request bodies carry an example."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         map[string]any{"Error": schemaOf(reflect.TypeOf(errorBody{}))},
		},
	}
}

// openapiPath turns gin's :id into {id}.
func openapiPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func operation(rt route) map[string]any {
	op := map[string]any{"summary": rt.Doc.Summary}
	switch rt.Perm {
	case signedIn:
	case scrapers:
		op["description"] = "For monitoring: loopback clients, or `Authorization: Bearer <metrics.token>`; " +
			"with `metrics.address` set, only on that listener."
	default:
		op["description"] = "Needs permission `" + strings.ReplaceAll(string(rt.Perm), "|", "` or `") + "`."
	}
	if strings.HasPrefix(rt.Path, "/api/v1/") && rt.Path != "/api/v1/auth/login" {
		op["security"] = []any{map[string]any{"bearer": []any{}}}
	}
	params := pathParams(rt.Path)
	if rt.Doc.Request != nil {
		t := reflect.TypeOf(rt.Doc.Request)
		switch {
		case rt.Method == http.MethodGet:
			params = append(params, queryParams(t)...)
		case isUploadForm(t):
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": formSchema(t)}}}
		default:
			media := map[string]any{"schema": schemaOf(t)}
			if ex, ok := examples[t]; ok {
				media["example"] = ex
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": media}}
		}
	}
	if rt.Doc.Reply != nil && isList(reflect.TypeOf(rt.Doc.Reply)) {
		params = append(params, pageParamsDoc()...)
	}
	if params != nil {
		op["parameters"] = params
	}
	ok := map[string]any{"description": http.StatusText(rt.Doc.Status)}
	if rt.Doc.Reply != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Doc.Reply))}}
	}
	errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	op["responses"] = map[string]any{itoa(int64(rt.Doc.Status)): ok, "default": errRef}
	return op
}

func pathParams(path string) []any {
	var params []any
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, ":") {
			params = append(params, map[string]any{"name": seg[1:], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	return params
}

// queryParams documents a query struct's form-tagged fields.
func queryParams(t reflect.Type) []any {
	var params []any
	for _, f := range formFields(t) {
		p := map[string]any{"name": f.name, "in": "query", "schema": schemaOf(f.Type)}
		if f.Type.Kind() == reflect.Slice {
			p["style"], p["explode"] = "form", false // status=a,b
		}
		if d := f.Tag.Get("doc"); d != "" {
			p["description"] = d
		}
		params = append(params, p)
	}
	return params
}

func pageParamsDoc() []any {
	return []any{
		map[string]any{"name": "page", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1, "default": 1}},
		map[string]any{"name": "page_size", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1,
			"maximum": store.MaxPageSize, "default": 50}},
	}
}

var (
	timeType       = reflect.TypeOf(time.Time{})
	fileHeaderType = reflect.TypeOf(&multipart.FileHeader{})
	enumType       = reflect.TypeOf((*store.Enum)(nil)).Elem()
)

func isList(t reflect.Type) bool { return strings.HasPrefix(t.Name(), "list[") }

// isUploadForm reports whether t is a multipart form: it takes a file.
func isUploadForm(t reflect.Type) bool {
	for _, f := range formFields(t) {
		if f.Type == fileHeaderType {
			return true
		}
	}
	return false
}

// formSchema documents a multipart form; its file fields are required.
func formSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []any
	for _, f := range formFields(t) {
		props[f.name] = fieldSchema(f.StructField)
		if f.Type == fileHeaderType {
			required = append(required, f.name)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if required != nil {
		s["required"] = required
	}
	return s
}

type namedField struct {
	reflect.StructField
	name string
}

// formFields lists a struct's fields that have a form tag.
func formFields(t reflect.Type) []namedField {
	var out []namedField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("form"), ","); name != "" && name != "-" {
			out = append(out, namedField{f, name})
		}
	}
	return out
}

// schemaOf derives a JSON schema from a Go type: json tags name the fields,
// doc tags describe them, and an enum type (store.Enum) lists its values.
func schemaOf(t reflect.Type) map[string]any {
	if t == fileHeaderType {
		return map[string]any{"type": "string", "format": "binary"}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if t.Implements(enumType) {
		return enumSchema(reflect.Zero(t).Interface().(store.Enum))
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return mapSchema(t)
	case reflect.Struct:
		return structSchema(t)
	}
	return map[string]any{}
}

// enumSchema lists an enum's values; a pattern enum also takes its pattern.
func enumSchema(e store.Enum) map[string]any {
	values := e.EnumValues()
	s := map[string]any{"type": "string", "enum": values, "example": values[0]}
	if p, ok := e.(store.PatternEnum); ok {
		re, hint := p.EnumPattern()
		delete(s, "enum")
		s["anyOf"] = []any{map[string]any{"enum": values}, map[string]any{"pattern": re}}
		s["description"] = "one of the values listed, or " + hint
	}
	return s
}

// mapSchema: a map keyed by an enum is an object with exactly those keys.
func mapSchema(t reflect.Type) map[string]any {
	if !t.Key().Implements(enumType) {
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	}
	props := map[string]any{}
	for _, k := range reflect.Zero(t.Key()).Interface().(store.Enum).EnumValues() {
		props[k] = schemaOf(t.Elem())
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && name == "" {
			for k, v := range structSchema(f.Type)["properties"].(map[string]any) {
				props[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = fieldSchema(f)
	}
	return map[string]any{"type": "object", "properties": props}
}

// fieldSchema is the field type's schema with the field's doc tag.
func fieldSchema(f reflect.StructField) map[string]any {
	s := schemaOf(f.Type)
	if d := f.Tag.Get("doc"); d != "" {
		s = maps.Clone(s)
		if prev, ok := s["description"].(string); ok {
			d += " (" + prev + ")"
		}
		s["description"] = d
	}
	return s
}
