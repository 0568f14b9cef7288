package dialer

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/controller/esltest"
	"github.com/bankcc/callcenter/ivr"
	"github.com/bankcc/callcenter/store"
)

// beepClock notes when the simulator's avmd beeps reached the pool and
// when the dialer moved a call to its machine message.
type beepClock struct {
	controller.Switch
	mu        sync.Mutex
	beep      map[string]time.Time
	transfers map[string]time.Time
	// ivrFirst, when set, holds the dialer's start of beep detection until
	// the simulator shows the channel playing the IVR's notice (sent with
	// event-lock, as the IVR sends it): the order a busy machine can give.
	ivrFirst func(ctx context.Context, uuid string)
}

func (b *beepClock) StartBeepDetection(ctx context.Context, uuid string) error {
	if b.ivrFirst != nil {
		b.ivrFirst(ctx, uuid)
	}
	return b.Switch.StartBeepDetection(ctx, uuid)
}

func (b *beepClock) Broadcast(ctx context.Context, uuid, path string, leg controller.BroadcastLeg) error {
	if b.ivrFirst != nil && strings.HasPrefix(path, "avmd_start") {
		b.ivrFirst(ctx, uuid)
	}
	return b.Switch.Broadcast(ctx, uuid, path, leg)
}

// playing waits until the simulator shows the channel running app.
func playing(srv *esltest.Server, app string) func(ctx context.Context, uuid string) {
	return func(ctx context.Context, uuid string) {
		for ctx.Err() == nil {
			for _, ch := range srv.Channels() {
				if ch.UUID == uuid && ch.Application == app {
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func (b *beepClock) Transfer(ctx context.Context, req controller.TransferRequest) error {
	b.mu.Lock()
	b.transfers[req.UUID] = time.Now()
	b.mu.Unlock()
	return b.Switch.Transfer(ctx, req)
}

func (b *beepClock) watch(ctx context.Context) {
	for e := range b.Subscribe(ctx) {
		if e.Subclass == controller.SubclassAVMDBeep {
			b.mu.Lock()
			b.beep[e.UUID] = e.At // when the switch sent it (Event-Date-Timestamp)
			b.mu.Unlock()
		}
	}
}

// A machine's verdict that comes after the answer, while the IVR talks
// (mod_avmd's avmd::beep CUSTOM event, mod_amd's amd_result on the amd
// application's CHANNEL_EXECUTE_COMPLETE), gets the campaign's
// machine_action against the simulator over ESL: drop hangs up, message
// waits for the beep (starting avmd after mod_amd's verdict) and plays the
// message; the attempt is a machine's.
func TestSimulatorLateMachineVerdict(t *testing.T) {
	for _, tt := range []struct {
		detector AMDDetector
		action   store.MachineAction
		hangsUp  bool // the machine hangs up before its beep
		ivrFirst bool // the IVR's notice is playing when the dialer acts on mod_amd's verdict
	}{
		{AMDAVMD, store.MachineDrop, false, false}, {AMDAVMD, store.MachineLeaveMessage, false, false},
		{AMDModAMD, store.MachineDrop, false, false}, {AMDModAMD, store.MachineLeaveMessage, false, false},
		{AMDModAMD, store.MachineLeaveMessage, true, false}, {AMDModAMD, store.MachineLeaveMessage, false, true},
	} {
		name := string(tt.detector) + "/" + string(tt.action)
		if tt.hangsUp {
			name += "/hangs-up-first"
		}
		if tt.ivrFirst {
			name += "/notice-playing"
		}
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			// The machine answers and talks for ten minutes (a minute at
			// the simulator's time scale): its greeting, the beep, the
			// tape. The IVR's notice is as long, so that however late a
			// busy machine lets the dialer act on the verdict, the beep
			// still comes while the call is up. One machine hangs up 2.5 s
			// after answering: after mod_amd's verdict (2 s), before any
			// beep (3 s after avmd starts).
			talk := 10 * time.Minute
			if tt.hangsUp {
				talk = 2500 * time.Millisecond
			}
			srv, pool := simSwitch(t, esltest.NumberOverride{Number: "+8613900000111", Outcome: esltest.OutcomeMachine,
				Ring: 100 * time.Millisecond, Talk: talk})
			sw := &beepClock{Switch: pool, beep: map[string]time.Time{}, transfers: map[string]time.Time{}}
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			if tt.ivrFirst {
				sw.ivrFirst = playing(srv, "playback")
			}
			go sw.watch(ctx)
			hub := NewIVRResults()
			ivrSrv := ivr.NewServer(ivr.Options{Addr: "127.0.0.1:0", Reporter: hub})
			addr, err := ivrSrv.Listen(ctx)
			must(t, err)
			t.Cleanup(func() { _ = ivrSrv.Shutdown(context.Background()) })
			f := newCampaign(t, s, []string{"+8613900000111"}, func(_ *store.Strategy, c *store.Campaign) {
				c.DialMode, c.Media, c.IVRFlow, c.GroupID = store.DialBroadcast, store.MediaIVR, ivr.FlowNotify, nil
				c.Message.Text = "silence_stream://600000" // the notice the IVR plays: longer than the greeting
				c.MachineAction = tt.action
				if tt.action == store.MachineLeaveMessage {
					c.MachineMessage = "bank/machine.wav"
				}
			})
			startManager(t, Options{Switch: sw, Store: s, IVRAddr: addr, IVR: hub, AMD: tt.detector})
			var a *store.Attempt
			eventually(t, "the attempt to settle", func() bool {
				c := f.contacts()["+8613900000111"]
				if c.Attempts != 1 || c.Status == store.ContactInProgress {
					return false
				}
				atts, err := s.Attempts(f.ctx, store.AttemptFilter{CampaignID: f.camp.ID})
				must(t, err)
				if len(atts) == 1 && atts[0].Outcome != "" {
					a = &atts[0]
				}
				return a != nil
			})
			if a.Outcome != store.ResultMachine || !a.Machine {
				t.Errorf("attempt outcome %q machine %v, want a machine's", a.Outcome, a.Machine)
			}
			log := strings.Join(srv.CommandLog(), "\n")
			if !strings.Contains(log, "execute_on_answer="+tt.detector.app()) {
				t.Errorf("originate without the detector on answer:\n%s", log)
			}
			transfer := "uuid_transfer " + a.CallUUID + " playback:bank/machine.wav,hangup:NORMAL_CLEARING inline"
			kill := "uuid_kill " + a.CallUUID
			listen := "avmd " + a.CallUUID + " start"
			switch {
			case tt.hangsUp && strings.Contains(log, "uuid_transfer"):
				t.Errorf("a machine that hung up before its beep was sent the message:\n%s", log)
			case tt.hangsUp:
			case tt.action == store.MachineDrop && (!strings.Contains(log, kill) || strings.Contains(log, "uuid_transfer")):
				t.Errorf("drop: want %q and no transfer:\n%s", kill, log)
			case tt.action == store.MachineLeaveMessage && !strings.Contains(log, transfer):
				t.Errorf("message: want %q:\n%s", transfer, log)
			case tt.action == store.MachineLeaveMessage && (tt.detector == AMDModAMD) != strings.Contains(log, listen):
				t.Errorf("message after mod_amd's verdict starts avmd for the beep, after avmd's not:\n%s", log)
			}
			if tt.action == store.MachineLeaveMessage {
				sw.mu.Lock()
				if tt.hangsUp {
					moved := sw.transfers[a.CallUUID]
					sw.mu.Unlock()
					if !moved.IsZero() {
						t.Errorf("a machine that hung up before its beep was moved to the message at %s", moved)
					}
					return
				}
				beep, moved := sw.beep[a.CallUUID], sw.transfers[a.CallUUID]
				sw.mu.Unlock()
				if beep.IsZero() || !moved.After(beep) {
					t.Errorf("message left at %s, beep at %s: want it after the beep", moved, beep)
				}
			}
		})
	}
}
