package clock

import (
	"context"
	"fmt"
	"testing"
	"time"
)

var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestFakeFiresInDeadlineOrder(t *testing.T) {
	f := NewFake(epoch)
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, name+"@"+f.Now().Sub(epoch).String()) }
	}
	f.AfterFunc(3*time.Second, at("c"))
	f.AfterFunc(time.Second, at("a"))
	f.AfterFunc(time.Second, at("b")) // same deadline: creation order
	stopped := f.AfterFunc(2*time.Second, at("never"))
	if !stopped.Stop() {
		t.Fatal("Stop of an armed timer returned false")
	}
	f.Advance(2 * time.Second)
	if want := "[a@1s b@1s]"; fmt.Sprint(got) != want {
		t.Fatalf("after 2s fired %v, want %s", got, want)
	}
	if d := f.Since(epoch); d != 2*time.Second {
		t.Fatalf("Since = %v", d)
	}
	f.Advance(time.Hour)
	if want := "[a@1s b@1s c@3s]"; fmt.Sprint(got) != want {
		t.Fatalf("fired %v, want %s", got, want)
	}
	if f.Pending() != 0 {
		t.Fatalf("%d timers still armed", f.Pending())
	}
}

func TestFakeTimerChannelStopReset(t *testing.T) {
	tests := []struct {
		name    string
		run     func(f *Fake, tm Timer)
		advance time.Duration
		fired   bool
	}{
		{"fires when due", func(*Fake, Timer) {}, time.Second, true},
		{"not before", func(*Fake, Timer) {}, time.Second - 1, false},
		{"stopped", func(_ *Fake, tm Timer) { tm.Stop() }, time.Hour, false},
		{"reset later", func(_ *Fake, tm Timer) { tm.Reset(5 * time.Second) }, 2 * time.Second, false},
		{"reset drops a stale value", func(f *Fake, tm Timer) { f.Advance(time.Second); tm.Reset(time.Minute) }, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFake(epoch)
			tm := f.NewTimer(time.Second)
			tt.run(f, tm)
			f.Advance(tt.advance)
			select {
			case <-tm.C():
				if !tt.fired {
					t.Fatal("timer fired")
				}
			default:
				if tt.fired {
					t.Fatal("timer did not fire")
				}
			}
		})
	}
}

// A fn that arms another timer during Advance sees it fire in the same
// Advance when it is due by then: chained schedules stay deterministic.
func TestFakeChainedTimers(t *testing.T) {
	f := NewFake(epoch)
	n := 0
	var tick func()
	tick = func() {
		n++
		f.AfterFunc(time.Second, tick)
	}
	f.AfterFunc(time.Second, tick)
	f.Advance(10 * time.Second)
	if n != 10 {
		t.Fatalf("ticked %d times in 10s", n)
	}
}

func TestFakeWaitPending(t *testing.T) {
	f := NewFake(epoch)
	done := make(chan struct{})
	go func() {
		tm := f.NewTimer(time.Minute)
		<-tm.C()
		close(done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitPending(ctx, 1); err != nil {
		t.Fatal(err)
	}
	f.Advance(time.Minute)
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("timer goroutine not woken")
	}
	short, stop := context.WithCancel(context.Background())
	stop()
	if err := f.WaitPending(short, 5); err == nil {
		t.Fatal("WaitPending returned without the timers")
	}
}

func TestReal(t *testing.T) {
	c := Or(nil)
	start := c.Now()
	tm := c.NewTimer(time.Millisecond)
	<-tm.C()
	if c.Since(start) < time.Millisecond {
		t.Fatal("real timer fired early")
	}
	fired := make(chan struct{})
	c.AfterFunc(0, func() { close(fired) })
	<-fired
}

// Woken counts channel timers fired and not yet stopped or re-armed by
// their owner; AfterFunc timers never count (their function ran in Advance).
func TestFakeWoken(t *testing.T) {
	f := NewFake(time.Unix(0, 0))
	a, b := f.NewTimer(time.Second), f.NewTimer(2*time.Second)
	f.AfterFunc(time.Second, func() {})
	steps := []struct {
		what string
		do   func()
		want int
	}{
		{"armed", func() {}, 0},
		{"a fires", func() { f.Advance(time.Second) }, 1},
		{"b fires", func() { f.Advance(time.Second) }, 2},
		{"a re-armed", func() { <-a.C(); a.Reset(time.Second) }, 1},
		{"b stopped", func() { b.Stop() }, 0},
		{"b stopped again", func() { b.Stop() }, 0},
		{"a fires again", func() { f.Advance(time.Second) }, 1},
		{"a received, not yet re-armed", func() { <-a.C() }, 1},
		{"a stopped", func() { a.Stop() }, 0},
	}
	for _, s := range steps {
		s.do()
		if got := f.Woken(); got != s.want {
			t.Fatalf("%s: Woken %d, want %d", s.what, got, s.want)
		}
	}
}
