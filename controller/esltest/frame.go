package esltest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits mod_event_socket applies to client input (doc 1.1).
const (
	maxHeaderBlock = 10 << 20
	maxBody        = 16 << 20
)

// goodbye is the 67-byte text of every disconnect notice.
const goodbye = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"

var errFrameTooBig = errors.New("esltest: client frame too big")

// command is one client message: the command line, its headers and body.
type command struct {
	line    string
	headers []header
	body    string
}

// header returns a header value; FreeSWITCH looks names up case-insensitively.
func (c *command) header(name string) string {
	for _, h := range c.headers {
		if strings.EqualFold(h.name, name) {
			return h.value
		}
	}
	return ""
}

// readCommand reads one client message. Like FreeSWITCH it counts '\n' and
// ignores '\r', skips empty lines before a command (eslgo's extra CRLFCRLF
// after a body) and reads exactly Content-Length body bytes.
func readCommand(r *bufio.Reader) (*command, error) {
	var cmd *command
	size := 0
	for {
		line, err := r.ReadString('\n')
		size += len(line)
		if size > maxHeaderBlock {
			return nil, errFrameTooBig
		}
		line = strings.TrimRight(line, "\r\n")
		if err != nil {
			if err == io.EOF && cmd != nil && line == "" {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if cmd == nil {
			if line == "" {
				continue
			}
			cmd = &command{line: strings.TrimRight(line, " ")}
			continue
		}
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		cmd.headers = append(cmd.headers, header{strings.TrimSpace(name), strings.TrimLeft(value, " ")})
	}
	if cl := cmd.header("Content-Length"); cl != "" {
		n, err := strconv.Atoi(strings.TrimSpace(cl))
		if err != nil || n < 0 || n > maxBody {
			return nil, fmt.Errorf("esltest: bad Content-Length %q: %w", cl, errFrameTooBig)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		cmd.body = string(buf)
	}
	return cmd, nil
}

func authRequestFrame() []byte { return []byte("Content-Type: auth/request\n\n") }

// replyFrame is a command/reply; extra headers follow Reply-Text.
func replyFrame(text string, extra ...header) []byte {
	var b strings.Builder
	b.WriteString("Content-Type: command/reply\nReply-Text: ")
	b.WriteString(text)
	b.WriteByte('\n')
	for _, h := range extra {
		b.WriteString(h.name + ": " + h.value + "\n")
	}
	b.WriteByte('\n')
	return []byte(b.String())
}

// apiResponseFrame wraps an API command's output; empty output becomes
// "-ERR no reply\n" like mod_event_socket does.
func apiResponseFrame(body string) []byte {
	if body == "" {
		body = "-ERR no reply\n"
	}
	return []byte("Content-Type: api/response\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n" + body)
}

// disconnectFrame is the notice an unbound (inbound) connection gets.
func disconnectFrame() []byte {
	return []byte("Content-Type: text/disconnect-notice\nContent-Length: 67\n\n" + goodbye)
}

// boundDisconnectFrame is the final notice of a connection controlling a
// channel (outbound socket, or inbound after myevents <uuid>).
func boundDisconnectFrame(uuid string) []byte {
	return []byte("Content-Type: text/disconnect-notice\nControlled-Session-UUID: " + uuid +
		"\nContent-Disposition: disconnect\nContent-Length: 67\n\n" + goodbye)
}

// lingerFrame announces that the controlled channel hung up while linger is
// on; Channel-Name is not URL-encoded here (captured frame).
func lingerFrame(uuid, channelName string, seconds int) []byte {
	return []byte("Content-Type: text/disconnect-notice\nControlled-Session-UUID: " + uuid +
		"\nContent-Disposition: linger\nChannel-Name: " + channelName +
		"\nLinger-Time: " + strconv.Itoa(seconds) + "\nContent-Length: 0\n\n")
}

func rudeRejectionFrame() []byte {
	return []byte("Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n")
}

// logDataFrame is a log/data frame as sent after the `log` command.
func logDataFrame(text string) []byte {
	return []byte("Content-Type: log/data\nContent-Length: " + strconv.Itoa(len(text)) +
		"\nLog-Level: 7\nText-Channel: 3\nLog-File: switch_core_state_machine.c\n" +
		"Log-Func: switch_core_session_run\nLog-Line: 584\nUser-Data: \n\n" + text)
}
