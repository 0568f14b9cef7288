package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/feed"
	"github.com/bankcc/callcenter/store"
)

// ACDConfig is the agent desk's configuration (acd.*).
type ACDConfig struct {
	// ACWMax is how long after-call work may last before the call is
	// closed with an automatic disposition.
	ACWMax time.Duration `mapstructure:"acw_max"`
	// LostAfter signs out a softphone whose desktop has not been seen (no
	// request, no open event stream) for this long.
	LostAfter time.Duration `mapstructure:"lost_after"`
	// AgentRing is how long an agent's phone rings for one call.
	AgentRing time.Duration `mapstructure:"agent_ring"`
	// Gateway and CallerID dial outside numbers (transfer, consult); no
	// gateway refuses them.
	Gateway  string
	CallerID string `mapstructure:"caller_id"`
	// MusicOnHold is what customers waiting for a transfer hear.
	MusicOnHold string `mapstructure:"music_on_hold"`
	// InboundGroup is the agent group (id or name) carriers' calls wait
	// for; empty refuses them.
	InboundGroup string `mapstructure:"inbound_group"`
	// Prompts are the files waiting customers hear (queue announcements,
	// voicemail); empty ones take acd.DefaultPrompts.
	Prompts PromptsConfig `mapstructure:"prompts"`
}

// PromptsConfig is acd.prompts.*: sound files as FreeSWITCH finds them.
type PromptsConfig struct {
	PositionBefore    string `mapstructure:"position_before"`
	PositionAfter     string `mapstructure:"position_after"`
	WaitBefore        string `mapstructure:"wait_before"`
	WaitAfter         string `mapstructure:"wait_after"`
	Digits            string `mapstructure:"digits"`
	VoicemailGreeting string `mapstructure:"voicemail_greeting"`
	VoicemailBeep     string `mapstructure:"voicemail_beep"`
	VoicemailBye      string `mapstructure:"voicemail_bye"`
}

func (p PromptsConfig) prompts() acd.Prompts {
	return acd.Prompts{PositionBefore: p.PositionBefore, PositionAfter: p.PositionAfter, WaitBefore: p.WaitBefore,
		WaitAfter: p.WaitAfter, Digits: p.Digits, VoicemailGreeting: p.VoicemailGreeting, VoicemailBeep: p.VoicemailBeep,
		VoicemailBye: p.VoicemailBye}
}

func (c ACDConfig) validate() error {
	switch {
	case c.ACWMax < time.Second:
		return fmt.Errorf("config: acd.acw_max %s: at least 1s", c.ACWMax)
	case c.LostAfter < 10*time.Second:
		return fmt.Errorf("config: acd.lost_after %s: at least 10s (the event streams' heartbeat is 15s)", c.LostAfter)
	case c.AgentRing < time.Second:
		return fmt.Errorf("config: acd.agent_ring %s: at least 1s", c.AgentRing)
	}
	return nil
}

// startDesk starts the agent desk (sessions, states, router, conversations)
// on the switch's Switch. The returned desk is also the dialer.Desk the
// campaign runners take (DialerDesk); its Run ends with ctx, signing every
// agent out, and wait returns once its journal is written.
func startDesk(ctx context.Context, cfg *Config, st *store.Store, sw *switchboard, hub *feed.Hub, log *slog.Logger) (desk *acd.Desk, wait func(), err error) {
	if err := cfg.ACD.validate(); err != nil {
		return nil, nil, err
	}
	desk = acd.New(acd.Config{Store: st, Switch: sw.Switch(), Feed: hub, Logger: log.With("component", "acd"),
		ACWMax: cfg.ACD.ACWMax, LostAfter: cfg.ACD.LostAfter, AgentRing: cfg.ACD.AgentRing,
		Gateway: cfg.ACD.Gateway, CallerID: cfg.ACD.CallerID, MusicOnHold: cfg.ACD.MusicOnHold,
		RecordingsDir: recordingsAbs(cfg), InboundGroup: cfg.ACD.InboundGroup, Prompts: cfg.ACD.Prompts.prompts()})
	sw.deskIVR.set(desk)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := desk.Run(ctx); err != nil {
			log.Error("acd stopped", "err", err)
		}
	}()
	return desk, func() { <-done; desk.Wait() }, nil
}

// recordingsAbs is the recordings folder as an absolute path: the switch
// writes there, whatever its own working directory.
func recordingsAbs(cfg *Config) string {
	dir := cfg.recordingsDir()
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
