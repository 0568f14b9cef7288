package controller

import (
	"context"
	"errors"
	"slices"
	"strings"
)

// requiredModules are the FreeSWITCH modules the controller's commands and
// the product's dialplan rely on. A module that fails to load only logs an
// error in FreeSWITCH (unless modules.conf.xml marks it critical), so the
// controller asks each node and reports what is missing.
var requiredModules = []string{
	"mod_event_socket", // this connection
	"mod_sofia",        // agents' phones, trunks, sofia status, sofia_contact
	"mod_commands",     // originate, uuid_* commands, module_exists itself
	"mod_dptools",      // park, bridge, playback, eavesdrop, record_session, set
	"mod_dialplan_xml", // transfers into the XML contexts
	"mod_xml_curl",     // the agents' SIP accounts and the dialplan, served by the controller
	"mod_sndfile",      // WAV prompts and recordings
	"mod_local_stream", // hold music (local_stream://moh)
	"mod_tone_stream",  // the voicemail beep (tone_stream://)
	"mod_conference",   // three-way calls
	"mod_voicemail",    // voicemail boxes
	"mod_spandsp",      // fax
	"mod_avmd",         // answering-machine beep detection
}

// RequiredModules returns the modules every node must have loaded
// (NodeStatus.MissingModules lists those it lacks).
func RequiredModules() []string { return slices.Clone(requiredModules) }

// checkModules asks the node which required modules it lacks: all of them
// when all is true (a new session: the switch may have restarted with
// another configuration), else only those missing last time (a module
// loaded by hand is noticed at the next heartbeat tick). A failed query
// keeps the last answer.
func (n *node) checkModules(ctx context.Context, all bool) {
	ask := requiredModules
	if !all {
		n.mu.Lock()
		ask = n.status.MissingModules
		n.mu.Unlock()
		if len(ask) == 0 {
			return
		}
	}
	missing, err := n.missingModules(ctx, ask)
	if err != nil {
		n.log.Debug("module_exists", "err", err)
		return
	}
	n.mu.Lock()
	changed := !slices.Equal(n.status.MissingModules, missing)
	n.status.MissingModules = missing
	n.mu.Unlock()
	switch {
	case changed && len(missing) > 0:
		n.log.Warn("FreeSWITCH node lacks modules the product needs", "missing", strings.Join(missing, ","))
	case changed:
		n.log.Info("FreeSWITCH node has every module the product needs")
	}
}

// missingModules runs `module_exists` for each module. mod_commands
// provides module_exists: when the command is unknown, that is the answer.
func (n *node) missingModules(ctx context.Context, modules []string) ([]string, error) {
	var missing []string
	for _, m := range modules {
		body, err := n.api(ctx, "module_exists "+m)
		if errors.Is(err, ErrRejected) && strings.Contains(body, "Command not found") {
			return []string{"mod_commands"}, nil
		}
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(body) != "true" {
			missing = append(missing, m)
		}
	}
	return missing, nil
}
