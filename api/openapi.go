package api

import (
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// doc describes a route for the OpenAPI document.
type doc struct {
	Summary string
	Request any // zero value of the request body type, or nil
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
		"info":    map[string]any{"title": "callcenter API", "version": version},
		"paths":   paths,
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
	if rt.Perm != "" {
		op["description"] = "Needs permission `" + strings.ReplaceAll(string(rt.Perm), "|", "` or `") + "`."
	}
	if strings.HasPrefix(rt.Path, "/api/v1/") && rt.Path != "/api/v1/auth/login" {
		op["security"] = []any{map[string]any{"bearer": []any{}}}
	}
	var params []any
	for _, seg := range strings.Split(rt.Path, "/") {
		if strings.HasPrefix(seg, ":") {
			params = append(params, map[string]any{"name": seg[1:], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.Doc.Request != nil {
		op["requestBody"] = map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Doc.Request))}}}
	}
	ok := map[string]any{"description": http.StatusText(rt.Doc.Status)}
	if rt.Doc.Reply != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Doc.Reply))}}
	}
	errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	op["responses"] = map[string]any{itoa(int64(rt.Doc.Status)): ok, "default": errRef}
	return op
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf derives a JSON schema from a Go type's json tags.
func schemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
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
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		return structSchema(t)
	}
	return map[string]any{}
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
		props[name] = schemaOf(f.Type)
	}
	return map[string]any{"type": "object", "properties": props}
}
