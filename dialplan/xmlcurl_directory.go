package dialplan

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
)

// SIPUser is an agent's phone account as the directory serves it. Give
// either Password or A1Hash (see A1Hash); A1Hash wins when both are set.
type SIPUser struct {
	Extension   string
	Password    string
	A1Hash      string
	DisplayName string
	Group       string // FreeSWITCH callgroup, e.g. the agent group's name
	CallerID    string // number shown on internal calls; default Extension
}

// DirectoryUsers finds the SIP account of user (an extension) in domain;
// it returns ErrUnknownUser for users that do not exist or are disabled.
type DirectoryUsers interface {
	SIPUser(ctx context.Context, domain, user string) (SIPUser, error)
}

// AgentContext is the dialplan context of agents' phones (their
// user_context); see DialplanContexts.
const AgentContext = "agents"

// xmlcurlDialString makes user/<ext>@<domain> reach every registration of
// the user, WSS (WebRTC) ones included, as the vanilla directory does; it
// must be in the answer because FreeSWITCH no longer reads the static
// domain once xml_curl answers for it.
const xmlcurlDialString = "{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}}" +
	"${sofia_contact(*/${dialed_user}@${dialed_domain})}"

var xmlcurlUserRe = regexp.MustCompile(`^[A-Za-z0-9_.+-]{1,64}$`)

type xmlcurlDomain struct {
	Name   string         `xml:"name,attr"`
	Params []xmlcurlParam `xml:"params>param"`
	Users  []xmlcurlUser  `xml:"users>user"`
}

type xmlcurlUser struct {
	ID        string         `xml:"id,attr"`
	Params    []xmlcurlParam `xml:"params>param"`
	Variables []xmlcurlParam `xml:"variables>variable"`
}

// A1Hash is the digest FreeSWITCH accepts instead of a password
// (param a1-hash): md5("user:domain:password"), so the database need not
// keep SIP passwords in clear. It is bound to the domain.
func A1Hash(user, domain, password string) string {
	sum := md5.Sum([]byte(user + ":" + domain + ":" + password))
	return hex.EncodeToString(sum[:])
}

// DirectoryXML is the directory answer for one user of domain.
func DirectoryXML(domain string, u SIPUser) ([]byte, error) {
	if u.Extension == "" || u.Password == "" && u.A1Hash == "" {
		return nil, fmt.Errorf("dialplan: directory user %q needs an extension and a password or a1-hash", u.Extension)
	}
	auth := xmlcurlParam{"password", u.Password}
	if u.A1Hash != "" {
		auth = xmlcurlParam{"a1-hash", u.A1Hash}
	}
	cid := u.CallerID
	if cid == "" {
		cid = u.Extension
	}
	name := u.DisplayName
	if name == "" {
		name = u.Extension
	}
	user := xmlcurlUser{ID: u.Extension,
		Params: []xmlcurlParam{auth, {"vm-password", u.Extension}},
		Variables: []xmlcurlParam{
			{"user_context", AgentContext},
			{"effective_caller_id_name", name},
			{"effective_caller_id_number", cid},
			{"cc_agent_extension", u.Extension},
		},
	}
	if u.Group != "" {
		user.Variables = append(user.Variables, xmlcurlParam{"callgroup", u.Group})
	}
	d := &xmlcurlDomain{Name: domain, Params: []xmlcurlParam{{"dial-string", xmlcurlDialString}},
		Users: []xmlcurlUser{user}}
	return xmlcurlMarshal(xmlcurlDoc{Section: xmlcurlSection{Name: "directory", Domain: d}})
}

// NewDirectoryHandler answers section=directory requests (REGISTER and
// INVITE authentication, user/<ext> lookups) from users.
func NewDirectoryHandler(users DirectoryUsers, logger *slog.Logger) http.Handler {
	log := xmlcurlLogger(logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !xmlcurlParse(w, r, log) {
			return
		}
		domain, user := r.FormValue("domain"), r.FormValue("user")
		// Profile start-up asks for gateways and network lists without a
		// user; there is nothing to add to the static ones.
		if r.FormValue("section") != "directory" || r.FormValue("purpose") != "" ||
			domain == "" || !xmlcurlUserRe.MatchString(user) {
			xmlcurlWrite(w, NotFoundXML())
			return
		}
		u, err := users.SIPUser(r.Context(), domain, user)
		if errors.Is(err, ErrUnknownUser) {
			log.Info("xml_curl: unknown SIP user", "user", user, "domain", domain)
			xmlcurlWrite(w, NotFoundXML())
			return
		}
		if err != nil {
			log.Error("xml_curl: directory lookup", "user", user, "err", err)
			http.Error(w, "directory lookup failed", http.StatusInternalServerError)
			return
		}
		body, err := DirectoryXML(domain, u)
		if err != nil {
			log.Error("xml_curl: directory answer", "user", user, "err", err)
			xmlcurlWrite(w, NotFoundXML())
			return
		}
		xmlcurlWrite(w, body)
	})
}
