package api

import (
	"context"
	"net/http"
	"time"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/store"

	"github.com/gin-gonic/gin"
)

type healthResponse struct {
	Status    string `json:"status"`
	Version   string `json:"version"`
	Simulated bool   `json:"simulated"`
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, healthResponse{Status: "ok", Version: s.cfg.Version, Simulated: s.cfg.Simulated})
}

type readyResponse struct {
	Status    string      `json:"status"` // ready or not_ready
	Database  string      `json:"database"`
	Driver    string      `json:"driver"`
	Simulated bool        `json:"simulated"`
	Nodes     []NodeState `json:"nodes"`
}

// readyz answers 503 when the database is down or no FreeSWITCH node is
// ready (up, with every module the product needs; each node names the
// modules it lacks): a load balancer should then send no agent to this
// instance.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	r := readyResponse{Status: "ready", Database: "up", Driver: s.store.Driver(), Simulated: s.cfg.Simulated, Nodes: s.nodes()}
	if err := s.store.Ping(ctx); err != nil {
		r.Status, r.Database = "not_ready", "down"
	}
	if s.cfg.Switch != nil && !anyReady(r.Nodes) {
		r.Status = "not_ready"
	}
	code := http.StatusOK
	if r.Status != "ready" {
		code = http.StatusServiceUnavailable
	}
	c.JSON(code, r)
}

func (s *Server) nodes() []NodeState {
	if s.cfg.Switch == nil {
		return []NodeState{}
	}
	return s.cfg.Switch.Nodes()
}

func anyReady(ns []NodeState) bool {
	for _, n := range ns {
		if n.State == "up" && len(n.MissingModules) == 0 {
			return true
		}
	}
	return false
}

type monitorResponse struct {
	Simulated bool        `json:"simulated"`
	Nodes     []NodeState `json:"nodes"`
	Uptime    int64       `json:"uptime_s"`
	// The agent desk: signed-in agents with state and time in state,
	// counts by state, waiting calls per group, calls in progress.
	acd.Snapshot
}

func (s *Server) monitor(c *gin.Context) {
	out := monitorResponse{Simulated: s.cfg.Simulated, Nodes: s.nodes(), Uptime: int64(time.Since(s.started).Seconds()),
		Snapshot: acd.Snapshot{Agents: []acd.AgentView{}, ByState: map[store.AgentState]int{}, Queues: []acd.QueueView{}, Calls: []acd.CallView{}}}
	if s.cfg.Desk != nil {
		snap, err := s.cfg.Desk.Snapshot(c.Request.Context())
		if err != nil {
			fail(c, deskError(err))
			return
		}
		out.Snapshot = snap
	}
	c.JSON(http.StatusOK, out)
}
