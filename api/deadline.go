package api

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// bodyDeadline bounds how long a request body may take: BodyTimeout, plus
// one second for every BodyMinRate bytes received, so a large upload on a
// normal link finishes while a body trickled a byte at a time is cut (the
// read fails, the answer is 408 and the connection is closed).
func (s *Server) bodyDeadline(c *gin.Context) {
	if c.Request.Body == nil || c.Request.Body == http.NoBody || s.cfg.BodyTimeout <= 0 {
		c.Next()
		return
	}
	rc := http.NewResponseController(c.Writer)
	start := time.Now()
	set := func(n int64) error {
		extra := time.Duration(float64(n) / float64(s.cfg.BodyMinRate) * float64(time.Second))
		return rc.SetReadDeadline(start.Add(s.cfg.BodyTimeout + extra))
	}
	if err := set(0); err != nil {
		c.Next() // not a real connection (tests with a recorder)
		return
	}
	c.Request.Body = &deadlineBody{ReadCloser: c.Request.Body, set: set}
	c.Next()
}

type deadlineBody struct {
	io.ReadCloser
	n   int64
	set func(int64) error
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.n += int64(n)
		_ = b.set(b.n)
	}
	return n, err
}

// serveMetrics serves the Prometheus registry; the route table marks it
// for scrapers only (scraperGate).
func (s *Server) serveMetrics() gin.HandlerFunc {
	return gin.WrapH(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
}

// scraperGate admits monitoring to a route marked scrapers: with
// metrics.address set only that listener serves it; otherwise loopback
// clients, or anyone presenting metrics.token.
func (s *Server) scraperGate(c *gin.Context) {
	switch {
	case s.cfg.MetricsSeparate:
		fail(c, newError("not_found", "metrics are served on the metrics.address listener"))
	case s.cfg.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(c.GetHeader("Authorization")), []byte("Bearer "+s.cfg.MetricsToken)) == 1:
		c.Next()
	case isLoopback(c.ClientIP()):
		c.Next()
	default:
		fail(c, newError("permission_denied", "%s is served to loopback clients, or with Authorization: Bearer <metrics.token>", c.FullPath()))
	}
}

// MetricsHandler serves the Prometheus registry on the metrics.address
// listener, to anyone who reaches it (with metrics.token, only to holders).
func (s *Server) MetricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+s.cfg.MetricsToken)) != 1 {
			http.Error(w, "send Authorization: Bearer <metrics.token>", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func isLoopback(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Unmap().IsLoopback()
}
