package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// WebPhoneConfig is the optional in-browser phone (JsSIP over WebSocket to
// FreeSWITCH's agent profile, freeswitch-conf/sip_profiles/internal.xml) for
// agents without a desk phone. An empty WSURL turns it off.
type WebPhoneConfig struct {
	// WSURL is the switch's SIP-over-WebSocket address the browser dials,
	// wss://fs.bank.example:7443 (ws:// only for a browser on the same
	// host: browsers refuse plain ws from an https page).
	WSURL string `mapstructure:"ws_url"`
	// Domain is the SIP domain of the agents' URIs (sip:1010@domain), the
	// one FreeSWITCH's directory serves (vars.xml's domain); empty: the
	// host of WSURL.
	Domain string
	// ICEServers are the STUN/TURN servers the browser uses to reach the
	// switch's media across NAT; none on a flat network.
	ICEServers []ICEServer `mapstructure:"ice_servers"`
}

// ICEServer is one RTCIceServer as the browser takes it.
type ICEServer struct {
	URLs       []string `json:"urls" mapstructure:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Validate checks the configuration; errors name the key (webphone.*).
func (w WebPhoneConfig) Validate() error {
	if w.WSURL == "" {
		if w.Domain != "" || len(w.ICEServers) > 0 {
			return fmt.Errorf("webphone.ws_url is required when webphone.domain or webphone.ice_servers is set")
		}
		return nil
	}
	u, err := url.Parse(w.WSURL)
	if err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("webphone.ws_url %q: want wss://host:port (e.g. wss://fs.bank.example:7443)", w.WSURL)
	}
	if strings.ContainsAny(w.Domain, " :/@;") {
		return fmt.Errorf("webphone.domain %q: want a host name or address, e.g. fs.bank.example", w.Domain)
	}
	for i, s := range w.ICEServers {
		if len(s.URLs) == 0 {
			return fmt.Errorf("webphone.ice_servers[%d].urls: at least one stun: or turn: URL", i)
		}
		for _, v := range s.URLs {
			if !strings.HasPrefix(v, "stun:") && !strings.HasPrefix(v, "stuns:") && !strings.HasPrefix(v, "turn:") && !strings.HasPrefix(v, "turns:") {
				return fmt.Errorf("webphone.ice_servers[%d].urls: %q is no stun:, stuns:, turn: or turns: URL", i, v)
			}
		}
	}
	return nil
}

// origin is scheme://host[:port] of WSURL, what the page's CSP must let it
// connect to; "" when off.
func (w WebPhoneConfig) origin() string {
	u, err := url.Parse(w.WSURL)
	if w.WSURL == "" || err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (w WebPhoneConfig) domain() string {
	if w.Domain != "" {
		return w.Domain
	}
	u, _ := url.Parse(w.WSURL)
	return u.Hostname()
}

// webPhoneView is what the browser phone needs to register as the signed-in
// agent's extension. It carries the SIP password: never logged, never cached.
type webPhoneView struct {
	WSURL       string      `json:"ws_url"`
	SIPURI      string      `json:"sip_uri"`
	Extension   string      `json:"extension"`
	Domain      string      `json:"domain"`
	Password    string      `json:"password"`
	DisplayName string      `json:"display_name"`
	ICEServers  []ICEServer `json:"ice_servers"`
}

// myWebPhone answers the browser phone's registration for the caller's own
// extension. Handing out a credential is audited (webphone.credentials)
// before the answer leaves, so one that cannot be audited is not given.
func (s *Server) myWebPhone(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	w := s.cfg.WebPhone
	if w.WSURL == "" {
		fail(c, newError("not_found", "the browser phone is not configured on this server (webphone.ws_url); use a desk phone or ask an administrator"))
		return
	}
	u := currentUser(c)
	if u.Extension == nil || *u.Extension == "" {
		fail(c, newError("conflict", "your account has no extension; ask an administrator to give you one before using the browser phone"))
		return
	}
	if u.SIPPassword == "" {
		fail(c, newError("conflict", "extension %s has no SIP password; ask an administrator to reset it (users page)", *u.Extension))
		return
	}
	if err := s.auditCredential(c, u); err != nil {
		fail(c, err)
		return
	}
	ice := w.ICEServers
	if ice == nil {
		ice = []ICEServer{}
	}
	domain := w.domain()
	c.JSON(http.StatusOK, webPhoneView{WSURL: w.WSURL, SIPURI: "sip:" + *u.Extension + "@" + domain, Extension: *u.Extension,
		Domain: domain, Password: u.SIPPassword, DisplayName: u.DisplayName, ICEServers: ice})
}

// auditCredential writes the access's entry (no secret in it) on its own,
// before the credential is sent.
func (s *Server) auditCredential(c *gin.Context, u *store.User) error {
	e := &store.AuditEntry{Action: "webphone.credentials", TargetType: "user", TargetID: itoa(u.ID),
		UserID: u.ID, Username: u.Username, Role: string(u.Role), RequestID: c.GetString("request_id"),
		IP: c.ClientIP(), Status: http.StatusOK, Result: "ok", Detail: "extension=" + *u.Extension}
	if err := s.store.Audit(context.WithoutCancel(c.Request.Context()), e); err != nil {
		return fmt.Errorf("api: audit webphone.credentials: %w", err)
	}
	return nil
}
