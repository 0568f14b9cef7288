package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/bankcc/callcenter/api"
	"github.com/bankcc/callcenter/importer"
	"github.com/spf13/viper"
)

// Config is the typed profile passed down; viper stays in this package.
type Config struct {
	Database   DatabaseConfig
	FreeSWITCH FreeSWITCHConfig
	HTTP       HTTPConfig
	Admin      AdminConfig
	Log        LogConfig
	IVR        IVRConfig
	Session    SessionConfig
	Shutdown   ShutdownConfig
	Import     ImportConfig
	Data       DataConfig
	Recording  RecordingConfig
	Login      LoginConfig
	RateLimit  RateLimitConfig
	Metrics    MetricsConfig
	Security   SecurityConfig
	UI         UIConfig
	Email      EmailConfig
	SMS        SMSConfig
	Fax        FaxConfig
	ACD        ACDConfig
	Dialer     DialerConfig
	Simulator  SimulatorConfig
	WebPhone   api.WebPhoneConfig
}

// DialerConfig is the campaign dialer's answering-machine detection: the
// detector every customer leg runs on answer ("", "avmd" or "amd"), how long
// agent modes wait for a verdict before connecting (0: connect at once; a
// later verdict is the agent's to judge) and how long a machine message
// waits for the beep.
type DialerConfig struct {
	AMD      string        `mapstructure:"amd"`
	AMDWait  time.Duration `mapstructure:"amd_wait"`
	BeepWait time.Duration `mapstructure:"beep_wait"`
}

// SimulatorConfig steers the built-in FreeSWITCH simulator, which runs only
// when no freeswitch.nodes are configured (demos and tests).
type SimulatorConfig struct {
	// Scenario is a YAML scenario file (as cmd/fssim's --scenario); empty
	// is the built-in scenario.
	Scenario string
	// TimeScale multiplies every simulated delay (1 real time, 0.1 ten
	// times faster).
	TimeScale float64 `mapstructure:"time_scale"`
}

// LoginConfig bounds password guessing per account and source address.
type LoginConfig struct {
	MaxFailures int           `mapstructure:"max_failures"`
	Lockout     time.Duration // first lockout; each further one doubles
	MaxLockout  time.Duration `mapstructure:"max_lockout"`
}

// RateLimitConfig: requests per minute per source address and per account.
type RateLimitConfig struct {
	Login, Import, Export RateLimit
}

type RateLimit struct {
	PerSource  int `mapstructure:"per_source"`
	PerAccount int `mapstructure:"per_account"`
}

// MetricsConfig protects /metrics: loopback clients only, unless a token or
// a separate listener is configured.
type MetricsConfig struct {
	Token   string
	Address string
}

// SecurityConfig holds the data-leak prevention policy (R10).
type SecurityConfig struct {
	// IdleLock locks the UI's screen after this long without input (0: off).
	IdleLock time.Duration `mapstructure:"idle_lock"`
	// RequireLockedWorkstation refuses softphone sign-in from an agent PC
	// whose usb-lock script has not reported USB storage locked recently.
	RequireLockedWorkstation bool `mapstructure:"require_locked_workstation"`
	// WorkstationReportMaxAge is how recent that report must be.
	WorkstationReportMaxAge time.Duration `mapstructure:"workstation_report_max_age"`
}

// UIConfig: Dir serves the Vue admin app (/app/) from a folder, a
// developer's `vite build --watch` output, instead of the embedded bundle.
type UIConfig struct {
	Dir string
}

// RecordingConfig says where call recordings are kept and for how long.
type RecordingConfig struct {
	// Dir holds the recordings (default: data.dir/recordings); FreeSWITCH
	// writes there, so on a real switch it is a shared folder.
	Dir string
	// Retention is how long a recording is kept (0: for ever); older ones
	// are deleted from disk, each deletion audited.
	Retention time.Duration
}

// DataConfig says where files (uploads, reports, recordings) are kept.
type DataConfig struct {
	Dir string
}

// ImportConfig tunes uploads and lists the automatic import sources. Only
// administrators write this file, so database queries may appear here and
// nowhere else.
type ImportConfig struct {
	MaxBytes int64 `mapstructure:"max_bytes"`
	Workers  int
	// MaxHeldBytes bounds what reading one file holds (xlsx shared strings,
	// docx/doc text), MaxColumns the columns of a row, Previews the uploads
	// read at once by previews and upload checks.
	MaxHeldBytes int64 `mapstructure:"max_held_bytes"`
	MaxColumns   int   `mapstructure:"max_columns"`
	Previews     int
	// StaleAfter is how long a job's process may stay silent before its
	// queued or running imports are marked failed (resumable).
	StaleAfter time.Duration `mapstructure:"stale_after"`
	Folders    []FolderImport
	Databases  []DatabaseImport
}

// FolderImport is a watched folder.
type FolderImport struct {
	Name       string
	Path       string
	CampaignID int64 `mapstructure:"campaign_id"`
	Every      time.Duration
	Encoding   string
	Mapping    string // JSON, optional
}

// DatabaseImport is a scheduled pull from a business system's table.
type DatabaseImport struct {
	Name       string
	Driver     string
	DSN        string
	Query      string
	Cursor     string
	CampaignID int64 `mapstructure:"campaign_id"`
	Every      time.Duration
	Mapping    string
}

type DatabaseConfig struct {
	Driver string // sqlite or mysql
	DSN    string
}

type NodeConfig struct {
	Name    string
	Address string
	// Password is the node's event socket password; empty takes
	// freeswitch.password.
	Password    string
	MaxChannels int     `mapstructure:"max_channels"`
	MaxCPS      float64 `mapstructure:"max_cps"`
	// Gateways caps single trunks of the node (the carrier's limits).
	Gateways []GatewayConfig
}

// GatewayConfig limits one trunk of a node.
type GatewayConfig struct {
	Name        string
	MaxChannels int     `mapstructure:"max_channels"`
	MaxCPS      float64 `mapstructure:"max_cps"`
}

type FreeSWITCHConfig struct {
	Nodes []NodeConfig
	// Password is the event socket password of every node that sets none
	// of its own (scripts/gen-secrets.sh writes it as CC_FREESWITCH_PASSWORD).
	Password string
	// XMLCurlCredentials is the user:password FreeSWITCH's mod_xml_curl
	// sends (gateway-credentials in xml_curl.conf.xml); empty shuts the
	// /fs/ routes.
	XMLCurlCredentials string `mapstructure:"xml_curl_credentials"`
}

func (n NodeConfig) password(fs FreeSWITCHConfig) string {
	if n.Password != "" {
		return n.Password
	}
	return fs.Password
}

type HTTPConfig struct {
	Address           string
	TrustedProxies    []string      `mapstructure:"trusted_proxies"`
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
	BodyTimeout       time.Duration `mapstructure:"body_timeout"`
	BodyMinRate       int64         `mapstructure:"body_min_rate"`
}

type AdminConfig struct{ Password string }

type LogConfig struct {
	Level  string // debug, info, warn, error
	Format string // text or json
}

type IVRConfig struct {
	Listen string // address FreeSWITCH's socket app connects to
}

type SessionConfig struct {
	Idle     time.Duration
	Absolute time.Duration
}

type ShutdownConfig struct {
	Timeout time.Duration
}

func setDefaults(v *viper.Viper) {
	v.SetDefault("database.driver", "sqlite")
	v.SetDefault("database.dsn", "")
	v.SetDefault("freeswitch.nodes", []any{})
	v.SetDefault("freeswitch.password", "")
	v.SetDefault("freeswitch.xml_curl_credentials", "")
	v.SetDefault("http.address", ":8080")
	v.SetDefault("http.trusted_proxies", []string{})
	v.SetDefault("http.read_header_timeout", "10s")
	v.SetDefault("http.body_timeout", "30s")
	v.SetDefault("http.body_min_rate", 64<<10)
	v.SetDefault("login.max_failures", 5)
	v.SetDefault("login.lockout", "15m")
	v.SetDefault("login.max_lockout", "24h")
	for _, k := range []struct {
		name            string
		source, account int
	}{{"login", 30, 10}, {"import", 30, 20}, {"export", 20, 10}} {
		v.SetDefault("ratelimit."+k.name+".per_source", k.source)
		v.SetDefault("ratelimit."+k.name+".per_account", k.account)
	}
	v.SetDefault("metrics.token", "")
	v.SetDefault("metrics.address", "")
	v.SetDefault("admin.password", "")
	setMessagingDefaults(v)
	v.SetDefault("log.level", "info")
	v.SetDefault("log.format", "text")
	v.SetDefault("ivr.listen", "127.0.0.1:8084")
	v.SetDefault("session.idle", "30m")
	v.SetDefault("session.absolute", "12h")
	v.SetDefault("shutdown.timeout", "30s")
	v.SetDefault("import.max_bytes", 100<<20)
	v.SetDefault("import.workers", 2)
	v.SetDefault("import.max_held_bytes", importer.DefaultLimits.HeldBytes)
	v.SetDefault("import.max_columns", importer.DefaultLimits.Columns)
	v.SetDefault("import.previews", 2)
	v.SetDefault("import.stale_after", importer.DefaultStaleAfter)
	v.SetDefault("data.dir", "data")
	v.SetDefault("recording.dir", "")
	v.SetDefault("recording.retention", "0s")
	v.SetDefault("security.idle_lock", "10m")
	v.SetDefault("ui.dir", "")
	v.SetDefault("security.require_locked_workstation", false)
	v.SetDefault("security.workstation_report_max_age", "15m")
	v.SetDefault("simulator.scenario", "")
	v.SetDefault("simulator.time_scale", 1.0)
	v.SetDefault("dialer.amd", "")
	v.SetDefault("dialer.amd_wait", "0s")
	v.SetDefault("dialer.beep_wait", "30s")
	v.SetDefault("acd.acw_max", "60s")
	v.SetDefault("acd.lost_after", "90s")
	v.SetDefault("acd.agent_ring", "15s")
	v.SetDefault("acd.gateway", "")
	v.SetDefault("acd.caller_id", "")
	v.SetDefault("acd.music_on_hold", "local_stream://moh")
	v.SetDefault("acd.inbound_group", "")
	v.SetDefault("webphone.ws_url", "")
	v.SetDefault("webphone.domain", "")
	for _, k := range []string{"position_before", "position_after", "wait_before", "wait_after", "digits",
		"voicemail_greeting", "voicemail_beep", "voicemail_bye"} {
		v.SetDefault("acd.prompts."+k, "") // "": acd.DefaultPrompts
	}
}

// loadConfig reads the file (flag, then CC_CONFIG, then ./callcenter.yaml if
// present), then CC_* environment variables, and validates the result.
func loadConfig(file string) (*Config, error) {
	v := viper.New()
	setDefaults(v)
	v.SetEnvPrefix("CC")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if file == "" {
		file = os.Getenv("CC_CONFIG")
	}
	if file == "" {
		if _, err := os.Stat("callcenter.yaml"); err == nil {
			file = "callcenter.yaml"
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config: read %s: %w", file, err)
		}
	}
	// A list cannot come from a plain environment variable; accept JSON there.
	if raw := strings.TrimSpace(os.Getenv("CC_FREESWITCH_NODES")); raw != "" {
		var nodes []map[string]any
		if err := json.Unmarshal([]byte(raw), &nodes); err != nil {
			return nil, fmt.Errorf("config: freeswitch.nodes (CC_FREESWITCH_NODES): want a JSON list of {name,address,password}: %w", err)
		}
		v.Set("freeswitch.nodes", nodes)
	}
	var cfg Config
	if err := v.Unmarshal(&cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &cfg, cfg.validate()
}

func (c *Config) validate() error {
	switch c.Database.Driver {
	case "sqlite", "mysql":
	default:
		return fmt.Errorf("config: database.driver %q: want sqlite or mysql", c.Database.Driver)
	}
	switch c.Dialer.AMD {
	case "", "avmd", "amd":
	default:
		return fmt.Errorf("config: dialer.amd %q: want avmd, amd or empty", c.Dialer.AMD)
	}
	if c.Dialer.AMDWait < 0 || c.Dialer.AMDWait > 10*time.Second {
		return fmt.Errorf("config: dialer.amd_wait %s: 0 to 10s", c.Dialer.AMDWait)
	}
	if c.Database.Driver == "mysql" && c.Database.DSN == "" {
		return fmt.Errorf("config: database.dsn is required when database.driver is mysql (e.g. user:pass@tcp(127.0.0.1:3306)/callcenter)")
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Address); err != nil {
		return fmt.Errorf("config: http.address %q: %w", c.HTTP.Address, err)
	}
	names := map[string]bool{}
	for i, n := range c.FreeSWITCH.Nodes {
		key := fmt.Sprintf("freeswitch.nodes[%d]", i)
		if n.Name == "" {
			return fmt.Errorf("config: %s.name is required", key)
		}
		if names[n.Name] {
			return fmt.Errorf("config: %s.name %q is used twice", key, n.Name)
		}
		names[n.Name] = true
		if _, _, err := net.SplitHostPort(n.Address); err != nil {
			return fmt.Errorf("config: %s.address %q: want host:port: %w", key, n.Address, err)
		}
		if n.password(c.FreeSWITCH) == "" {
			return fmt.Errorf("config: %s.password is required (or freeswitch.password for every node; scripts/gen-secrets.sh writes it)", key)
		}
		for j, g := range n.Gateways {
			if g.Name == "" || g.MaxChannels < 0 || g.MaxCPS < 0 {
				return fmt.Errorf("config: %s.gateways[%d]: needs a name and limits of zero or more", key, j)
			}
		}
	}
	if u, p, ok := strings.Cut(c.FreeSWITCH.XMLCurlCredentials, ":"); c.FreeSWITCH.XMLCurlCredentials != "" && (!ok || u == "" || p == "") {
		return fmt.Errorf("config: freeswitch.xml_curl_credentials must be user:password")
	}
	if c.Simulator.TimeScale <= 0 {
		return fmt.Errorf("config: simulator.time_scale %v: must be above 0 (1 is real time)", c.Simulator.TimeScale)
	}
	if c.Session.Idle <= 0 || c.Session.Absolute < c.Session.Idle {
		return fmt.Errorf("config: session.idle must be > 0 and session.absolute >= session.idle")
	}
	if c.Security.IdleLock < 0 || c.Security.WorkstationReportMaxAge < time.Minute {
		return fmt.Errorf("config: security.idle_lock must be >= 0 (0 turns it off) and security.workstation_report_max_age at least 1m")
	}
	if err := c.Import.validate(); err != nil {
		return err
	}
	if err := c.validateSecurity(); err != nil {
		return err
	}
	if err := c.WebPhone.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log.level %q: want debug, info, warn or error", c.Log.Level)
	}
	return nil
}

func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (c *ImportConfig) validate() error {
	if c.MaxBytes < 1<<20 {
		return fmt.Errorf("config: import.max_bytes must be at least 1 MB")
	}
	if c.Workers < 1 || c.Workers > 16 {
		return fmt.Errorf("config: import.workers must be between 1 and 16")
	}
	if c.MaxHeldBytes < 1<<20 || c.MaxColumns < 2 || c.MaxColumns > 16384 || c.Previews < 1 || c.StaleAfter < 4*time.Second {
		return fmt.Errorf("config: import.max_held_bytes must be at least 1 MB, import.max_columns between 2 and 16384, import.previews at least 1, import.stale_after at least 4s")
	}
	for i, f := range c.Folders {
		key := fmt.Sprintf("import.folders[%d]", i)
		if f.Name == "" || f.Path == "" || f.CampaignID == 0 {
			return fmt.Errorf("config: %s needs name, path and campaign_id", key)
		}
		if f.Every < time.Second {
			return fmt.Errorf("config: %s.every must be at least 1s (e.g. 1m)", key)
		}
	}
	for i, d := range c.Databases {
		key := fmt.Sprintf("import.databases[%d]", i)
		if d.Name == "" || d.DSN == "" || d.Query == "" || d.CampaignID == 0 {
			return fmt.Errorf("config: %s needs name, dsn, query and campaign_id", key)
		}
		if d.Driver != "mysql" && d.Driver != "sqlite" {
			return fmt.Errorf("config: %s.driver %q: want mysql or sqlite", key, d.Driver)
		}
		if d.Every < time.Minute {
			return fmt.Errorf("config: %s.every must be at least 1m", key)
		}
		if d.Cursor != "" && strings.Count(d.Query, "?") != 1 {
			return fmt.Errorf("config: %s.query must take exactly one ? (the last %s seen) when cursor is set", key, d.Cursor)
		}
	}
	return nil
}

// limits are the reading limits of every import source.
func (c *ImportConfig) limits() importer.Limits {
	l := importer.DefaultLimits
	l.HeldBytes, l.Columns = c.MaxHeldBytes, c.MaxColumns
	return l
}

func (c *Config) validateSecurity() error {
	if _, err := api.ParseProxies(c.HTTP.TrustedProxies); err != nil {
		return fmt.Errorf("config: http.trusted_proxies: %w", err)
	}
	if c.HTTP.ReadHeaderTimeout <= 0 || c.HTTP.BodyTimeout <= 0 || c.HTTP.BodyMinRate < 1024 {
		return fmt.Errorf("config: http.read_header_timeout and http.body_timeout must be > 0, http.body_min_rate at least 1024 (bytes/s)")
	}
	if c.Login.MaxFailures < 1 || c.Login.Lockout <= 0 || c.Login.MaxLockout < c.Login.Lockout {
		return fmt.Errorf("config: login.max_failures must be >= 1, login.lockout > 0 and login.max_lockout >= login.lockout")
	}
	for name, l := range map[string]RateLimit{"login": c.RateLimit.Login, "import": c.RateLimit.Import, "export": c.RateLimit.Export} {
		if l.PerSource < 0 || l.PerAccount < 0 {
			return fmt.Errorf("config: ratelimit.%s.per_source and per_account must be >= 0 (0 = no limit)", name)
		}
	}
	if c.Metrics.Address != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Address); err != nil {
			return fmt.Errorf("config: metrics.address %q: %w", c.Metrics.Address, err)
		}
	}
	return nil
}

func (r RateLimit) api() api.Limit {
	return api.Limit{PerSource: r.PerSource, PerAccount: r.PerAccount}
}
