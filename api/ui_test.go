package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bankcc/callcenter/api/web"
	"github.com/gin-gonic/gin"
)

func TestServeApp(t *testing.T) {
	files := fstest.MapFS{
		"index.html":       {Data: []byte("<div id=app></div>")},
		"assets/app-1.js":  {Data: []byte("console.log(1)")},
		"assets/app-1.css": {Data: []byte("body{}")},
	}
	r := gin.New()
	r.GET("/app/*path", func(c *gin.Context) { serveApp(c, files) })
	tests := []struct {
		path, body, cache, ctype string
		status                   int
	}{
		{"/app/", "<div id=app>", "no-cache", "text/html", 200},
		{"/app/campaigns/7", "<div id=app>", "no-cache", "text/html", 200}, // a route of the app
		{"/app/index.html", "<div id=app>", "no-cache", "text/html", 200},
		{"/app/assets/app-1.js", "console.log", "immutable", "javascript", 200},
		{"/app/assets/app-1.css", "body{}", "immutable", "text/css", 200},
		{"/app/assets/gone-2.js", "", "", "", 404},
		{"/app/../../etc/passwd", "<div id=app>", "no-cache", "text/html", 200},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest("GET", tt.path, nil))
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
				t.Fatalf("%s: %d %q", tt.path, w.Code, w.Body.String())
			}
			if !strings.Contains(w.Header().Get("Cache-Control"), tt.cache) || !strings.Contains(w.Header().Get("Content-Type"), tt.ctype) {
				t.Fatalf("%s: headers %v", tt.path, w.Header())
			}
		})
	}
}

func TestAppEmbeddedAndFromDisk(t *testing.T) {
	h := newHarness(t)
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, httptest.NewRequest("GET", "/app/login", nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<div id="app">`) || !strings.Contains(w.Body.String(), "/app/assets/") {
		t.Fatalf("embedded app: %d %s", w.Code, w.Body.String())
	}
	if _, err := web.App("").Open("index.html"); err != nil {
		t.Fatal(err)
	}
	w = httptest.NewRecorder()
	h.h.ServeHTTP(w, httptest.NewRequest("GET", "/favicon.ico", nil))
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(w.Body.String(), "<svg") {
		t.Fatalf("favicon: %d %v", w.Code, w.Header())
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("from disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	h = newHarnessWith(t, harnessOptions{cfg: func(c *Config) { c.UIDir = dir }})
	w = httptest.NewRecorder()
	h.h.ServeHTTP(w, httptest.NewRequest("GET", "/app/", nil))
	if w.Code != http.StatusOK || w.Body.String() != "from disk" {
		t.Fatalf("ui.dir: %d %s", w.Code, w.Body.String())
	}
}

// TestRoot: / leads to the Vue app, the only UI; the old /ui/ address of
// the plain pages it replaced leads there too, and nothing else of them is
// served.
func TestRoot(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		path     string
		status   int
		location string // for redirects
		body     string // for pages
	}{
		{"/", http.StatusFound, "/app/", ""},
		{"/app/", http.StatusOK, "", `<div id="app">`},
		{"/ui", http.StatusMovedPermanently, "/app/", ""},
		{"/ui/", http.StatusMovedPermanently, "/app/", ""},
		{"/ui/desk.js", http.StatusMovedPermanently, "/app/", ""},
		{"/ui/../../etc/passwd", http.StatusMovedPermanently, "/app/", ""},
		{"/classic/", http.StatusNotFound, "", ""},
		{"/classic/app.js", http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.h.ServeHTTP(w, httptest.NewRequest("GET", tt.path, nil))
			if w.Code != tt.status || w.Header().Get("Location") != tt.location || !strings.Contains(w.Body.String(), tt.body) {
				t.Fatalf("GET %s: %d Location %q body %.120q", tt.path, w.Code, w.Header().Get("Location"), w.Body.String())
			}
		})
	}
}
