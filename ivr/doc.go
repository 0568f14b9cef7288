// Package ivr is the FreeSWITCH outbound event-socket server and the IVR
// flows run on it: identity verification by DTMF (the agent sends the
// customer in, the result goes back), voice broadcast with an optional
// confirm-or-agent choice, and DTMF surveys.
//
// FreeSWITCH's `socket <addr> async full` application (the dialplan's ivr
// context, see package dialplan) connects to Server once per call, with the
// flow's name in the channel variable ivr_flow. The server subscribes to
// the channel's events, asks FreeSWITCH to linger after a hangup, answers,
// runs the flow, reports the Result, and closes the socket when the call is
// over for the IVR: after the hangup has completed, after a transfer (to a
// queue or an extension; the call goes on in the dialplan), or once the
// controller has bridged a verified caller back to the agent.
//
// Flows are data (Flow, Step), loadable from YAML or JSON. Each call runs on
// its own goroutine, which is the only reader of that call's events: eslgo
// hands every event to a listener goroutine that copies it into the call's
// buffered channel, and the flow consumes that channel between commands.
//
// eslgo v1.5.0 is used for the protocol, around its known faults
// (docs freeswitch-esl.md 7.3): the server owns the listener (Shutdown can
// stop it) and builds eslgo's connections itself; commands go one at a time
// and a timed-out one ends the call, as later replies would be paired
// wrongly; applications are matched to their completion by Event-UUID and a
// hangup is seen even when eslgo delivers it out of order (Answer-State);
// digits are read from play_and_get_digits' completion, never through
// WaitForDTMF; the socket's end is noticed without eslgo's help, and the
// local side always closes first. The digits of secret steps are never
// logged, reported or left in channel variables.
package ivr
