package dialer

import (
	"strings"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/store"
)

// TestOutboundReportAgreesWithSwitch runs campaigns against the simulator
// and checks that the outbound report's dials and answers equal the
// switch's own count of customer legs it carried and of those answered
// (its call log), in total and for the campaign.
func TestOutboundReportAgreesWithSwitch(t *testing.T) {
	callees := []esltest.NumberOverride{
		{Number: "+8613900000201", Outcome: esltest.OutcomeAnswer, Ring: 100 * time.Millisecond, Talk: time.Second},
		{Number: "+8613900000202", Outcome: esltest.OutcomeAnswer, Ring: 200 * time.Millisecond, Talk: 500 * time.Millisecond},
		{Number: "+8613900000203", Outcome: esltest.OutcomeAnswer, Ring: 150 * time.Millisecond, Talk: 800 * time.Millisecond},
		{Number: "+8613900000204", Outcome: esltest.OutcomeBusy, Ring: 100 * time.Millisecond},
		{Number: "+8613900000205", Outcome: esltest.OutcomeBusy, Ring: 300 * time.Millisecond},
		{Number: "+8613900000206", Outcome: esltest.OutcomeInvalid},
		{Number: "+8613900000207", Outcome: esltest.OutcomeRejected, Ring: 100 * time.Millisecond},
		{Number: "+8613900000208", Outcome: esltest.OutcomeMachine, Ring: 100 * time.Millisecond, Talk: time.Second},
	}
	for _, mode := range []store.DialMode{store.DialProgressive, store.DialPredictive} {
		t.Run(string(mode), func(t *testing.T) {
			s := newStore(t)
			srv, pool := simSwitch(t, callees...)
			var phones []string
			for _, c := range callees {
				phones = append(phones, c.Number)
			}
			start := time.Now().Add(-time.Hour).Truncate(time.Hour)
			f := newCampaign(t, s, phones, func(st *store.Strategy, c *store.Campaign) {
				c.DialMode = mode
				st.MaxAttempts, st.MaxAttemptsPerContact = 1, 1 // one leg per number: nothing in flight at the end
			})
			desk := answeringDesk(Reservation{ID: "r1", AgentID: 7, Extension: "1001", Node: "sim"})
			for i := range 2 {
				desk.changes <- AgentChange{At: time.Now(), AgentID: int64(7 + i), To: "ready"}
			}
			startManager(t, Options{Switch: pool, Store: s, Desk: desk})
			eventually(t, "every contact settled once", func() bool {
				for _, n := range phones {
					if c := f.contacts()[n]; c.Attempts != 1 || c.Status == store.ContactInProgress {
						return false
					}
				}
				return true
			})
			var legs, answered int
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("switch call log %+v; live channels %+v", srv.CallLog(), srv.Channels())
				}
			})
			eventually(t, "every customer leg ended on the switch", func() bool {
				legs, answered = 0, 0
				for _, c := range srv.CallLog() {
					// A gateway leg is named after the carriers' profile, as in FreeSWITCH.
					if c.Direction == "outbound" && strings.HasPrefix(c.Name, "sofia/external/") {
						legs++
						answered += b2i(c.Answered)
					}
				}
				return legs == len(phones) && len(srv.Channels()) == 0
			})
			rep, err := s.RunReport(f.ctx, store.ReportOutbound, store.ReportQuery{From: start, To: time.Now().Add(2 * time.Hour).Truncate(time.Hour),
				GroupBy: []store.Dimension{store.DimCampaign}})
			must(t, err)
			if len(rep.Rows) != 1 || rep.Rows[0]["campaign_id"] != f.camp.ID {
				t.Fatalf("report rows %v", rep.Rows)
			}
			for _, m := range []map[string]any{rep.Rows[0], rep.Totals} {
				if m["dials"] != int64(legs) || m["answered"] != int64(answered) || m["finished"] != int64(legs) {
					t.Errorf("report dials %v answered %v finished %v; the switch carried %d customer legs, %d answered",
						m["dials"], m["answered"], m["finished"], legs, answered)
				}
			}
			if answered != 4 { // three people and a machine
				t.Errorf("the switch answered %d legs, want 4", answered)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
