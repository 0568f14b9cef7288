package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
)

// The authorization matrix: every route of routes.go, for every role and
// without a token, gets the status class its declared permission implies,
// and every route that answers with customer data masks it for roles
// without pii_view. Nothing here lists routes by hand except how to make a
// customer-data route return data (piiCalls); a route added later is
// covered as soon as it is in the route table.

// customerTypes are the types that carry customer identifiers, with the
// JSON fields masking applies to. A route whose documented reply type holds
// one of them (at any depth) returns customer data: it needs an entry in
// piiCalls, and its answers are checked field by field. Add a type here
// when a new one carries a customer's phone or ID number.
var customerTypes = map[reflect.Type][]string{
	reflect.TypeOf(store.Contact{}):  {"phone", "alt_phone", "id_number"},
	reflect.TypeOf(store.DNCEntry{}): {"value"},
	reflect.TypeOf(store.Attempt{}):  {"destination"},
}

// piiCall says how to make a customer-data route answer with customer data.
// The zero value is a GET of the route's path with the seeded parameters.
type piiCall struct {
	// body builds the n-th request's body and returns the customer values it
	// makes the answer carry (they are then secrets too); nil for a GET.
	body func(n int) (any, []string)
	// query is added to the path (routes that need search terms).
	query string
}

// piiCalls has one entry per route that returns customer data (found from
// the reply types), plus routes whose reply is a file (exports).
var piiCalls = map[string]piiCall{
	"GET /api/v1/me/tasks":                           {},
	"GET /api/v1/campaigns/:id/contacts":             {},
	"GET /api/v1/campaigns/:id/contacts/:contact_id": {},
	"GET /api/v1/dnc":                                {},
	"GET /api/v1/history":                            {query: "?campaign_id=1"},
	"GET /api/v1/calls":                              {},
	"GET /api/v1/calls/:id":                          {},
	"POST /api/v1/dnc": {body: func(n int) (any, []string) {
		phone := fmt.Sprintf("136000000%02d", n)
		return map[string]any{"phone": phone, "reason": "matrix"}, []string{phone}
	}},
	"POST /api/v1/exports": {body: func(int) (any, []string) {
		return map[string]any{"campaign_id": 1, "fields": []string{"name", "phone", "alt_phone", "id_number"}, "format": "csv"}, nil
	}},
}

// matrixParams fill path parameters. Ids of 1 name the seeded objects (the
// first campaign, contact, import, user); a break reason's code names none
// (the routes that take one change or delete it). A route with a parameter
// missing here fails the test, so that its author says what it takes.
var matrixParams = map[string]string{":id": "1", ":contact_id": "1", ":uuid": "matrix-call-1", ":name": "agents", ":action": "hold",
	":code": "matrix-no-such-reason", ":attachment_id": "1"}

// principal is one caller of the matrix.
type principal struct {
	name string
	user *store.User // nil: no token
}

// matrix is a harness with the principals and seeded customer data.
type matrix struct {
	*harness
	principals []principal
	secrets    []string // raw customer identifiers a role without pii_view must never see
}

func newMatrix(t *testing.T) *matrix {
	h := newHarness(t)
	m := &matrix{harness: h, principals: []principal{{name: "no token"}}}
	for _, r := range []store.Role{store.RoleAdmin, store.RoleSupervisor, store.RoleQA, store.RoleAgent} {
		m.principals = append(m.principals, principal{string(r), h.users[r]})
	}
	// An agent granted pii_view: the unmasked side of the agent's own routes.
	piiAgent := &store.User{Username: "u_agent_pii", Role: store.RoleAgent, DisplayName: "agent+pii"}
	piiAgent.SetExtraPermissions([]store.Permission{store.PermPIIView})
	if err := piiAgent.SetPassword(testPassword, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.store.CreateUser(context.Background(), piiAgent, nil); err != nil {
		t.Fatal(err)
	}
	m.principals = append(m.principals, principal{"agent+pii_view", piiAgent})
	m.seed()
	return m
}

// validID completes 17 digits with the ISO 7064 MOD 11-2 check character.
func validID(t *testing.T, first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	id := first17 + string("10X98765432"[sum%11])
	if err := importer.ValidateIDNumber(id); err != nil {
		t.Fatal(err)
	}
	return id
}

// seed stores one campaign (id 1) with one contact per assignable principal
// plus one unassigned, blacklist entries and a call attempt, each holding
// identifiers that appear nowhere else.
func (m *matrix) seed() {
	t, ctx := m.t, context.Background()
	camp := m.campaign("权限矩阵")
	var contacts []map[string]any
	for i := 0; i < 4; i++ {
		c := map[string]any{"name": fmt.Sprintf("客户%d", i), "phone": fmt.Sprintf("1381234560%d", i), "id_number": validID(t, fmt.Sprintf("1101011990030712%d", i))}
		if i == 0 {
			// Identifiers in extra columns are customer data too (sensitive attributes).
			c["alt_phone"] = "13987654321"
			c["attributes"] = map[string]string{"idcard": validID(t, "44030519851231002"), "mobile2": "13566667777", "balance": "1200.50"}
			m.secrets = append(m.secrets, c["attributes"].(map[string]string)["idcard"], "13566667777")
		}
		contacts = append(contacts, c)
		m.secrets = append(m.secrets, c["phone"].(string), c["id_number"].(string))
	}
	m.secrets = append(m.secrets, "13987654321")
	if job := m.ingest(camp.ID, contacts...); camp.ID != 1 || job.ID != 1 || job.Imported != 4 {
		t.Fatalf("seed: campaign %d, import %d with %d contacts; the matrix's ids of 1 would name nothing", camp.ID, job.ID, job.Imported)
	}
	owners := []*store.User{m.users[store.RoleSupervisor], m.users[store.RoleAgent], m.principals[len(m.principals)-1].user}
	for i, u := range owners {
		if _, err := m.srv.store.AssignContact(ctx, camp.ID, int64(i+1), u.ID); err != nil {
			t.Fatal(err)
		}
	}
	dncID := validID(t, "51010419991231004") // not the documented examples' ID number
	for _, body := range []map[string]any{{"phone": "13711112222"}, {"id_number": dncID}} {
		m.do("POST", "/api/v1/dnc", m.tokens[store.RoleAdmin], body, 201, nil)
	}
	m.secrets = append(m.secrets, "13711112222", dncID)
	a := &store.Attempt{CallUUID: matrixParams[":uuid"], CampaignID: camp.ID, ContactID: 1, AgentID: m.users[store.RoleAgent].ID, Destination: "+8613812345600", State: "hangup"}
	if err := m.srv.store.SaveAttempt(ctx, a); err != nil {
		t.Fatal(err)
	}
}

// token signs p in afresh for one request, so a route that ends or locks
// its session (logout, screen-lock) does not spoil the next request.
func (m *matrix) token(p principal) string {
	if p.user == nil {
		return ""
	}
	tok, _, err := m.srv.store.CreateSession(context.Background(), p.user.ID, "", "", store.DefaultSessionPolicy)
	if err != nil {
		m.t.Fatal(err)
	}
	return tok
}

// fillParams puts the seeded parameters into a route's path; with none
// set, ids name nothing (999999), so that calls have no side effects.
func fillParams(t *testing.T, path string, seeded bool) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") {
			continue
		}
		v, ok := matrixParams[p]
		if v == "1" && !seeded {
			v = "999999"
		}
		if !ok {
			t.Fatalf("%s: add a value for %s to matrixParams", path, p)
		}
		parts[i] = v
	}
	return strings.Join(parts, "/")
}

// allowedClass is the status class a caller must get past authorization:
// anything but 401 and 403.
func allowedClass(code int) bool {
	return code != http.StatusUnauthorized && code != http.StatusForbidden
}

func TestAuthorizationMatrix(t *testing.T) {
	m := newMatrix(t)
	ws := &store.Workstation{Name: "matrix-pc"}
	wsToken, err := m.srv.store.CreateWorkstation(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	m.srv.cfg.MetricsToken = "matrix-scrape-token"
	// from sends as the client at remote ("" is httptest's 192.0.2.1).
	from := func(remote string) func(rt route, who, token, want string) {
		return func(rt route, who, token, want string) {
			t.Helper()
			path := fillParams(t, rt.Path, false)
			code := m.send(rt.Method, path, reqOpts{token: token, remote: remote, body: "{}"}).Code
			ok := map[string]bool{"allowed": allowedClass(code), "401": code == 401, "403": code == 403}[want]
			if !ok {
				t.Errorf("%s %s as %s: %d, want %s", rt.Method, path, who, code, want)
			}
		}
	}
	check := from("")
	for _, rt := range m.srv.publicRoutes() {
		switch rt.Perm {
		case signedIn:
			for _, p := range m.principals {
				check(rt, p.name, m.token(p), "allowed")
			}
		case scrapers:
			// Monitoring, not users: no session opens it from afar; the
			// metrics token does, and so does a loopback client.
			for _, p := range m.principals {
				check(rt, p.name, m.token(p), "403")
			}
			check(rt, "metrics.token", m.srv.cfg.MetricsToken, "allowed")
			from("127.0.0.1:9100")(rt, "loopback", "", "allowed")
		default:
			t.Errorf("%s %s: a public route takes no permission but scrapers (%s)", rt.Method, rt.Path, rt.Perm)
		}
	}
	for _, rt := range m.srv.apiRoutes() {
		for _, p := range m.principals {
			want := "allowed"
			switch {
			case p.user == nil:
				want = "401"
			case rt.Perm != signedIn && !can(p.user, rt.Perm):
				want = "403"
			}
			check(rt, p.name, m.token(p), want)
		}
	}
	for _, rt := range m.srv.deviceRoutes() {
		for _, p := range m.principals {
			check(rt, p.name, m.token(p), "401") // a user's session is no device token
		}
		check(rt, "workstation", wsToken, "allowed")
	}
}

// customerFields lists the JSON paths ("items[].phone") of the customer
// identifiers a reply type carries.
func customerFields(t reflect.Type, prefix string, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return customerFields(t.Elem(), prefix+"[]", seen)
	case reflect.Map:
		return customerFields(t.Elem(), prefix+"{}", seen)
	case reflect.Struct:
	default:
		return nil
	}
	if seen[t] {
		return nil
	}
	seen[t] = true
	defer delete(seen, t)
	var out []string
	for _, f := range customerTypes[t] {
		out = append(out, joinPath(prefix, f))
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || name == "-":
		case f.Anonymous && name == "":
			out = append(out, customerFields(f.Type, prefix, seen)...)
		default:
			if name == "" {
				name = f.Name
			}
			out = append(out, customerFields(f.Type, joinPath(prefix, name), seen)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// valuesAt collects the strings at a path of customerFields in decoded JSON.
func valuesAt(v any, steps []string) []string {
	if len(steps) == 0 {
		if s, ok := v.(string); ok {
			return []string{s}
		}
		return nil
	}
	var out []string
	switch x := v.(type) {
	case []any:
		if steps[0] == "[]" {
			for _, e := range x {
				out = append(out, valuesAt(e, steps[1:])...)
			}
		}
	case map[string]any:
		if steps[0] == "{}" {
			for _, e := range x {
				out = append(out, valuesAt(e, steps[1:])...)
			}
		} else if e, ok := x[steps[0]]; ok {
			out = valuesAt(e, steps[1:])
		}
	}
	return out
}

func pathSteps(path string) []string {
	path = strings.NewReplacer("[]", ".[]", "{}", ".{}").Replace(path)
	return strings.FieldsFunc(path, func(r rune) bool { return r == '.' })
}

func national(v string) string { return strings.TrimPrefix(v, "+86") }

// TestCustomerDataRoutesMask: every route whose reply type carries customer
// data, called by every principal its permission admits, answers masked
// identifiers without pii_view and the real ones with it, field by field.
func TestCustomerDataRoutesMask(t *testing.T) {
	m := newMatrix(t)
	for _, rt := range m.srv.allRoutes() {
		key := rt.Method + " " + rt.Path
		if rt.Doc.Reply != nil && len(customerFields(reflect.TypeOf(rt.Doc.Reply), "", map[reflect.Type]bool{})) > 0 {
			if _, ok := piiCalls[key]; !ok {
				t.Errorf("%s returns customer data (%T): add it to piiCalls so its masking is checked", key, rt.Doc.Reply)
			}
		}
	}
	calls := 0
	for key, call := range piiCalls {
		rt, ok := findRoute(m.srv.allRoutes(), key)
		if !ok {
			t.Errorf("piiCalls names %s, which is not in the route table", key)
			continue
		}
		var fields []string
		if rt.Doc.Reply != nil {
			fields = customerFields(reflect.TypeOf(rt.Doc.Reply), "", map[reflect.Type]bool{})
		}
		// For each kind of principal (with and without pii_view) the route
		// admits, some principal of that kind must get customer data.
		admitted, seen := map[bool]bool{}, map[bool]bool{}
		for _, p := range m.principals {
			if p.user == nil || (rt.Perm != signedIn && !can(p.user, rt.Perm)) {
				continue
			}
			calls++
			var body any
			if call.body != nil {
				var extra []string
				body, extra = call.body(calls)
				// Stored by this call, they are in later answers too.
				m.secrets = append(m.secrets, extra...)
			}
			secrets := m.secrets
			rec := m.raw(rt.Method, fillParams(t, rt.Path, true)+call.query, m.token(p), body)
			if rec.Code >= 300 {
				t.Errorf("%s as %s: %d %s", key, p.name, rec.Code, rec.Body.String())
				continue
			}
			pii := p.user.Can(store.PermPIIView)
			admitted[pii] = true
			if checkMasking(t, key+" as "+p.name, rec.Body.String(), fields, secrets, pii) {
				seen[pii] = true
			}
		}
		for kind := range admitted {
			if !seen[kind] {
				t.Errorf("%s returned no customer data to any principal with pii_view=%v: fix its piiCalls entry or the seed", key, kind)
			}
		}
	}
}

func findRoute(routes []route, key string) (route, bool) {
	for _, rt := range routes {
		if rt.Method+" "+rt.Path == key {
			return rt, true
		}
	}
	return route{}, false
}

// checkMasking checks one answer: without pii_view no secret appears
// anywhere in it and every customer field holds a masked secret; with it,
// the fields hold the secrets themselves. It reports whether the answer
// carried customer data at all.
func checkMasking(t *testing.T, what, body string, fields, secrets []string, pii bool) bool {
	t.Helper()
	masked := map[string]bool{}
	raw := map[string]bool{}
	for _, s := range secrets {
		raw[s], masked[maskPhone(s)], masked[maskID(s)] = true, true, true
	}
	found := false
	if !pii {
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s: shows %s unmasked to a role without pii_view", what, s)
			}
		}
		for m := range masked {
			found = found || strings.Contains(body, m)
		}
	} else {
		for _, s := range secrets {
			found = found || strings.Contains(body, s)
		}
	}
	var doc any
	if len(fields) == 0 || json.Unmarshal([]byte(body), &doc) != nil {
		return found
	}
	for _, f := range fields {
		for _, v := range valuesAt(doc, pathSteps(f)) {
			switch {
			case v == "":
			case pii && !raw[national(v)]:
				t.Errorf("%s: %s = %q is not a customer's real value (pii_view)", what, f, v)
			case !pii && !masked[v]:
				t.Errorf("%s: %s = %q is not masked", what, f, v)
			}
		}
	}
	return found
}

// TestNoRouteLeaksCustomerData reads every GET route with the seeded ids as
// every role without pii_view: no answer may carry a raw identifier,
// whatever its type declares. Streams are read until their first flush.
func TestNoRouteLeaksCustomerData(t *testing.T) {
	m := newMatrix(t)
	var paths []string
	for _, rt := range m.srv.allRoutes() {
		if rt.Method == "GET" {
			paths = append(paths, fillParams(t, rt.Path, true))
		}
	}
	sort.Strings(paths)
	for _, p := range m.principals {
		if p.user != nil && p.user.Can(store.PermPIIView) {
			continue
		}
		for _, path := range paths {
			body := m.readUntilFlush(path, m.token(p))
			for _, s := range m.secrets {
				if strings.Contains(body, s) {
					t.Errorf("GET %s as %s shows %s unmasked", path, p.name, s)
				}
			}
		}
	}
}

// flushCancel ends a streaming request at its first flush.
type flushCancel struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (f flushCancel) Flush() { f.ResponseRecorder.Flush(); f.cancel() }

func (m *matrix) readUntilFlush(path, token string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := flushCancel{httptest.NewRecorder(), cancel}
	m.h.ServeHTTP(rec, req)
	if ctx.Err() == context.DeadlineExceeded && !rec.Flushed {
		m.t.Errorf("GET %s neither answered nor flushed in 30 s", path)
	}
	return rec.Body.String()
}

// TestRolePermissionsTable pins who may do the sensitive things, so a change
// to the role table is a deliberate one.
func TestRolePermissionsTable(t *testing.T) {
	cases := []struct {
		role store.Role
		perm store.Permission
		want bool
	}{
		{store.RoleAdmin, store.PermAuditRead, true},
		{store.RoleAdmin, store.PermExport, true},
		{store.RoleSupervisor, store.PermAuditRead, false},
		{store.RoleSupervisor, store.PermExport, false},
		{store.RoleSupervisor, store.PermListen, true},
		{store.RoleSupervisor, store.PermUsersManage, false},
		{store.RoleSupervisor, store.PermSettingsManage, false},
		{store.RoleQA, store.PermScore, true},
		{store.RoleQA, store.PermCampaignManage, false},
		{store.RoleAgent, store.PermAgentDesk, true},
		{store.RoleAgent, store.PermCampaignView, false},
		{store.RoleAgent, store.PermPIIView, false},
		{store.RoleSupervisor, store.PermShiftManage, true},
		{store.RoleSupervisor, store.PermBroadcastManage, true},
		{store.RoleQA, store.PermShiftManage, false},
		{store.RoleAgent, store.PermShiftManage, false},
		{store.RoleAgent, store.PermBroadcastManage, false},
		{store.RoleSupervisor, store.PermScriptEdit, true},
		{store.RoleSupervisor, store.PermScriptPublish, true},
		{store.RoleSupervisor, store.PermKBManage, true},
		{store.RoleQA, store.PermScriptEdit, false},
		{store.RoleQA, store.PermScriptPublish, false},
		{store.RoleAgent, store.PermScriptEdit, false},
		{store.RoleAgent, store.PermScriptPublish, false},
		{store.RoleAgent, store.PermKBManage, false},
	}
	for _, c := range cases {
		u := &store.User{Role: c.role}
		if got := u.Can(c.perm); got != c.want {
			t.Errorf("%s can %s = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
	granted := &store.User{Role: store.RoleSupervisor}
	granted.SetExtraPermissions([]store.Permission{store.PermExport})
	if !granted.Can(store.PermExport) {
		t.Error("a per-user export grant is not honoured")
	}
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	h := newHarness(t)
	var spec struct {
		Paths map[string]map[string]struct {
			Summary string `json:"summary"`
		} `json:"paths"`
	}
	h.do("GET", "/api/openapi.json", "", nil, 200, &spec)
	for _, rt := range h.srv.allRoutes() {
		op, ok := spec.Paths[openapiPath(rt.Path)][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s %s is not in the OpenAPI document", rt.Method, rt.Path)
			continue
		}
		if op.Summary == "" {
			t.Errorf("%s %s has no summary", rt.Method, rt.Path)
		}
	}
}
