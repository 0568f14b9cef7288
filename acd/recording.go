package acd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bankcc/callcenter/store"
)

// Recording (R32): every call bridged to an agent is recorded on the
// customer's leg from the bridge to the hangup (uuid_record), into
// Config.RecordingsDir; when the leg ends and the switch has closed the
// file, its size and SHA-256 are stored with the attempt, campaign and agent.

// recordingSettle is how long the file's size must stay the same before
// it counts as closed (FreeSWITCH closes it after CHANNEL_HANGUP, when the
// media bug is removed; a shared folder may show it later still).
const (
	recordingSettle  = 150 * time.Millisecond
	recordingPatient = 30 * time.Second
)

// recordingName is the file's path under the recordings folder.
func recordingName(uuid string, at time.Time) string {
	return filepath.Join(at.Format("2006"), at.Format("01"), at.Format("02"), uuid+".wav")
}

// startRecording starts recording the conversation's customer leg; it is
// false when nothing is recorded (no folder configured, or the switch
// refused, e.g. the customer already gone).
func (c *conversation) startRecording() (time.Time, bool) {
	dir := c.d.cfg.RecordingsDir
	if dir == "" {
		return time.Time{}, false
	}
	started := c.d.clock.Now()
	abs := filepath.Join(dir, recordingName(c.uuid, c.started))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		c.d.log.Error("acd: recording folder", "call", c.uuid, "err", err)
		return time.Time{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.d.cfg.Switch.RecordStart(ctx, c.uuid, abs); err != nil {
		c.d.log.Error("acd: start recording", "call", c.uuid, "err", err)
		return time.Time{}, false
	}
	return started, true
}

// keepRecording waits for the customer leg to end and registers the file
// for the agent. It runs on its own goroutine.
func (c *conversation) keepRecording(agentID int64, started time.Time) {
	rel := recordingName(c.uuid, c.started) // named from the call's start: verify.go masks it by name
	abs := filepath.Join(c.d.cfg.RecordingsDir, rel)
	<-c.customer.Done()
	ended := c.d.clock.Now()
	if ended.Before(started) {
		ended = started
	}
	size, sum, err := settledFile(abs, recordingPatient)
	if err != nil {
		c.d.log.Error("acd: recording not written", "call", c.uuid, "path", abs, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	attemptID := c.req.AttemptID
	if attemptID == 0 {
		a, err := c.d.cfg.Store.GetAttemptByUUID(ctx, c.uuid)
		if err != nil {
			c.d.log.Error("acd: recording without an attempt", "call", c.uuid, "err", err)
			return
		}
		attemptID = a.ID
	}
	rec := &store.Recording{AttemptID: attemptID, CallUUID: c.uuid, CampaignID: c.req.CampaignID, AgentID: agentID,
		Path: rel, Format: "wav", Bytes: size, SHA256: sum, StartedAt: started, EndedAt: ended}
	if err := c.d.cfg.Store.SaveRecording(ctx, rec); err != nil {
		c.d.log.Error("acd: save recording", "call", c.uuid, "err", err)
	}
}

// settledFile waits (up to patience) until path exists and its size holds
// still, then returns its size and SHA-256.
func settledFile(path string, patience time.Duration) (int64, string, error) {
	deadline := time.Now().Add(patience)
	last := int64(-1)
	for {
		fi, err := os.Stat(path)
		if err == nil && fi.Size() > 0 && fi.Size() == last {
			return hashFile(path)
		}
		if err == nil {
			last = fi.Size()
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("still changing after %s", patience)
			}
			return 0, "", err
		}
		time.Sleep(recordingSettle)
	}
}

func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("read %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
