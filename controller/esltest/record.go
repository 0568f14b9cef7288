package esltest

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// recording is one media bug writing a file (uuid_record or record_session).
type recording struct {
	path    string
	started time.Time
	masked  bool
	limit   time.Duration
}

func (ch *channel) recordingPath() string {
	for p := range ch.recordings {
		return p
	}
	return ""
}

// startRecording fires RECORD_START; false if that path is already recorded.
func (w *world) startRecording(ch *channel, path string, limit time.Duration) bool {
	if ch.recordings == nil {
		ch.recordings = map[string]*recording{}
	}
	if _, dup := ch.recordings[path]; dup || !ch.isUp() {
		return false
	}
	ch.recordings[path] = &recording{path: path, started: time.Now(), limit: limit}
	w.emit("RECORD_START", ch, header{"Record-File-Path", path})
	if limit > 0 {
		w.after(ch, limit, func() { w.stopRecording(ch, path) })
	}
	return true
}

// stopRecording writes the file and fires RECORD_STOP; path "" or "all"
// stops every recording. It reports whether anything was stopped.
func (w *world) stopRecording(ch *channel, path string) bool {
	stopped := false
	for p, rec := range ch.recordings {
		if path != "" && path != "all" && p != path {
			continue
		}
		delete(ch.recordings, p)
		stopped = true
		simulated := time.Duration(float64(time.Since(rec.started)) / w.s.opts.TimeScale)
		if err := writeWAV(p, simulated); err != nil {
			w.s.log.Warn("esltest: write recording", "path", p, "err", err, "call_uuid", ch.uuid)
		}
		ch.vars.set("record_seconds", strconv.Itoa(int(simulated.Seconds())))
		ch.vars.set("record_ms", strconv.FormatInt(simulated.Milliseconds(), 10))
		ch.vars.set("record_samples", strconv.FormatInt(simulated.Milliseconds()*8, 10))
		w.emit("RECORD_STOP", ch, header{"Record-File-Path", p},
			header{"Record-Completion-Cause", "success-maxtime"})
	}
	return stopped
}

// maskRecording sets the mask flag; false when path is not being recorded.
func (w *world) maskRecording(ch *channel, path string, masked bool) bool {
	rec, ok := ch.recordings[path]
	if !ok {
		return false
	}
	rec.masked = masked
	return true
}

// maxWAV caps the audio written so simulated recordings stay small.
const maxWAV = 3 * time.Second

// writeWAV writes a valid 8 kHz 16-bit mono WAV with a quiet 440 Hz tone,
// at most maxWAV long (at least 100 ms so players accept it).
func writeWAV(path string, d time.Duration) error {
	d = min(max(d, 100*time.Millisecond), maxWAV)
	const rate = 8000
	samples := int(d.Seconds() * rate)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("esltest: recording dir: %w", err)
	}
	buf := make([]byte, 44+2*samples)
	copy(buf[0:], "RIFF")
	binary.LittleEndian.PutUint32(buf[4:], uint32(36+2*samples))
	copy(buf[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(buf[16:], 16)
	binary.LittleEndian.PutUint16(buf[20:], 1) // PCM
	binary.LittleEndian.PutUint16(buf[22:], 1) // mono
	binary.LittleEndian.PutUint32(buf[24:], rate)
	binary.LittleEndian.PutUint32(buf[28:], rate*2)
	binary.LittleEndian.PutUint16(buf[32:], 2)
	binary.LittleEndian.PutUint16(buf[34:], 16)
	copy(buf[36:], "data")
	binary.LittleEndian.PutUint32(buf[40:], uint32(2*samples))
	for i := 0; i < samples; i++ {
		v := int16(2000 * math.Sin(2*math.Pi*440*float64(i)/rate))
		binary.LittleEndian.PutUint16(buf[44+2*i:], uint16(v))
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		return fmt.Errorf("esltest: write wav: %w", err)
	}
	return nil
}

// appRecordSession: <path> [+<seconds>]; it returns at once (media bug).
func appRecordSession(w *world, ch *channel, r *appRun) {
	path, limit := splitRecordArg(r.call.arg)
	w.startRecording(ch, path, limit)
	w.done(ch, r, "")
}

func appStopRecordSession(w *world, ch *channel, r *appRun) {
	w.stopRecording(ch, strings.TrimSpace(r.call.arg))
	w.done(ch, r, "")
}

// appRecord is the blocking record app: <path> [<limit secs>]; the
// simulated caller speaks for five seconds unless the limit is shorter.
func appRecord(w *world, ch *channel, r *appRun) {
	f := strings.Fields(r.call.arg)
	if len(f) == 0 {
		w.done(ch, r, "")
		return
	}
	d := 5 * time.Second
	if len(f) > 1 {
		if n := atoi(f[1]); n > 0 {
			d = min(d, time.Duration(n)*time.Second)
		}
	}
	w.startRecording(ch, f[0], 0)
	w.later(ch, r, d, func() {
		w.stopRecording(ch, f[0])
		w.done(ch, r, "")
	})
}

func splitRecordArg(arg string) (string, time.Duration) {
	f := strings.Fields(arg)
	if len(f) == 0 {
		return "", 0
	}
	var limit time.Duration
	if len(f) > 1 {
		limit = time.Duration(atoi(strings.TrimPrefix(f[1], "+"))) * time.Second
	}
	return f[0], limit
}
