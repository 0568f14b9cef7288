package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

func newHarness(t *testing.T) *harness {
	t.Helper()
	st := storetest.New(t)
	srv := New(Config{Store: st, Version: "test"})
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
