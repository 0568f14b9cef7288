package dialer

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// feedReader reads the monitor's stream of a hub as a browser would.
type feedReader struct {
	t   *testing.T
	sub *feed.Subscription
}

// next waits for the next event named name that match accepts.
func (r *feedReader) next(name string, match func(data json.RawMessage) bool) {
	r.t.Helper()
	limit := time.After(patience)
	for {
		select {
		case rec, ok := <-r.sub.C():
			if !ok {
				r.t.Fatalf("stream ended waiting for %s: %v", name, r.sub.Err())
			}
			if rec.Name == name && match(rec.Data) {
				return
			}
		case <-limit:
			r.t.Fatalf("no %s event", name)
		}
	}
}

// change waits for a "campaign" event of campaign id with the change.
func (r *feedReader) change(id int64, ch feed.CampaignChange, status store.CampaignStatus) {
	r.t.Helper()
	r.next(feed.EventCampaign, func(data json.RawMessage) bool {
		var p feed.Campaign
		if err := json.Unmarshal(data, &p); err != nil {
			r.t.Fatalf("campaign event %s: %v", data, err)
		}
		if p.CampaignID == id && p.Change == ch && (p.Status != status || p.Name == "" || p.At.IsZero()) {
			r.t.Errorf("campaign event %s: want status %s, a name and a time", data, status)
		}
		return p.CampaignID == id && p.Change == ch
	})
}

// figures waits for a "campaign_figures" event in which campaign id has at
// least dials dials.
func (r *feedReader) figures(id int64, dials int64) feed.CampaignFigure {
	r.t.Helper()
	var got feed.CampaignFigure
	r.next(feed.EventCampaignFigures, func(data json.RawMessage) bool {
		var p feed.CampaignFigures
		if err := json.Unmarshal(data, &p); err != nil {
			r.t.Fatalf("figures event %s: %v", data, err)
		}
		for _, f := range p.Campaigns {
			if f.CampaignID == id && f.Dials >= dials && p.WindowS == 60 {
				got = f
				return true
			}
		}
		return false
	})
	return got
}

// The dialer's campaign events reach the monitor's and the wallboard's
// stream: a campaign started, paused, resumed, stopped and another
// completed, and every running campaign's dial rate and abandonment.
func TestCampaignEventsOnTheFeed(t *testing.T) {
	s := newStore(t)
	sw := switchtest.New(t)
	hub := feed.New(feed.Options{})
	t.Cleanup(hub.Close)
	sub, err := hub.Subscribe([]feed.Topic{feed.Wallboard}, "")
	must(t, err)
	t.Cleanup(sub.Close)
	r := &feedReader{t: t, sub: sub}
	broadcast := func(_ *store.Strategy, c *store.Campaign) {
		c.DialMode, c.Media, c.IVRFlow, c.GroupID = store.DialBroadcast, store.MediaIVR, "notify", nil
	}
	farEnd(t, sw, func(c switchtest.Command) {
		if c.Originate.Number == "+8613900000093" {
			sw.Far(c.UUID).Hangup("UNALLOCATED_NUMBER")
			return
		}
		sw.Far(c.UUID).Hangup("USER_BUSY")
	})
	// Running before the manager starts: in the figures, never "started".
	before := newCampaign(t, s, []string{"+8613900000091"}, broadcast)
	startManager(t, Options{Switch: sw, Store: s, Feed: hub, FigureEvery: 20 * time.Millisecond})
	if f := r.figures(before.camp.ID, 1); f.DialsPerMin != float64(f.Dials) || f.MaxAbandonRate != 0.03 || f.AbandonRate24h != 0 {
		t.Errorf("figures %+v", f)
	}

	f := newCampaign(t, s, []string{"+8613900000092"}, broadcast)
	r.change(f.camp.ID, feed.CampaignStarted, store.CampaignRunning)
	r.figures(f.camp.ID, 1)
	_, err = s.PauseCampaign(f.ctx, f.camp.ID)
	must(t, err)
	r.change(f.camp.ID, feed.CampaignPaused, store.CampaignPaused)
	_, err = s.StartCampaign(f.ctx, f.camp.ID)
	must(t, err)
	r.change(f.camp.ID, feed.CampaignStarted, store.CampaignRunning)
	_, err = s.StopCampaign(f.ctx, f.camp.ID)
	must(t, err)
	r.change(f.camp.ID, feed.CampaignStopped, store.CampaignStopped)

	done := newCampaign(t, s, []string{"+8613900000093"}, broadcast) // an invalid number: nothing left after one dial
	r.change(done.camp.ID, feed.CampaignStarted, store.CampaignRunning)
	r.change(done.camp.ID, feed.CampaignCompleted, store.CampaignCompleted)
}
