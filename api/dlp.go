package api

import (
	"net/http"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// DLPConfig is the data-leak prevention policy (R10) from the security.*
// configuration keys.
type DLPConfig struct {
	// IdleLock locks the UI's screen after this long without input; 0 turns
	// the lock off (security.idle_lock, 10 minutes unless configured).
	IdleLock time.Duration
	// RequireLockedWorkstation refuses softphone sign-in from a workstation
	// whose usb-lock script has not reported it locked recently.
	RequireLockedWorkstation bool
	// WorkstationMaxAge is how old a workstation's last report may be; default 15 minutes.
	WorkstationMaxAge time.Duration
}

func (d DLPConfig) maxReportAge() time.Duration {
	if d.WorkstationMaxAge <= 0 {
		return 15 * time.Minute
	}
	return d.WorkstationMaxAge
}

// uiPolicy tells the browser UI how to guard what it shows: the watermark,
// the idle lock, and whether print and bulk copy are allowed (they follow
// the export permission: printing a list is exporting it on paper).
type uiPolicy struct {
	IdleLockSeconds int       `json:"idle_lock_seconds"` // 0: no idle lock
	ScreenLocked    bool      `json:"screen_locked"`     // locked now: show the unlock form
	Watermark       bool      `json:"watermark"`
	CanExport       bool      `json:"can_export"` // print and bulk copy allowed
	CopyAudit       bool      `json:"copy_audit"` // report copies of customer fields
	ServerTime      time.Time `json:"server_time"`
}

func (s *Server) uiPolicy(c *gin.Context) {
	sess := c.MustGet("session").(*store.Session)
	c.JSON(http.StatusOK, uiPolicy{
		IdleLockSeconds: int(s.cfg.DLP.IdleLock / time.Second), ScreenLocked: sess.ScreenLockedAt != nil,
		Watermark: true, CanExport: currentUser(c).Can(store.PermExport), CopyAudit: true, ServerTime: s.now(),
	})
}
