package main

// The traffic `bench reports` generates: attempts, contacts, inbound and IVR
// calls, agent states and attendance, messages, callbacks and QA scores.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/bankcc/callcenter/store"
)

// benchClasses are the result classes with their share in percent.
var benchClasses = []struct {
	class store.ResultClass
	pct   int
}{{store.ResultBusy, 8}, {store.ResultNoAnswer, 30}, {store.ResultRejected, 3}, {store.ResultNetworkFailure, 1},
	{store.ResultInvalidNumber, 5}, {store.ResultCancelled, 2}, {store.ResultMachine, 8}, {store.ResultAbandoned, 2},
	{store.ResultAnswered, 5}, {store.ResultHuman, 26}, {store.ResultSuccess, 10}}

func pickClass(rnd *rand.Rand) store.ResultClass {
	n := rnd.IntN(100)
	for _, c := range benchClasses {
		if n < c.pct {
			return c.class
		}
		n -= c.pct
	}
	return store.ResultNoAnswer
}

func generateReportTraffic(ctx context.Context, st *store.Store, o benchReportsOpts, start time.Time, out io.Writer) error {
	t0 := time.Now()
	var first int64
	for i := 0; i < o.campaigns; i++ {
		c := &store.Campaign{Name: fmt.Sprintf("bench-report-%d-%d", time.Now().UnixNano(), i), Kind: store.KindCollection,
			Media: store.MediaVoice, DialMode: store.DialPredictive, Priority: 5}
		if err := st.CreateCampaign(ctx, c); err != nil {
			return err
		}
		if i == 0 {
			first = c.ID
		}
	}
	rnd := rand.New(rand.NewPCG(o.seed, 7))
	loader := st.NewBulkLoader()
	slots := o.days * 13 // dialing hours 08:00-21:00
	batch := make([]store.Attempt, 0, o.batch)
	seq := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := loader.Attempts(ctx, batch)
		batch = batch[:0]
		return err
	}
	for slot := 0; slot < slots; slot++ {
		hourStart := start.AddDate(0, 0, slot/13).Add(time.Duration(8+slot%13) * time.Hour)
		n := o.attempts / slots
		if slot < o.attempts%slots {
			n++
		}
		for i := 0; i < n; i++ {
			batch = append(batch, benchAttempt(rnd, o, first, hourStart.Add(time.Duration(i)*time.Hour/time.Duration(n)), seq))
			seq++
			if len(batch) == o.batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	gen := time.Since(t0)
	fmt.Fprintf(out, "attempts: %d inserted in %s (%.0f/s)\n", seq, gen.Round(time.Millisecond), float64(seq)/gen.Seconds())
	if err := generateContacts(ctx, st, o, first, out); err != nil {
		return err
	}
	if err := generateInboundTraffic(ctx, st, loader, o, start, out); err != nil {
		return err
	}
	if err := generateMessages(ctx, loader, o, first, start, out); err != nil {
		return err
	}
	if err := generateCallbacks(ctx, loader, o, first, start, out); err != nil {
		return err
	}
	if err := generateScores(ctx, loader, o, first, start, out); err != nil {
		return err
	}
	t1 := time.Now()
	states, err := generateStates(ctx, st, loader, o, start, rnd)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "agent states: %d rows inserted in %s\n", states, time.Since(t1).Round(time.Millisecond))
	if err := generateAttendance(ctx, st, o, start, out); err != nil {
		return err
	}
	t2 := time.Now()
	if err := loader.Flush(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "rollups written in %s\n", time.Since(t2).Round(time.Millisecond))
	return nil
}

// benchContactStatuses are the contact statuses with their share in
// percent: a campaign some weeks into its run.
var benchContactStatuses = []struct {
	status store.ContactStatus
	pct    int
}{{store.ContactPending, 35}, {store.ContactInProgress, 1}, {store.ContactCompleted, 30}, {store.ContactFailed, 20},
	{store.ContactMaintenance, 5}, {store.ContactBlocked, 4}, {store.ContactCancelled, 5}}

func pickContactStatus(rnd *rand.Rand) store.ContactStatus {
	n := rnd.IntN(100)
	for _, c := range benchContactStatuses {
		if n < c.pct {
			return c.status
		}
		n -= c.pct
	}
	return store.ContactPending
}

// generateContacts imports o.contacts contacts spread evenly over the
// campaigns through the import's batch path (LOAD DATA on MySQL), statuses
// in the mix of benchContactStatuses, so that the campaigns report counts
// them as it would in production. Phones continue after the contacts a
// campaign has (--reuse adds to them).
func generateContacts(ctx context.Context, st *store.Store, o benchReportsOpts, firstCampaign int64, out io.Writer) error {
	if o.contacts == 0 {
		return nil
	}
	if firstCampaign == 0 {
		return fmt.Errorf("bench reports: no generated campaigns to import contacts into")
	}
	t0 := time.Now()
	has, err := st.ContactCounts(ctx)
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(o.seed, 13))
	batch := make([]store.Contact, 0, o.batch)
	var stored int64
	for k := 0; k < o.campaigns; k++ {
		camp := firstCampaign + int64(k)
		n := o.contacts / o.campaigns
		if k < o.contacts%o.campaigns {
			n++
		}
		if n == 0 {
			continue
		}
		job := &store.ImportJob{CampaignID: camp, Source: "bench", Format: "csv"}
		if err := st.CreateImportJob(ctx, job); err != nil {
			return fmt.Errorf("bench reports: import job: %w", err)
		}
		var from int64
		for _, c := range has[camp] {
			from += c
		}
		for i := 0; i < n; i++ {
			seq := from + int64(i)
			batch = append(batch, store.Contact{CampaignID: camp, Name: fmt.Sprintf("客户%d-%d", k, seq), Phone: fmt.Sprintf("+86139%08d", seq),
				CustomerType: "普通客户", Status: pickContactStatus(rnd)})
			if len(batch) == o.batch || i == n-1 {
				r, err := st.ImportBatch(ctx, job.ID, camp, batch, 0, 0)
				if err != nil {
					return fmt.Errorf("bench reports: import contacts: %w", err)
				}
				stored += r.Imported + r.Blocked
				batch = batch[:0]
			}
		}
	}
	gen := time.Since(t0)
	fmt.Fprintf(out, "contacts: %d imported in %s (%.0f/s)\n", stored, gen.Round(time.Millisecond), float64(stored)/gen.Seconds())
	return nil // foldDeltas folds them
}

// foldDeltas folds the contact count and callback deltas the generation
// left, as serve's scheduler does within seconds, so that the campaigns
// and workflow reports are timed as they run in production, not over a
// backlog of a whole import.
func foldDeltas(ctx context.Context, st *store.Store, out io.Writer) error {
	t0 := time.Now()
	n, err := st.FoldContactCounts(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(out, "contact counts: %d deltas folded in %s\n", n, time.Since(t0).Round(time.Millisecond))
	}
	t1 := time.Now()
	if n, err = st.FoldCallbacks(ctx); err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(out, "callbacks rollup: %d deltas folded in %s\n", n, time.Since(t1).Round(time.Millisecond))
	}
	return nil
}

// firstBenchCampaign is the lowest id of the generated campaigns (their ids
// follow it).
func firstBenchCampaign(ctx context.Context, st *store.Store) (int64, error) {
	cs, _, err := st.ListCampaigns(ctx, store.CampaignFilter{Q: "bench-report-", Page: store.Page{Number: 1, Size: store.MaxPageSize}})
	if err != nil {
		return 0, fmt.Errorf("bench reports: campaigns: %w", err)
	}
	var first int64
	for _, c := range cs {
		if first == 0 || c.ID < first {
			first = c.ID
		}
	}
	return first, nil
}

// benchGroups and benchFlows are the inbound queues and IVR flows of the
// generated traffic; the first benchFlows campaigns are IVR broadcasts.
const (
	benchGroups = 20
	benchFlows  = 10
)

// generateInboundTraffic adds, per dialing hour, a tenth as many inbound
// callers (queued for one of 20 groups, most answered, some abandoned) and
// a tenth as many IVR calls (broadcasts of the first campaigns, each with
// its flow, with survey answers; identity checks of no campaign).
func generateInboundTraffic(ctx context.Context, st *store.Store, loader *store.BulkLoader, o benchReportsOpts, start time.Time, out io.Writer) error {
	t0 := time.Now()
	rnd := rand.New(rand.NewPCG(o.seed, 11))
	firstCampaign, err := firstBenchCampaign(ctx, st)
	if err != nil {
		return err
	}
	slots := o.days * 13
	n := max(o.attempts/10/slots, 1)
	var waits []store.QueueWait
	var ivrs []store.IVRCallRecord
	total := 0
	for slot := 0; slot < slots; slot++ {
		hourStart := start.AddDate(0, 0, slot/13).Add(time.Duration(8+slot%13) * time.Hour)
		for i := 0; i < n; i++ {
			at := hourStart.Add(time.Duration(i) * time.Hour / time.Duration(n)).UTC()
			waits = append(waits, benchWait(rnd, at, total))
			ivrs = append(ivrs, benchIVR(rnd, firstCampaign, at, total))
			total++
		}
		if len(waits) >= 5000 || slot == slots-1 {
			if err := loader.QueueWaits(ctx, waits); err != nil {
				return err
			}
			if err := loader.IVRCalls(ctx, ivrs); err != nil {
				return err
			}
			waits, ivrs = waits[:0], ivrs[:0]
		}
	}
	fmt.Fprintf(out, "inbound: %d queued callers and %d IVR calls inserted in %s\n", total, total, time.Since(t0).Round(time.Millisecond))
	return nil
}

func benchWait(rnd *rand.Rand, at time.Time, seq int) store.QueueWait {
	w := store.QueueWait{CallUUID: fmt.Sprintf("bench-in-%012d", seq), GroupID: int64(1 + rnd.IntN(benchGroups)), EnteredAt: at}
	wait := time.Duration(rnd.IntN(90_000)) * time.Millisecond
	left := at.Add(wait)
	w.LeftAt, w.WaitMS = &left, wait.Milliseconds()
	switch n := rnd.IntN(100); {
	case n < 80:
		w.Outcome, w.AgentID = store.QueueAnswered, int64(1+rnd.IntN(500))
	case n < 95:
		w.Outcome = store.QueueAbandoned
	case n < 98:
		w.Outcome = store.QueueVoicemail
	default:
		w.Outcome = store.QueueOther
	}
	return w
}

func benchIVR(rnd *rand.Rand, firstCampaign int64, at time.Time, seq int) store.IVRCallRecord {
	c := store.IVRCall{CallUUID: fmt.Sprintf("bench-ivr-%012d", seq), StartedAt: at, DurationMS: int64(10_000 + rnd.IntN(80_000)),
		Outcome: []string{"completed", "completed", "completed", "caller_hangup", "queued", "transferred"}[rnd.IntN(6)]}
	if rnd.IntN(5) == 0 { // an identity check an agent asked for
		c.Flow, c.VerifyN = "verify_id", 1+rnd.IntN(3)
		c.Verified = rnd.IntN(4) > 0
		c.Outcome = []string{"handback", "failed"}[b2i(!c.Verified)]
		return store.IVRCallRecord{IVRCall: c}
	}
	k := rnd.IntN(benchFlows)
	c.CampaignID, c.Flow = firstCampaign+int64(k), fmt.Sprintf("survey-%d", k)
	rec := store.IVRCallRecord{IVRCall: c}
	for _, q := range []string{"q1", "q2"} {
		if c.Outcome == "completed" || rnd.IntN(2) == 0 {
			rec.Entries = append(rec.Entries, store.IVRAnswer{Var: q, Digits: fmt.Sprint(1 + rnd.IntN(5))})
		}
	}
	rec.Answers = len(rec.Entries)
	return rec
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func benchAttempt(rnd *rand.Rand, o benchReportsOpts, firstCampaign int64, at time.Time, seq int) store.Attempt {
	class := pickClass(rnd)
	a := store.Attempt{CallUUID: fmt.Sprintf("bench-%012d", seq), Node: "bench", CampaignID: firstCampaign + int64(rnd.IntN(o.campaigns)),
		ContactID: int64(rnd.IntN(o.attempts/3+1) + 1), Destination: fmt.Sprintf("+86139%08d", rnd.IntN(100_000_000)),
		State: "ended", CreatedAt: at.UTC(), UpdatedAt: at.UTC(), Outcome: class, Result: string(class), AttemptNo: 1 + rnd.IntN(3),
		OtherUUIDs: []string{}}
	fin := at.Add(time.Duration(20+rnd.IntN(40)) * time.Second).UTC()
	a.FinishedAt, a.HungupAt = &fin, &fin
	if class.Answered() {
		ans := at.Add(time.Duration(5+rnd.IntN(20)) * time.Second).UTC()
		a.AnsweredAt = &ans
		a.AMD = store.AMDHuman
		if class == store.ResultMachine {
			a.AMD, a.Machine = store.AMDMachine, true
		}
		a.Abandoned = class == store.ResultAbandoned
	}
	if class == store.ResultHuman || class == store.ResultSuccess {
		wait := int64(200 + rnd.IntN(1800))
		con := a.AnsweredAt.Add(time.Duration(wait) * time.Millisecond)
		hung := con.Add(time.Duration(30+rnd.IntN(270)) * time.Second)
		a.AgentID, a.Connected, a.Bridged = int64(1+rnd.IntN(o.agents)), true, true
		a.BridgedAt, a.HungupAt, a.FinishedAt = &con, &hung, &hung
		a.AnswerToAgentMS, a.TalkMS = &wait, hung.Sub(con).Milliseconds()
		a.Disposition = []string{"promise_to_pay", "refused", "no_money", "wrong_person"}[rnd.IntN(4)]
	}
	return a
}

// generateStates gives every agent a working day (09:00-18:00) of ready,
// ringing, on call, hold and wrap-up cycles with a break every two hours.
func generateStates(ctx context.Context, st *store.Store, loader *store.BulkLoader, o benchReportsOpts, start time.Time, rnd *rand.Rand) (int, error) {
	var rows []store.AgentStateEvent
	total := 0
	reasons := []string{"restroom", "meal", "meeting", "training"}
	for day := 0; day < o.days; day++ {
		for agent := 1; agent <= o.agents; agent++ {
			t := start.AddDate(0, 0, day).Add(9 * time.Hour)
			stop := t.Add(9 * time.Hour)
			add := func(s store.AgentState, reason string, d time.Duration) {
				e := t.Add(d)
				rows = append(rows, store.AgentStateEvent{AgentID: int64(agent), SessionID: 0, State: s, Reason: reason, At: t.UTC(), EndedAt: ptr(e.UTC()), DurationMS: d.Milliseconds()})
				t = e
			}
			for k := 0; t.Before(stop); k++ {
				add(store.AgentReady, "", time.Duration(3+rnd.IntN(10))*time.Minute)
				add(store.AgentReserved, "", time.Duration(5+rnd.IntN(10))*time.Second)
				add(store.AgentOnCall, "", time.Duration(5+rnd.IntN(15))*time.Minute)
				add(store.AgentHold, "", time.Duration(rnd.IntN(60))*time.Second)
				add(store.AgentACW, "", time.Duration(30+rnd.IntN(180))*time.Second)
				if k%5 == 4 {
					add(store.AgentBreak, reasons[rnd.IntN(len(reasons))], time.Duration(5+rnd.IntN(15))*time.Minute)
				}
			}
			if len(rows) >= 10000 {
				if err := loader.States(ctx, rows); err != nil {
					return total, err
				}
				total += len(rows)
				rows = rows[:0]
			}
		}
	}
	if err := loader.States(ctx, rows); err != nil {
		return total, err
	}
	return total + len(rows), nil
}

func ptr[T any](v T) *T { return &v }

// generateAttendance gives every agent a roster over the days (the early
// shift 09:00-18:00 China time, one day off in seven) and a sign-in and
// sign-out around each shift: most on time, some late or leaving early.
// The agent states generated earlier inside a sign-in become its states.
func generateAttendance(ctx context.Context, st *store.Store, o benchReportsOpts, start time.Time, out io.Writer) error {
	t0 := time.Now()
	rnd := rand.New(rand.NewPCG(o.seed, 9))
	var roster []store.RosterEntry
	var sessions []store.AgentSession
	loc := store.ReportZone
	for day := 0; day < o.days; day++ {
		d := start.AddDate(0, 0, day)
		date := d.In(loc).Format(time.DateOnly)
		for agent := 1; agent <= o.agents; agent++ {
			e := store.RosterEntry{AgentID: int64(agent), Date: date, Timezone: loc.String()}
			if (agent+day)%7 == 0 {
				e.DayOff = true
				roster = append(roster, e)
				continue
			}
			e.ShiftName, e.Start, e.End, e.BreakMinutes = "早班", "09:00", "18:00", 60
			roster = append(roster, e)
			in := d.Add(9*time.Hour + time.Duration(rnd.IntN(25)-20)*time.Minute) // 08:40-09:04
			outAt := d.Add(18*time.Hour + time.Duration(rnd.IntN(40)-5)*time.Minute)
			sessions = append(sessions, store.AgentSession{AgentID: int64(agent), AuthSessionID: int64(len(sessions) + 1),
				Extension: fmt.Sprint(1000 + agent), Mode: store.SoftphoneRegistered, SignedInAt: in.UTC(), SignedOutAt: ptr(outAt.UTC()),
				EndReason: store.EndSignOut})
		}
	}
	if err := st.NewBulkLoader().Attendance(ctx, roster, sessions); err != nil {
		return err
	}
	fmt.Fprintf(out, "attendance: %d roster days and %d sign-ins in %s\n", len(roster), len(sessions), time.Since(t0).Round(time.Millisecond))
	return nil
}

// generateMessages logs o.messages sms, email and fax messages across the
// campaigns over the dialing hours, in their final statuses (most
// delivered), through the bulk loader with their rollups.
func generateMessages(ctx context.Context, loader *store.BulkLoader, o benchReportsOpts, firstCampaign int64, start time.Time, out io.Writer) error {
	if o.messages < 1 {
		return nil
	}
	t0 := time.Now()
	rnd := rand.New(rand.NewPCG(o.seed, 13))
	slots := o.days * 13
	batch := make([]store.OutboundMessage, 0, o.batch)
	for slot, seq := 0, 0; slot < slots; slot++ {
		hourStart := start.AddDate(0, 0, slot/13).Add(time.Duration(8+slot%13) * time.Hour)
		n := o.messages / slots
		if slot < o.messages%slots {
			n++
		}
		for i := 0; i < n; i++ {
			at := hourStart.Add(time.Duration(i) * time.Hour / time.Duration(n)).UTC()
			m := store.OutboundMessage{Purpose: store.PurposeCampaign, Channel: []string{"sms", "sms", "sms", "sms", "sms", "sms", "sms", "email", "email", "fax"}[rnd.IntN(10)],
				Provider: "bench", CampaignID: firstCampaign + int64(rnd.IntN(o.campaigns)), To: fmt.Sprintf("+86139%08d", seq%100_000_000),
				Parts: 1 + rnd.IntN(3), CreatedAt: at, Tries: 1}
			switch k := rnd.IntN(100); {
			case k < 80:
				m.Status, m.SentAt, m.DeliveredAt = store.OutboundDelivered, &at, &at
			case k < 90:
				m.Status = store.OutboundFailed
			case k < 98:
				m.Status, m.SentAt = store.OutboundSent, &at
			default:
				m.Status, m.Tries = store.OutboundQueued, 0
			}
			batch = append(batch, m)
			seq++
			if len(batch) == o.batch {
				if err := loader.Messages(ctx, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
	}
	if err := loader.Messages(ctx, batch); err != nil {
		return err
	}
	fmt.Fprintf(out, "messages: %d logged in %s\n", o.messages, time.Since(t0).Round(time.Millisecond))
	return nil
}

// generateCallbacks books o.callbacks callbacks over the dialing hours,
// each by an agent for the campaign the agent works (nine in ten) or a
// second one, in the states a month of callbacks ends in: most kept, some
// missed or cancelled, the latest still open, some handed to the agent's
// group. The triggers on callbacks log them; foldDeltas folds them.
func generateCallbacks(ctx context.Context, loader *store.BulkLoader, o benchReportsOpts, firstCampaign int64, start time.Time, out io.Writer) error {
	if o.callbacks < 1 {
		return nil
	}
	t0 := time.Now()
	rnd := rand.New(rand.NewPCG(o.seed, 17))
	slots := o.days * 13
	batch := make([]store.Callback, 0, o.batch)
	for slot, seq := 0, 0; slot < slots; slot++ {
		hourStart := start.AddDate(0, 0, slot/13).Add(time.Duration(8+slot%13) * time.Hour)
		n := o.callbacks / slots
		if slot < o.callbacks%slots {
			n++
		}
		for i := 0; i < n; i++ {
			at := hourStart.Add(time.Duration(i) * time.Hour / time.Duration(n)).UTC()
			agent := 1 + rnd.IntN(o.agents)
			camp := (agent - 1) % o.campaigns
			if rnd.IntN(10) == 0 {
				camp = ((agent-1)*7 + 3) % o.campaigns
			}
			due := at.Add(time.Duration(1+rnd.IntN(48)) * time.Hour)
			closed := due.Add(time.Duration(rnd.IntN(30)) * time.Minute)
			cb := store.Callback{CampaignID: firstCampaign + int64(camp), ContactID: int64(1 + rnd.IntN(o.attempts/3+1)),
				Phone: fmt.Sprintf("+86139%08d", seq%100_000_000), DueAt: due, AgentID: int64(agent), CreatedBy: int64(agent),
				CreatedAt: at, UpdatedAt: at}
			switch k := rnd.IntN(100); {
			case k < 62:
				cb.Status, cb.ClosedAt = store.CallbackDone, &closed
			case k < 77:
				cb.Status, cb.ClosedAt = store.CallbackMissed, &closed
			case k < 87:
				cb.Status, cb.ClosedAt = store.CallbackCancelled, &closed
			case k < 97:
				cb.Status = store.CallbackScheduled
			default:
				cb.Status, cb.OfferedAt = store.CallbackOffered, &due
			}
			if rnd.IntN(100) < 8 {
				group, handed := int64(1+agent%benchGroups), due.Add(5*time.Minute)
				cb.GroupID, cb.HandedToGroupAt = &group, &handed
			}
			batch = append(batch, cb)
			seq++
			if len(batch) == o.batch {
				if err := loader.Callbacks(ctx, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
	}
	if err := loader.Callbacks(ctx, batch); err != nil {
		return err
	}
	fmt.Fprintf(out, "callbacks: %d booked in %s\n", o.callbacks, time.Since(t0).Round(time.Millisecond))
	return nil
}

// generateScores gives o.scores QA scores over the dialing hours: each of
// a call (attempt ids of their own, after those of earlier runs) by one of
// 20 scorers, for an agent and the campaign the agent works, a total
// around 80, a few critical failures and appeals.
func generateScores(ctx context.Context, loader *store.BulkLoader, o benchReportsOpts, firstCampaign int64, start time.Time, out io.Writer) error {
	if o.scores < 1 {
		return nil
	}
	t0 := time.Now()
	rnd := rand.New(rand.NewPCG(o.seed, 19))
	base := time.Now().UnixMicro() // (attempt, scorer) is unique: a later run's ids start past this one's
	slots := o.days * 13
	batch := make([]store.QAScore, 0, o.batch)
	for slot, seq := 0, 0; slot < slots; slot++ {
		hourStart := start.AddDate(0, 0, slot/13).Add(time.Duration(8+slot%13) * time.Hour)
		n := o.scores / slots
		if slot < o.scores%slots {
			n++
		}
		for i := 0; i < n; i++ {
			at := hourStart.Add(time.Duration(i) * time.Hour / time.Duration(n)).UTC()
			agent := 1 + rnd.IntN(o.agents)
			total := 50 + rnd.IntN(51)
			sc := store.QAScore{ScorecardID: 1, AttemptID: base + int64(seq), ScorerID: int64(o.agents + 1 + rnd.IntN(20)), AgentID: int64(agent),
				CampaignID: firstCampaign + int64((agent-1)%o.campaigns), Total: float64(total), TotalX100: int64(total * 100), CreatedAt: at}
			if rnd.IntN(100) < 4 {
				sc.CriticalFailed, sc.Total, sc.TotalX100 = true, 0, 0
			}
			if k := rnd.IntN(100); k < 6 {
				sc.Appeal, sc.AppealedAt = []store.AppealStatus{store.AppealOpen, store.AppealUpheld, store.AppealRejected}[k%3], &at
			}
			batch = append(batch, sc)
			seq++
			if len(batch) == o.batch {
				if err := loader.QAScores(ctx, batch); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
	}
	if err := loader.QAScores(ctx, batch); err != nil {
		return err
	}
	fmt.Fprintf(out, "qa scores: %d given in %s\n", o.scores, time.Since(t0).Round(time.Millisecond))
	return nil
}
