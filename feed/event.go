package feed

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Topic names an audience: one user's own stream, a group, the supervisors'
// monitor, the wallboard, or everyone.
type Topic string

// Audiences that are not one user or one group.
const (
	Everyone  Topic = "all"       // every signed-in user's own stream
	Monitor   Topic = "monitor"   // the supervisors' stream
	Wallboard Topic = "wallboard" // wallboard notices and figures
)

// UserTopic is the topic of one user's own stream (GET /api/v1/me/events).
func UserTopic(userID int64) Topic { return Topic("user:" + strconv.FormatInt(userID, 10)) }

// GroupTopic reaches every member of a group on their own streams.
func GroupTopic(groupID int64) Topic { return Topic("group:" + strconv.FormatInt(groupID, 10)) }

// Event is what a publisher hands to the hub.
type Event struct {
	Name   string  // the SSE event name: "state", "offer", "message", ...
	Topics []Topic // who receives it; at least one
	Data   any     // marshalled to JSON once, when published
}

// ForUser is an event for one user's own stream.
func ForUser(userID int64, name string, data any) Event {
	return Event{Name: name, Topics: []Topic{UserTopic(userID)}, Data: data}
}

// Record is a published event as the buffer keeps it and subscribers get it.
// It is immutable and shared: never change one.
type Record struct {
	ID     uint64
	Name   string
	Data   json.RawMessage // compact JSON: one line, as an SSE data field needs
	At     time.Time
	topics []Topic
}

// IDString is the record's id as the SSE id field carries it.
func (r *Record) IDString() string { return FormatID(r.ID) }

// FormatID writes an event id the way streams send it.
func FormatID(id uint64) string { return strconv.FormatUint(id, 10) }

// ParseID reads a Last-Event-ID; ok is false for anything that is not one.
func ParseID(s string) (uint64, bool) {
	id, err := strconv.ParseUint(s, 10, 64)
	return id, err == nil
}

// check refuses events a stream could not frame: a name must be a short
// token (it goes on an "event:" line), and there must be a topic.
func (e Event) check() error {
	if e.Name == "" || len(e.Name) > 64 {
		return fmt.Errorf("feed: event name %q: want 1-64 characters", e.Name)
	}
	for _, r := range e.Name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return fmt.Errorf("feed: event name %q: only a-z, 0-9, _ . - are allowed", e.Name)
		}
	}
	if len(e.Topics) == 0 {
		return fmt.Errorf("feed: event %q has no topic", e.Name)
	}
	return nil
}

// matches reports whether the record is for one of topics.
func (r *Record) matches(topics map[Topic]bool) bool {
	for _, t := range r.topics {
		if topics[t] {
			return true
		}
	}
	return false
}
