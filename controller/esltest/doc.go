// Package esltest is a FreeSWITCH simulator for tests: a real Event Socket
// (ESL) server on loopback that speaks the protocol frame for frame like
// FreeSWITCH does (docs: freeswitch-esl.md), with simulated channels, SIP
// users and gateways steered by a Scenario.
//
// # Use
//
//	srv, err := esltest.Start(ctx, esltest.Options{TimeScale: 0.01})
//	conn, err := eslgo.Dial(srv.Addr(), "ClueCon", nil)
//
// Inbound commands (auth, event plain|json|xml, nixevent, noevents, filter,
// myevents, linger, api, bgapi with or without a Job-UUID header, sendmsg,
// sendevent, exit) get FreeSWITCH's exact reply texts; an `api` command
// holds back that connection's events until its response is written.
// API commands: avmd <uuid> start|stop (mod_avmd's media bug at once, with
// its replies), originate ({} and [] variables, origination_uuid,
// origination_caller_id_*, originate_timeout; endpoints
// sofia/gateway/<gw>/<number>, user/<ext>, sofia/<profile>/<user>,
// loopback/<exten>, error/<cause>; &app(args) or an extension), uuid_kill,
// uuid_answer, uuid_park, uuid_bridge, uuid_transfer (-bleg, -both,
// inline), uuid_hold, uuid_record (start/stop/mask/unmask, writes a small
// real WAV), uuid_broadcast (played inside a bridge or the park loop,
// which the channel then returns to), uuid_displace, uuid_break,
// uuid_setvar(_multi),
// uuid_getvar, uuid_exists, uuid_dump, uuid_send_dtmf, show
// channels|calls [count] [as json], status, sofia status [gateway [name]],
// sofia_contact, hupall, reloadxml, version, create_uuid, fsctl,
// module_exists (true for Scenario.Modules, default DefaultModules).
// Applications (sendmsg execute, &app(), the scenario dialplan): answer,
// pre_answer, park, playback, play_and_get_digits, read, record_session,
// record, bridge, eavesdrop (DTMF 0-3 and * switch listen, whisper, barge),
// three_way, conference, voicemail, txfax/rxfax (mod_spandsp's
// spandsp::txfaxnegociateresult, one txfaxpageresult per page of the TIFF
// and txfaxresult, with its fax-* headers and fax_* variables; the far
// fax machine from NumberRule.Fax / NumberOverride.Fax), hangup, set, export,
// multiset, unset, sleep, transfer, sched_hangup, avmd_start (a beep,
// avmd::beep, when the callee's verdict is MACHINE), amd (amd_result and
// amd_cause from the scenario's AMD verdict), and
// socket host:port [async] [full], for which the simulator dials out like
// mod_event_socket (connect reply with the channel data, park, linger and
// disconnect notices).
//
// Events have the base headers, channel headers, caller profiles and
// variables in the order and URL-encoding of the captured frames in
// testdata/ (FreeSWITCH 1.10 header set; TestFixturesMatchCapturedStructure
// compares them), with one Event-Sequence counter per Core-UUID.
//
// Inbound channels start with CHANNEL_STATE CS_NEW (no caller profile yet),
// every channel with CHANNEL_STATE CS_INIT and CHANNEL_CREATE.
//
// Tests steer the far end with Server.Answer, Hangup, SendDTMF,
// InboundCall, SetRegistered and ExpireRegistration (sofia::register,
// unregister and expire with mod_sofia's headers) and LoadModule, inspect
// it with Channels, and break it
// with SetFaults (late replies, dropped connections, log/data frames, rude
// rejection, stalls) and Restart (new Core-UUID, everything gone).
//
// # Deviation
//
// After a final disconnect notice the simulator gives the client up to two
// seconds to close first, where FreeSWITCH closes at once: eslgo v1.5.0
// races on its own response map when the server's EOF meets its own Close
// (issue #46), which fails -race tests. eslgo also races whenever an
// inbound connection is closed (authLoop reads that map unlocked), so
// tests should keep eslgo clients open until the process ends, or close
// them knowing -race may report eslgo.
//
// A fax call that hangs up before phase E fires no spandsp::txfaxresult
// here; the sender then reads the outcome from the hangup.
//
// # Concurrency
//
// One goroutine (the world loop, Server.run) owns all channel, user,
// gateway and subscription state; API commands, timers, test controls and
// sendmsg are closures posted to it. Each connection has a reader
// goroutine that runs its commands in order and a writer goroutine that
// owns the socket's write side; the world hands events to a connection
// through a buffered channel (100000 like FreeSWITCH's queue; a listener
// that loses more than 500 events is dropped), and the writer gives
// replies priority, so a bgapi reply always precedes its BACKGROUND_JOB.
// Each event is serialized once and shared by every connection.
//
// Time: every simulated delay (ring, talk, prompts, playback, fax, ...) is
// multiplied by Options.TimeScale, so a test can run a 30 s call in 300 ms.
// The heartbeat interval and fault durations are real time.
package esltest
