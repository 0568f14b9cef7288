package esltest

import (
	"regexp"
	"strings"
)

// myEventNames are the events `myevents` subscribes to (doc 1.6).
var myEventNames = []string{"CHANNEL_ANSWER", "CHANNEL_APPLICATION", "CHANNEL_BRIDGE",
	"CHANNEL_CREATE", "CHANNEL_DATA", "CHANNEL_DESTROY", "CHANNEL_EXECUTE",
	"CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE", "CHANNEL_ORIGINATE",
	"CHANNEL_UUID", "CHANNEL_OUTGOING", "CHANNEL_PARK", "CHANNEL_PROGRESS",
	"CHANNEL_PROGRESS_MEDIA", "CHANNEL_STATE", "CHANNEL_UNBRIDGE", "CHANNEL_UNPARK",
	"DETECTED_SPEECH", "DTMF", "NOTALK", "TALK"}

// filter is one `filter` entry; value may be negative ("-x") or a /regexp/.
type filter struct {
	header, value string
	negative      bool
	re            *regexp.Regexp
}

func (f filter) matches(e *event) (present, match bool) {
	check := func(name, value string) bool {
		if !strings.EqualFold(name, f.header) {
			return false
		}
		present = true
		return f.re != nil && f.re.MatchString(value) || f.re == nil && strings.EqualFold(value, f.value)
	}
	for _, h := range e.headers {
		if check(h.name, h.value) {
			return true, true
		}
	}
	for _, v := range e.vars {
		if check(v.key, v.value) {
			return true, true
		}
	}
	return present, false
}

// subscription is a listener's event selection. Owned by the world.
type subscription struct {
	enabled    bool
	format     int
	all        bool
	names      map[string]bool
	nixed      map[string]bool
	subclasses map[string]bool
	nixedSub   map[string]bool
	filters    []filter
	myUUID     string // myevents: only this channel's events
}

func (s *subscription) init() {
	if s.names == nil {
		s.names, s.nixed = map[string]bool{}, map[string]bool{}
		s.subclasses, s.nixedSub = map[string]bool{}, map[string]bool{}
	}
}

// add subscribes to names as `event` does; after CUSTOM the words are
// subclasses. It reports whether any keyword was given.
func (s *subscription) add(words []string) bool {
	s.init()
	custom := false
	for _, w := range words {
		switch {
		case custom:
			s.subclasses[w] = true
			delete(s.nixedSub, w)
		case strings.EqualFold(w, "CUSTOM"):
			custom = true
		case strings.EqualFold(w, "ALL"):
			s.all = true
			clear(s.nixed)
			clear(s.nixedSub)
		default:
			s.names[strings.ToUpper(w)] = true
			delete(s.nixed, strings.ToUpper(w))
		}
	}
	if len(words) > 0 {
		s.enabled = true
	}
	return len(words) > 0
}

// remove is `nixevent`: after ALL it turns the set into "all except".
func (s *subscription) remove(words []string) bool {
	s.init()
	custom := false
	for _, w := range words {
		switch {
		case custom:
			delete(s.subclasses, w)
			if s.all {
				s.nixedSub[w] = true
			}
		case strings.EqualFold(w, "CUSTOM"):
			custom = true
		case strings.EqualFold(w, "ALL"):
			s.all = false
			clear(s.names)
			clear(s.subclasses)
		default:
			delete(s.names, strings.ToUpper(w))
			if s.all {
				s.nixed[strings.ToUpper(w)] = true
			}
		}
	}
	return len(words) > 0
}

func (s *subscription) wants(e *event) bool {
	if !s.enabled {
		return false
	}
	name := e.Name()
	if name == "CUSTOM" {
		sc := e.Get("Event-Subclass")
		if !(s.all && !s.nixedSub[sc]) && !s.subclasses[sc] {
			return false
		}
	} else if !(s.all && !s.nixed[name]) && !s.names[name] {
		return false
	}
	if s.myUUID != "" && e.Get("Unique-ID") != s.myUUID && e.Get("Job-Owner-UUID") != s.myUUID {
		return false
	}
	return s.passFilters(e)
}

// passFilters applies doc 1.6: with any filter present an event needs a
// positive match and no negative match; events lacking every filtered
// header are dropped.
func (s *subscription) passFilters(e *event) bool {
	if len(s.filters) == 0 {
		return true
	}
	positive := false
	for _, f := range s.filters {
		_, match := f.matches(e)
		if !match {
			continue
		}
		if f.negative {
			return false
		}
		positive = true
	}
	return positive
}

// addFilter parses a filter value: "-x" negative, "+x" positive, "/re/".
func (s *subscription) addFilter(name, value string) {
	f := filter{header: name, value: value}
	switch {
	case strings.HasPrefix(value, "/"):
		pat := strings.TrimPrefix(value, "/")
		flags := ""
		if i := strings.LastIndex(pat, "/"); i >= 0 {
			pat, flags = pat[:i], pat[i+1:]
		}
		if strings.Contains(flags, "i") {
			pat = "(?i)" + pat
		}
		if strings.Contains(flags, "s") {
			pat = "(?s)" + pat
		}
		f.re, _ = regexp.Compile(pat) // a bad pattern never matches, like a failed PCRE compile
		if f.re == nil {
			f.re = regexp.MustCompile(`\A\z.`)
		}
	case strings.HasPrefix(value, "-"):
		f.negative, f.value = true, value[1:]
	case strings.HasPrefix(value, "+"):
		f.value = value[1:]
	}
	s.filters = append(s.filters, f)
}

// deleteFilter removes filters on name (and value, when given).
func (s *subscription) deleteFilter(name, value string) {
	if strings.EqualFold(name, "all") {
		s.filters = nil
		return
	}
	kept := s.filters[:0]
	for _, f := range s.filters {
		if strings.EqualFold(f.header, name) && (value == "" || f.value == strings.TrimLeft(value, "+-")) {
			continue
		}
		kept = append(kept, f)
	}
	s.filters = kept
}
