package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// NodeState is one FreeSWITCH node as the API shows it.
type NodeState struct {
	Name      string   `json:"name"`
	Address   string   `json:"address"`
	State     string   `json:"state"` // up, down, connecting
	Simulated bool     `json:"simulated"`
	Channels  int      `json:"channels"`
	MaxChans  int      `json:"max_channels"`
	CPS       float64  `json:"max_cps"`
	LastError string   `json:"last_error,omitempty"`
	Gateways  []string `json:"gateways,omitempty"`
}

// Switchboard is the api's view of the controller: the state of the
// FreeSWITCH nodes. Nil means no controller is wired (tests).
type Switchboard interface {
	Nodes() []NodeState
}

// Config carries what the API needs from main.
type Config struct {
	Store     *store.Store
	Switch    Switchboard
	Simulated bool // no FreeSWITCH configured: the built-in simulator runs
	Version   string
	Logger    *slog.Logger
	Registry  *prometheus.Registry
	Sessions  store.SessionPolicy
	// MaxBodyBytes bounds JSON bodies; uploads have their own limit.
	MaxBodyBytes int64
	// Imports runs uploaded files; DataDir holds uploads and reports.
	Imports        ImportQueue
	DataDir        string
	MaxUploadBytes int64
	// Now is the clock (tests inject one).
	Now func() time.Time
	// FreeSWITCH mod_xml_curl handlers, mounted under /fs/ when set, and
	// the user:password FreeSWITCH must send to reach them.
	FSDirectory, FSDialplan http.Handler
	FSCredentials           string
	// IVRFlowKnown tells whether the IVR server has a flow of that name, so a
	// broadcast naming an unknown one is not started; nil accepts any name.
	IVRFlowKnown func(name string) bool
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg     Config
	store   *store.Store
	log     *slog.Logger
	metrics *httpMetrics
	started time.Time
}

// New builds the HTTP handler.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Sessions.Absolute == 0 {
		cfg.Sessions = store.DefaultSessionPolicy
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxUploadBytes == 0 {
		cfg.MaxUploadBytes = 100 << 20
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, metrics: newHTTPMetrics(cfg.Registry), started: time.Now()}
}

// Handler returns the gin engine with every route mounted.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	r.Use(s.requestID, s.recoverPanic, s.accessLog)
	s.mount(r)
	r.NoRoute(func(c *gin.Context) {
		fail(c, newError("not_found", "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	return r
}

func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get("logger"); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Shutdown hook for streams (none yet); kept so main has one call per layer.
func (s *Server) Shutdown(ctx context.Context) error { return nil }
