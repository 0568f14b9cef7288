package controller

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestReorderRestoresSequence(t *testing.T) {
	now := time.Unix(100, 0)
	ro := newReorder(20 * time.Millisecond)
	var got []uint64
	out := func(e *event) { got = append(got, e.Seq) }
	// 1..200 shuffled within windows of 8, the way racing goroutines mix them.
	seqs := make([]uint64, 200)
	for i := range seqs {
		seqs[i] = uint64(i + 1)
	}
	for i := 0; i < len(seqs); i += 8 {
		w := seqs[i:min(i+8, len(seqs))]
		rand.Shuffle(len(w), func(a, b int) { w[a], w[b] = w[b], w[a] })
	}
	for _, s := range seqs {
		e := &event{Seq: s, gen: 1, arrived: now}
		ro.push(e, out)
		ro.release(now, out)
	}
	if len(got) != 200 {
		t.Fatalf("released %d of 200 without waiting (contiguous run)", len(got))
	}
	for i, s := range got {
		if s != uint64(i+1) {
			t.Fatalf("position %d has seq %d", i, s)
		}
	}
}

func TestReorderWindowAndGaps(t *testing.T) {
	now := time.Unix(100, 0)
	ro := newReorder(20 * time.Millisecond)
	var got []uint64
	out := func(e *event) { got = append(got, e.Seq) }
	ro.push(&event{Seq: 10, gen: 1, arrived: now}, out)
	ro.push(&event{Seq: 7, gen: 1, arrived: now}, out)
	if next := ro.release(now, out); !next.Equal(now.Add(20*time.Millisecond)) || len(got) != 0 {
		t.Fatalf("gap released early: %v next %v", got, next)
	}
	ro.release(now.Add(21*time.Millisecond), out)
	if len(got) != 2 || got[0] != 7 || got[1] != 10 {
		t.Fatalf("after window: %v", got)
	}
	ro.push(&event{Seq: 8, gen: 1, arrived: now}, out) // late: out at once
	if len(got) != 3 || ro.late != 1 {
		t.Fatalf("late event: %v late=%d", got, ro.late)
	}
	ro.push(&event{Seq: 50, gen: 1, arrived: now}, out)
	ro.push(&event{Seq: 1, gen: 2, arrived: now}, out) // restart: flush old, new numbering
	if len(got) != 4 || got[3] != 50 {
		t.Fatalf("flush on new generation: %v", got)
	}
	ro.release(now, out) // seq 1 follows the reset counter: no wait
	if len(got) != 5 || got[4] != 1 {
		t.Fatalf("new generation event: %v", got)
	}
	ro.push(&event{Seq: 3, gen: 1, arrived: now}, out) // stale connection: out at once
	if len(got) != 6 || got[5] != 3 {
		t.Fatalf("stale generation event: %v", got)
	}
}

func TestReorderWindowAdapts(t *testing.T) {
	now := time.Unix(100, 0)
	ro := newReorder(10 * time.Millisecond)
	out := func(*event) {}
	ro.push(&event{Seq: 5, gen: 1, arrived: now}, out)
	ro.release(now.Add(time.Second), out)
	ro.push(&event{Seq: 4, gen: 1, arrived: now}, out) // late
	if ro.window != 20*time.Millisecond {
		t.Fatalf("window after a late event = %v", ro.window)
	}
	for range 10 {
		ro.push(&event{Seq: 1, gen: 1, arrived: now}, out)
	}
	if ro.window != 160*time.Millisecond {
		t.Fatalf("window is capped at 16x: %v", ro.window)
	}
	for s := uint64(6); s < 6+3*4096; s++ {
		ro.push(&event{Seq: s, gen: 1, arrived: now}, out)
		ro.release(now, out)
	}
	if ro.window != 20*time.Millisecond {
		t.Fatalf("window after 3x4096 calm events = %v", ro.window)
	}
}
