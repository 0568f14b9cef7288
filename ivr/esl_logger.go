package ivr

import (
	"fmt"
	"log/slog"
	"strings"
)

// eslLogger routes eslgo's printf-style messages into slog. eslgo logs
// every frame it could not hand over at Warn, with the whole frame, which
// may carry channel variables; those go to Debug.
//
// It is also the only place where eslgo tells that its reader has stopped
// (a frame it cannot parse ends the read loop, 7.3 points 3 and 4):
// readerStopped is then called, so the call does not wait for events that
// will never come.
type eslLogger struct {
	log           *slog.Logger
	readerStopped func()
}

func (l eslLogger) Debug(format string, args ...any) { l.log.Debug(l.text(format, args)) }
func (l eslLogger) Info(format string, args ...any)  { l.log.Debug(l.text(format, args)) }
func (l eslLogger) Error(format string, args ...any) { l.log.Error(l.text(format, args)) }

func (l eslLogger) Warn(format string, args ...any) {
	if strings.HasPrefix(format, "Error receiving message") && l.readerStopped != nil {
		l.readerStopped()
	}
	if strings.HasPrefix(format, "No one to handle response") {
		l.log.Debug("eslgo: dropped a frame nobody waited for")
		return
	}
	l.log.Warn(l.text(format, args))
}

// text formats an eslgo message; some of them pass more arguments than
// their format has verbs.
func (eslLogger) text(format string, args []any) string {
	msg := fmt.Sprintf(format, args...)
	if strings.Contains(msg, "%!(EXTRA") {
		msg = strings.TrimSpace(format) + " " + fmt.Sprint(args...)
	}
	return "eslgo: " + strings.TrimSpace(msg)
}
