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

// TestDeltaFolder: the scheduler's job folds the contact counts' and the
// callbacks' deltas on its first tick, then only once its period is over or
// once the backlog reaches its threshold.
func TestDeltaFolder(t *testing.T) {
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
	f := &deltaFolder{st: st, every: 10 * time.Second, backlog: 5, log: slog.New(slog.DiscardHandler)}
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
	// The callbacks' log: its backlog alone makes a fold.
	agent := &store.User{Username: "folder-agent", Role: store.RoleAgent, DisplayName: "folder agent"}
	if err := agent.SetPassword("Test-Pass-2026", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, agent, nil); err != nil {
		t.Fatal(err)
	}
	contacts, _, err := st.ListContacts(ctx, store.ContactFilter{CampaignID: camp.ID, Page: store.Page{Size: 10}})
	if err != nil {
		t.Fatal(err)
	}
	book := func(k int) *store.Callback {
		t.Helper()
		cb := &store.Callback{ContactID: contacts[k].ID, Phone: contacts[k].Phone, DueAt: time.Now().Add(time.Hour), AgentID: agent.ID}
		if err := st.CreateCallback(ctx, cb); err != nil {
			t.Fatal(err)
		}
		return cb
	}
	callbacksLeft := func(want int64) {
		t.Helper()
		if n, err := st.CallbacksBacklog(ctx); err != nil || n != want {
			t.Fatalf("callback deltas %d (%v), want %d", n, err, want)
		}
	}
	book(0)
	if f.tick(ctx, t0.Add(14*time.Second)) {
		t.Fatal("folded one callback delta within the period")
	}
	callbacksLeft(1)
	book(1)
	if _, err := st.CancelCallback(ctx, book(2).ID); err != nil { // 5 deltas in all
		t.Fatal(err)
	}
	if !f.tick(ctx, t0.Add(15*time.Second)) {
		t.Fatal("5 callback deltas did not make a fold")
	}
	callbacksLeft(0)
}
