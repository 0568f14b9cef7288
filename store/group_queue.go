package store

import (
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strings"
)

// GroupQueue is how a group's queue treats a waiting customer (issue 10,
// R34): music, then every AnnounceEveryS seconds the customer's position
// and/or expected wait; after MaxWaitS (or at once when nobody of the group
// is signed in) voicemail when Voicemail is on, recorded for at most
// VoicemailMaxS seconds and notified to the group's agents and supervisors
// and by email to NotifyEmail. Zero values: no announcements, wait without
// limit, no voicemail.
type GroupQueue struct {
	AnnounceEveryS   int    `gorm:"not null;default:0" json:"announce_every_s"`
	AnnouncePosition bool   `gorm:"not null;default:false" json:"announce_position"`
	AnnounceWait     bool   `gorm:"not null;default:false" json:"announce_wait"`
	MaxWaitS         int    `gorm:"not null;default:0" json:"max_wait_s"`
	Voicemail        bool   `gorm:"not null;default:false" json:"voicemail"`
	VoicemailMaxS    int    `gorm:"not null;default:0" json:"voicemail_max_s"`
	NotifyEmail      string `gorm:"type:varchar(255)" json:"notify_email"`
}

// Queue limits.
const (
	MaxAnnounceEveryS = 3600
	MaxQueueWaitS     = 24 * 3600
	MaxVoicemailS     = 600
	// DefaultVoicemailS is a voicemail's length when the group sets none.
	DefaultVoicemailS = 120
)

func (q *GroupQueue) check() []FieldError {
	var errs []FieldError
	if q.AnnounceEveryS < 0 || q.AnnounceEveryS > MaxAnnounceEveryS || (q.AnnounceEveryS > 0 && q.AnnounceEveryS < 5) {
		errs = append(errs, FieldError{Field: "announce_every_s", Message: "must be 0 (none) or 5-3600 seconds"})
	}
	if q.MaxWaitS < 0 || q.MaxWaitS > MaxQueueWaitS {
		errs = append(errs, FieldError{Field: "max_wait_s", Message: "must be 0 (no limit) to 86400 seconds"})
	}
	if q.VoicemailMaxS < 0 || q.VoicemailMaxS > MaxVoicemailS || (q.VoicemailMaxS > 0 && q.VoicemailMaxS < 5) {
		errs = append(errs, FieldError{Field: "voicemail_max_s", Message: "must be 0 (default 120) or 5-600 seconds"})
	}
	q.NotifyEmail = strings.TrimSpace(q.NotifyEmail)
	if q.NotifyEmail != "" {
		if a, err := mail.ParseAddress(q.NotifyEmail); err != nil || a.Name != "" || len(q.NotifyEmail) > 255 {
			errs = append(errs, FieldError{Field: "notify_email", Message: "must be one plain email address"})
		}
	}
	return errs
}

// VoicemailLimitS is the longest voicemail the group takes, in seconds.
func (q GroupQueue) VoicemailLimitS() int {
	if q.VoicemailMaxS > 0 {
		return q.VoicemailMaxS
	}
	return DefaultVoicemailS
}

var skillRe = regexp.MustCompile(`^[\p{L}\p{N}_-]{1,32}$`)

// NormalizeSkills trims, lower-cases, de-duplicates and sorts a comma list
// of skills ("English, cards" -> "cards,english"); each is 1-32 letters,
// digits, _ or -.
func NormalizeSkills(s string) (string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		if !skillRe.MatchString(p) {
			return "", errors.New("each skill is 1-32 letters, digits, _ or -, separated by commas")
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	if len(out) > 32 {
		return "", errors.New("at most 32 skills")
	}
	return strings.Join(out, ","), nil
}

// SkillList is a normalized skills list as a slice.
func SkillList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
