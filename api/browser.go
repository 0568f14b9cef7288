package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"
)

// contentSecurityPolicy fits the embedded UI (api/web): its own scripts and
// styles only, no inline code, no framing, API calls to this origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// cspWith lets the page also connect to the browser phone's WebSocket
// origin (webphone.ws_url), the one other place the UI talks to.
func cspWith(wsOrigin string) string {
	if wsOrigin == "" {
		return contentSecurityPolicy
	}
	return strings.Replace(contentSecurityPolicy, "connect-src 'self'", "connect-src 'self' "+wsOrigin, 1)
}

// permissionsPolicy denies the browser features the product does not use;
// the microphone stays allowed for this origin (the agent's web softphone).
const permissionsPolicy = "camera=(), geolocation=(), payment=(), usb=(), serial=(), microphone=(self)"

// securityHeaders are set on every response.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Permissions-Policy", permissionsPolicy)
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		h.Set("Cache-Control", "no-store") // answers carry customer data
	}
	if s.secure(c) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// ParseProxies reads http.trusted_proxies: IP addresses or CIDR ranges.
func ParseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range list {
		v = strings.TrimSpace(v)
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or a CIDR range (10.0.0.0/8)", v)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// fromTrustedProxy reports whether the TCP peer is a configured proxy, whose
// X-Forwarded-* headers may then be believed.
func (s *Server) fromTrustedProxy(c *gin.Context) bool {
	ip, err := netip.ParseAddr(c.RemoteIP())
	if err != nil {
		return false
	}
	for _, p := range s.proxies {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// secure reports whether the client reached us over HTTPS: directly, or
// through a trusted proxy that says so.
func (s *Server) secure(c *gin.Context) bool {
	if c.Request.TLS != nil {
		return true
	}
	return s.fromTrustedProxy(c) && strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

// csrfCookie holds the token the page script echoes in X-CSRF-Token. It is
// derived from the session token, so it cannot be planted from another
// site, and the session token cannot be recovered from it.
const csrfCookie = "cc_csrf"

func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// setSessionCookies sets (or, with token "", clears) the HttpOnly session
// cookie and the CSRF cookie; Secure when the client is on HTTPS.
func (s *Server) setSessionCookies(c *gin.Context, token string, maxAge int) {
	secure := s.secure(c)
	csrf := ""
	if token != "" {
		csrf = csrfToken(token)
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(sessionCookie, token, maxAge, "/", "", secure, true)
	c.SetCookie(csrfCookie, csrf, maxAge, "/", "", secure, false)
}

// checkCSRF refuses cross-site requests riding on the session cookie. A
// mutating request signed in by cookie passes with Content-Type
// application/json (another site cannot send that without a CORS preflight,
// which this server never grants) or with the X-CSRF-Token header, which
// uploads (multipart) need. Bearer-token clients are not affected.
func (s *Server) checkCSRF(c *gin.Context) {
	if !c.GetBool("cookie_session") || safeMethod(c.Request.Method) {
		c.Next()
		return
	}
	want := csrfToken(c.GetString("session_token"))
	if subtle.ConstantTimeCompare([]byte(c.GetHeader("X-CSRF-Token")), []byte(want)) == 1 {
		c.Next()
		return
	}
	if ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); ct == "application/json" {
		c.Next()
		return
	}
	fail(c, newError("permission_denied", "cross-site request refused: a request signed in by cookie must send Content-Type: application/json, or the X-CSRF-Token header (uploads need it)"))
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
