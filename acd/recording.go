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

// recorder is one call's recording: started on the customer's leg when the
// first agent is bridged (so it runs through holds and transfers to the
// hangup), hashed and stored once the call has ended. rel is the file's
// path under RecordDir, as the Recording row names it.
type recorder struct {
	path, rel string
	started   time.Time
	agentID   int64
}

// startRecording records the customer's leg under RecordDir/YYYY/MM/DD.
func (c *conversation) startRecording(agentID int64) {
	dir := c.d.cfg.RecordDir
	if dir == "" || c.rec != nil {
		return
	}
	now := c.d.clock.Now()
	rel := filepath.Join(now.Format("2006/01/02"), c.uuid+".wav")
	path := filepath.Join(dir, rel)
	if err := c.d.cfg.Switch.RecordStart(context.Background(), c.uuid, path); err != nil {
		c.d.log.Error("acd: start recording", "call", c.uuid, "err", err)
		return
	}
	c.rec = &recorder{path: path, rel: rel, started: now, agentID: agentID}
}

// finishRecording waits for the file FreeSWITCH closes at hangup, hashes
// it and stores the recording row (off the conversation's goroutine).
func (c *conversation) finishRecording() {
	r := c.rec
	if r == nil {
		return
	}
	c.rec = nil
	ended := c.d.clock.Now()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		sum, n, err := hashWhenWritten(ctx, r.path)
		if err != nil {
			c.d.log.Error("acd: recording not written", "call", c.uuid, "path", r.path, "err", err)
			return
		}
		attempt := c.req.AttemptID
		if attempt == 0 { // a call the dialer did not number: the attempt kept for its leg
			a, err := c.d.cfg.Store.GetAttemptByUUID(ctx, c.uuid)
			if err != nil {
				c.d.log.Error("acd: recording without an attempt", "call", c.uuid, "path", r.path, "err", err)
				return
			}
			attempt = a.ID
		}
		row := &store.Recording{CallUUID: c.uuid, AgentID: r.agentID, CampaignID: c.req.CampaignID, AttemptID: attempt,
			Path: r.rel, Format: "wav", SHA256: sum, Bytes: n, StartedAt: r.started.UTC(), EndedAt: ended.UTC()}
		if err := c.d.cfg.Store.SaveRecording(ctx, row); err != nil {
			c.d.log.Error("acd: store recording", "call", c.uuid, "err", err)
		}
	}()
}

// hashWhenWritten waits (polling, bounded by ctx) for the file to exist
// and stop growing, then returns its SHA-256 and size.
func hashWhenWritten(ctx context.Context, path string) (string, int64, error) {
	last := int64(-1)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 && fi.Size() == last {
			break
		} else if err == nil {
			last = fi.Size()
		}
		select {
		case <-ctx.Done():
			return "", 0, fmt.Errorf("acd: recording %s: %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("acd: hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
