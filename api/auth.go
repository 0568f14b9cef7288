package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// sessionCookie carries the same session as the bearer token for the browser
// UI; it is HttpOnly so page scripts cannot read it.
const sessionCookie = "cc_session"

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type userBrief struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	Role        store.Role `json:"role"`
	DisplayName string     `json:"display_name"`
}

type loginResponse struct {
	Token       string             `json:"token"`
	User        userBrief          `json:"user"`
	Permissions []store.Permission `json:"permissions"`
}

func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Username == "" || req.Password == "" {
		fail(c, fieldError("username", "username and password are required"))
		return
	}
	ctx := c.Request.Context()
	u, err := s.store.Authenticate(ctx, req.Username, req.Password)
	if err != nil {
		s.auditLogin(c, u, req.Username, err)
		switch {
		case errors.Is(err, store.ErrLocked):
			fail(c, newError("too_many_requests", "account locked after repeated failed logins; try again later"))
		case errors.Is(err, store.ErrBadCredentials):
			fail(c, newError("unauthenticated", "wrong username or password"))
		default:
			fail(c, err)
		}
		return
	}
	token, _, err := s.store.CreateSession(ctx, u.ID, c.ClientIP(), c.Request.UserAgent(), s.cfg.Sessions)
	if err != nil {
		fail(c, err)
		return
	}
	s.auditLogin(c, u, req.Username, nil)
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(sessionCookie, token, int(s.cfg.Sessions.Absolute.Seconds()), "/", "", c.Request.TLS != nil, true)
	c.JSON(http.StatusOK, loginResponse{Token: token, User: brief(u), Permissions: u.Permissions()})
}

func brief(u *store.User) userBrief {
	return userBrief{ID: u.ID, Username: u.Username, Role: u.Role, DisplayName: u.DisplayName}
}

func (s *Server) auditLogin(c *gin.Context, u *store.User, name string, err error) {
	e := &store.AuditEntry{Username: name, Action: "auth.login", TargetType: "user", Result: "ok", Status: 200,
		RequestID: c.GetString("request_id"), IP: c.ClientIP()}
	if u != nil {
		e.UserID, e.Role, e.TargetID = u.ID, string(u.Role), itoa(u.ID)
	}
	if err != nil {
		e.Result, e.Status = "denied", http.StatusUnauthorized
		if errors.Is(err, store.ErrLocked) {
			e.Detail = "locked"
		}
	}
	if aerr := s.store.Audit(c.Request.Context(), e); aerr != nil {
		logger(c).Error("audit login", "err", aerr)
	}
}

func (s *Server) logout(c *gin.Context) {
	sess := c.MustGet("session").(*store.Session)
	defer s.streams.endSession(sess.ID, endLogout) // its event streams end with it
	if err := s.store.RevokeSession(c.Request.Context(), sess.ID); err != nil {
		fail(c, err)
		return
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", c.Request.TLS != nil, true)
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	u := currentUser(c)
	c.JSON(http.StatusOK, s.userView(u))
}

// authenticate resolves the bearer token (or session cookie) to a user; any
// problem is a 401 so that clients know to sign in again.
func (s *Server) authenticate(c *gin.Context) {
	token := bearer(c)
	if token == "" {
		fail(c, newError("unauthenticated", "sign in first: send Authorization: Bearer <token>"))
		return
	}
	sess, u, err := s.store.TouchSession(c.Request.Context(), token, s.cfg.Sessions)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			fail(c, newError("unauthenticated", "session is invalid or expired; sign in again"))
			return
		}
		fail(c, err)
		return
	}
	c.Set("session", sess)
	c.Set("user", u)
	c.Set("user_id", u.ID)
	c.Next()
}

func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	if ck, err := c.Cookie(sessionCookie); err == nil {
		return ck
	}
	return ""
}

func currentUser(c *gin.Context) *store.User { return c.MustGet("user").(*store.User) }

// require lets the request through only if the user holds p ("" = any
// signed-in user). A refusal is audited: attempts at what one may not do are
// what a bank's security officer looks for.
func (s *Server) require(p store.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p == "" || currentUser(c).Can(p) {
			c.Next()
			return
		}
		fail(c, newError("permission_denied", "your role may not do this (needs %q)", p))
	}
}
