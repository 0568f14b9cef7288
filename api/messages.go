package api

import (
	"net/http"
	"time"

	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

type messageRequest struct {
	ToUserID int64  `json:"to_user_id"`
	Text     string `json:"text"`
}

// sendMessage stores a private message and pushes it to both people's
// streams (the sender may have other windows open). The audit entry names
// the message, never its text.
func (s *Server) sendMessage(c *gin.Context) {
	var req messageRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.ToUserID <= 0 {
		fail(c, fieldError("to_user_id", "is required: the id of the user to write to"))
		return
	}
	u := currentUser(c)
	m, err := s.store.SendMessage(c.Request.Context(), &store.Message{FromUserID: u.ID, ToUserID: req.ToUserID, Text: req.Text})
	if err != nil {
		fail(c, err)
		return
	}
	setTarget(c, "message", m.ID)
	auditDetail(c, "to user "+itoa(m.ToUserID))
	s.publish(c, feed.Event{Name: feed.EventMessage, Topics: []feed.Topic{feed.UserTopic(m.ToUserID), feed.UserTopic(m.FromUserID)}, Data: m})
	c.JSON(http.StatusCreated, m)
}

// listMessages lists the caller's own messages only.
func (s *Server) listMessages(c *gin.Context) {
	f := store.MessageFilter{UserID: currentUser(c).ID, Box: store.MessageBox(c.Query("box")), Unread: c.Query("unread") == "true"}
	if f.Box != store.BoxAll && f.Box != store.BoxInbox && f.Box != store.BoxOutbox {
		fail(c, fieldError("box", "must be inbox or outbox (or absent for both)"))
		return
	}
	var err error
	if f.WithUserID, err = int64Query(c, "with_user_id"); err != nil {
		fail(c, err)
		return
	}
	if f.Page, err = pageParams(c); err != nil {
		fail(c, err)
		return
	}
	items, total, err := s.store.ListMessages(c.Request.Context(), f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(items, total))
}

type messageReadEvent struct {
	ID     int64      `json:"id"`
	ReadAt *time.Time `json:"read_at"`
}

// readMessage marks a received message read; the sender's stream hears it.
// A message the caller did not receive is 404, as if it did not exist.
func (s *Server) readMessage(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	m, err := s.store.MarkMessageRead(c.Request.Context(), id, currentUser(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	s.publish(c, feed.ForUser(m.FromUserID, feed.EventMessageRead, messageReadEvent{ID: m.ID, ReadAt: m.ReadAt}))
	c.JSON(http.StatusOK, m)
}

// directoryEntry is what any signed-in user may see of a colleague, to
// address a message.
type directoryEntry struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Role        store.Role `json:"role"`
}

func (s *Server) directory(c *gin.Context) {
	p, err := pageParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	users, total, err := s.store.ListActiveUsers(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]directoryEntry, 0, len(users))
	for _, u := range users {
		out = append(out, directoryEntry{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role})
	}
	c.JSON(http.StatusOK, newList(out, total))
}
