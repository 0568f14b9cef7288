package main

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestContactCountFolder: the scheduler's job folds the contact counts'
// deltas on its first tick, then only once its period is over or once the
// backlog reaches its threshold.
func TestContactCountFolder(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	camp := &store.Campaign{Name: "fold", Kind: store.KindNotification, Media: store.MediaVoice, DialMode: store.DialProgressive, Priority: 5}
	if err := st.CreateCampaign(ctx, camp); err != nil {
		t.Fatal(err)
	}
	next := 0
	add := func(n int) {
		t.Helper()
		job := &store.ImportJob{CampaignID: camp.ID, Source: "api", Format: "json"}
		if err := st.CreateImportJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		batch := make([]store.Contact, n)
		for i := range batch {
			next++
			batch[i] = store.Contact{CampaignID: camp.ID, Phone: fmt.Sprintf("+86139%08d", next), Status: store.ContactPending}
		}
		if _, err := st.ImportBatch(ctx, job.ID, camp.ID, batch, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	f := &contactCountFolder{st: st, every: 10 * time.Second, backlog: 5, log: slog.New(slog.DiscardHandler)}
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		name  string
		add   int
		at    time.Duration
		folds bool
	}{
		{"first tick", 2, 0, true},
		{"within the period, small backlog", 3, time.Second, false},
		{"within the period, backlog reached", 2, 2 * time.Second, true},
		{"within the period again", 1, 3 * time.Second, false},
		{"period over", 0, 13 * time.Second, true},
	} {
		add(step.add)
		if got := f.tick(ctx, t0.Add(step.at)); got != step.folds {
			t.Fatalf("%s: folded %v, want %v", step.name, got, step.folds)
		}
		left, err := st.ContactCountsBacklog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if step.folds && left != 0 {
			t.Fatalf("%s: %d deltas left after a fold", step.name, left)
		}
	}
	counts, err := st.CountContactsByStatus(ctx, camp.ID)
	if err != nil || counts[store.ContactPending] != 8 {
		t.Fatalf("counts %v %v, want 8 pending", counts, err)
	}
}
