package esltest

import (
	"container/heap"
	"reflect"
	"testing"
	"time"
)

// A late wake-up runs every step already due in the order they were due,
// skips stopped ones and leaves the rest for later.
func TestRunDueOrder(t *testing.T) {
	now := time.Now()
	var ran []string
	w := &world{}
	add := func(name string, due time.Duration, stopped bool) {
		w.timerSeq++
		heap.Push(&w.timers, &simTimer{due: now.Add(due), seq: w.timerSeq, stopped: stopped,
			fn: func() { ran = append(ran, name) }, t: time.NewTimer(time.Hour)})
	}
	// Scheduled in this order; due in another.
	add("hangup at 2.5 s", -500*time.Millisecond, false)
	add("amd verdict at 2 s", -time.Second, false)
	add("beep, detector stopped", -800*time.Millisecond, true)
	add("tie, first scheduled", -200*time.Millisecond, false)
	add("tie, second scheduled", -200*time.Millisecond, false)
	add("not yet due", time.Hour, false)
	w.runDue()
	want := []string{"amd verdict at 2 s", "hangup at 2.5 s", "tie, first scheduled", "tie, second scheduled"}
	if !reflect.DeepEqual(ran, want) {
		t.Fatalf("ran %q, want %q", ran, want)
	}
	if len(w.timers) != 1 || w.timers[0].due.Before(now) {
		t.Fatalf("left %d steps, want the one not yet due", len(w.timers))
	}
}
