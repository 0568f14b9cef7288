package api

import (
	"errors"
	"net/http"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// unlockedPaths answer while a session's screen is locked: what the lock
// screen needs (who is signed in, the policy, unlock) and signing out.
var unlockedPaths = map[string]bool{
	"/api/v1/auth/unlock":      true,
	"/api/v1/auth/screen-lock": true,
	"/api/v1/auth/logout":      true,
	"/api/v1/me":               true,
	"/api/v1/me/ui-policy":     true,
}

// screenGate refuses every other request of a session whose screen is
// locked, so a passer-by at an unattended desk gets nothing by reloading the
// page or calling the API with the browser's cookie.
func (s *Server) screenGate(c *gin.Context) {
	if sess := c.MustGet("session").(*store.Session); sess.ScreenLockedAt != nil {
		fail(c, &apiError{Status: http.StatusLocked, Code: "screen_locked",
			Message: "the screen is locked after inactivity; unlock it with your password (POST /api/v1/auth/unlock)"})
		return
	}
	c.Next()
}

func (s *Server) lockScreen(c *gin.Context) {
	sess := c.MustGet("session").(*store.Session)
	if err := s.store.SetScreenLock(c.Request.Context(), sess.ID, true); err != nil {
		fail(c, err)
		return
	}
	// A locked screen gets no more live events, as no other data, until
	// unlocked (a new stream answers 423 meanwhile).
	s.streams.endSession(sess.ID, endScreenLocked)
	c.Status(http.StatusNoContent)
}

type unlockRequest struct {
	Password string `json:"password"`
}

// unlockScreen checks the password like a login (wrong ones count towards
// the lockout, so the lock screen is no guessing oracle) and lifts the lock.
// A lockout ends the session.
func (s *Server) unlockScreen(c *gin.Context) {
	var req unlockRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Password == "" {
		fail(c, fieldError("password", "is required"))
		return
	}
	ctx := c.Request.Context()
	sess := c.MustGet("session").(*store.Session)
	_, err := s.store.Authenticate(ctx, currentUser(c).Username, req.Password, c.ClientIP())
	switch {
	case errors.Is(err, store.ErrLocked):
		_ = s.store.RevokeSession(ctx, sess.ID)
		fail(c, newError("unauthenticated", "account locked after repeated wrong passwords; sign in again later"))
		return
	case errors.Is(err, store.ErrBadCredentials):
		fail(c, fieldError("password", "wrong password"))
		return
	case err != nil:
		fail(c, err)
		return
	}
	if err := s.store.SetScreenLock(ctx, sess.ID, false); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
