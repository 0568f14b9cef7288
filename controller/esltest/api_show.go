package esltest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// channelData is the CHANNEL_DATA event of a channel (connect reply, uuid_dump).
func (w *world) channelData(ch *channel) *event {
	e := w.newEvent("CHANNEL_DATA")
	addChannelDataProfile(e, ch)
	addChannelData(e, ch, true)
	return e
}

var channelColumns = []string{"uuid", "direction", "created", "created_epoch", "name", "state",
	"cid_name", "cid_num", "ip_addr", "dest", "application", "application_data", "dialplan", "context",
	"read_codec", "read_rate", "read_bit_rate", "write_codec", "write_rate", "write_bit_rate", "secure",
	"hostname", "presence_id", "presence_data", "accountcode", "callstate", "callee_name", "callee_num",
	"callee_direction", "call_uuid", "sent_callee_name", "sent_callee_num", "initial_cid_name",
	"initial_cid_num", "initial_ip_addr", "initial_dest", "initial_dialplan", "initial_context"}

func (w *world) channelRow(ch *channel) map[string]string {
	codec := map[bool]string{true: "PCMA"}[ch.media]
	rate := map[bool]string{true: "8000"}[ch.media]
	app, appData := "", ""
	if ch.app != nil {
		app, appData = ch.app.call.name, ch.app.call.arg
	} else if ch.parked {
		app = "park"
	}
	return map[string]string{"uuid": ch.uuid, "direction": ch.direction,
		"created": ch.created.Format("2006-01-02 15:04:05"), "created_epoch": strconv.FormatInt(ch.created.Unix(), 10),
		"name": ch.name, "state": ch.stateName(), "cid_name": ch.prof.cidName, "cid_num": ch.prof.cidNum,
		"ip_addr": ch.prof.networkAddr, "dest": ch.prof.dest, "application": app, "application_data": appData,
		"dialplan": ch.prof.dialplan, "context": ch.prof.context, "read_codec": codec, "read_rate": rate,
		"read_bit_rate": map[bool]string{true: "64000"}[ch.media], "write_codec": codec, "write_rate": rate,
		"write_bit_rate": map[bool]string{true: "64000"}[ch.media], "hostname": w.s.opts.Hostname,
		"presence_id": ch.vars.get("presence_id"), "callstate": ch.callState, "callee_name": ch.prof.calleeName,
		"callee_num": ch.prof.calleeNum, "call_uuid": ch.callUUID(), "initial_cid_name": ch.prof.cidName,
		"initial_cid_num": ch.prof.cidNum, "initial_ip_addr": ch.prof.networkAddr, "initial_dest": ch.prof.dest,
		"initial_dialplan": ch.prof.dialplan, "initial_context": ch.prof.context}
}

func (w *world) sortedChannels() []*channel {
	list := make([]*channel, 0, len(w.channels))
	for _, ch := range w.channels {
		list = append(list, ch)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].created.Before(list[j].created) })
	return list
}

// apiShow: show channels|calls [count] [as json|delim <c>].
func apiShow(w *world, args string) string {
	f := strings.Fields(args)
	if len(f) == 0 {
		return "-USAGE: show channels|calls [count] [as json]\n"
	}
	var cols []string
	var rows []map[string]string
	switch f[0] {
	case "channels":
		cols = channelColumns
		for _, ch := range w.sortedChannels() {
			rows = append(rows, w.channelRow(ch))
		}
	case "calls", "bridged_calls", "detailed_calls":
		cols, rows = w.callRows()
	default:
		return "-USAGE: show channels|calls [count] [as json]\n"
	}
	if len(f) > 1 && f[1] == "count" {
		return fmt.Sprintf("\n%d total.\n", len(rows))
	}
	format, delim := "csv", ","
	for i := 1; i+1 < len(f); i++ {
		if f[i] == "as" {
			format = f[i+1]
			if format == "delim" && i+2 < len(f) {
				delim = f[i+2]
			}
		}
	}
	switch format {
	case "json":
		return showJSON(cols, rows)
	case "csv", "delim":
		return showCSV(cols, rows, delim)
	}
	return "-ERR Cannot find format " + format + "\n"
}

// callRows lists each bridged pair once (A-leg first) and unbridged legs alone.
func (w *world) callRows() ([]string, []map[string]string) {
	aCols := []string{"uuid", "direction", "created", "created_epoch", "name", "state", "cid_name", "cid_num",
		"ip_addr", "dest", "presence_id", "presence_data", "accountcode", "callstate", "callee_name",
		"callee_num", "callee_direction", "call_uuid", "hostname", "sent_callee_name", "sent_callee_num"}
	cols := append([]string{}, aCols...)
	for _, c := range aCols[:17] {
		cols = append(cols, "b_"+c)
	}
	cols = append(cols, "b_sent_callee_name", "b_sent_callee_num", "call_created_epoch")
	var rows []map[string]string
	for _, ch := range w.sortedChannels() {
		if ch.bridged != nil && !ch.bridgeA {
			continue
		}
		row := w.channelRow(ch)
		if b := ch.bridged; b != nil {
			for k, v := range w.channelRow(b) {
				row["b_"+k] = v
			}
		}
		row["call_created_epoch"] = row["created_epoch"]
		rows = append(rows, row)
	}
	return cols, rows
}

func showJSON(cols []string, rows []map[string]string) string {
	if len(rows) == 0 {
		return "{\"row_count\": 0}\n"
	}
	out := struct {
		RowCount int                 `json:"row_count"`
		Rows     []map[string]string `json:"rows"`
	}{len(rows), make([]map[string]string, len(rows))}
	for i, r := range rows {
		full := map[string]string{}
		for _, c := range cols {
			full[c] = r[c]
		}
		out.Rows[i] = full
	}
	data, _ := json.Marshal(out) // maps of strings always marshal
	return string(data)
}

func showCSV(cols []string, rows []map[string]string, delim string) string {
	var b strings.Builder
	b.WriteString(strings.Join(cols, delim) + "\n")
	for _, r := range rows {
		vals := make([]string, len(cols))
		for i, c := range cols {
			vals[i] = r[c]
		}
		b.WriteString(strings.Join(vals, delim) + "\n")
	}
	fmt.Fprintf(&b, "\n%d total.\n", len(rows))
	return b.String()
}

// uptime renders "0 years, 0 days, 2 hours, ..." with singular units for 1.
func uptime(d time.Duration) string {
	parts := []struct {
		n    int64
		unit string
	}{{0, "year"}, {int64(d.Hours()) / 24, "day"}, {int64(d.Hours()) % 24, "hour"},
		{int64(d.Minutes()) % 60, "minute"}, {int64(d.Seconds()) % 60, "second"},
		{d.Milliseconds() % 1000, "millisecond"}, {d.Microseconds() % 1000, "microsecond"}}
	out := make([]string, len(parts))
	for i, p := range parts {
		unit := p.unit
		if p.n != 1 {
			unit += "s"
		}
		out[i] = fmt.Sprintf("%d %s", p.n, unit)
	}
	return strings.Join(out, ", ")
}

func apiStatus(w *world, _ string) string {
	n := w.sessionCount()
	return fmt.Sprintf("UP %s\nFreeSWITCH (Version %s) is ready\n%d session(s) since startup\n"+
		"%d session(s) - peak %d, last 5min %d \n%d session(s) per Sec out of max %d, peak %d, last 5min %d \n"+
		"%d session(s) max\nmin idle cpu 0.00/99.00\nCurrent Stack Size/Max 240K/8192K\n",
		uptime(time.Since(w.started)), fsVersion, w.sessionsSinceStart, n, w.peak, w.peak, 0, 30, 0, 0, 1000)
}

// heartbeat builds the HEARTBEAT event (greenswitch 2015 capture order).
func (w *world) heartbeat() *event {
	e := w.newEvent("HEARTBEAT")
	up := time.Since(w.started)
	e.add("Event-Info", "System Ready")
	e.add("Up-Time", uptime(up))
	e.add("FreeSWITCH-Version", fsVersion)
	e.add("Uptime-msec", strconv.FormatInt(up.Milliseconds(), 10))
	e.add("Session-Count", strconv.Itoa(w.sessionCount()))
	e.add("Max-Sessions", "1000")
	e.add("Session-Per-Sec", "30")
	e.add("Session-Per-Sec-Last", "0")
	e.add("Session-Per-Sec-Max", "0")
	e.add("Session-Per-Sec-FiveMin", "0")
	e.add("Session-Since-Startup", strconv.Itoa(w.sessionsSinceStart))
	e.add("Session-Peak-Max", strconv.Itoa(w.peak))
	e.add("Session-Peak-FiveMin", strconv.Itoa(w.peak))
	e.add("Idle-CPU", "99.000000")
	return e
}

const sofiaRule = "================================================================================================="

func apiSofia(w *world, args string) string {
	f := strings.Fields(args)
	switch {
	case len(f) == 1 && f[0] == "status":
		return w.sofiaStatus()
	case len(f) == 2 && f[0] == "status" && f[1] == "gateway":
		return w.sofiaGateways()
	case len(f) == 3 && f[0] == "status" && f[1] == "gateway":
		return w.sofiaGateway(f[2])
	}
	return "-ERR Usage: sofia status [gateway [<name>]]\n"
}

func gwState(g *gatewayState) (string, string) {
	if g.Down {
		return "DOWN", "DOWN"
	}
	return "NOREG", "UP"
}

func (w *world) gatewayNames() []string {
	names := make([]string, 0, len(w.scen.gateways))
	for n := range w.scen.gateways {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (w *world) sofiaStatus() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%25s\t%s\t  %40s\t%s\n%s\n", "Name", "   Type", "Data", "State", sofiaRule)
	fmt.Fprintf(&b, "%25s\t%s\t  %40s\t%s\n", "external", "profile", "sip:mod_sofia@127.0.0.1:5080", "RUNNING (0)")
	for _, n := range w.gatewayNames() {
		st, _ := gwState(w.scen.gateways[n])
		fmt.Fprintf(&b, "%25s\t%s\t  %40s\t%s\n", "external::"+n, "gateway", "sip:"+n+"@127.0.0.1", st)
	}
	fmt.Fprintf(&b, "%25s\t%s\t  %40s\t%s\n", "internal", "profile", "sip:mod_sofia@127.0.0.1:5060", "RUNNING (0)")
	fmt.Fprintf(&b, "%s\n2 profiles 0 aliases\n", sofiaRule)
	return b.String()
}

func (w *world) sofiaGateways() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%25s\t%32s\t%s\t%s\t%s\t%s\n%s\n", "Profile::Gateway-Name", "    Data    ", "State",
		"Ping Time", "IB Calls(F/T)", "OB Calls(F/T)", sofiaRule)
	failed, total := 0, 0
	for _, n := range w.gatewayNames() {
		g := w.scen.gateways[n]
		st, _ := gwState(g)
		fmt.Fprintf(&b, "%25s\t%32s\t%s\t%6.2f\t%d/%d\t%d/%d\n", "external::"+n, "sip:"+n+"@127.0.0.1", st, 0.0,
			0, 0, g.failOut, g.callsOut)
		failed, total = failed+g.failOut, total+g.callsOut
	}
	fmt.Fprintf(&b, "%s\n%d gateway(s): Inbound(Failed/Total): 0/0,Outbound(Failed/Total):%d/%d\n", sofiaRule,
		len(w.scen.gateways), failed, total)
	return b.String()
}

func (w *world) sofiaGateway(name string) string {
	g := w.scen.gateways[name]
	if g == nil {
		return "Invalid Gateway!\n"
	}
	st, status := gwState(g)
	lines := [][2]string{{"Name", name}, {"Profile", "external"}, {"Scheme", "Digest"}, {"Realm", "127.0.0.1"},
		{"Username", name}, {"Password", "no"}, {"From", "<sip:" + name + "@127.0.0.1>"},
		{"Contact", "<sip:gw+" + name + "@127.0.0.1:5080;transport=udp;gw=" + name + ">"},
		{"Exten", name}, {"To", "sip:" + name + "@127.0.0.1"}, {"Proxy", "sip:127.0.0.1"},
		{"Context", "public"}, {"Expires", "3600"}, {"Freq", "3600"}, {"Ping", "0"}, {"PingFreq", "0"},
		{"PingTime", "0.00"}, {"PingState", "0/0/0"}, {"State", st}, {"Status", status},
		{"Uptime", strconv.Itoa(int(time.Since(w.started).Seconds())) + "s"}, {"CallsIN", "0"},
		{"CallsOUT", strconv.Itoa(g.callsOut)}, {"FailedCallsIN", "0"}, {"FailedCallsOUT", strconv.Itoa(g.failOut)}}
	var b strings.Builder
	b.WriteString(sofiaRule + "\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "%-8s\t%s\n", l[0], l[1])
	}
	b.WriteString(sofiaRule + "\n")
	return b.String()
}

// apiSofiaContact: sofia_contact [profile/]user[@domain].
func apiSofiaContact(w *world, args string) string {
	user := strings.TrimSpace(args)
	if i := strings.LastIndex(user, "/"); i >= 0 {
		user = user[i+1:]
	}
	user, _, _ = strings.Cut(user, "@")
	if u := w.scen.users[user]; u != nil && u.Registered {
		return "sofia/internal/sip:" + user + "@127.0.0.1:5070"
	}
	return "error/user_not_registered"
}

func secondsDur(n int) time.Duration { return time.Duration(n) * time.Second }
