package esltest

import (
	"strings"
	"sync"

	"github.com/google/uuid"
)

// apiFunc runs one API command inside the world loop and returns its
// output; async commands (originate) call reply later instead and return
// false.
type apiFunc func(w *world, args string, reply func(string)) (out string, sync bool)

var apiCommands map[string]apiFunc

func init() {
	apiCommands = map[string]apiFunc{
		"originate": func(w *world, args string, reply func(string)) (string, bool) {
			w.originateAPI(args, reply)
			return "", false
		},
		"uuid_kill":         syncAPI(apiKill),
		"uuid_answer":       syncAPI(apiAnswer),
		"uuid_phone_event":  syncAPI(apiPhoneEvent),
		"uuid_park":         syncAPI(apiPark),
		"uuid_bridge":       syncAPI(apiBridge),
		"uuid_transfer":     syncAPI(apiTransfer),
		"uuid_hold":         syncAPI(apiHold),
		"uuid_record":       syncAPI(apiRecord),
		"uuid_broadcast":    syncAPI(apiBroadcast),
		"avmd":              syncAPI(apiAvmd),
		"uuid_break":        syncAPI(apiBreak),
		"uuid_displace":     syncAPI(apiDisplace),
		"uuid_setvar":       syncAPI(apiSetvar),
		"uuid_setvar_multi": syncAPI(apiSetvarMulti),
		"uuid_getvar":       syncAPI(apiGetvar),
		"uuid_exists":       syncAPI(apiExists),
		"uuid_dump":         syncAPI(apiDump),
		"uuid_send_dtmf":    syncAPI(apiSendDTMF),
		"show":              syncAPI(apiShow),
		"status":            syncAPI(apiStatus),
		"sofia":             syncAPI(apiSofia),
		"sofia_contact":     syncAPI(apiSofiaContact),
		"hupall":            syncAPI(apiHupall),
		"reloadxml":         syncAPI(func(w *world, _ string) string { return "+OK [Success]\n" }),
		"version":           syncAPI(func(w *world, _ string) string { return "FreeSWITCH Version " + fsVersion + "\n" }),
		"create_uuid":       syncAPI(func(w *world, _ string) string { return uuid.NewString() }),
		"global_getvar":     syncAPI(func(w *world, _ string) string { return "" }),
		"fsctl":             syncAPI(apiFsctl),
		"module_exists":     syncAPI(apiModuleExists),
	}
}

const fsVersion = "1.10.12-release+git~20240802T210227Z~a88d069d6f~64bit (git a88d069 2024-08-02 21:02:27Z 64bit)"

// apiModuleExists answers like mod_commands: "true" or "false", nothing
// for an empty argument.
func apiModuleExists(w *world, args string) string {
	switch {
	case args == "":
		return ""
	case w.scen.modules[args]:
		return "true"
	}
	return "false"
}

func syncAPI(fn func(w *world, args string) string) apiFunc {
	return func(w *world, args string, _ func(string)) (string, bool) { return fn(w, args), true }
}

// runAPI executes "cmd args" and blocks until the output is known. bgOwner
// is the channel owning a bgapi job issued from an outbound socket.
func (s *Server) runAPI(line string) string {
	name, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	args = strings.TrimSpace(args)
	if strings.EqualFold(name, "bgapi") {
		id := uuid.NewString()
		go s.runJob(id, "", args, "bgapi_exec")
		return "+OK Job-UUID: " + id + "\n"
	}
	s.logCommand(strings.TrimSpace(line))
	fn, ok := apiCommands[strings.ToLower(name)]
	if !ok {
		return "-ERR " + name + " Command not found!\n"
	}
	result := make(chan string, 1)
	reply := func(out string) {
		select {
		case result <- out:
		default:
		}
	}
	if !s.call(func(w *world) {
		w.fireAPIEvent(name, args)
		if out, sync := fn(w, args, reply); sync {
			reply(out)
		}
	}) {
		return "-ERR shutting down\n"
	}
	select {
	case out := <-result:
		return out
	case <-s.done:
		return "-ERR shutting down\n"
	}
}

// runJob runs a background job and fires its BACKGROUND_JOB event.
func (s *Server) runJob(jobUUID, owner, line, function string) {
	out := s.runAPI(line)
	name, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	s.post(func(w *world) {
		e := w.newEvent("BACKGROUND_JOB")
		if function != "" {
			setHeader(e, "Event-Calling-Function", function)
		}
		e.add("Job-UUID", jobUUID)
		e.add("Job-Owner-UUID", owner)
		e.add("Job-Command", name)
		e.add("Job-Command-Arg", strings.TrimSpace(args))
		e.body = out
		w.fire(e)
	})
}

func setHeader(e *event, name, value string) {
	for i := range e.headers {
		if e.headers[i].name == name {
			e.headers[i].value = value
		}
	}
}

func (w *world) fireAPIEvent(name, args string) {
	e := w.newEvent("API")
	e.add("API-Command", name)
	e.add("API-Command-Argument", args)
	w.fire(e)
}

// cmdAPI runs `api` in the connection's own goroutine: no events are
// written on this connection until the response is (doc 1.5).
func (c *conn) cmdAPI(args string) {
	c.pauseEvents()
	out := c.s.runAPI(args)
	c.faultDelay()
	c.send(outFrame{data: apiResponseFrame(out), resume: true})
}

// cmdBgapi replies with the Job-UUID first, then runs the job.
func (c *conn) cmdBgapi(args, jobUUID string) {
	if jobUUID == "" {
		jobUUID = uuid.NewString()
	}
	c.reply("+OK Job-UUID: "+jobUUID, header{"Job-UUID", jobUUID})
	owner := ""
	if c.outbound {
		owner = c.ownUUID
	}
	c.s.wg.Add(1)
	go func() {
		defer c.s.wg.Done()
		c.s.runJob(jobUUID, owner, args, "")
	}()
}

// cmdSendmsg queues call control on a channel (doc 1.7).
func (c *conn) cmdSendmsg(args string, cmd *command) {
	id := strings.TrimSpace(args)
	if id == "" {
		id = cmd.header("session-id")
	}
	if id == "" {
		id = c.ownUUID
	}
	ok := false
	c.s.call(func(w *world) {
		ch := w.channels[id]
		ok = ch != nil && ch.isUp()
	})
	if !ok {
		c.reply("-ERR invalid session id [" + id + "]")
		return
	}
	if c.outbound && !c.async && id == c.ownUUID {
		c.sendmsgStatic(id, cmd)
		return
	}
	// +OK means "queued": it goes out before the channel acts on it.
	c.reply("+OK")
	c.s.post(func(w *world) {
		if ch := w.channels[id]; ch != nil && ch.isUp() {
			w.sendmsg(ch, cmd, nil)
		}
	})
}

// sendmsgStatic: on a static (non-async) outbound socket a message to its
// own channel is answered only after the application finished (doc 1.7).
func (c *conn) sendmsgStatic(id string, cmd *command) {
	finished := make(chan struct{})
	var once sync.Once
	done := func() { once.Do(func() { close(finished) }) }
	c.s.post(func(w *world) {
		ch := w.channels[id]
		if ch == nil || !ch.isUp() {
			done()
			return
		}
		ch.onHangup = append(ch.onHangup, done)
		w.sendmsg(ch, cmd, done)
	})
	select {
	case <-finished:
	case <-c.quit:
		return
	}
	c.reply("+OK")
}

// sendmsg acts on one message; done (may be nil) runs when an executed
// app completes or at once for other call-commands.
func (w *world) sendmsg(ch *channel, cmd *command, done func()) {
	switch strings.ToLower(cmd.header("call-command")) {
	case "execute":
		arg := cmd.header("execute-app-arg")
		if arg == "" && cmd.body != "" {
			arg = strings.TrimRight(cmd.body, "\r\n")
		}
		call := appCall{name: cmd.header("execute-app-name"), arg: arg,
			appUUID: cmd.header("Event-UUID"), appUUIDName: cmd.header("Event-UUID-Name")}
		loops := max(atoi(cmd.header("loops")), 1)
		for i := 0; i < loops; i++ {
			if i == loops-1 {
				call.done = done
			}
			w.enqueue(ch, call)
		}
		return
	case "hangup":
		w.hangup(ch, causeName(cmd.header("hangup-cause")), "send_bye")
	case "xferext":
		var calls []appCall
		for _, h := range cmd.headers {
			if strings.EqualFold(h.name, "application") {
				name, arg, _ := strings.Cut(h.value, " ")
				calls = append(calls, appCall{name: name, arg: arg})
			}
		}
		w.breakBridge(ch)
		w.unpark(ch)
		ch.dialplan = calls
		w.next(ch)
	}
	if done != nil {
		done()
	}
}
