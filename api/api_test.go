package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

const testPassword = "Test-Pass-2026"

// harness is a test server with one signed-in user per role.
type harness struct {
	t      *testing.T
	srv    *Server
	h      http.Handler
	tokens map[store.Role]string
	users  map[store.Role]*store.User
}

func newHarness(t *testing.T) *harness { return newHarnessWith(t, harnessOptions{}) }

// harnessOptions vary the test server: the store's options (an injected
// password hasher), and changes to the API's configuration.
type harnessOptions struct {
	store storetest.Options
	cfg   func(*Config)
}

func newHarnessWith(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	st := storetest.NewWith(t, o.store)
	ctx, cancel := context.WithCancel(context.Background())
	q := importer.NewQueue(ctx, st, 1, 4, slog.New(slog.DiscardHandler))
	t.Cleanup(func() { cancel(); q.Shutdown(context.Background()) })
	cfg := Config{Store: st, Version: "test", Imports: q, DataDir: t.TempDir(), MaxUploadBytes: 1 << 20, Desk: acceptingDesk{}}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	srv := New(cfg)
	hh := &harness{t: t, srv: srv, h: srv.Handler(), tokens: map[store.Role]string{}, users: map[store.Role]*store.User{}}
	for _, r := range []store.Role{store.RoleAdmin, store.RoleSupervisor, store.RoleQA, store.RoleAgent} {
		u := &store.User{Username: "u_" + string(r), Role: r, DisplayName: string(r)}
		if err := u.SetPassword(testPassword, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateUser(context.Background(), u, nil); err != nil {
			t.Fatal(err)
		}
		hh.users[r] = u
		var resp loginResponse
		hh.do("POST", "/api/v1/auth/login", "", loginRequest{Username: u.Username, Password: testPassword}, 200, &resp)
		hh.tokens[r] = resp.Token
	}
	return hh
}

// do sends a request and checks the status; out, when set, receives the JSON.
func (h *harness) do(method, path, token string, body any, want int, out any) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := h.raw(method, path, token, body)
	if want != 0 && rec.Code != want {
		h.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, rec.Code, want, rec.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			h.t.Fatalf("%s %s: decode %q: %v", method, path, rec.Body.String(), err)
		}
	}
	return rec
}

func (h *harness) raw(method, path, token string, body any) *httptest.ResponseRecorder {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		r = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

func errorOf(t *testing.T, rec *httptest.ResponseRecorder) *apiError {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Error == nil || b.Error.Code == "" {
		t.Fatalf("not the error shape: %s", rec.Body.String())
	}
	return b.Error
}

// upload posts a file (and form fields) as multipart to path.
func (h *harness) upload(path, token, file string, content []byte, fields map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if file != "" {
		fw, _ := mw.CreateFormFile("file", file)
		fw.Write(content)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// patience bounds every wait in these tests. It is a safety net, not a
// speed expectation: on a busy 2-core machine under -race an import that
// takes a second when idle can take much longer, so each wait ends as soon
// as its condition holds and fails only when it never does.
const patience = 2 * time.Minute

// eventually polls cond until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func decode(t *testing.T, rec *httptest.ResponseRecorder, out any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
}
