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

// errSignIn is the one answer to every failed sign-in (unknown user, wrong
// password, disabled account, locked-out source), so the answer tells an
// attacker nothing about which accounts exist or how they stand.
func errSignIn() *apiError {
	return newError("unauthenticated", "sign-in failed: wrong username or password, or sign-in from here is paused after repeated failures; try again later or ask an administrator")
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
	if !s.allow(c, loginLimits, store.NormalizeUsername(req.Username)) {
		return
	}
	ctx := c.Request.Context()
	u, err := s.store.Authenticate(ctx, req.Username, req.Password, c.ClientIP())
	if err != nil {
		s.auditLogin(c, u, req.Username, err)
		if errors.Is(err, store.ErrLocked) || errors.Is(err, store.ErrBadCredentials) {
			err = errSignIn()
		}
		fail(c, err)
		return
	}
	token, _, err := s.store.CreateSession(ctx, u.ID, c.ClientIP(), c.Request.UserAgent(), s.cfg.Sessions)
	if err != nil {
		fail(c, err)
		return
	}
	s.auditLogin(c, u, req.Username, nil)
	s.setSessionCookies(c, token, int(s.cfg.Sessions.Absolute.Seconds()))
	c.JSON(http.StatusOK, loginResponse{Token: token, User: brief(u), Permissions: u.Permissions()})
}

func brief(u *store.User) userBrief {
	return userBrief{ID: u.ID, Username: u.Username, Role: u.Role, DisplayName: u.DisplayName}
}

func (s *Server) auditLogin(c *gin.Context, u *store.User, name string, err error) {
	e := &store.AuditEntry{Username: store.NormalizeUsername(name), Action: "auth.login", TargetType: "user", Result: "ok", Status: 200,
		RequestID: c.GetString("request_id"), IP: c.ClientIP()}
	if u != nil {
		e.UserID, e.Role, e.TargetID = u.ID, string(u.Role), itoa(u.ID)
	}
	if err != nil {
		e.Result, e.Status = "denied", http.StatusUnauthorized
		e.Detail = loginFailure(u, err)
	}
	if aerr := s.store.Audit(c.Request.Context(), e); aerr != nil {
		logger(c).Error("audit login", "err", aerr)
	}
}

// loginFailure says why a sign-in failed, for the audit log only (the client
// gets one answer for all).
func loginFailure(u *store.User, err error) string {
	switch {
	case errors.Is(err, store.ErrLocked):
		return "locked out after repeated failures from this address"
	case u == nil && errors.Is(err, store.ErrBadCredentials):
		return "unknown username"
	case u != nil && u.Disabled:
		return "account disabled"
	case errors.Is(err, store.ErrBadCredentials):
		return "wrong password"
	}
	return "error: " + err.Error()
}

func (s *Server) logout(c *gin.Context) {
	sess := c.MustGet("session").(*store.Session)
	defer s.streams.endSession(sess.ID, endLogout) // its event streams end with it
	if err := s.store.RevokeSession(c.Request.Context(), sess.ID); err != nil {
		fail(c, err)
		return
	}
	s.setSessionCookies(c, "", -1)
	if s.cfg.Desk != nil { // the desktop is gone: so is its softphone session
		s.cfg.Desk.DesktopGone(c.Request.Context(), sess.UserID)
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) me(c *gin.Context) {
	u := currentUser(c)
	c.JSON(http.StatusOK, s.userView(u, nil))
}

// authenticate resolves the bearer token (or session cookie) to a user; any
// problem is a 401 so that clients know to sign in again.
func (s *Server) authenticate(c *gin.Context) {
	token, fromCookie := bearer(c)
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
	c.Set("cookie_session", fromCookie)
	if fromCookie {
		c.Set("session_token", token)
	}
	c.Set("user", u)
	c.Set("user_id", u.ID)
	c.Next()
}

// bearer is the session token, from the Authorization header or else the
// cookie (fromCookie: the request may come from a page of another site).
func bearer(c *gin.Context) (token string, fromCookie bool) {
	h := c.GetHeader("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t), false
	}
	if ck, err := c.Cookie(sessionCookie); err == nil {
		return ck, true
	}
	return "", false
}

func currentUser(c *gin.Context) *store.User { return c.MustGet("user").(*store.User) }

// require lets the request through only if the user holds p ("" = any
// signed-in user). A refusal is audited: attempts at what one may not do are
// what a bank's security officer looks for.
func (s *Server) require(p store.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p == "" || can(currentUser(c), p) {
			c.Next()
			return
		}
		fail(c, newError("permission_denied", "your role may not do this (needs %s)", permText(p)))
	}
}

// anyOf is a route permission met by any one of perms.
func anyOf(perms ...store.Permission) store.Permission {
	s := make([]string, len(perms))
	for i, p := range perms {
		s[i] = string(p)
	}
	return store.Permission(strings.Join(s, "|"))
}

// can reports whether u holds p, or one of the permissions of an anyOf.
func can(u *store.User, p store.Permission) bool {
	for _, one := range strings.Split(string(p), "|") {
		if u.Can(store.Permission(one)) {
			return true
		}
	}
	return false
}

// permText names a route permission for people: "campaign_view" or "monitor".
func permText(p store.Permission) string {
	return `"` + strings.ReplaceAll(string(p), "|", `" or "`) + `"`
}
