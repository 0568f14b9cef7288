package controller

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// relaySeqHeader is added by the relay to every event it passes to eslgo:
// a per-connection counter without gaps, in wire order. eslgo hands each
// event to its listener in a goroutine of its own, so events reach the
// router in scheduler order; with this number the router restores the wire
// order exactly instead of guessing with a time window (Event-Sequence has
// gaps for every event we did not subscribe to).
const relaySeqHeader = "Cc-Relay-Seq"

// errDisconnectNotice ends a connection FreeSWITCH said goodbye on.
var errDisconnectNotice = errors.New("disconnect notice from FreeSWITCH")

// copyFrames copies frames from FreeSWITCH to eslgo. It keeps eslgo away
// from the frames it mishandles (freeswitch-esl.md 7.3): log/data frames
// (which stop eslgo's receive loop; we never ask for logs) are dropped,
// and a disconnect notice ends the copy so the connection is torn down by
// us. With stamp set, each text/event-plain frame gets relaySeqHeader.
// Output is flushed whenever no more input is waiting.
func copyFrames(dst io.Writer, src *bufio.Reader, stamp bool) error {
	bw := bufio.NewWriterSize(dst, 64<<10)
	var seq uint64
	for {
		hdr, length, ctype, err := readFrameHeader(src)
		if err != nil {
			return err
		}
		switch {
		case ctype == "log/data":
			if _, err := src.Discard(length); err != nil {
				return err
			}
			continue
		case ctype == "text/disconnect-notice":
			_ = bw.Flush()
			return errDisconnectNotice
		case stamp && ctype == "text/event-plain":
			seq++
			mark := relaySeqHeader + ": " + strconv.FormatUint(seq, 10) + "\n"
			fmt.Fprintf(bw, "Content-Length: %d\nContent-Type: text/event-plain\n\n%s", length+len(mark), mark)
		default:
			bw.Write(hdr)
		}
		if _, err := io.CopyN(bw, src, int64(length)); err != nil {
			return err
		}
		if src.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
		}
	}
}

// readFrameHeader reads one frame's header block (up to the empty line)
// and returns it raw with its Content-Length and Content-Type.
func readFrameHeader(r *bufio.Reader) (raw []byte, length int, ctype string, err error) {
	var buf bytes.Buffer
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return nil, 0, "", err
		}
		buf.Write(line)
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(trimmed) == 0 {
			if buf.Len() == len(line) { // blank line before a frame: skip
				buf.Reset()
				continue
			}
			return buf.Bytes(), length, ctype, nil
		}
		name, value, ok := bytes.Cut(trimmed, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return nil, 0, "", fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Content-Type")):
			ctype = string(value)
		}
	}
}
