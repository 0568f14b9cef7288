package api

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// Voicemails (R34): messages customers left for a group after its maximum
// queue wait or with nobody signed in (package acd records them). Agents
// see their own groups' voicemails; holders of monitor see every group's.
// The caller's number is masked without pii_view; playback streams the
// file with HTTP Range like a call recording, and every play is audited
// with the file's checksum.

// voicemailReaders may list, play and handle voicemails.
var voicemailReaders = anyOf(store.PermAgentDesk, store.PermMonitor)

type voicemailQuery struct {
	From    string `form:"from" doc:"left at or after (RFC 3339 or YYYY-MM-DD)"`
	To      string `form:"to" doc:"left before (RFC 3339 or YYYY-MM-DD)"`
	GroupID int64  `form:"group_id" doc:"one group; agents without monitor see only their own groups'"`
	Caller  string `form:"caller" doc:"the whole calling number as the switch gave it"`
	Handled *bool  `form:"handled" doc:"true: handled ones only; false: open ones only"`
}

// voicemailView is one voicemail with the URL that plays it.
type voicemailView struct {
	store.Voicemail
	URL string `json:"url"`
}

// voicemailGroups is the groups the user may see (nil: every group).
func voicemailGroups(u *store.User) []int64 {
	if u.Can(store.PermMonitor) {
		return nil
	}
	out := []int64{}
	for _, g := range u.Groups {
		out = append(out, g.ID)
	}
	return out
}

func (s *Server) listVoicemails(c *gin.Context) {
	var q voicemailQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	f := store.VoicemailFilter{Caller: q.Caller, Handled: q.Handled, GroupIDs: voicemailGroups(currentUser(c))}
	var err error
	if f.Page, err = pageParams(c); err != nil {
		fail(c, err)
		return
	}
	if f.From, err = parseTimeParam("from", q.From); err != nil {
		fail(c, err)
		return
	}
	if f.To, err = parseTimeParam("to", q.To); err != nil {
		fail(c, err)
		return
	}
	if q.GroupID < 0 {
		fail(c, fieldError("group_id", "must be a group id"))
		return
	}
	if q.GroupID > 0 {
		if f.GroupIDs != nil && !slices.Contains(f.GroupIDs, q.GroupID) {
			f.GroupIDs = []int64{} // not one of yours: nothing
		} else {
			f.GroupIDs = []int64{q.GroupID}
		}
	}
	rows, total, err := s.store.ListVoicemails(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	views := s.voicemailViews(c, rows)
	if canSeePII(c) && len(views) > 0 {
		if err := s.auditPII(c, PIICallList, "user", currentUser(c).ID, int64(len(views)), fmt.Sprintf("voicemails total=%d", total)); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, newList(views, total))
}

func (s *Server) voicemailViews(c *gin.Context, rows []store.Voicemail) []voicemailView {
	pii := canSeePII(c)
	out := make([]voicemailView, len(rows))
	for i, v := range rows {
		if !pii {
			v.Caller = maskPhone(v.Caller)
		}
		out[i] = voicemailView{Voicemail: v, URL: fmt.Sprintf("/api/v1/voicemails/%d/audio", v.ID)}
	}
	return out
}

// voicemailOf loads the voicemail of the :id parameter if the user may
// see its group (another group's is a 404: its existence is not told).
func (s *Server) voicemailOf(c *gin.Context) (*store.Voicemail, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	v, err := s.store.GetVoicemail(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if gs := voicemailGroups(currentUser(c)); gs != nil && !slices.Contains(gs, v.GroupID) {
		return nil, fmt.Errorf("api: voicemail %d of another group: %w", id, store.ErrNotFound)
	}
	setTarget(c, "voicemail", v.ID)
	return v, nil
}

func (s *Server) playVoicemail(c *gin.Context) {
	v, err := s.voicemailOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	if !filepath.IsLocal(v.Path) {
		fail(c, fmt.Errorf("api: voicemail %d: path %q leaves the recordings folder", v.ID, v.Path))
		return
	}
	f, err := os.Open(filepath.Join(s.cfg.RecordingsDir, v.Path))
	if errors.Is(err, os.ErrNotExist) {
		fail(c, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "the voicemail's file is missing from the recordings folder"})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	defer f.Close()
	auditDetail(c, fmt.Sprintf("voicemail=%d sha256=%s range=%q", v.ID, v.SHA256, c.GetHeader("Range")))
	if err := s.auditPII(c, PIIRecordingPlay, "voicemail", v.ID, 1, "group="+itoa(v.GroupID)); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", recordingTypes[v.Format])
	c.Header("X-Content-SHA256", v.SHA256)
	http.ServeContent(c.Writer, c.Request, filepath.Base(v.Path), v.CreatedAt.Add(time.Duration(v.DurationMS)*time.Millisecond), f)
}

func (s *Server) handleVoicemail(c *gin.Context) {
	v, err := s.voicemailOf(c)
	if err != nil {
		fail(c, err)
		return
	}
	done, err := s.store.MarkVoicemailHandled(c.Request.Context(), v.ID, currentUser(c).ID, time.Now())
	if errors.Is(err, store.ErrConflict) {
		fail(c, &apiError{Status: http.StatusConflict, Code: "conflict", Message: "the voicemail was handled already"})
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.voicemailViews(c, []store.Voicemail{*done})[0])
}
