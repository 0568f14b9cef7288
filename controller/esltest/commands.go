package esltest

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// sessionOnly are the commands an outbound socket without `full` accepts.
var sessionOnly = map[string]bool{"connect": true, "myevents": true, "getvar": true, "resume": true,
	"filter": true, "divert_events": true, "sendmsg": true, "exit": true}

// commandOrder is mod_event_socket's prefix test order (doc 1.5).
var commandOrder = []string{"exit", "auth", "userauth", "filter", "resume", "connect", "getvar", "myevents",
	"divert_events", "sendmsg", "sendevent", "api", "bgapi", "log", "linger", "nolinger", "nolog",
	"event", "nixevent", "noevents"}

// commandName finds which command a line is, by FreeSWITCH's prefix rules.
func commandName(line string) string {
	lower := strings.ToLower(line)
	if strings.HasPrefix(lower, "...") {
		return "exit"
	}
	for _, name := range commandOrder {
		if !strings.HasPrefix(lower, name) {
			continue
		}
		// these are tested with a trailing space in mod_event_socket.
		if (name == "api" || name == "bgapi" || name == "filter") && !strings.HasPrefix(lower, name+" ") {
			continue
		}
		if name == "auth" && strings.HasPrefix(lower, "userauth") {
			continue
		}
		return name
	}
	return ""
}

// handle runs one command; false means the connection is over.
func (c *conn) handle(cmd *command) bool {
	name := commandName(cmd.line)
	args := strings.TrimSpace(cmd.line[min(len(name), len(cmd.line)):])
	if name == "exit" {
		c.reply("+OK bye")
		c.finish(c.goodbyeFrame())
		return false
	}
	if !c.authed {
		return c.handleAuth(name, args)
	}
	if c.outbound && !c.full && !sessionOnly[name] {
		c.reply("-ERR command not found")
		return true
	}
	switch name {
	case "event":
		c.cmdEvent(args)
	case "nixevent":
		c.cmdNixevent(args)
	case "noevents":
		c.cmdNoevents()
	case "myevents":
		c.cmdMyevents(args)
	case "filter":
		c.cmdFilter(args)
	case "divert_events":
		c.cmdDivert(args)
	case "sendmsg":
		c.cmdSendmsg(args, cmd)
	case "sendevent":
		c.cmdSendevent(args, cmd)
	case "api":
		c.cmdAPI(args)
	case "bgapi":
		c.cmdBgapi(args, cmd.header("Job-UUID"))
	case "log":
		c.reply(logReply(args))
	case "nolog":
		c.reply("-ERR not loging")
	case "linger", "nolinger":
		c.cmdLinger(name, args)
	case "connect":
		c.cmdConnect()
	case "getvar":
		c.cmdGetvar(args)
	case "resume":
		c.cmdResume()
	default:
		c.reply("-ERR command not found")
	}
	return true
}

// goodbyeFrame is the disconnect notice this connection gets on exit.
func (c *conn) goodbyeFrame() []byte {
	if c.ownUUID != "" {
		return boundDisconnectFrame(c.ownUUID)
	}
	return disconnectFrame()
}

func (c *conn) handleAuth(name, args string) bool {
	password := ""
	switch name {
	case "auth":
		password = args
	case "userauth":
		_, password, _ = strings.Cut(args, ":")
	default:
		c.reply("-ERR command not found")
		return true
	}
	if password != c.s.opts.Password {
		c.reply("-ERR invalid")
		c.finish(disconnectFrame())
		return false
	}
	c.authed, c.full = true, true
	if name == "userauth" {
		c.reply("+OK accepted", header{"Allowed-Events", "all"}, header{"Allowed-API", "all"},
			header{"Allowed-LOG", "true"})
	} else {
		c.reply("+OK accepted")
	}
	c.injectFaultFrames()
	return true
}

// splitFormat takes an optional leading format word.
func splitFormat(words []string) (int, string, []string) {
	if len(words) > 0 {
		switch strings.ToLower(words[0]) {
		case "plain":
			return formatPlain, "plain", words[1:]
		case "json":
			return formatJSON, "json", words[1:]
		case "xml":
			return formatXML, "xml", words[1:]
		}
	}
	return formatPlain, "plain", words
}

func (c *conn) cmdEvent(args string) {
	format, fname, words := splitFormat(strings.Fields(args))
	ok := false
	c.s.call(func(w *world) {
		c.sub.format = format
		ok = c.sub.add(words)
	})
	if !ok {
		c.reply("-ERR no keywords supplied")
		return
	}
	c.reply("+OK event listener enabled " + fname)
}

func (c *conn) cmdNixevent(args string) {
	ok := false
	c.s.call(func(w *world) { ok = c.sub.remove(strings.Fields(args)) })
	if !ok {
		c.reply("-ERR no keywords supplied")
		return
	}
	c.reply("+OK events nixed")
}

func (c *conn) cmdNoevents() {
	was := false
	c.s.call(func(w *world) {
		was = c.sub.enabled
		c.sub = subscription{format: c.sub.format, filters: c.sub.filters}
		for len(c.events) > 0 {
			<-c.events
		}
	})
	if !was {
		c.reply("-ERR not listening for events")
		return
	}
	c.reply("+OK no longer listening for events")
}

func (c *conn) cmdMyevents(args string) {
	words := strings.Fields(args)
	reply := "+OK Events Enabled"
	c.s.call(func(w *world) {
		if c.sub.myUUID != "" {
			reply = "-ERR aready enabled."
			return
		}
		target := c.bound
		if !c.outbound {
			if len(words) == 0 {
				reply = "-ERR invalid uuid"
				return
			}
			target = w.channels[words[0]]
		} else if len(words) > 0 {
			c.sub.format, _, _ = splitFormat(words)
		}
		if target == nil {
			reply = "-ERR invalid uuid"
			return
		}
		c.sub.add(myEventNames)
		c.sub.myUUID = target.uuid
		w.bind(c, target)
	})
	if reply[0] == '+' && !c.outbound {
		c.ownUUID = words[0]
	}
	c.reply(reply)
}

func (c *conn) cmdFilter(args string) {
	words := strings.Fields(args)
	if len(words) > 0 && strings.EqualFold(words[0], "add") {
		words = words[1:]
	}
	if len(words) > 0 && strings.EqualFold(words[0], "delete") {
		if len(words) < 2 {
			c.reply("-ERR invalid syntax")
			return
		}
		value := strings.Join(words[2:], " ")
		c.s.call(func(w *world) { c.sub.deleteFilter(words[1], value) })
		c.reply("+OK filter deleted. [" + words[1] + "][" + value + "]")
		return
	}
	if len(words) < 2 {
		c.reply("-ERR invalid syntax")
		return
	}
	value := strings.Join(words[1:], " ")
	c.s.call(func(w *world) { c.sub.addFilter(words[0], value) })
	c.reply("+OK filter added. [" + words[0] + "]=[" + value + "]")
}

func (c *conn) cmdDivert(args string) {
	switch {
	case c.ownUUID == "":
		c.reply("-ERR not controlling a session.")
	case args == "":
		c.reply("-ERR missing value.")
	case strings.EqualFold(args, "on"):
		c.reply("+OK events diverted")
	default:
		c.reply("+OK events not diverted")
	}
}

func (c *conn) cmdLinger(name, args string) {
	if c.ownUUID == "" {
		c.reply("-ERR not controlling a session")
		return
	}
	if name == "nolinger" {
		c.s.call(func(w *world) { c.lingerOn = false })
		c.reply("+OK will not linger")
		return
	}
	secs, err := strconv.Atoi(strings.TrimSpace(args))
	if err != nil || secs <= 0 {
		secs = -1
	}
	c.s.call(func(w *world) { c.lingerOn, c.lingerSecs = true, secs })
	if secs > 0 {
		c.reply("+OK will linger " + strconv.Itoa(secs) + " seconds")
		return
	}
	c.reply("+OK will linger")
}

func (c *conn) cmdSendevent(args string, cmd *command) {
	id := uuid.NewString()
	// the reply is written by the connection at once; the event goes
	// through the listener queues, so it follows the reply.
	c.reply("+OK " + id)
	c.s.post(func(w *world) { w.fire(w.injectedEvent(args, cmd, id)) })
}

// injectedEvent builds a sendevent event: the client's headers first, then
// the base headers, like switch_event_create on a received event.
func (w *world) injectedEvent(name string, cmd *command, id string) *event {
	name = strings.ToUpper(strings.TrimSpace(name))
	if name == "" {
		name = "CUSTOM"
	}
	e := &event{}
	for _, h := range cmd.headers {
		if !strings.EqualFold(h.name, "Content-Length") {
			e.add(h.name, h.value)
		}
	}
	base := w.newEvent("CUSTOM") // sendevent's calling site, any name
	base.headers[0].value = name
	for _, h := range base.headers {
		if !e.has(h.name) {
			e.add(h.name, h.value)
		}
	}
	e.add("Event-UUID", id)
	e.body = cmd.body
	return e
}

func logReply(args string) string {
	levels := []string{"console", "alert", "crit", "err", "warning", "notice", "info", "debug"}
	if args == "" {
		return "+OK log level debug [7]"
	}
	for i, l := range levels {
		if strings.EqualFold(args, l) || args == strconv.Itoa(i) {
			return "+OK log level " + args + " [" + strconv.Itoa(i) + "]"
		}
	}
	return "-ERR invalid log level"
}
