package main

import (
	"context"
	"sync/atomic"

	"github.com/bankcc/callcenter/ivr"
)

// deskReporter hands IVR results to the agent desk (the verification round
// trip, R11). The IVR server starts before the desk, so the desk is set
// once it exists; results before that concern no agent's call.
type deskReporter struct{ r atomic.Pointer[ivr.Reporter] }

func (d *deskReporter) set(r ivr.Reporter) { d.r.Store(&r) }

func (d *deskReporter) IVRResult(ctx context.Context, res ivr.Result) {
	if r := d.r.Load(); r != nil {
		(*r).IVRResult(ctx, res)
	}
}
