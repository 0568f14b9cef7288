package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type broadcastRequest struct {
	Kind      store.BroadcastKind `json:"kind"`
	Title     string              `json:"title"`
	Text      string              `json:"text"`
	To        string              `json:"to"` // "user:7", "group:3" or "all"
	ExpiresAt *time.Time          `json:"expires_at"`
}

// audience reads "user:ID", "group:ID" or "all".
func audience(to string) (store.Audience, int64, error) {
	if to == "all" {
		return store.AudienceAll, 0, nil
	}
	kind, id, _ := strings.Cut(to, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if (kind != "user" && kind != "group") || err != nil || n <= 0 {
		return "", 0, fieldError("to", `must be "user:ID", "group:ID" or "all"`)
	}
	return store.Audience(kind), n, nil
}

// createBroadcast sends an announcement or wallboard notice and pushes it
// to each recipient's stream, the supervisors' monitor and, for a
// wallboard notice, the wallboard.
func (s *Server) createBroadcast(c *gin.Context) {
	var req broadcastRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	aud, target, err := audience(req.To)
	if err != nil {
		fail(c, err)
		return
	}
	u := currentUser(c)
	b := &store.Broadcast{Kind: req.Kind, Title: req.Title, Text: req.Text, Audience: aud, TargetID: target, SenderID: u.ID, ExpiresAt: req.ExpiresAt}
	users, err := s.store.CreateBroadcast(c.Request.Context(), b)
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "broadcast", b.ID)
	auditDetail(c, req.To+", "+strconv.Itoa(len(users))+" recipients")
	view := store.BroadcastView{Broadcast: *b, SenderName: nameOf(u), Recipients: int64(len(users))}
	s.publish(c, feed.Event{Name: feed.EventAnnouncement, Topics: broadcastTopics(b, users), Data: view})
	c.JSON(http.StatusCreated, view)
}

func nameOf(u *store.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// broadcastTopics reaches exactly the recipients (as resolved when it was
// sent, like the receipts), the monitor, and the wallboard for its notices.
func broadcastTopics(b *store.Broadcast, users []int64) []feed.Topic {
	topics := []feed.Topic{feed.Monitor}
	if b.Kind == store.BroadcastWallboard {
		topics = append(topics, feed.Wallboard)
	}
	for _, id := range users {
		topics = append(topics, feed.UserTopic(id))
	}
	return topics
}

func broadcastFilter(c *gin.Context) (store.BroadcastFilter, error) {
	f := store.BroadcastFilter{Kind: store.BroadcastKind(c.Query("kind")), ActiveOnly: c.Query("active") == "true", Unread: c.Query("unread") == "true"}
	if err := checkEnum("kind", f.Kind); err != nil {
		return f, err
	}
	var err error
	f.Page, err = pageParams(c)
	return f, err
}

// listBroadcasts is every broadcast with its read counts, for managers.
func (s *Server) listBroadcasts(c *gin.Context) {
	f, err := broadcastFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListBroadcasts(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// myBroadcasts is what the caller received; expired ones only with ?all=true.
func (s *Server) myBroadcasts(c *gin.Context) {
	f, err := broadcastFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	f.ActiveOnly = c.Query("all") != "true"
	items, total, err := s.store.MyBroadcasts(c.Request.Context(), currentUser(c).ID, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// wallboardNotices are the wallboard notices in force now.
func (s *Server) wallboardNotices(c *gin.Context) {
	items, total, err := s.store.ListBroadcasts(c.Request.Context(), store.BroadcastFilter{Kind: store.BroadcastWallboard, ActiveOnly: true, Page: store.Page{Size: store.MaxPageSize}})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

// readBroadcast records the caller's read receipt; 404 for a broadcast they
// did not receive.
func (s *Server) readBroadcast(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	r, err := s.store.MarkBroadcastRead(c.Request.Context(), id, currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

type receiptsResponse struct {
	BroadcastID int64               `json:"broadcast_id"`
	Total       int                 `json:"total"`
	ReadCount   int                 `json:"read_count"`
	Items       []store.ReceiptView `json:"items"` // unread first (read_at null), then by read time
}

func (s *Server) broadcastReceipts(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	rs, err := s.store.BroadcastReceipts(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	resp := receiptsResponse{BroadcastID: id, Total: len(rs), Items: rs}
	for _, r := range rs {
		if r.ReadAt != nil {
			resp.ReadCount++
		}
	}
	if resp.Items == nil {
		resp.Items = []store.ReceiptView{}
	}
	c.JSON(http.StatusOK, resp)
}

// withdrawBroadcast ends a broadcast now; its recipients' screens and the
// wallboard hear it.
func (s *Server) withdrawBroadcast(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	b, err := s.store.WithdrawBroadcast(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	rs, err := s.store.BroadcastReceipts(ctx, id)
	if err != nil {
		fail(c, err)
		return
	}
	users := make([]int64, 0, len(rs))
	for _, r := range rs {
		users = append(users, r.UserID)
	}
	s.publish(c, feed.Event{Name: feed.EventAnnouncementWithdraw, Topics: broadcastTopics(b, users), Data: map[string]int64{"id": b.ID}})
	c.Status(http.StatusNoContent)
}
