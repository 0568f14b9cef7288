package api

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// fuzzServer is a server with an administrator's session (and a
// workstation's token) that every fuzzed body is sent with, so that the
// body reaches decoding and validation past authorization.
type fuzzServer struct {
	h       http.Handler
	admin   string
	wsToken string
	routes  []route
	byKey   map[string]route
}

// sessionBound are routes a fuzzed body could use to end or lock the
// fuzzer's own session; everything else is fair game.
var sessionBound = map[string]bool{"POST /api/v1/auth/unlock": true, "POST /api/v1/auth/logout": true, "POST /api/v1/auth/screen-lock": true}

func newFuzzServer(tb testing.TB) *fuzzServer {
	st := storetest.New(tb)
	// The accepting desk lets fuzzed bodies reach the agent desk handlers
	// (a server without a desk answers them all 503).
	// The seeds ask for the default what-if scenario (50 agents for 8
	// hours) twice; under -race on a loaded machine that took minutes. The
	// fuzzer checks the answer's shape, so a short budget (503 when over
	// it) serves as well.
	srv := New(Config{Store: st, Version: "fuzz", DataDir: tb.TempDir(), MaxUploadBytes: 1 << 20, Desk: acceptingDesk{},
		WhatIfTimeout: time.Second})
	fz := &fuzzServer{h: srv.Handler(), byKey: map[string]route{}}
	ctx := context.Background()
	// User 1 is what ":id" names in user routes; the fuzzer signs in as user 2.
	for _, u := range []*store.User{{Username: "fuzz_target", Role: store.RoleAgent}, {Username: "fuzz_admin", Role: store.RoleAdmin}} {
		if err := u.SetPassword(testPassword, time.Now()); err != nil {
			tb.Fatal(err)
		}
		if err := st.CreateUser(ctx, u, nil); err != nil {
			tb.Fatal(err)
		}
		tok, _, err := st.CreateSession(ctx, u.ID, "", "", store.DefaultSessionPolicy)
		if err != nil {
			tb.Fatal(err)
		}
		fz.admin = tok
	}
	var err error
	if fz.wsToken, err = st.CreateWorkstation(ctx, &store.Workstation{Name: "fuzz-pc"}); err != nil {
		tb.Fatal(err)
	}
	camp := &store.Campaign{Name: "fuzz", Kind: "collection", Media: "voice", DialMode: "progressive", Priority: 5, CallerIDs: []string{"02161234567"}}
	if err := st.CreateCampaign(ctx, camp); err != nil {
		tb.Fatal(err)
	}
	for _, rt := range srv.allRoutes() {
		key := rt.Method + " " + rt.Path
		if rt.Doc.Request != nil && !sessionBound[key] {
			fz.routes = append(fz.routes, rt)
			fz.byKey[key] = rt
		}
	}
	return fz
}

// pick maps the fuzzer's route string to a route: an exact "METHOD path", or
// any string spread over the routes, so mutations still land somewhere.
func (fz *fuzzServer) pick(key string) route {
	if rt, ok := fz.byKey[key]; ok {
		return rt
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return fz.routes[int(h.Sum32()%uint32(len(fz.routes)))]
}

func (fz *fuzzServer) send(rt route, body []byte) *httptest.ResponseRecorder {
	path := strings.NewReplacer(":id", "1", ":uuid", "fuzz-call", ":name", "agents", ":action", "hold").Replace(rt.Path)
	req := httptest.NewRequest(rt.Method, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	token := fz.admin
	if strings.HasPrefix(rt.Path, "/api/v1/workstations/report") {
		token = fz.wsToken
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	fz.h.ServeHTTP(rec, req)
	return rec
}

// FuzzRequestBodies sends arbitrary bodies to every route that takes a JSON
// request: decoding and validation must never panic or fail inside (500),
// and every refusal must be the one error shape, with a status that fits
// its code. Routes added later are fuzzed as soon as they declare a request
// type in routes.go.
func FuzzRequestBodies(f *testing.F) {
	fz := newFuzzServer(f)
	for _, rt := range fz.routes {
		key := rt.Method + " " + rt.Path
		zero, _ := json.Marshal(rt.Doc.Request)
		f.Add(key, zero)
		f.Add(key, []byte(`{}`))
	}
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		rt := fz.pick(key)
		rec := fz.send(rt, body)
		checkAnswer(t, rt, body, rec)
	})
}

func checkAnswer(t *testing.T, rt route, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	what := rt.Method + " " + rt.Path
	// 503 is the server saying it is busy (a what-if simulation over its
	// time budget on a loaded machine, say): a refusal in the error shape,
	// checked below, not a failure inside.
	if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("%s with %q: %d %s", what, body, rec.Code, rec.Body.String())
	}
	if rec.Code < 400 {
		return
	}
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("%s with %q: %d is not the error shape: %s", what, body, rec.Code, rec.Body.String())
	}
	if want, ok := codeStatus[e.Error.Code]; ok && want != rec.Code {
		t.Fatalf("%s with %q: code %s with status %d, want %d", what, body, e.Error.Code, rec.Code, want)
	}
}
