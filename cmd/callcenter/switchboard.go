package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/bankcc/callcenter/api"
	"github.com/bankcc/callcenter/store"
)

// switchboard wires the FreeSWITCH side: the controller's node pool, the IVR
// socket server, and, when no node is configured, the built-in simulator.
type switchboard struct {
	simulated bool
	log       *slog.Logger
}

func startSwitch(ctx context.Context, cfg *Config, st *store.Store, log *slog.Logger) (*switchboard, error) {
	return &switchboard{simulated: len(cfg.FreeSWITCH.Nodes) == 0, log: log}, nil
}

func (s *switchboard) Simulated() bool                        { return s.simulated }
func (s *switchboard) Nodes() []api.NodeState                 { return []api.NodeState{} }
func (s *switchboard) StopOriginating(ctx context.Context)    {}
func (s *switchboard) Close()                                 {}
func (s *switchboard) Directory(st *store.Store) http.Handler { return nil }
func (s *switchboard) Dialplan() http.Handler                 { return nil }
