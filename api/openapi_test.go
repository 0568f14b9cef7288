package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
)

// exampleOrder posts the examples so that what one refers to exists: group
// and calendar 1 before strategy 1, those before campaign 1, the workstation
// before its report, then the rest (agent 4 is the harness's agent).
var exampleOrder = []string{
	"POST /api/v1/groups", "POST /api/v1/calendars", "POST /api/v1/strategies", "POST /api/v1/campaigns",
	"POST /api/v1/users", "POST /api/v1/holidays", "POST /api/v1/campaigns/:id/contacts",
	"POST /api/v1/campaigns/:id/assignments", "POST /api/v1/mapping-templates", "POST /api/v1/exports",
	"POST /api/v1/export-templates", "POST /api/v1/callbacks", "POST /api/v1/dnc", "POST /api/v1/dnc/batch",
	"POST /api/v1/campaigns/:id/pacing/simulate", "POST /api/v1/messages", "POST /api/v1/broadcasts",
	"POST /api/v1/break-reasons", "POST /api/v1/shifts", "POST /api/v1/roster", "POST /api/v1/roster/assign",
	"POST /api/v1/workstations", "POST /api/v1/workstations/report", "POST /api/v1/audit/client-events",
	"POST /api/v1/auth/unlock", "POST /api/v1/outbound-messages/test",
	"POST /api/v1/kb/articles", "POST /api/v1/kb/articles/:id/status", "POST /api/v1/scripts", "POST /api/v1/scripts/:id/publish",
	"POST /api/v1/scripts/:id/feedback", "POST /api/v1/me/script-sessions", "POST /api/v1/me/script-sessions/:uuid/answers",
	"POST /api/v1/me/script-sessions/:uuid/pause", "POST /api/v1/me/script-sessions/:uuid/results",
	"POST /api/v1/me/softphone/login", "POST /api/v1/me/state", "POST /api/v1/me/preview",
	"POST /api/v1/me/calls/:uuid/transfer", "POST /api/v1/me/calls/:uuid/consult", "POST /api/v1/me/calls/:uuid/verify", "POST /api/v1/me/calls/new/dial", "POST /api/v1/me/calls/:uuid/disposition",
	"POST /api/v1/calls/:uuid/eavesdrop",
	"POST /api/v1/campaigns/:id/results/actions", "POST /api/v1/contacts/:id/notes", "POST /api/v1/qa/scorecards",
	"POST /api/v1/qa/scores", "POST /api/v1/qa/scores/:id/appeal", "POST /api/v1/qa/scores/:id/resolve",
	"POST /api/v1/saved-reports", "PATCH /api/v1/saved-reports/:id", "POST /api/v1/saved-reports/:id/schedule",
}

// seedExamples signs in with the login example (as the admin it names) and
// posts every example in exampleOrder as that admin, or for a machine's
// route with the token of the workstation the examples registered, and
// checks the server takes each; it returns the routes by "METHOD path".
func seedExamples(t *testing.T, h *harness) map[string]route {
	t.Helper()
	routes := map[string]route{}
	for _, rt := range h.srv.allRoutes() {
		routes[rt.Method+" "+rt.Path] = rt
	}
	admin := exampleAdmin(t, h)
	// The QA examples score call 1.
	if err := h.srv.store.SaveAttempt(t.Context(), &store.Attempt{CallUUID: exampleCallUUID, Destination: "+8613800138000", State: "hangup"}); err != nil {
		t.Fatal(err)
	}
	for _, key := range exampleOrder {
		rt, ok := routes[key]
		if !ok {
			t.Fatalf("exampleOrder names %s, which is not in the route table", key)
		}
		body := examples[reflect.TypeOf(rt.Doc.Request)]
		token := admin
		if isDeviceRoute(h.srv, rt) {
			token = exampleWorkstationToken(h)
		}
		rec := h.raw(rt.Method, strings.NewReplacer(":id", "1", ":uuid", exampleCallUUID).Replace(rt.Path), token, body)
		if rec.Code/100 != 2 {
			t.Errorf("%s: the documented example is refused: %d %s", key, rec.Code, rec.Body.String())
		}
	}
	return routes
}

// exampleAdmin creates the admin the login example names, with the
// documented password, and signs in with the example.
func exampleAdmin(t *testing.T, h *harness) string {
	t.Helper()
	login := examples[typeOf[loginRequest]()].(loginRequest)
	u := &store.User{Username: login.Username, Role: store.RoleAdmin, DisplayName: "管理员"}
	if err := u.SetPassword(login.Password, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.store.CreateUser(t.Context(), u, nil); err != nil {
		t.Fatal(err)
	}
	var resp loginResponse
	h.do("POST", "/api/v1/auth/login", "", login, http.StatusOK, &resp)
	return resp.Token
}

// isDeviceRoute tells whether machines call rt with their own token.
func isDeviceRoute(s *Server, rt route) bool {
	return slices.ContainsFunc(s.deviceRoutes(), func(d route) bool { return d.Method == rt.Method && d.Path == rt.Path })
}

// exampleWorkstationToken is a fresh report token of the workstation the
// workstation example registers (registered here if it is not yet).
func exampleWorkstationToken(h *harness) string {
	h.t.Helper()
	ctx, name := h.t.Context(), examples[typeOf[workstationRequest]()].(workstationRequest).Name
	w, err := h.srv.store.WorkstationByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		token, err := h.srv.store.CreateWorkstation(ctx, &store.Workstation{Name: name})
		if err != nil {
			h.t.Fatal(err)
		}
		return token
	}
	if err != nil {
		h.t.Fatal(err)
	}
	_, token, err := h.srv.store.RotateWorkstationToken(ctx, w.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return token
}

// probeToken is the token a probe of rt is sent with.
func probeToken(h *harness, rt route) string {
	if isDeviceRoute(h.srv, rt) {
		return exampleWorkstationToken(h)
	}
	return h.tokens[store.RoleAdmin]
}

// TestOpenAPIExamplesAreAccepted: every JSON request body in the route table
// has an example, and the server accepts each example as documented.
func TestOpenAPIExamplesAreAccepted(t *testing.T) {
	h := newHarness(t)
	seedExamples(t, h)
	for _, rt := range h.srv.allRoutes() {
		if rt.Doc.Request == nil || rt.Method == http.MethodGet || isUploadForm(reflect.TypeOf(rt.Doc.Request)) {
			continue
		}
		if _, ok := examples[reflect.TypeOf(rt.Doc.Request)]; !ok {
			t.Errorf("%s %s: no example for %T in openapi_examples.go", rt.Method, rt.Path, rt.Doc.Request)
		}
		if rt.Method == http.MethodPost && rt.Path != "/api/v1/auth/login" && !slices.Contains(exampleOrder, rt.Method+" "+rt.Path) {
			t.Errorf("%s %s: its example is not posted by this test; add it to exampleOrder", rt.Method, rt.Path)
		}
	}
	var spec map[string]any
	h.do("GET", "/api/openapi.json", "", nil, http.StatusOK, &spec)
	campaign := dig(spec, "paths", "/api/v1/campaigns", "post", "requestBody", "content", "application/json", "example")
	if m, ok := campaign.(map[string]any); !ok || m["dial_mode"] != "progressive" {
		t.Errorf("campaign example in the document: %v", campaign)
	}
}

// bogus is a value no enum of the API has.
const bogus = "zz-not-a-value"

// probe is one request with one field set to bogus.
type probe struct {
	route  route
	field  string   // the field as the server names it in error details
	schema []string // path from the request schema to the field's schema
	send   func(h *harness) *http.Response
	key    bool // the bogus value is a map key
}

// TestOpenAPIEnumsMatchValidation sends, for every string field of every
// documented request (JSON bodies from their examples, upload forms, query
// strings), a value outside any set. When the server refuses it as "must be
// one of: ..." (store.EnumMessage, the one wording of enum validation), the
// document must list exactly those values for that field; a field validated
// against a set of values but documented without them fails here.
func TestOpenAPIEnumsMatchValidation(t *testing.T) {
	h := newHarness(t)
	seedExamples(t, h)
	spec := buildSpec(h.srv.allRoutes(), "test")
	found := map[string]bool{}
	for _, rt := range h.srv.allRoutes() {
		for _, p := range probesFor(t, rt) {
			values, ok := enumRefusal(t, h, p)
			if !ok {
				continue
			}
			found[strings.TrimPrefix(rt.Path, "/api/v1")+" "+p.field] = true
			s := requestSchema(spec, rt, p)
			if documented := enumOf(s, p.key); !slices.Equal(documented, values) {
				t.Errorf("%s %s field %s: validation accepts %v, the document lists %v (schema %v)",
					rt.Method, rt.Path, p.field, values, documented, s)
			}
		}
	}
	// The probe must reach the validation of the enums we know of; if these
	// stop being found, the probe is broken, not the API fixed.
	for _, want := range []string{
		"/users role", "/users permissions[0]", "/groups kind", "/calendars windows[0].day_kind", "/calendars dates[0].kind",
		"/holidays kind", "/strategies phone_order[0]", "/strategies retry_intervals." + bogus, "/campaigns kind",
		"/campaigns media", "/campaigns dial_mode", "/campaigns/:id/assignments mode", "/exports format",
		"/exports statuses[0]", "/exports fields[0]", "/export-templates format", "/dnc source",
		"/mapping-templates encoding", "/campaigns/:id/imports encoding", "/campaigns/:id/imports/preview encoding",
		"/dnc/import source", "/dnc/import encoding", "/campaigns status", "/campaigns/:id/contacts status",
		"/users role", "/groups kind", "/dnc kind", "/workstations state", "/workstations/report state",
		"/audit/client-events action", "/me/state state", "/me/softphone/login mode", "/calls/:uuid/eavesdrop mode",
	} {
		if !found[want] {
			t.Errorf("no enum refusal seen for %s", want)
		}
	}
}

// enumRefusal sends the probe; ok is true when the server refused the
// bogus value with an enum message for the probed field, and values are the
// values the message lists.
func enumRefusal(t *testing.T, h *harness, p probe) ([]string, bool) {
	t.Helper()
	resp := p.send(h)
	defer resp.Body.Close()
	var b errorBody
	if resp.StatusCode/100 == 2 || json.NewDecoder(resp.Body).Decode(&b) != nil || b.Error == nil {
		return nil, false
	}
	for _, d := range b.Error.Details {
		list, isEnum := strings.CutPrefix(d.Message, store.EnumPrefix)
		if !isEnum || !sameField(d.Field, p.field) {
			continue
		}
		list, _, _ = strings.Cut(list, ", or ") // a pattern's hint follows
		values := strings.Split(list, ", ")
		if p.key { // a map's keys have no order
			slices.Sort(values)
		}
		return values, true
	}
	return nil, false
}

// sameField matches a detail's field to the probe's: "{any}" stands for the
// map key the example had; an item of a batch is named by its last segment
// (with the row in the detail's row).
func sameField(got, probed string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(probed), `\{any\}`, `[^.]+`) + "$"
	if regexp.MustCompile(re).MatchString(got) {
		return true
	}
	last := regexp.MustCompile(`\[\d+\]$`).ReplaceAllString(probed, "")
	return got == last[strings.LastIndex(last, ".")+1:]
}

// probesFor lists the probes of one route: each string field of its
// request set to bogus, the rest from the route's example.
func probesFor(t *testing.T, rt route) []probe {
	if rt.Doc.Request == nil {
		return nil
	}
	typ := reflect.TypeOf(rt.Doc.Request)
	path := strings.ReplaceAll(rt.Path, ":id", "1")
	var out []probe
	switch {
	case rt.Method == http.MethodGet:
		for _, f := range formFields(typ) {
			if deref(f.Type).Kind() == reflect.String || deref(f.Type).Kind() == reflect.Slice {
				out = append(out, probe{route: rt, field: f.name, schema: []string{f.name},
					send: func(h *harness) *http.Response {
						return h.raw("GET", path+"?"+url.Values{f.name: {bogus}}.Encode(), h.tokens[store.RoleAdmin], nil).Result()
					}})
			}
		}
	case isUploadForm(typ):
		for _, f := range formFields(typ) {
			if deref(f.Type).Kind() == reflect.String {
				out = append(out, probe{route: rt, field: f.name, schema: []string{f.name},
					send: func(h *harness) *http.Response {
						return h.upload(path, h.tokens[store.RoleAdmin], "list.csv", []byte("姓名,手机号码\n张伟,13800138000\n"),
							map[string]string{f.name: bogus}).Result()
					}})
			}
		}
	case rt.Method == http.MethodPost && rt.Path != "/api/v1/auth/login":
		var base any
		raw, _ := json.Marshal(examples[typ])
		if err := json.Unmarshal(raw, &base); err != nil {
			t.Fatalf("%s: example: %v", rt.Path, err)
		}
		for _, leaf := range stringLeaves(typ, nil) {
			body := setLeaf(copyJSON(base), leaf)
			out = append(out, probe{route: rt, field: leaf.field(), schema: leaf.schemaPath(), key: leaf.key(),
				send: func(h *harness) *http.Response {
					return h.raw(rt.Method, path, probeToken(h, rt), body).Result()
				}})
		}
	}
	return out
}

// A leaf is the way from a request type to one of its string values: field
// names, "[]" for a slice element, "{}" for a map value, "{key}" for a map key.
type leaf []string

func (l leaf) key() bool { return len(l) > 0 && l[len(l)-1] == "{key}" }

// field names the leaf as error details do: fields[0], retry_intervals.<key>.
func (l leaf) field() string {
	var b strings.Builder
	for _, s := range l {
		switch s {
		case "[]":
			b.WriteString("[0]")
		case "{}":
			b.WriteString(".{any}")
		case "{key}":
			b.WriteString("." + bogus)
		default:
			if b.Len() > 0 {
				b.WriteString(".")
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

func (l leaf) schemaPath() []string { return l }

// stringLeaves walks a type to every string it holds.
func stringLeaves(t reflect.Type, at leaf) []leaf {
	t = deref(t)
	switch t.Kind() {
	case reflect.String:
		return []leaf{at}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // raw JSON
		}
		return stringLeaves(t.Elem(), append(slices.Clone(at), "[]"))
	case reflect.Map:
		out := []leaf{append(slices.Clone(at), "{key}")}
		return append(out, stringLeaves(t.Elem(), append(slices.Clone(at), "{}"))...)
	case reflect.Struct:
		if t == timeType {
			return nil
		}
		var out []leaf
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if f.Anonymous && name == "" {
				out = append(out, stringLeaves(f.Type, at)...)
				continue
			}
			out = append(out, stringLeaves(f.Type, append(slices.Clone(at), name))...)
		}
		return out
	}
	return nil
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func copyJSON(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

// setLeaf puts bogus at the leaf, creating what the example lacks. For a
// map value it replaces the first key's value; for a map key it adds bogus
// with the first value.
func setLeaf(v any, l leaf) any {
	if len(l) == 0 {
		return bogus
	}
	switch seg := l[0]; seg {
	case "[]":
		arr, _ := v.([]any)
		if len(arr) == 0 {
			arr = []any{nil}
		}
		arr[0] = setLeaf(arr[0], l[1:])
		return arr
	case "{}", "{key}":
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		keys := slices.Sorted(maps.Keys(m))
		var first any
		if len(keys) > 0 {
			first = m[keys[0]]
		}
		if seg == "{key}" {
			m[bogus] = first
			return m
		}
		k := "col"
		if len(keys) > 0 {
			k = keys[0]
		}
		m[k] = setLeaf(first, l[1:])
		return m
	default:
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		m[seg] = setLeaf(m[seg], l[1:])
		return m
	}
}

// requestSchema finds the probed field's schema in the document.
func requestSchema(spec map[string]any, rt route, p probe) any {
	op := dig(spec, "paths", openapiPath(rt.Path), strings.ToLower(rt.Method))
	var s any
	switch {
	case rt.Method == http.MethodGet:
		params, _ := dig(op, "parameters").([]any)
		for _, prm := range params {
			if m, _ := prm.(map[string]any); m["name"] == p.schema[0] && m["in"] == "query" {
				s = m["schema"]
			}
		}
		if items := dig(s, "items"); items != nil {
			s = items
		}
		return s
	case isUploadForm(reflect.TypeOf(rt.Doc.Request)):
		return dig(op, "requestBody", "content", "multipart/form-data", "schema", "properties", p.schema[0])
	}
	s = dig(op, "requestBody", "content", "application/json", "schema")
	for _, seg := range p.schema {
		switch seg {
		case "[]":
			s = dig(s, "items")
		case "{key}":
			return s
		case "{}":
			if ap := dig(s, "additionalProperties"); ap != nil && ap != false {
				s = ap
			} else if props, ok := dig(s, "properties").(map[string]any); ok {
				for _, v := range props { // an enum-keyed map: every key has the same schema
					s = v
					break
				}
			}
		default:
			s = dig(s, "properties", seg)
		}
	}
	return s
}

// enumOf reads the values a schema allows: its enum, the enum of its anyOf
// (a pattern enum), or, for a map key, the properties of an enum-keyed map.
func enumOf(s any, key bool) []string {
	if key {
		if dig(s, "additionalProperties") != false {
			return nil
		}
		props, _ := dig(s, "properties").(map[string]any)
		return slices.Sorted(maps.Keys(props))
	}
	if vs := stringsIn(dig(s, "enum")); vs != nil {
		return vs
	}
	alts, _ := dig(s, "anyOf").([]any)
	for _, a := range alts {
		if vs := stringsIn(dig(a, "enum")); vs != nil {
			return vs
		}
	}
	return nil
}

func stringsIn(v any) []string {
	switch vs := v.(type) {
	case []string:
		return vs
	case []any:
		out := make([]string, len(vs))
		for i, x := range vs {
			out[i] = fmt.Sprint(x)
		}
		return out
	}
	return nil
}

// dig walks nested maps by key.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// handListedValues is what a hand-written enum message looks like: "must be
// xlsx or csv", "must be agent, expert or ivr".
var handListedValues = regexp.MustCompile(`must be [\w.:-]+(, [\w.:-]+)* or [\w.:-]+$|use [\w.:-]+(, [\w.:-]+)+ or `)

// TestNoHandwrittenEnumMessages keeps every enum validation on store.Enum: a
// message that spells out the values by hand lists them in a second place,
// which the OpenAPI document cannot see and which goes stale.
func TestNoHandwrittenEnumMessages(t *testing.T) {
	for _, dir := range []string{".", "../store", "../importer"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				if s, err := strconv.Unquote(lit.Value); err == nil && handListedValues.MatchString(s) {
					t.Errorf("%s: %q lists values by hand; use a typed enum (store.Enum) and store.EnumMessage",
						fset.Position(lit.Pos()), s)
				}
				return true
			})
		}
	}
}

// TestOpenAPIDocumentsUploadForms: the three upload routes are documented
// as multipart forms with a required file and their fields.
func TestOpenAPIDocumentsUploadForms(t *testing.T) {
	h := newHarness(t)
	var spec map[string]any
	h.do("GET", "/api/openapi.json", "", nil, http.StatusOK, &spec)
	for path, fields := range map[string][]string{
		"/api/v1/campaigns/{id}/imports":         {"file", "mapping", "encoding", "sheet", "template_id", "force"},
		"/api/v1/campaigns/{id}/imports/preview": {"file", "mapping", "encoding", "sheet", "template_id", "force"},
		"/api/v1/dnc/import":                     {"file", "mapping", "encoding", "reason", "source"},
	} {
		form := dig(spec, "paths", path, "post", "requestBody", "content", "multipart/form-data", "schema")
		props, _ := dig(form, "properties").(map[string]any)
		if got := slices.Sorted(maps.Keys(props)); !slices.Equal(got, slices.Sorted(slices.Values(fields))) {
			t.Errorf("%s: form fields %v, want %v", path, got, fields)
		}
		if dig(props, "file", "format") != "binary" || fmt.Sprint(dig(form, "required")) != "[file]" {
			t.Errorf("%s: file not documented as a required binary: %v", path, form)
		}
	}
}
