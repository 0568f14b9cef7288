package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// fsGuard lets only FreeSWITCH (HTTP basic auth with the configured
// xml_curl credentials) reach the /fs/ routes: the directory answers with
// agents' SIP passwords. Without configured credentials the routes are shut.
func (s *Server) fsGuard(c *gin.Context) {
	user, pass, ok := c.Request.BasicAuth()
	wantUser, wantPass, configured := strings.Cut(s.cfg.FSCredentials, ":")
	if !configured || !ok ||
		subtle.ConstantTimeCompare([]byte(user), []byte(wantUser)) != 1 ||
		subtle.ConstantTimeCompare([]byte(pass), []byte(wantPass)) != 1 {
		logger(c).Warn("xml_curl request refused", "ip", c.ClientIP())
		c.Header("WWW-Authenticate", `Basic realm="freeswitch"`)
		c.AbortWithStatus(http.StatusUnauthorized)
		return
	}
	c.Next()
}
