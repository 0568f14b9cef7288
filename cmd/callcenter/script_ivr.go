package main

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
)

// scriptIVR brings an IVR caller's record and DTMF answers into the call's
// script session when the caller goes on to an agent (R30): the flow queued
// or transferred the caller, or handed them back to the agent who sent them
// in. Keyed entries whose variable is "script.<node id>" answer that node of
// the script; the others, with the flow, outcome and verification, are the
// record the agent sees. The script is the cc_script_id variable's, else the
// campaign's. Calls that run no script are left alone.
type scriptIVR struct {
	st  *store.Store
	log *slog.Logger
}

// scriptVarPrefix marks an IVR variable that answers a script node.
const scriptVarPrefix = "script."

func (x scriptIVR) IVRResult(ctx context.Context, r ivr.Result) {
	switch r.Outcome {
	case ivr.OutcomeQueued, ivr.OutcomeTransferred, ivr.OutcomeHandback:
	default:
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, err := x.st.JoinIVRRecord(ctx, r.CallUUID, ivrRecord(r))
	var ve *store.ValidationError
	switch {
	case err == nil:
		x.log.InfoContext(ctx, "ivr record joined to the script session", "call_uuid", r.CallUUID, "flow", r.Flow)
	case errors.As(err, &ve) && len(ve.Fields) > 0 && ve.Fields[0].Field == "script_id":
		// no script for this call
	default:
		x.log.WarnContext(ctx, "ivr record not joined to the script session", "call_uuid", r.CallUUID, "err", err)
	}
}

// ivrRecord splits a result into the record and the script answers.
func ivrRecord(r ivr.Result) store.IVRRecord {
	rec := store.IVRRecord{Record: map[string]string{"flow": r.Flow, "outcome": string(r.Outcome),
		"verified": strconv.FormatBool(r.Verified), "attempts": strconv.Itoa(r.Attempts)}, DTMF: map[string]string{}}
	if r.Queue != "" {
		rec.Record["queue"] = r.Queue
	}
	for _, a := range r.Answers {
		if node, ok := strings.CutPrefix(a.Var, scriptVarPrefix); ok && node != "" {
			rec.DTMF[node] = a.Digits
			continue
		}
		rec.Record["dtmf."+a.Var] = a.Digits
	}
	if id, err := strconv.ParseInt(r.ChannelVars["cc_script_id"], 10, 64); err == nil && id > 0 {
		rec.ScriptID = id
	} else if id, err := strconv.ParseInt(r.Vars["cc_script_id"], 10, 64); err == nil && id > 0 {
		rec.ScriptID = id
	}
	return rec
}

// ivrStore keeps every IVR result for the ivr report: the flow, outcome,
// verification, where the caller went and the non-secret entries (survey
// answers), with the flow's rollups in the same transaction. The campaign
// is the cc_campaign_id the dialer put on a broadcast's leg.
type ivrStore struct {
	st  *store.Store
	log *slog.Logger
}

func (x ivrStore) IVRResult(ctx context.Context, r ivr.Result) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := x.st.RecordIVRCall(ctx, ivrCallRecord(r)); err != nil {
		x.log.WarnContext(ctx, "ivr result not stored for the report", "call_uuid", r.CallUUID, "flow", r.Flow, "err", err)
	}
}

// ivrCallRecord is what the ivr report keeps of a result (never digits of
// secret steps: a Result carries none).
func ivrCallRecord(r ivr.Result) store.IVRCallRecord {
	c := store.IVRCall{CallUUID: r.CallUUID, Flow: r.Flow, Outcome: string(r.Outcome), VerifyN: r.Attempts, Verified: r.Verified,
		Queue: r.Queue, Transfer: r.Transfer, StartedAt: r.Started, DurationMS: max(r.Ended.Sub(r.Started).Milliseconds(), 0)}
	if c.StartedAt.IsZero() {
		c.StartedAt = time.Now()
	}
	for _, vars := range []map[string]string{r.ChannelVars, r.Vars} {
		if id, err := strconv.ParseInt(vars["cc_campaign_id"], 10, 64); err == nil && id > 0 {
			c.CampaignID = id
			break
		}
	}
	rec := store.IVRCallRecord{IVRCall: c}
	for _, a := range r.Answers {
		rec.Entries = append(rec.Entries, store.IVRAnswer{Var: a.Var, Digits: a.Digits})
	}
	return rec
}
