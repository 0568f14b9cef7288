package acd

import (
	"context"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/switchtest"
	"github.com/bankcc/callcenter/store/storetest"
)

// TestWaitReturnsWhenRunCannotStart: a desk whose start fails (here its
// database is gone) says why, and Wait still returns, so serve's shutdown,
// which waits on it, does not hang.
func TestWaitReturnsWhenRunCannotStart(t *testing.T) {
	st := storetest.New(t)
	d := New(Config{Store: st, Switch: switchtest.New(t), ACWMax: time.Minute})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Run(context.Background()); err == nil {
		t.Fatal("Run started on a closed database")
	}
	waited := make(chan struct{})
	go func() { d.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(time.Minute): // a failure guard only: Wait returns at once when it works
		t.Fatal("Wait blocked after a failed Run")
	}
}
