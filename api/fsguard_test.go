package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bankcc/callcenter/store/storetest"
)

func TestFSRoutesNeedCredentials(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<document/>")) })
	srv := New(Config{Store: storetest.New(t), FSDirectory: ok, FSDialplan: ok, FSCredentials: "freeswitch:s3cret-Pass"})
	h := srv.Handler()
	cases := []struct {
		user, pass string
		want       int
	}{
		{"", "", 401},
		{"freeswitch", "wrong", 401},
		{"admin", "s3cret-Pass", 401},
		{"freeswitch", "s3cret-Pass", 200},
	}
	for _, path := range []string{"/fs/directory", "/fs/dialplan"} {
		for _, c := range cases {
			req := httptest.NewRequest("POST", path, strings.NewReader("section=directory&user=1001"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.user != "" {
				req.SetBasicAuth(c.user, c.pass)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Errorf("%s as %q/%q: %d, want %d", path, c.user, c.pass, rec.Code, c.want)
			}
		}
	}
	closed := New(Config{Store: storetest.New(t), FSDirectory: ok}).Handler()
	req := httptest.NewRequest("POST", "/fs/directory", nil)
	req.SetBasicAuth("", "")
	rec := httptest.NewRecorder()
	closed.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("no credentials configured: %d, want 401", rec.Code)
	}
}
