package api

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/bankcc/callcenter/api/web"
	"github.com/gin-gonic/gin"
)

// The Vue admin app, the only UI, is served at /app/, and / leads to it;
// /ui/..., the address of the plain pages it replaced, leads there too
// (bookmarks). Paths that are no file of the build are the
// app's own routes (history mode): they get index.html, which the browser
// must not cache; the hashed files under assets/ never change and are
// cached for a year.
func (s *Server) mountApp(r *gin.Engine) {
	files := web.App(s.cfg.UIDir)
	// 302, not 301: browsers would keep a permanent redirect of / for good.
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/app/") })
	r.GET("/app", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/app/") })
	r.GET("/app/*path", func(c *gin.Context) { serveApp(c, files) })
	r.GET("/ui", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/app/") })
	r.GET("/ui/*path", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/app/") })
	// Browsers ask for /favicon.ico whatever the page links: the app's icon.
	r.GET("/favicon.ico", func(c *gin.Context) {
		c.Header("Content-Type", "image/svg+xml")
		c.Header("Cache-Control", "public, max-age=86400")
		if err := serveFile(c.Writer, c.Request, files, "favicon.svg"); err != nil {
			c.Status(http.StatusNotFound)
		}
	})
}

func serveApp(c *gin.Context, files fs.FS) {
	name := strings.TrimPrefix(path.Clean("/"+c.Param("path")), "/")
	if name == "" || name == "index.html" || !isFile(files, name) {
		if strings.HasPrefix(name, "assets/") {
			c.Status(http.StatusNotFound) // a missing chunk is not a page
			return
		}
		c.Header("Cache-Control", "no-cache")
		name = "index.html"
	} else if strings.HasPrefix(name, "assets/") {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	}
	if err := serveFile(c.Writer, c.Request, files, name); err != nil {
		s := http.StatusInternalServerError
		if errors.Is(err, fs.ErrNotExist) {
			s = http.StatusNotFound // no build at ui.dir
		}
		c.String(s, "ui: %v", err)
	}
}

func isFile(files fs.FS, name string) bool {
	st, err := fs.Stat(files, name)
	return err == nil && !st.IsDir()
}

// serveFile answers with one file (type by extension, ranges, If-Modified-Since).
func serveFile(w http.ResponseWriter, r *http.Request, files fs.FS, name string) error {
	f, err := files.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		return errors.New(name + " cannot seek")
	}
	// Embedded files have no time: then no Last-Modified is sent.
	http.ServeContent(w, r, name, st.ModTime(), rs)
	return nil
}
