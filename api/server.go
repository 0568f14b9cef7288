package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/bankcc/callcenter/importer"
	"github.com/bankcc/callcenter/messaging"
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
	// MissingModules are the FreeSWITCH modules the product needs that
	// the node has not loaded (module_exists said false).
	MissingModules []string `json:"missing_modules,omitempty"`
}

// Switchboard is the api's view of the controller: the state of the
// FreeSWITCH nodes. Nil means no controller is wired (tests).
type Switchboard interface {
	Nodes() []NodeState
}

// Config carries what the API needs from main.
type Config struct {
	// Messenger sends an admin's test message (messaging); nil: refused.
	Messenger Messenger
	Store     *store.Store
	Switch    Switchboard
	Simulated bool // no FreeSWITCH configured: the built-in simulator runs
	Version   string
	Logger    *slog.Logger
	Registry  *prometheus.Registry
	Sessions  store.SessionPolicy
	// Feed carries live events to browsers' streams; nil: streams answer 503.
	Feed EventFeed
	// Desk is the agent desk (acd); nil: its routes answer 503.
	Desk AgentDesk
	// StreamHeartbeat is how often a quiet stream sends a comment and
	// rechecks its session (default 15 s).
	StreamHeartbeat time.Duration
	// MaxBodyBytes bounds JSON bodies; uploads have their own limit.
	MaxBodyBytes int64
	// WhatIfTimeout bounds one pacing what-if simulation (default 2 min);
	// one over it answers 503.
	WhatIfTimeout time.Duration
	// Imports runs uploaded files; DataDir holds uploads and reports.
	Imports        ImportQueue
	DataDir        string
	MaxUploadBytes int64
	// RecordingsDir holds call recordings (default DataDir/recordings);
	// recording rows name files relative to it.
	RecordingsDir string
	// ImportLimits bound what reading one upload holds; Previews is how
	// many uploads are read at once for previews and upload checks (2).
	ImportLimits importer.Limits
	Previews     int
	// ReadSlotWait is how long an upload waits for a reading slot before
	// 503 (default 15 s), so a few supervisors uploading at once queue
	// briefly instead of being refused.
	ReadSlotWait time.Duration
	// Now is the clock (tests inject one).
	Now func() time.Time
	// FreeSWITCH mod_xml_curl handlers, mounted under /fs/ when set, and
	// the user:password FreeSWITCH must send to reach them.
	FSDirectory, FSDialplan http.Handler
	FSCredentials           string
	// TrustedProxies may set X-Forwarded-For/-Proto (IPs or CIDRs); none by default.
	TrustedProxies []string
	// RateLimits bound sign-in, imports and exports (zero: DefaultRateLimits).
	RateLimits *RateLimits
	// BodyTimeout is how long a request body may take, plus a second for
	// every BodyMinRate bytes received (defaults 30 s and 64 KiB/s).
	BodyTimeout time.Duration
	BodyMinRate int64
	// MetricsToken lets a non-loopback client read /metrics; MetricsSeparate
	// means /metrics is served on its own listener (MetricsHandler) only.
	MetricsToken    string
	MetricsSeparate bool
	// DLP is the data-leak prevention policy (idle lock, workstation lock).
	DLP DLPConfig
	// UIDir serves the Vue app (/app/) from this folder, a developer's Vite
	// build output, instead of the embedded bundle; empty: embedded.
	UIDir string
	// IVRFlowKnown tells whether the IVR server has a flow of that name, so a
	// broadcast naming an unknown one is not started; nil accepts any name.
	IVRFlowKnown func(name string) bool
	// FaxConverter turns uploaded PDFs into fax TIFFs (ghostscript).
	FaxConverter messaging.FaxConverter
	// WebPhone is the in-browser phone's configuration; empty WSURL: off.
	WebPhone WebPhoneConfig
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg     Config
	readers chan struct{} // one token per upload being read in a request
	store   *store.Store
	log     *slog.Logger
	streams streamSet // the open event streams
	metrics *httpMetrics
	started time.Time
	proxies []netip.Prefix
	limits  *limiter
	// clientEvents rate-limits the UI's copy and print reports per user.
	clientEvents eventWindows
	whatIf       chan struct{} // pacing simulations running (pacing.go)
	csp          string        // Content-Security-Policy (cspWith)
}

// New builds the HTTP handler.
func New(cfg Config) *Server {
	if cfg.Messenger == nil {
		cfg.Messenger = newCaptureMessenger(cfg.Store)
	}
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
	if cfg.WhatIfTimeout == 0 {
		cfg.WhatIfTimeout = whatIfTimeout
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "data"
	}
	if cfg.RecordingsDir == "" {
		cfg.RecordingsDir = filepath.Join(cfg.DataDir, "recordings")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateLimits == nil {
		cfg.RateLimits = &DefaultRateLimits
	}
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = 30 * time.Second
	}
	if cfg.BodyMinRate <= 0 {
		cfg.BodyMinRate = 64 << 10
	}
	proxies, err := ParseProxies(cfg.TrustedProxies)
	if err != nil {
		cfg.Logger.Error("http.trusted_proxies ignored", "err", err) // main validates it first
		cfg.TrustedProxies = nil
	}
	if cfg.Previews <= 0 {
		cfg.Previews = 2
	}
	if cfg.ReadSlotWait <= 0 {
		cfg.ReadSlotWait = 15 * time.Second
	}
	return &Server{cfg: cfg, readers: make(chan struct{}, cfg.Previews), store: cfg.Store, log: cfg.Logger, metrics: newHTTPMetrics(cfg.Registry), started: time.Now(),
		proxies: proxies, limits: newLimiter(cfg.Now), whatIf: make(chan struct{}, whatIfSlots),
		csp: cspWith(cfg.WebPhone.origin())}
}

// Handler returns the gin engine with every route mounted.
func (s *Server) Handler() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	// Uploads beyond 1 MB go to a temporary file while the form is parsed,
	// not to memory (gin's default keeps 32 MB per request in the heap).
	r.MaxMultipartMemory = 1 << 20
	// X-Forwarded-For and X-Real-IP are believed from configured proxies
	// only (gin trusts everyone by default), so no client can forge the
	// address written to the audit log or escape its rate limit.
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		s.log.Error("http.trusted_proxies", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.Use(s.requestID, s.securityHeaders, s.bodyDeadline, s.recoverPanic, s.accessLog)
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

// Shutdown ends every event stream (each gets an "end" event) and waits for
// their handlers to return, so that http.Server.Shutdown, called next, does
// not wait on them; new streams are refused from now on.
func (s *Server) Shutdown(ctx context.Context) error { return s.streams.shutdown(ctx) }
