package api

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/bankcc/callcenter/dialplan"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// The call history (R15, R32): every attempt with its result and its
// recordings, and playback of a recording with HTTP Range so a player can
// seek. Who may listen is a permission (listen) bounded by agent level
// (R33): a listener hears the calls of agents whose level is at most their
// own; admins hear every call.

// callQuery filters GET /calls.
type callQuery struct {
	From       string            `form:"from" doc:"created at or after (RFC 3339 or YYYY-MM-DD)"`
	To         string            `form:"to" doc:"created before (RFC 3339 or YYYY-MM-DD)"`
	CampaignID int64             `form:"campaign_id"`
	AgentID    int64             `form:"agent_id" doc:"an agent without campaign_view always sees only their own calls"`
	ContactID  int64             `form:"contact_id"`
	Phone      string            `form:"phone" doc:"the whole number as dialed; a part of a number matches nothing"`
	Outcome    store.ResultClass `form:"outcome"`
	Recorded   *bool             `form:"recorded" doc:"true: only calls with a recording; false: only calls without"`
}

// callView is one call as the API shows it: the number masked without
// pii_view, the recordings without their file paths.
type callView struct {
	store.Attempt
	Recordings []recordingView `json:"recordings"`
}

// recordingView is one recording of a call; URL plays it.
type recordingView struct {
	store.Recording
	DurationMS int64  `json:"duration_ms"`
	URL        string `json:"url,omitempty"` // absent once retention removed the file
}

func (q *callQuery) filter(c *gin.Context) (store.CallFilter, error) {
	f := store.CallFilter{CampaignID: q.CampaignID, AgentID: q.AgentID, ContactID: q.ContactID, Outcome: q.Outcome}
	var err error
	if err = checkEnum("outcome", q.Outcome); err != nil {
		return f, err
	}
	if f.Page, err = pageParams(c); err != nil {
		return f, err
	}
	if f.From, err = parseTimeParam("from", q.From); err != nil {
		return f, err
	}
	if f.To, err = parseTimeParam("to", q.To); err != nil {
		return f, err
	}
	if q.Phone != "" {
		if f.Phone, _, err = dialplan.NormalizePhone(q.Phone); err != nil {
			return f, fieldError("phone", "is not a phone number")
		}
	}
	f.Recorded = q.Recorded
	return f, nil
}

func (s *Server) listCalls(c *gin.Context) {
	var q callQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	f, err := q.filter(c)
	if err != nil {
		fail(c, err)
		return
	}
	if !currentUser(c).Can(store.PermCampaignView) {
		f.AgentID = currentUser(c).ID // an agent sees only their own calls
	}
	rows, total, err := s.store.ListCalls(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	views := s.callViews(c, rows)
	if canSeePII(c) {
		if err := s.auditPII(c, PIICallList, "user", currentUser(c).ID, int64(len(views)), fmt.Sprintf("total=%d", total)); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, newList(views, total))
}

func (s *Server) getCall(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	row, err := s.store.GetCall(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "call", row.ID)
	views := s.callViews(c, []store.CallRow{*row})
	if canSeePII(c) {
		if err := s.auditPII(c, PIICallView, "call", row.ID, 1, "campaign="+itoa(row.CampaignID)); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, views[0])
}

func (s *Server) callViews(c *gin.Context, rows []store.CallRow) []callView {
	pii := canSeePII(c)
	out := make([]callView, len(rows))
	for i, r := range rows {
		if !pii {
			r.Destination = maskPhone(r.Destination)
		}
		v := callView{Attempt: r.Attempt, Recordings: make([]recordingView, len(r.Recordings))}
		for j, rec := range r.Recordings {
			rv := recordingView{Recording: rec, DurationMS: rec.DurationMS()}
			if rec.DeletedAt == nil {
				rv.URL = fmt.Sprintf("/api/v1/calls/%d/recording?recording_id=%d", r.ID, rec.ID)
			}
			v.Recordings[j] = rv
		}
		out[i] = v
	}
	return out
}

// recordingQuery picks one of a call's recordings (the first by default).
type recordingQuery struct {
	RecordingID int64 `form:"recording_id" doc:"one of the call's recordings; the first when absent"`
}

// playRecording streams a call's recording with Range support. Every play
// (each request, a seek included) is audited with the recording and its
// checksum.
func (s *Server) playRecording(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var q recordingQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	recs, err := s.store.RecordingsOf(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "call", id)
	rec, err := pickRecording(recs, q.RecordingID)
	if err != nil {
		fail(c, err)
		return
	}
	if err := s.mayListen(c, rec); err != nil {
		fail(c, err)
		return
	}
	f, err := s.openRecording(rec)
	if err != nil {
		fail(c, err)
		return
	}
	defer f.Close()
	auditDetail(c, fmt.Sprintf("recording=%d sha256=%s range=%q", rec.ID, rec.SHA256, c.GetHeader("Range")))
	if err := s.auditPII(c, PIIRecordingPlay, "call", id, 1, "recording="+strconv.FormatInt(rec.ID, 10)); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", recordingTypes[rec.Format])
	c.Header("X-Content-SHA256", rec.SHA256)
	http.ServeContent(c.Writer, c.Request, filepath.Base(rec.Path), rec.EndedAt, f)
}

// recordingTypes are the media types of the formats FreeSWITCH records.
var recordingTypes = map[string]string{"wav": "audio/wav", "mp3": "audio/mpeg", "": "application/octet-stream"}

func pickRecording(recs []store.Recording, id int64) (*store.Recording, error) {
	for i := range recs {
		if id == 0 || recs[i].ID == id {
			if recs[i].DeletedAt != nil {
				return nil, &apiError{Status: http.StatusGone, Code: "gone", Message: "the recording was deleted at the end of its retention period"}
			}
			return &recs[i], nil
		}
	}
	if id != 0 {
		return nil, fieldError("recording_id", "is not a recording of this call")
	}
	return nil, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "this call has no recording"}
}

// mayListen applies the level rule: admins hear every call; other holders
// of listen hear agents whose level is at most their own.
func (s *Server) mayListen(c *gin.Context, rec *store.Recording) error {
	u := currentUser(c)
	if u.Role == store.RoleAdmin || rec.AgentID == 0 {
		return nil
	}
	agent, err := s.store.GetUser(c.Request.Context(), rec.AgentID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the agent's account is gone; the listen permission decides
	}
	if err != nil {
		return err
	}
	if agent.Level > u.Level {
		return &apiError{Status: http.StatusForbidden, Code: "forbidden",
			Message: fmt.Sprintf("recordings of level-%d agents need level %d or above; yours is %d", agent.Level, agent.Level, u.Level)}
	}
	return nil
}

// openRecording opens the file under the recordings folder; a stored path
// that would leave the folder is refused.
func (s *Server) openRecording(rec *store.Recording) (*os.File, error) {
	if !filepath.IsLocal(rec.Path) {
		return nil, fmt.Errorf("api: recording %d: path %q leaves the recordings folder", rec.ID, rec.Path)
	}
	f, err := os.Open(filepath.Join(s.cfg.RecordingsDir, rec.Path))
	if errors.Is(err, os.ErrNotExist) {
		return nil, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "the recording's file is missing from the recordings folder"}
	}
	return f, err
}
